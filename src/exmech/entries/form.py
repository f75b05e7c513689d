"""The spreadsheet form of an entry: one CSV row per trial (one exercise arm, one comparator, one outcome and
optionally one proposed mechanism), a view of the entry workbook's sheets (exmech.entries.model).

Each column of the one-row form is one cell of one workbook row, named by the slug and a suffix (VIEW): the trial
row is <slug>, then <slug>-pub, <slug>-pop, <slug>-arm1 receiving <slug>-int1 (the exercise), <slug>-arm2 receiving
<slug>-int2 (the comparator), <slug>-m1 (the outcome) and <slug>-claim1 (the mechanism). A row is read with the
workbook's reader, so the same trial written in the one-row form or as a workbook with those ids is the same
graph, and adding it in one format after the other changes nothing.
"""

import csv
import io
import re
from functools import cache
from pathlib import Path

from rdflib import Graph

from exmech.entries.entry_graph import EntryGraph
from exmech.entries.model import SEPARATOR, SHEET_BY_NAME
from exmech.entries.workbook import row_to_graph
from exmech.graph.namespaces import bind_prefixes, compact
from exmech.outputs.cells import escape_text

# column -> what it means (also the documentation `exmech template --help` and the README print)
COLUMNS = {
    "slug": "entry id: first author's surname + year, lowercase ascii letters and digits (smith2010, smith2010b)",
    "label": "short label, e.g. 'Smith 2010: Pilates vs waiting list'",
    "title": "article title as published",
    "first_author": "first author, 'Surname Initials'",
    "year": "year of publication (4 digits)",
    "journal": "journal title",
    "doi": "bare DOI, 10.NNNN/...",
    "pmid": "PubMed ID, digits",
    "registration": "trial registry ID (NCT..., ACTRN..., ISRCTN...)",
    "source": "IRI of the source you read (https://doi.org/... or https://pubmed.ncbi.nlm.nih.gov/...)",
    "extraction": "FullText, PartialText, AbstractOnly or CitationOnly",
    "sample_size": "number randomised",
    "min_pain_weeks": "shortest pain duration admitted, in weeks (12 or more; weeks only: 3 months is 13)",
    "exercise_type": "exercise class, e.g. PilatesExercise, WalkingExercise (PNF, exergames, ...: see the guide)",
    "exercise_label": "what the exercise arm received",
    "sessions_per_week": "exercise sessions per week",
    "session_minutes": "minutes per session",
    "weeks": "programme length in weeks",
    "supervision": "Supervised, Unsupervised or PartlySupervised",
    "comparator_type": "TrueControl, HandsOnControl, HandsOffControl, or an exercise class",
    "comparator_label": "what the comparison arm received",
    "outcome": "outcome domain: pain-intensity, disability or quality-of-life",
    "outcome_instrument": "instrument id, e.g. rmdq, odi, nrs, vas",
    "outcome_weeks": "time point of the outcome after randomisation: weeks, or with its unit ('6 months', '12 weeks')",
    "outcome_time_unit": "unit of outcome_weeks when it is a bare number: weeks (default), months or years",
    "mechanism": "proposed mechanism id, e.g. self-efficacy (leave empty if none)",
    "mechanism_location": "where the source states it, e.g. 'Discussion, paragraph 3'",
    "mechanism_statement": "your paraphrase of the statement",
}
# one-row column -> (sheet, id suffix, workbook column): the cell of the workbook row it fills
VIEW = {
    "label": ("trials", "", "label"),
    "registration": ("trials", "", "registration"),
    "extraction": ("trials", "", "extraction"),
    "sample_size": ("trials", "", "sample_size"),
    "title": ("publications", "-pub", "title"),
    "first_author": ("publications", "-pub", "authors"),
    "year": ("publications", "-pub", "year"),
    "journal": ("publications", "-pub", "journal"),
    "doi": ("publications", "-pub", "doi"),
    "pmid": ("publications", "-pub", "pmid"),
    "min_pain_weeks": ("populations", "-pop", "min_pain_weeks"),
    "exercise_type": ("interventions", "-int1", "class"),
    "exercise_label": ("interventions", "-int1", "label"),
    "sessions_per_week": ("interventions", "-int1", "sessions_per_week"),
    "session_minutes": ("interventions", "-int1", "session_minutes"),
    "weeks": ("interventions", "-int1", "weeks"),
    "supervision": ("interventions", "-int1", "supervision"),
    "comparator_type": ("interventions", "-int2", "class"),
    "comparator_label": ("interventions", "-int2", "label"),
    "outcome": ("measurements", "-m1", "construct"),
    "outcome_instrument": ("measurements", "-m1", "instrument"),
    "outcome_weeks": ("measurements", "-m1", "weeks"),
    "outcome_time_unit": ("measurements", "-m1", "time_unit"),
    "mechanism": ("claims", "-claim1", "mechanism"),
    "mechanism_location": ("claims", "-claim1", "location"),
    "mechanism_statement": ("claims", "-claim1", "statement"),
}
# the `source` column is the source of these rows (a claim's: derived_from): id suffix -> (sheet, column)
SOURCE_OF = {
    "": ("trials", "source"),
    "-pub": ("publications", "source"),
    "-pop": ("populations", "source"),
    "-int1": ("interventions", "source"),
    "-claim1": ("claims", "derived_from"),
}
# rows that exist only when their key column is filled (the comparator's arm goes with the comparator)
OPTIONAL = {"-arm2": "comparator_type", "-int2": "comparator_type", "-m1": "outcome", "-claim1": "mechanism"}
# a label left empty is the slug (the trial) or the class (an intervention)
DEFAULT_LABEL = {"": "slug", "-int1": "exercise_type", "-int2": "comparator_type"}
_SLUG = re.compile(r"^[a-z][a-z0-9]{1,60}$")  # no "-": it separates the slug from node names


def template_text() -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(COLUMNS)
    return out.getvalue()


def write_template(path: Path) -> None:
    """Write the empty form: CSV, or XLSX (header row plus a second sheet explaining each column)."""
    if path.suffix.lower() != ".xlsx":
        path.write_text(template_text(), encoding="utf-8")
        return
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "entries"
    sheet.append([escape_text(c) for c in COLUMNS])  # openpyxl stores text starting with '=' as a formula
    help_sheet = book.create_sheet("columns")
    help_sheet.append(["column", "meaning"])
    for name, meaning in COLUMNS.items():
        help_sheet.append([escape_text(name), escape_text(meaning)])
    book.save(path)


def rows_to_graph(text: str, path: Path) -> Graph:
    """A CSV entry (UTF-8 text; leading '# ...' lines are notes) as a graph."""
    lines = text.splitlines(keepends=True)
    skipped = 0
    while skipped < len(lines) and lines[skipped].startswith("#"):
        skipped += 1
    reader = csv.reader(io.StringIO("".join(lines[skipped:])))
    try:
        header = next(reader, [])
        rows = [(number, cells) for number, cells in enumerate(reader, start=2 + skipped)]
    except csv.Error as exc:
        raise _error(path, reader.line_num + skipped, f"not valid CSV: {exc}") from exc
    return records_to_graph(header, rows, path, 1 + skipped)


def _checked_header(header: list, path: Path, header_row: int) -> list[str]:
    header = [str(h or "").strip() for h in header]
    while header and not header[-1]:
        header.pop()
    missing = [c for c in ("slug", "title", "source", "exercise_type") if c not in header]
    if missing:
        raise _error(
            path, header_row, f"missing column(s) {', '.join(missing)}; start from `exmech template`"
        )
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        raise _error(
            path, header_row, f"unknown column(s) {', '.join(unknown)}; expected: {', '.join(COLUMNS)}"
        )
    return header


def records_to_graph(header: list, rows, path: Path, header_row: int = 1) -> Graph:
    """Spreadsheet rows (row number, cells) under a header row as a graph; each trial remembers its row."""
    header = _checked_header(header, path, header_row)
    graph = EntryGraph()
    bind_prefixes(graph)
    for row_number, values in rows:
        values = ["" if v is None else str(v) for v in values]
        if not any(v.strip() for v in values):
            continue  # blank spreadsheet rows
        if len(values) > len(header) and any(v.strip() for v in values[len(header) :]):
            raise _error(
                path, row_number, f"{len(values)} cells but only {len(header)} columns in the header"
            )
        cells = {k: v.strip() for k, v in zip(header, values, strict=False)}
        slug = cells.get("slug", "")
        if not _SLUG.match(slug):
            raise _error(
                path,
                row_number,
                f"column slug {slug!r} must be lowercase ascii letters and digits, e.g. smith2010 or smith2010b",
            )
        if slug in graph.entry_rows:
            raise _error(path, row_number, f"slug {slug!r} already used on row {graph.entry_rows[slug]}")
        graph.entry_rows[slug] = row_number
        _add_row(graph, slug, cells, f"{path}: row {row_number}")
    if not graph.entry_rows:
        raise _error(path, header_row + 1, "no entry rows under the header")
    return graph


def _error(path: Path, row: int, message: str):
    from exmech.entries.read import EntryError

    return EntryError(f"{path}: row {row}: {message}")


def workbook_rows(slug: str, c: dict) -> dict[tuple[str, str], dict[str, str]]:
    """One row of the form as the workbook rows it stands for: {(sheet, id suffix): {column: cell}}."""
    arms = [f"{slug}-arm1"] + ([f"{slug}-arm2"] if c.get("comparator_type") else [])
    rows: dict[tuple[str, str], dict[str, str]] = {
        ("trials", ""): {
            "reported_in": f"{slug}-pub",
            "population": f"{slug}-pop",
            "arms": SEPARATOR.join(arms),
        },
        ("publications", "-pub"): {},
        ("populations", "-pop"): {},
        ("arms", "-arm1"): {"receives": f"{slug}-int1"},
        ("arms", "-arm2"): {"receives": f"{slug}-int2"},
        ("interventions", "-int1"): {},
        ("interventions", "-int2"): {},
        ("measurements", "-m1"): {"class": "OutcomeMeasurement", "trial": slug},
        ("claims", "-claim1"): {"trial": slug, "intervention": f"{slug}-int1"},
    }
    rows = {key: cells for key, cells in rows.items() if c.get(OPTIONAL.get(key[1], "slug"))}
    for column, (sheet, suffix, target) in VIEW.items():
        if c.get(column) and (sheet, suffix) in rows:
            rows[sheet, suffix][target] = c[column]
    for (_, suffix), cells in rows.items():
        if suffix in SOURCE_OF and c.get("source"):
            cells[SOURCE_OF[suffix][1]] = c["source"]
        if suffix in DEFAULT_LABEL and not cells.get("label"):
            cells["label"] = c.get(DEFAULT_LABEL[suffix], "")
    return rows


def _add_row(g: Graph, slug: str, c: dict, where: str) -> None:
    """Add one row of the form to the graph, through the workbook's reader."""
    for (sheet, suffix), cells in workbook_rows(slug, c).items():
        row_to_graph(g, SHEET_BY_NAME[sheet], {"id": f"{slug}{suffix}", **cells}, where)


@cache
def _columns_by_field() -> dict[tuple[str, str], str]:
    """(id suffix, property CURIE) -> the one-row column that fills it."""
    found: dict[tuple[str, str], str] = {}
    cells = [(column, sheet, suffix, target) for column, (sheet, suffix, target) in VIEW.items()]
    cells += [("source", sheet, suffix, target) for suffix, (sheet, target) in SOURCE_OF.items()]
    for column, sheet, suffix, target in cells:
        fields = {f.column: compact(str(f.predicate)) for f in SHEET_BY_NAME[sheet].fields}
        fields["class"] = "rdf:type"
        if target in fields:  # a unit column fills no property of its own
            found.setdefault((suffix, fields[target]), column)
    return found


def column_of(focus: str, path: str) -> str:
    """The column of the one-row form that a problem about node focus (kb:<slug><suffix>) and property path is
    about ('' when no one column is): kb:smith2010-m1 exm:timePointWeeks -> outcome_weeks."""
    local = focus.removeprefix("kb:")
    suffix = f"-{local.split('-', 1)[1]}" if "-" in local else ""
    return _columns_by_field().get((suffix, path), "")


def readme_table() -> str:
    """The README's list of the one-row form's columns, each with the workbook cell it fills and its meaning
    (tests/test_entry_model.py checks the README holds it)."""
    lines = ["| column | workbook cell | meaning |", "|---|---|---|"]
    for column, meaning in COLUMNS.items():
        if column == "slug":
            cell = "`trials.id` (and the trial key of every row below)"
        elif column == "source":
            cell = ", ".join(
                f"`{sheet}.{target}` of `<slug>{suffix}`" for suffix, (sheet, target) in SOURCE_OF.items()
            )
        else:
            sheet, suffix, target = VIEW[column]
            cell = f"`{sheet}.{target}` of `<slug>{suffix}`"
        lines.append(f"| `{column}` | {cell} | {meaning.replace('|', '/')} |")
    return "\n".join(lines)
