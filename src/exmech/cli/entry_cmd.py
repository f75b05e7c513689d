"""exmech validate | add | template: check a reviewer's entry, add it safely, or start from an empty form."""

import json
from pathlib import Path

import typer
from rdflib import Graph, Literal
from rdflib.namespace import RDF, SH

from ..csv_template import COLUMNS, template_text
from ..entries import EntryError, read_entry
from ..resources import resource_dir
from ..store_write import AddError, write_entry
from ..validate import store_index, validate_entry, with_rows
from .options import KbDir, fail

FORMATS = ("text", "json", "turtle")
EXIT_HELP = "Exit codes: 0 every file conforms, 1 a file does not conform, 2 a file cannot be read."


def _check(path: Path, index) -> tuple[Graph, list]:
    try:
        entry = read_entry(path)
    except EntryError as exc:
        fail(str(exc))
    return entry, with_rows(validate_entry(entry, index), entry)


def _report_graph(problems) -> Graph:
    graph = Graph()
    graph.bind("sh", SH)
    for i, p in enumerate(problems):
        node = graph.resource(f"urn:exmech:result:{i}")
        node.add(RDF.type, SH.ValidationResult)
        node.add(SH.resultSeverity, SH[p.severity])
        node.add(SH.focusNode, Literal(p.focus))
        node.add(SH.resultMessage, Literal(p.message))
        node.add(SH.sourceShape, Literal(p.shape))
        if p.path:
            node.add(SH.resultPath, Literal(p.path))
    return graph


def validate(
    files: list[Path] = typer.Argument(..., help="Entry files: .ttl, .jsonld, .csv (see `exmech template`)."),
    fmt: str = typer.Option("text", "-f", "--format", help=f"One of: {', '.join(FORMATS)}."),
    kb: Path | None = KbDir,
) -> None:
    """Check entries against the shapes, the vocabularies and the stored knowledge base (duplicate DOI/PMID).

    One line per problem: entry (and CSV row), field, what is wrong, the shape that says so.
    Exit codes: 0 every file conforms, 1 a file does not conform, 2 a file cannot be read.
    Example: exmech validate new-trial.ttl --format json
    """
    if fmt not in FORMATS:
        fail(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")
    index = store_index(kb)
    worst, report = 0, {}
    for path in files:
        _, problems = _check(path, index)
        report[str(path)] = problems
        if any(p.severity == "Violation" for p in problems):
            worst = 1
    if fmt == "json":
        typer.echo(json.dumps({f: [p.__dict__ for p in ps] for f, ps in report.items()}, indent=2))
    elif fmt == "turtle":
        typer.echo(_report_graph([p for ps in report.values() for p in ps]).serialize(format="turtle"))
    else:
        for name, problems in report.items():
            violations = sum(p.severity == "Violation" for p in problems)
            typer.echo(f"{name}: {'conforms' if not violations else f'{violations} violation(s)'}"
                       f"{f', {len(problems) - violations} warning(s)' if len(problems) > violations else ''}")
            for p in problems:
                typer.echo(f"  {p.line()}")
    raise typer.Exit(worst)


def add(files: list[Path] = typer.Argument(..., help="Entry files to add."), kb: Path | None = KbDir) -> None:
    """Validate each entry and add it to the knowledge base only if it has no violation (all or nothing per file).

    Writes atomically under a lock; adding the same entry twice changes nothing.
    Exit codes: 0 all added (or already present), 1 an entry does not conform or clashes, 2 a file cannot be read.
    Example: exmech add new-trial.ttl
    """
    kb_dir = kb or resource_dir("ontology") / "kb"
    index = store_index(kb)
    worst = 0
    for path in files:
        entry, problems = _check(path, index)
        violations = [p for p in problems if p.severity == "Violation"]
        if violations:
            worst = 1
            typer.echo(f"{path}: not added, {len(violations)} violation(s)")
            for p in violations:
                typer.echo(f"  {p.line()}")
            continue
        try:
            added = write_entry(entry, kb_dir)
        except AddError as exc:
            worst = 1
            typer.echo(f"{path}: not added: {exc}")
            continue
        typer.echo(f"{path}: {'added as' if added.changed else 'already present, unchanged:'} {added.path}")
    raise typer.Exit(worst)


def template(out: Path | None = typer.Option(None, "-o", "--output", help="Write the CSV here instead of stdout.")) -> None:
    """Write an empty CSV entry form (one row per trial); the columns are listed below.

    Example: exmech template -o new-trials.csv
    """
    text = template_text()
    if out:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}; columns:")
        for name, meaning in COLUMNS.items():
            typer.echo(f"  {name}: {meaning}")
    else:
        typer.echo(text, nl=False)


def register(app: typer.Typer) -> None:
    app.command()(validate)
    app.command()(add)
    app.command()(template)
