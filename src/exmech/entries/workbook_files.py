"""Workbook entries on disk: an XLSX file with one sheet per kind of record plus a help sheet, or a folder of CSV
files (<sheet>.csv), read within the same limits as every entry file and written reproducibly."""

import csv
import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

from exmech.entries.model import SHEET_BY_NAME, SHEETS, columns
from exmech.entries.workbook import WorkbookError
from exmech.outputs.cells import NUMBER, escape_text, is_formula

HELP_SHEET = "help"
UNIT_HELP = "weeks (when empty), months or years; months are 52/12 weeks, rounded to the nearest week"
_EPOCH = datetime(2000, 1, 1)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
_SLUG = re.compile(r"[a-z][a-z0-9]{1,60}")
GUIDE = (
    (
        "PNF (proprioceptive neuromuscular facilitation)",
        "StretchingExercise when done for range of motion; "
        "MotorControlExercise when done as trunk-control training",
    ),
    ("motor skill training", "MotorControlExercise"),
    (
        "NMES-augmented training",
        "the class of the exercise the stimulation augments (e.g. MotorControlExercise); "
        "say 'NMES' in the label",
    ),
    (
        "exergames (e.g. Wii Fit)",
        "OtherExercise, or MultimodalExercise when it mixes strength, balance and aerobic",
    ),
    ("graded activity", "MultimodalExercise (the ontology's definition names graded activity programmes)"),
)


def help_rows() -> list[list[str]]:
    """The help sheet: every sheet and column with its meaning, then the exercise-class guide."""
    rows = [["sheet", "column", "meaning"]]
    for sheet in SHEETS:
        rows.append([sheet.name, "", sheet.help])
        rows.append([sheet.name, "id", "the row's id: the IRI after kb: (trial key, then -pub, -arm1, ...)"])
        if len(sheet.classes) > 1:
            rows.append(
                [sheet.name, "class", "one of " + ", ".join(c.removeprefix("exm:") for c in sheet.classes)]
            )
        for f in sheet.fields:
            rows.append([sheet.name, f.column, f.help + (" (several: separate by ' | ')" if f.many else "")])
            if f.unit:
                rows.append([sheet.name, f.unit, f"unit of a bare number in {f.column}: {UNIT_HELP}"])
    rows.append(["", "", ""])
    rows.append(["guide", "programme", "exercise class"])
    rows += [["guide", name, cls] for name, cls in GUIDE]
    return rows


def write_workbook(sheets: dict[str, list[list[str]]], path: Path) -> None:
    """Write sheets as an XLSX workbook (with the help sheet), or as CSV files in the folder path."""
    if path.suffix.lower() != ".xlsx":
        path.mkdir(parents=True, exist_ok=True)
        for name, rows in sheets.items():
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerows(rows)
            (path / f"{name}.csv").write_text(out.getvalue(), encoding="utf-8")
        return
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in [*sheets.items(), (HELP_SHEET, help_rows())]:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(
                [c if NUMBER.fullmatch(c) else escape_text(c) for c in row]
            )  # '=...' shown, never run
    book.properties.created = book.properties.modified = _EPOCH  # the same trial gives the same workbook
    raw = io.BytesIO()
    book.save(raw)
    path.write_bytes(_fixed_times(raw.getvalue()))


def _fixed_times(data: bytes) -> bytes:
    """The workbook with every zip member, and the modified date openpyxl stamps at saving, set to 2000-01-01, so
    the same sheets give byte-identical files."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", content)
            member = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            dst.writestr(member, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def empty_sheets() -> dict[str, list[list[str]]]:
    return {sheet.name: [columns(sheet)] for sheet in SHEETS}


def read_csv_folder(folder: Path, read_text, max_rows: int) -> dict:
    """A folder of <sheet>.csv files as {sheet: (header, [(row number, cells)])}; read_text enforces the limits.
    A CSV file that is not a sheet of the model is refused before anything is read."""
    paths = sorted(folder.glob("*.csv"))
    stray = [p.name for p in paths if p.stem not in SHEET_BY_NAME]
    if stray or not paths:
        expected = ", ".join(f"{name}.csv" for name in SHEET_BY_NAME)
        raise WorkbookError(
            f"{folder}: {', '.join(stray) or 'no CSV file'}: a workbook folder holds {expected}"
        )
    book = {}
    for path in paths:
        try:
            rows = list(csv.reader(io.StringIO(read_text(path))))
        except csv.Error as exc:
            raise WorkbookError(f"{path}: not valid CSV: {exc}") from exc
        if len(rows) > max_rows + 1:
            raise WorkbookError(f"{path}: more than {max_rows} rows; split the workbook")
        book[path.stem] = (rows[0] if rows else [], list(enumerate(rows[1:], start=2)))
    return book


def unescape(text: str) -> str:
    """A cell as written before escape_text: "'=x" -> "=x" (a quote in front of other text stays)."""
    return text[1:] if text.startswith("'") and is_formula(text[1:]) else text


def stored_trial_file(slug: str, kb_dir: Path) -> Path:
    """The stored file of a trial (studies/<slug>.ttl) or of its mediation analyses (mediation/<slug>.ttl)."""
    if not _SLUG.fullmatch(slug):
        raise WorkbookError(f"{slug!r} is not a trial key (lowercase letters and digits, e.g. sherman2011)")
    for folder in ("studies", "mediation"):
        path = kb_dir / folder / f"{slug}.ttl"
        if path.is_file():
            return path
    raise WorkbookError(f"no stored trial {slug!r} in {kb_dir} (studies/{slug}.ttl or mediation/{slug}.ttl)")


def readme_table() -> str:
    """The README's list of sheets and columns (tests/test_entry_model.py checks the README holds it)."""
    lines = ["| sheet | columns |", "|---|---|"]
    for sheet in SHEETS:
        lines.append(f"| `{sheet.name}` | {', '.join(f'`{c}`' for c in columns(sheet))} |")
    return "\n".join(lines)
