"""exmech paths | export | report: intervention -> mediator -> outcome paths, for people and for other tools."""

import csv
import io
import json
from pathlib import Path as FilePath

import typer

from ..catalogue import QueryError
from ..export import edges_csv, graphml
from ..load import load_graph
from ..paths import STATUSES, find_paths, paths_graph
from .options import KbDir, fail

PATH_FORMATS = ("table", "csv", "json", "turtle")


def _paths(kb, **filters):
    try:
        return find_paths(load_graph(kb), **filters)
    except QueryError as exc:
        fail(str(exc))


def paths(
    intervention: str | None = typer.Option(None, help="Exercise type, e.g. aerobic, WalkingExercise, exm:PilatesExercise."),
    mechanism: str | None = typer.Option(None, help="Mechanism, e.g. self-efficacy."),
    theme: str | None = typer.Option(None, help="Theme, e.g. psychosocial."),
    outcome: str | None = typer.Option(None, help="Outcome domain: pain-intensity, disability, quality-of-life."),
    min_evidence: str = typer.Option("proposed", help=f"Weakest status shown: {', '.join(STATUSES)}."),
    fmt: str = typer.Option("table", "-f", "--format", help=f"One of: {', '.join(PATH_FORMATS)}."),
    kb: FilePath | None = KbDir,
) -> None:
    """Every intervention -> mechanism -> outcome path with its trials, evidence status and, when tested, the indirect effect.

    Runs the packaged query queries/paths.rq; exercise types roll up (aerobic includes walking).
    Example: exmech paths --intervention aerobic --min-evidence measured
    """
    if fmt not in PATH_FORMATS:
        fail(f"--format {fmt!r}: choose one of {', '.join(PATH_FORMATS)}")
    found = _paths(kb, intervention=intervention, mechanism=mechanism, theme=theme, outcome=outcome,
                   min_evidence=min_evidence)
    if fmt == "json":
        typer.echo(json.dumps([p.as_dict() for p in found], indent=2))
    elif fmt == "turtle":
        typer.echo(paths_graph(found).serialize(format="turtle"))
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["exercise_type", "mechanism", "theme", "outcome", "status", "studies", "indirect", "ci_lower",
                         "ci_upper", "proportion_mediated"])
        for p in found:
            writer.writerow([p.exercise_type, p.mechanism, p.theme, p.outcome, p.status, " ".join(p.studies),
                             p.indirect, p.ci_lower, p.ci_upper, p.proportion_mediated])
        typer.echo(out.getvalue(), nl=False)
    else:
        for p in found:
            estimate = p.indirect if p.indirect is not None else "n/a"
            effect = f"  indirect {estimate} ({p.ci_lower} to {p.ci_upper})" if p.ci_lower is not None else ""
            mediated = f", {p.proportion_mediated:.0%} mediated" if p.proportion_mediated is not None else ""
            typer.echo(f"{p.exercise_type} -> {p.mechanism} -> {p.outcome}  [{p.status}; {len(p.studies)} trial(s): "
                       f"{', '.join(p.studies)}]{effect}{mediated}")
        typer.echo(f"({len(found)} path{'s' if len(found) != 1 else ''})")


def export(fmt: str = typer.Option("graphml", "-f", "--format", help="graphml or csv (edges)."),
           out: FilePath | None = typer.Option(None, "-o", "--output", help="File to write (default: stdout)."),
           kb: FilePath | None = KbDir) -> None:
    """Export the path network for Cytoscape or Gephi (GraphML) or a spreadsheet (CSV edges).

    Example: exmech export -f graphml -o paths.graphml
    """
    if fmt not in ("graphml", "csv"):
        fail(f"--format {fmt!r}: choose graphml or csv")
    found = _paths(kb)
    text = graphml(found) if fmt == "graphml" else edges_csv(found)
    if out:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}")
    else:
        typer.echo(text, nl=False)


def report(out: FilePath = typer.Option(FilePath("report"), "-o", "--out", "--output", help="Folder for the report."),
           kb: FilePath | None = KbDir) -> None:
    """Write the evidence report (report.html, report.md) with its figures as SVG and PNG.

    Example: exmech report --out report
    """
    from ..report import write_report

    made = write_report(load_graph(kb), out)
    typer.echo(f"wrote {made.html}, {made.markdown} and {len(made.figures)} figure files")


def register(app: typer.Typer) -> None:
    app.command()(paths)
    app.command()(export)
    app.command()(report)
