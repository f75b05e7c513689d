"""exmech build | check | stats: make, validate and summarise the merged graph."""

import json
from pathlib import Path

import typer

from exmech.checks.quality import CheckReport, run_checks
from exmech.cli.options import (
    CheckFormat,
    EndpointUrl,
    FailOn,
    GraphIris,
    KbDir,
    MaxBytes,
    OutDir,
    OutFile,
    Quiet,
    StoreSpec,
    Timeout,
    User,
    credentials,
    emit,
    format_option,
    open_named_store,
    progress,
)
from exmech.evidence.stats import LABELS, headline
from exmech.graph.build import write_graph
from exmech.graph.load import load_graph


def _load(kb: Path | None):
    return load_graph(kb)


def _source(kb: Path | None, store: str | None, endpoint: str | None, remote: dict):
    """The embedded graph, or the store the user named (--store / --endpoint, with remote: its graph, user,
    timeout and max_bytes, as every reading command takes them: exmech.cli.options.open_named_store)."""
    if store in (None, "memory") and not endpoint and not remote.get("graph"):
        credentials(endpoint, remote.get("user"))  # --user without --endpoint is exit 2 here too
        return _load(kb)
    return open_named_store(store, endpoint, kb, **remote)


def _figures_text(figures: dict) -> str:
    return "".join(f"  {figures[key]:>7}  {label}\n" for key, label in LABELS.items() if key in figures)


def build(out: Path = OutDir, kb: Path | None = KbDir, quiet: bool = Quiet) -> None:
    """Write the merged graph (ontology + knowledge base + derived facts) as Turtle, N-Triples and JSON-LD.

    Example: exmech build -o build
    """
    with progress(quiet) as step:
        step("loading the graph: parsing the sources, deriving the rules")
        graph = _load(kb)
        step(f"writing Turtle, N-Triples and JSON-LD to {out}/")
        result = write_graph(graph, out)
        step("counting the headline figures")
        figures = headline(graph)
    typer.echo(f"built release {result.date} in {out}/: " + ", ".join(p.name for p in result.files))
    typer.echo(_figures_text(figures), nl=False)


def check(
    kb: Path | None = KbDir,
    store: str | None = StoreSpec,
    endpoint: str | None = EndpointUrl,
    hermit: bool = typer.Option(True, help="Also run HermiT where Java exists."),
    fmt: CheckFormat = format_option(CheckFormat.text, "text, or json (with summary counts)."),
    fail_on: FailOn = typer.Option(
        FailOn.violation, "--fail-on", help="violation (default) or warning: what exits 1."
    ),
    out: Path | None = OutFile,
    quiet: bool = Quiet,
    graph: list[str] = GraphIris,
    user: str | None = User,
    timeout: float = Timeout,
    max_bytes: int = MaxBytes,
) -> None:
    """Validate the graph: quality checks return no rows, SHACL shapes find no violation, the ontology is consistent.

    On any store (quality checks run inside it; shapes and reasoners need the graph in memory, see exmech.checks.quality).
    Exit code 0 when everything passes, 1 when something does not conform (--fail-on warning: warnings too).
    Example: exmech check --no-hermit -f json
    """
    with progress(quiet) as step:
        step("loading the graph")
        remote = {"graph": graph, "user": user, "timeout": timeout, "max_bytes": max_bytes}
        report = run_checks(_source(kb, store, endpoint, remote), hermit, progress=step)
    if fmt == CheckFormat.json:
        emit(json.dumps(report.as_dict(), indent=2, default=str) + "\n", out)
    else:
        emit("".join(f"{line}\n" for line in _check_lines(report)), out)
    raise typer.Exit(0 if report.conforms(fail_on.value) else 1)


def _check_lines(report: CheckReport):
    yield f"quality checks: {report.qc_total - len(report.qc_failures)}/{report.qc_total} pass"
    for name, rows in report.qc_failures.items():
        yield f"  FAIL {name}: {len(rows)} row(s)"
        for row in rows[:10]:
            yield "     " + "  ".join(row)
    shape_violations = sum(p.severity == "Violation" for p in report.problems)
    if report.problems or not report.not_run:
        yield f"SHACL shapes: {shape_violations} violation(s), {report.warnings} warning(s)"
    for problem in report.problems:
        yield f"  {problem.line()}"
    for verdict in report.verdicts:
        state = {True: "consistent", False: "INCONSISTENT", None: "not run"}[verdict.consistent]
        yield f"{verdict.reasoner}: {state}"
        for message in verdict.messages:
            yield f"  {message}"
    for reason in report.not_run:
        yield f"not run: {reason}"


def stats(
    kb: Path | None = KbDir,
    store: str | None = StoreSpec,
    endpoint: str | None = EndpointUrl,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    out: Path | None = OutFile,
    graph: list[str] = GraphIris,
    user: str | None = User,
    timeout: float = Timeout,
    max_bytes: int = MaxBytes,
) -> None:
    """Print the headline figures: trials, mechanisms, claims, mediation analyses, and what is sourced or missing.

    Example: exmech stats --json
    """
    remote = {"graph": graph, "user": user, "timeout": timeout, "max_bytes": max_bytes}
    figures = headline(_source(kb, store, endpoint, remote))
    emit(json.dumps(figures, indent=2) + "\n" if as_json else _figures_text(figures), out)


def register(app: typer.Typer) -> None:
    app.command()(build)
    app.command()(check)
    app.command()(stats)
