"""exmech build | check | stats: make, validate and summarise the merged graph."""

import json
from pathlib import Path

import typer

from ..build import write_graph
from ..catalogue import catalogue
from ..consistency import check as check_consistency
from ..load import SourceError, load_graph
from ..shapes import validate as validate_shapes
from ..stats import LABELS, headline
from .options import KbDir, OutDir, fail


def _load(kb: Path | None):
    try:
        return load_graph(kb)
    except SourceError as exc:
        fail(str(exc))


def _print_figures(figures: dict) -> None:
    for key, label in LABELS.items():
        if key in figures:
            typer.echo(f"  {figures[key]:>7}  {label}")


def build(out: Path = OutDir, kb: Path | None = KbDir) -> None:
    """Write the merged graph (ontology + knowledge base + derived facts) as Turtle, N-Triples and JSON-LD.

    Example: exmech build -o build
    """
    graph = _load(kb)
    result = write_graph(graph, out)
    typer.echo(f"built release {result.date} in {out}/: " + ", ".join(p.name for p in result.files))
    _print_figures(headline(graph))


def qc_violations(graph) -> dict[str, list]:
    """Run every queries/qc/*-violation.rq; return the rows of those that found violations."""
    found = {}
    for name, query in catalogue().items():
        if name.startswith("qc/"):
            rows = list(graph.query(query.text))
            if rows:
                found[name] = rows
    return found


def check(
    kb: Path | None = KbDir, hermit: bool = typer.Option(True, help="Also run HermiT where Java exists.")
) -> None:
    """Validate the graph: quality checks return no rows, SHACL shapes find no violation, the ontology is consistent.

    Exit code 0 when everything passes, 1 when something does not conform.
    Example: exmech check --no-hermit
    """
    graph = _load(kb)
    ok = True
    violations = qc_violations(graph)
    qc_total = sum(1 for n in catalogue() if n.startswith("qc/"))
    typer.echo(f"quality checks: {qc_total - len(violations)}/{qc_total} pass")
    for name, rows in violations.items():
        ok = False
        typer.echo(f"  FAIL {name}: {len(rows)} row(s)")
        for row in rows[:10]:
            typer.echo("     " + "  ".join(str(t) for t in row))
    problems = validate_shapes(graph)
    violations_found = [p for p in problems if p.severity == "Violation"]
    typer.echo(
        f"SHACL shapes: {len(violations_found)} violation(s), {len(problems) - len(violations_found)} warning(s)"
    )
    for problem in problems:
        typer.echo(f"  {problem.line()}")
    ok &= not violations_found
    for verdict in check_consistency(graph, use_hermit=hermit):
        state = {True: "consistent", False: "INCONSISTENT", None: "not run"}[verdict.consistent]
        typer.echo(f"{verdict.reasoner}: {state}")
        for message in verdict.messages:
            typer.echo(f"  {message}")
        ok &= verdict.consistent is not False
    raise typer.Exit(0 if ok else 1)


def stats(kb: Path | None = KbDir, as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Print the headline figures: trials, mechanisms, claims, mediation analyses, and what is sourced or missing.

    Example: exmech stats --json
    """
    figures = headline(_load(kb))
    if as_json:
        typer.echo(json.dumps(figures, indent=2))
    else:
        _print_figures(figures)


def register(app: typer.Typer) -> None:
    app.command()(build)
    app.command()(check)
    app.command()(stats)
