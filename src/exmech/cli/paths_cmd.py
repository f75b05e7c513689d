"""exmech paths | report | export: exercise -> mediator -> outcome paths, for people and for other tools."""

import json
from collections.abc import Iterable, Iterator
from pathlib import Path as FilePath

import typer

from exmech.cli.options import (
    EXIT_REMOTE,
    EndpointUrl,
    ExportFormat,
    GraphIris,
    KbDir,
    MaxBytes,
    OutFile,
    PathFormat,
    Quiet,
    StoreSpec,
    Timeout,
    User,
    emit,
    fail,
    format_option,
    open_named_store,
    progress,
    warn,
)
from exmech.cli.query_cmd import empty_hint
from exmech.errors import require
from exmech.evidence.paths import STATUSES, MechanismPath, evidence_text, find_paths, iter_paths, paths_graph
from exmech.graph.catalogue import QueryError
from exmech.graph.load import SourceError
from exmech.outputs.cells import csv_text
from exmech.outputs.export import write_export
from exmech.outputs.results import GraphFormat, write_graph
from exmech.stores import StoreError
from exmech.stores.http_client import RemoteError

ExportDir = typer.Option(FilePath("export"), "-o", "--out", "--output", help="Folder to write into.")
ReportDir = typer.Option(FilePath("report"), "-o", "--out", "--output", help="Folder for the report.")
CSV_COLUMNS = (
    "path",
    "exercise_type",
    "mechanism",
    "theme",
    "outcome",
    "status",
    "study",
    "study_status",
    "analysis",
    "indirect",
    "ci_lower",
    "ci_upper",
    "proportion_mediated",
)


def _table(found: Iterable[MechanismPath]) -> Iterator[str]:
    """The table for people, one path (with its evidence lines) at a time, then the count."""
    count = 0
    for p in found:
        count += 1
        lines = [
            f"{p.exercise_type} -> {p.mechanism} -> {p.outcome}  [{p.status.upper()}; "
            f"{len(p.studies)} {'study' if len(p.studies) == 1 else 'studies'}]"
        ]
        for e in p.evidence:
            effect = f"  {e.analysis}: {evidence_text(e)}" if e.analysis else ""
            lines.append(f"    {e.study:<28} {e.status:<10}{effect}".rstrip())
        yield "\n".join(lines) + "\n"
    yield f"({count} path{'s' if count != 1 else ''})\n"


def _csv(found: Iterable[MechanismPath]) -> Iterator[str]:
    """One row per path, study and analysis (tidy data for spreadsheets and R); formula-like text escaped; the
    header, then one path at a time (through the one CSV writer, csv_text)."""
    yield csv_text(list(CSV_COLUMNS), [])
    for p in found:
        rows = [
            [
                p.iri,
                p.exercise_type,
                p.mechanism,
                p.theme,
                p.outcome,
                p.status,
                e.study,
                e.status,
                e.analysis or "",
                *(e.indirect, e.ci_lower, e.ci_upper, e.proportion_mediated),
            ]
            for e in p.evidence
        ]
        yield csv_text(list(CSV_COLUMNS), rows).split("\n", 1)[1]


class _Counted:
    """An iterator of paths that remembers whether it gave any (for the empty-answer hint after streaming)."""

    def __init__(self, paths: Iterator[MechanismPath]):
        self.paths, self.seen = paths, False

    def __iter__(self) -> Iterator[MechanismPath]:
        for path in self.paths:
            self.seen = True
            yield path


def _stream(chunks: Iterator[str], out: FilePath | None) -> None:
    """Write each piece as it is made: the first paths show before the last are read."""
    if out is None:
        for chunk in chunks:
            typer.echo(chunk, nl=False)
        return
    with out.open("wb") as handle:
        for chunk in chunks:
            handle.write(chunk.encode("utf-8"))


def paths(
    intervention: str | None = typer.Option(
        None, help="Exercise type (narrower types roll up): aerobic, walking, Pilates, exm:YogaExercise, ..."
    ),
    mechanism: str | None = typer.Option(
        None, help="Mechanism: self-efficacy, mech:fear-avoidance, 'motor control', ..."
    ),
    theme: str | None = typer.Option(None, help="Mechanism theme: neuromuscular, psychosocial, ..."),
    outcome: str | None = typer.Option(
        None, help="Outcome domain (narrower outcomes roll up): pain-intensity, disability, quality-of-life."
    ),
    min_evidence: str = typer.Option("proposed", help=f"Weakest path status shown: {', '.join(STATUSES)}."),
    fmt: PathFormat = format_option(
        PathFormat.table, "table for people, csv (one row per study), json or turtle."
    ),
    out: FilePath | None = OutFile,
    kb: FilePath | None = KbDir,
    store: str | None = StoreSpec,
    endpoint: str | None = EndpointUrl,
    timeout: float = Timeout,
    max_bytes: int = MaxBytes,
    graph: list[str] = GraphIris,
    user: str | None = User,
) -> None:
    """Every exercise type -> mechanism -> outcome path: its studies, their evidence, the indirect effects.

    Runs the packaged query queries/paths.rq (see `exmech queries`); paths and their statuses are derived
    at load by the rules queries/rules/path-*construct.rq. Strongest evidence first.

    Example: exmech paths --intervention aerobic --min-evidence measured -f csv
    """
    source = open_named_store(store, endpoint, kb, timeout, max_bytes, graph, user)
    filters = {"intervention": intervention, "mechanism": mechanism, "theme": theme, "outcome": outcome}
    try:
        if fmt in (PathFormat.table, PathFormat.csv):  # streamed: rows are written as they arrive
            found = _Counted(iter_paths(source, **filters, min_evidence=min_evidence))
            _stream(_csv(found) if fmt == PathFormat.csv else _table(found), out)
            if not found.seen and (hint := empty_hint(source, [])):
                warn(hint)
            return
        listed = find_paths(source, **filters, min_evidence=min_evidence)
        turtle = paths_graph(source, listed) if fmt == PathFormat.turtle else None
        hint = empty_hint(source, listed)
    except RemoteError as exc:
        fail(str(exc), EXIT_REMOTE)
    except (QueryError, SourceError, StoreError) as exc:
        fail(str(exc))
    if hint:
        warn(hint)
    if turtle is not None:
        emit(write_graph(turtle, GraphFormat.turtle), out)
    else:
        emit(json.dumps([p.as_dict() for p in listed], indent=2) + "\n", out)


def export(
    fmt: ExportFormat = format_option(
        ExportFormat.graphml, "graphml (Cytoscape, Gephi, yEd) or csv (nodes and edges, for spreadsheets)."
    ),
    out: FilePath = ExportDir,
    kb: FilePath | None = KbDir,
    store: str | None = StoreSpec,
    endpoint: str | None = EndpointUrl,
    timeout: float = Timeout,
    max_bytes: int = MaxBytes,
    graph: list[str] = GraphIris,
    user: str | None = User,
) -> None:
    """Export the path network: nodes are exercise types, mechanisms and outcomes; edges carry the number of
    studies (weight) and the strongest evidence status.

    Writes paths.graphml, or paths-nodes.csv and paths-edges.csv.

    Example: exmech export -f graphml -o export
    """
    source = open_named_store(store, endpoint, kb, timeout, max_bytes, graph, user)
    try:
        written = write_export(source, find_paths(source), fmt.value, out)
    except RemoteError as exc:
        fail(str(exc), EXIT_REMOTE)
    for path in written:
        typer.echo(f"wrote {path}")


def report(
    out: FilePath = ReportDir,
    kb: FilePath | None = KbDir,
    store: str | None = StoreSpec,
    endpoint: str | None = EndpointUrl,
    timeout: float = Timeout,
    max_bytes: int = MaxBytes,
    graph: list[str] = GraphIris,
    user: str | None = User,
    quiet: bool = Quiet,
) -> None:
    """Write the evidence report (report.html, report.md) with its figures as SVG and PNG: the review's theme
    table beside the graph's, mentions by theme, exercise type x theme, the path diagram, the paths, the gaps.

    Example: exmech report --out report
    """
    for module in ("matplotlib", "statsmodels", "jinja2"):
        require(module, "report")
    from exmech.outputs.report import write_report

    with progress(quiet) as step:
        step("loading the graph")
        source = open_named_store(store, endpoint, kb, timeout, max_bytes, graph, user)
        step(f"writing the report and its figures to {out}/")
        try:
            made = write_report(source, out)
        except RemoteError as exc:
            fail(str(exc), EXIT_REMOTE)
    typer.echo(f"wrote {made.html}, {made.markdown} and {len(made.figures)} figure files in {out}")


def register(app: typer.Typer) -> None:
    app.command()(paths)
    app.command()(export)
    app.command()(report)
