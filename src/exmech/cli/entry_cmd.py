"""exmech validate | add | template: check a reviewer's entry, add it safely, or start from an empty form."""

import json
from dataclasses import asdict
from pathlib import Path

import typer
from rdflib import Graph
from rdflib.namespace import SH

from exmech.cli.options import KbDir, Quiet, ValidateFormat, fail, format_option, progress
from exmech.entries.form import COLUMNS, template_text, write_template
from exmech.entries.kb_write import AddError, KbFolderError, locked, main_node, remove_stale, write_locked
from exmech.entries.provenance import addition_record, orcid_iri, without_additions
from exmech.entries.read import EntryError, read_entry
from exmech.entries.validate import check_entry, duplicate_problems, load_kb_index, with_rows
from exmech.entries.workbook import WorkbookError, graph_to_sheets
from exmech.entries.workbook_files import empty_sheets, help_rows, stored_trial_file, write_workbook
from exmech.graph.load import SourceError
from exmech.graph.resources import checkout_dir


def _read_all(files: list[Path]) -> dict[Path, Graph]:
    """Parse every input first: one unreadable file stops the command (exit 2) before anything is checked or added."""
    entries, errors = {}, []
    for path in files:
        try:
            entries[path] = read_entry(path)
        except EntryError as exc:
            errors.append(str(exc))
    if errors:
        fail("\n       ".join(errors))
    return entries


def kb_index_or_fail(kb: Path | None):
    """The stored knowledge base's index; a stored file that cannot be parsed is exit 2, not a traceback."""
    try:
        return load_kb_index(kb)
    except (SourceError, OSError) as exc:
        fail(f"the knowledge base cannot be read: {exc}")


def _check(entry: Graph, index):
    problems, report = check_entry(entry, index)
    return with_rows(problems, entry), report


def _summary(name: str, problems) -> str:
    violations = sum(p.severity == "Violation" for p in problems)
    warnings = len(problems) - violations
    verdict = "conforms" if not violations else f"does not conform: {violations} violation(s)"
    return f"{name}: {verdict}" + (f", {warnings} warning(s)" if warnings else "")


def validate(
    files: list[Path] = typer.Argument(
        ..., help="Entry files: .ttl, .jsonld, .csv, .xlsx (see `exmech template`)."
    ),
    fmt: ValidateFormat = format_option(
        ValidateFormat.text, "text, json, or turtle (the SHACL report graph)."
    ),
    kb: Path | None = KbDir,
) -> None:
    """Check entries against the shapes, the ontology, the vocabularies and the stored knowledge base.

    One line per problem: the entry (ID, label and, for a spreadsheet, its row), the field, what is wrong and what
    is expected, and the shape that says so. A DOI, PMID or registration already stored is a duplicate; a term not
    in a vocabulary is reported with the nearest valid names.

    Exit codes: 0 every file conforms (warnings allowed), 1 a file does not conform, 2 a file cannot be read.

    Example: exmech validate new-trial.ttl --format json
    """
    entries = _read_all(files)
    index = kb_index_or_fail(kb)
    worst, results, reports = 0, {}, Graph()
    reports.bind("sh", SH)
    for path, entry in entries.items():
        problems, report = _check(entry, index)
        results[str(path)] = problems
        reports += report
        if any(p.severity == "Violation" for p in problems):
            worst = 1
    if fmt == ValidateFormat.json:
        typer.echo(
            json.dumps(
                {
                    name: {
                        "conforms": not any(p.severity == "Violation" for p in ps),
                        "problems": [asdict(p) for p in ps],
                    }
                    for name, ps in results.items()
                },
                indent=2,
            )
        )
    elif fmt == ValidateFormat.turtle:
        typer.echo(reports.serialize(format="turtle"))
    else:
        for name, problems in results.items():
            typer.echo(_summary(name, problems))
            for p in problems:
                typer.echo(f"  {p.line()}")
    raise typer.Exit(worst)


def add(
    files: list[Path] = typer.Argument(
        ..., help="Entry files to add (.ttl, .jsonld, .csv, .xlsx, or a folder of workbook CSV files)."
    ),
    kb: Path | None = KbDir,
    curator: str | None = typer.Option(
        None,
        "--curator",
        help="Your ORCID iD: recorded, with the date and file name, as who added the entry.",
    ),
    quiet: bool = Quiet,
) -> None:
    """Validate each entry and add it to the knowledge base only if it has no violation (all or nothing per file).

    Each file is stored as one Turtle file, <kb>/studies/<slug>.ttl (or <kb>/mediation/<slug>.ttl), written to a
    temporary file and renamed into place. Entries are checked first; the lock is then held only to re-check the
    stored identifiers and files (what a concurrent add can change) and to write: an interrupted or concurrent add
    leaves the store as it was or fully updated, and a temporary file a killed add left is removed at the next.
    Adding the same entry twice changes nothing.

    Exit codes: 0 all added (or already present), 1 an entry does not conform or clashes, 2 a file cannot be read
    (then nothing is added) or the knowledge base cannot be written (read-only, full, a symlink in the way).

    Example: exmech add new-trial.ttl --kb ontology/kb
    """
    kb_dir = kb or checkout_dir("ontology", "exmech add without --kb") / "kb"
    who = orcid_iri(curator) if curator else None
    with progress(quiet) as step:
        step(f"reading {len(files)} file(s)")
        entries = _read_all(files)
        step(f"indexing the knowledge base in {kb_dir}")
        index = kb_index_or_fail(kb_dir)
        checked = {}
        for path, entry in entries.items():  # outside the lock
            step(f"checking {path.name} against the shapes and the knowledge base")
            checked[path] = _check(entry, index)[0]
    worst = 0
    try:
        with locked(kb_dir):  # held only to re-check what a concurrent add can change, and to write
            for stale in remove_stale(kb_dir):
                typer.echo(f"removed {stale}, a temporary file an interrupted earlier add left behind")
            index = kb_index_or_fail(kb_dir)
            for path, entry in entries.items():
                worst = max(worst, _add_one(path, entry, checked[path], index, kb_dir, who))
    except KbFolderError as exc:
        fail(f"{exc}")
    raise typer.Exit(worst)


def _add_one(path: Path, entry: Graph, problems, index, kb_dir: Path, curator) -> int:
    """Write one checked entry under the lock; 0 added or present, 1 it does not conform or clashes."""
    violations = [p for p in problems if p.severity == "Violation"]
    violations = violations or with_rows(duplicate_problems(entry, index), entry)
    if violations:
        typer.echo(f"{path}: not added, {len(violations)} violation(s)")
        for p in violations:
            typer.echo(f"  {p.line()}")
        return 1
    try:
        record = addition_record(main_node(entry), path, curator) if curator else None
        added = write_locked(entry, kb_dir, record, source=path.name)
    except AddError as exc:
        typer.echo(f"{path}: not added: {exc}")
        return 1
    index.note(added.path.relative_to(kb_dir).as_posix(), entry)
    note = f" ({len(problems)} warning(s): run `exmech validate` to see them)" if problems else ""
    typer.echo(f"{path}: {'added as' if added.changed else 'already present, unchanged:'} {added.path}{note}")
    return 0


def template(
    out: Path | None = typer.Option(
        None,
        "-o",
        "--output",
        help="Write the form here: .csv (one row per trial), .xlsx (with --sheets or --from: the workbook), "
        "or, with --sheets or --from, a folder of CSV files one per sheet; default: the one-row CSV on stdout.",
    ),
    trial: str | None = typer.Option(
        None, "--from", help="Write this stored trial (its key, e.g. sherman2011) as a filled workbook."
    ),
    sheets: bool = typer.Option(False, "--sheets", help="Write the empty multi-sheet workbook."),
    kb: Path | None = KbDir,
) -> None:
    """Write an entry form: the one-row-per-trial CSV/XLSX, the multi-sheet workbook (--sheets), or a stored trial
    as a filled workbook (--from TRIAL), which validates and adds back to the same graph.

    The workbook has a sheet per kind of record (trials, publications, populations, arms, interventions,
    measurements, claims, mediation, effects) and a help sheet listing every column and the exercise-class guide;
    the same columns are printed after writing a file.

    Example: exmech template --from sherman2011 -o sherman2011.xlsx
    """
    if trial or sheets:
        if out is None:
            fail("--from and --sheets need -o FILE.xlsx or -o FOLDER (CSV files, one per sheet)")
        _write_sheets(out, trial, kb)
        return
    if out is None:
        typer.echo(template_text(), nl=False)
        return
    write_template(out)
    typer.echo(f"wrote {out}; columns:")
    for name, meaning in COLUMNS.items():
        typer.echo(f"  {name}: {meaning}")


def _write_sheets(out: Path, trial: str | None, kb: Path | None) -> None:
    try:
        if trial:
            kb_dir = kb or checkout_dir("ontology", "exmech template --from without --kb") / "kb"
            book = graph_to_sheets(
                without_additions(Graph().parse(stored_trial_file(trial, kb_dir), format="turtle"))
            )
        else:
            book = empty_sheets()
        write_workbook(book, out)
    except WorkbookError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{out}: cannot write: {exc.strerror or exc}")
    typer.echo(f"wrote {out}; sheets and columns:")
    for row in help_rows()[1:]:
        if row[1]:
            typer.echo(f"  {row[0]}.{row[1]}: {row[2]}")


def register(app: typer.Typer) -> None:
    app.command()(validate)
    app.command()(add)
    app.command()(template)
