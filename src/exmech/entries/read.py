"""Reading a reviewer's entry file (Turtle, JSON-LD, CSV, RDF/XML) into a graph, safely.

Untrusted input never makes this module fetch a URL or read another file: JSON-LD may only use the context
shipped with exmech (ontology/context.jsonld, named by CONTEXT_IRI or "exmech"); RDF/XML with a DOCTYPE or entity
declarations is refused; files are size-limited and must be UTF-8.
"""

import copy
import json
import re
import zipfile
from pathlib import Path

from rdflib import Graph

from exmech.entries.entry_graph import EntryGraph
from exmech.entries.form import records_to_graph, rows_to_graph
from exmech.entries.model import SHEET_BY_NAME
from exmech.entries.provenance import comment_lines
from exmech.entries.time_points import convert_time_points
from exmech.entries.workbook import WorkbookError, sheets_to_graph
from exmech.entries.workbook_files import HELP_SHEET, read_csv_folder, unescape
from exmech.errors import InputError
from exmech.graph.iri_rules import bad_iri
from exmech.graph.namespaces import CONTEXT

MAX_BYTES = 5 * 1024 * 1024
MAX_JSON_DEPTH = 32
CONTEXT_IRI = "https://w3id.org/exmech/context.jsonld"
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024  # an XLSX is a zip: refuse zip bombs before opening it
MAX_ROWS = 5000
_HUGE_EXPONENT = re.compile(r"[0-9.][eE][+]?0*[1-9][0-9]{3,}")
FORMATS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
    ".nt": "nt",
}


class EntryError(InputError):
    """The entry file cannot be read; the message names the file and, where known, the line or position."""


def _check_size(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise EntryError(f"{path}: cannot read: {exc.strerror}") from exc
    if size > MAX_BYTES:
        raise EntryError(
            f"{path}: {size / 1024 / 1024:.1f} MB is larger than the {MAX_BYTES // 1024 // 1024} MB "
            "allowed for an entry file; split it into one file per trial"
        )


def read_text(path: Path) -> str:
    _check_size(path)
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise EntryError(
            f"{path}: line {line}: byte {exc.start} is not UTF-8; save the file as UTF-8"
        ) from exc


def local_context() -> dict:
    """A copy of the shipped context, read once by exmech.graph.namespaces (the one source of prefixes and terms)."""
    return copy.deepcopy(CONTEXT)


def _depth(value, level: int = 0) -> int:
    if level > MAX_JSON_DEPTH:
        return level
    if isinstance(value, dict):
        return max([level] + [_depth(v, level + 1) for v in value.values()])
    if isinstance(value, list):
        return max([level] + [_depth(v, level + 1) for v in value])
    return level


def _resolve_contexts(value, path: Path):
    """Replace references to the shipped context by its content; refuse every other (remote) context."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "@context":
                items = item if isinstance(item, list) else [item]
                resolved = []
                for ctx in items:
                    if isinstance(ctx, str):
                        if ctx not in (CONTEXT_IRI, "exmech"):
                            raise EntryError(
                                f"{path}: remote JSON-LD context {ctx!r} is not fetched; use "
                                f'"@context": "{CONTEXT_IRI}" (shipped with exmech) or an inline context'
                            )
                        resolved.append(local_context())
                    else:
                        resolved.append(_resolve_contexts(ctx, path))
                out[key] = resolved if isinstance(item, list) else resolved[0]
            elif key == "@import":  # JSON-LD 1.1: a context that imports another by IRI
                if item not in (CONTEXT_IRI, "exmech"):
                    raise EntryError(
                        f"{path}: remote JSON-LD context {item!r} (@import) is not fetched; use "
                        f'"@context": "{CONTEXT_IRI}" (shipped with exmech)'
                    )
                out = {**local_context(), **out}
            else:
                out[key] = _resolve_contexts(item, path)
        return out
    if isinstance(value, list):
        return [_resolve_contexts(v, path) for v in value]
    return value


def _json_ld(text: str, path: Path) -> Graph:
    try:
        doc = json.loads(text)
    except RecursionError as exc:
        raise EntryError(f"{path}: JSON nested too deeply (limit {MAX_JSON_DEPTH} levels)") from exc
    except json.JSONDecodeError as exc:
        raise EntryError(f"{path}: line {exc.lineno} column {exc.colno}: invalid JSON: {exc.msg}") from exc
    if _depth(doc) > MAX_JSON_DEPTH:
        raise EntryError(
            f"{path}: JSON nested more than {MAX_JSON_DEPTH} levels deep; an entry never needs that"
        )
    doc = _resolve_contexts(doc, path)
    graph = Graph()
    try:
        graph.parse(data=json.dumps(doc), format="json-ld")
    except Exception as exc:  # pyld/rdflib raise several types
        raise EntryError(f"{path}: not valid JSON-LD: {exc}") from exc
    return _not_empty(graph, path)


def read_entry(path: Path) -> Graph:
    """Parse one entry file by its extension (a folder: a workbook as CSV files); raise EntryError with file and
    position (for a workbook: sheet, row and column) on any problem. Time points written with a unit ('6 months')
    are converted to weeks."""
    try:
        graph = convert_time_points(_parse_entry(path))
    except WorkbookError as exc:
        raise EntryError(str(exc)) from exc
    found = bad_iri(graph)
    if found:
        iri, char = found
        raise EntryError(
            f"{path}: the IRI {iri!r} holds the character {char!r} (U+{ord(char):04X}), which no IRI may "
            'hold (controls, spaces, <>"{{}}|^`\\ and text-direction overrides are refused)'
        )
    return graph


def _parse_entry(path: Path) -> Graph:
    if path.is_dir():  # a workbook entry as CSV files, one per sheet
        return sheets_to_graph(read_csv_folder(path, read_text, MAX_ROWS), path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise EntryError(f"{path}: unknown file type {path.suffix!r}; use .ttl, .jsonld, .csv, .xlsx or .rdf")
    if fmt == "xlsx":
        return _xlsx(path)
    text = read_text(path)
    if fmt == "csv":
        return rows_to_graph(text, path)
    _no_huge_exponent(text, path)
    if fmt == "json-ld":
        return _json_ld(text, path)
    if fmt == "xml" and re.search(r"<!DOCTYPE|<!ENTITY", text, re.IGNORECASE):
        raise EntryError(
            f"{path}: RDF/XML with a DOCTYPE or ENTITY declaration is refused (entity expansion)"
        )
    graph = EntryGraph()
    try:
        graph.parse(data=text, format=fmt)
    except Exception as exc:  # parser-specific exception types
        raise EntryError(f"{path}: not valid {fmt}: {exc}") from exc
    graph.entry_comments = comment_lines(path, text)  # the curator's notes
    return _not_empty(graph, path)


def _no_huge_exponent(text: str, path: Path) -> None:
    """rdflib writes an xsd:decimal such as "1E+99999999" out in full (100 MB from 30 bytes): refuse exponents
    of 1000 or more before parsing; no entry needs them."""
    found = _HUGE_EXPONENT.search(text)
    if found:
        line = text[: found.start()].count("\n") + 1
        raise EntryError(
            f"{path}: line {line}: the number {found.group(0)!r}... has an exponent of 1000 or more"
        )


def _not_empty(graph: Graph, path: Path) -> Graph:
    if not len(graph):
        raise EntryError(
            f"{path}: the file holds no triples; start from an example in the README or `exmech template`"
        )
    return graph


def _xlsx(path: Path) -> Graph:
    """The first sheet of a workbook made from `exmech template -o form.xlsx`: a header row, one trial per row."""
    _check_size(path)
    try:
        with zipfile.ZipFile(path) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise EntryError(f"{path}: not a valid .xlsx workbook: {exc}") from exc
    if unzipped > MAX_UNZIPPED_BYTES:
        raise EntryError(
            f"{path}: the workbook unpacks to {unzipped / 1024 / 1024:.0f} MB (limit "
            f"{MAX_UNZIPPED_BYTES // 1024 // 1024} MB); a zip bomb or far too large for an entry"
        )
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
        if set(book.sheetnames) & set(SHEET_BY_NAME):
            sheets = {name: _sheet_rows(path, book[name]) for name in book.sheetnames if name != HELP_SHEET}
            book.close()
            return sheets_to_graph(sheets, path)
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = list(next(rows, ()) or ())
        body = []
        for number, values in enumerate(rows, start=2):
            if number > MAX_ROWS + 1:
                raise EntryError(f"{path}: more than {MAX_ROWS} rows; split the workbook")
            body.append((number, [_cell(v) for v in values]))
        book.close()
    except (EntryError, WorkbookError):
        raise
    except Exception as exc:  # openpyxl raises several types for damaged workbooks
        raise EntryError(f"{path}: not a readable .xlsx workbook: {exc}") from exc
    return records_to_graph(header, body, path)


def _sheet_rows(path: Path, sheet) -> tuple[list, list]:
    rows = sheet.iter_rows(values_only=True)
    header = [_cell(v) for v in (next(rows, ()) or ())]
    body = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            raise EntryError(f"{path}: sheet {sheet.title}: more than {MAX_ROWS} rows; split the workbook")
        body.append((number, [unescape(_cell(v)) for v in values]))
    return header, body


def _cell(value) -> str:
    """Spreadsheet numbers arrive as floats: 60.0 is the whole number 60."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)
