"""The multi-sheet workbook entry: sheets of exmech.entries.model to a graph and back.

`sheets_to_graph` reads {sheet name: (header, [(row number, cells)])} from an XLSX workbook or a folder of CSV files
(one per sheet, named <sheet>.csv); every problem names the sheet, row, column and field. `graph_to_sheets` writes
an entry graph (a stored trial file) as the same sheets, so a stored trial round-trips: reading the written sheets
gives back an isomorphic graph. Cells are text; several values in one cell are separated by " | ".
"""

import re
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from exmech.entries.entry_graph import EntryGraph, origins
from exmech.entries.model import SEPARATOR, SHEET_BY_NAME, SHEETS, Field, Sheet, columns
from exmech.errors import InputError
from exmech.graph.namespaces import KB, bind_prefixes, compact, expand

_DATATYPES = {"int": XSD.integer, "year": XSD.gYear, "bool": XSD.boolean}
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class WorkbookError(InputError):
    """A workbook entry cannot be read: names the file, sheet, row and column."""


def _class_iri(sheet: Sheet, text: str) -> URIRef:
    if len(sheet.classes) == 1:
        return URIRef(expand(sheet.classes[0]) or sheet.classes[0])
    curie = text if ":" in text else f"exm:{text}"
    return URIRef(expand(curie) or curie)


def _term(field: Field, text: str):
    """One cell value as an RDF term, by the field's kind."""
    if field.kind == "ref":
        return KB[text.removeprefix("kb:")]
    if field.kind == "iri":
        return URIRef(text)
    if field.kind == "term":
        full = expand(text) if ":" in text else None
        return URIRef(full) if full else field.namespaces[0][text]
    if field.kind == "number":
        if _NUMBER.fullmatch(text):
            return Literal(text, datatype=XSD.decimal if "." in text else XSD.integer)
        return Literal(text)  # the type check reports it: "3 months" is not a number
    if field.kind == "int":
        return Literal(text, datatype=XSD.integer) if re.fullmatch(r"[+-]?[0-9]+", text) else Literal(text)
    if field.kind == "bool":
        return (
            Literal(text.lower(), datatype=XSD.boolean)
            if text.lower() in ("true", "false")
            else Literal(text)
        )
    if field.kind == "year":
        return Literal(text, datatype=XSD.gYear)
    return Literal(text)


def row_to_graph(graph: Graph, sheet: Sheet, cells: dict, where: str) -> URIRef:
    """One row of a sheet ({column: cell}) into the graph; its node. A time point is read with its unit column."""
    node_id = cells.get("id", "").removeprefix("kb:")
    if not _ID.match(node_id):
        raise WorkbookError(
            f"{where}, column id: {node_id!r} is not an id (lowercase letters, digits and '-')"
        )
    node = KB[node_id]
    graph.add((node, RDF.type, _class_iri(sheet, cells.get("class", ""))))
    for field in sheet.fields:
        text = cells.get(field.column, "")
        if field.unit and text and cells.get(field.unit):
            text = f"{text} {cells[field.unit]}"  # "6" + "months": converted by exmech.entries.time_points
        values = [v.strip() for v in text.split(SEPARATOR.strip())] if field.many else [text]
        for value in values:
            if value:
                graph.add((node, field.predicate, _term(field, value)))
    return node


def sheets_to_graph(book: dict, path: Path) -> Graph:
    """Sheets {name: (header, [(row number, cells)])} as one entry graph; remembers each node's sheet and row."""
    unknown = sorted(set(book) - set(SHEET_BY_NAME))
    if unknown:
        raise WorkbookError(
            f"{path}: unknown sheet(s) {', '.join(unknown)}; expected: {', '.join(SHEET_BY_NAME)}"
        )
    graph = bind_prefixes(EntryGraph())
    cells = graph.entry_cells  # node -> (sheet, row)
    for name, (header, rows) in book.items():
        sheet = SHEET_BY_NAME[name]
        header = [str(h or "").strip() for h in header]
        while header and not header[-1]:
            header.pop()
        bad = [h for h in header if h not in columns(sheet)]
        if bad or "id" not in header:
            raise WorkbookError(
                f"{path}: sheet {name}, row 1: unknown or missing column(s) {', '.join(bad) or 'id'}; "
                f"expected: {', '.join(columns(sheet))}"
            )
        for number, values in rows:
            values = ["" if v is None else str(v).strip() for v in values]
            if not any(values):
                continue
            if len(values) > len(header) and any(values[len(header) :]):
                raise WorkbookError(
                    f"{path}: sheet {name}, row {number}: more cells than the header has columns"
                )
            where = f"{path}: sheet {name}, row {number}"
            node = row_to_graph(graph, sheet, dict(zip(header, values, strict=False)), where)
            if node in cells:
                first = cells[node]
                raise WorkbookError(
                    f"{where}, column id: {node_id(node)} is already on sheet {first[0]} row {first[1]}"
                )
            cells[node] = (name, number)
    if not cells:
        raise WorkbookError(f"{path}: the workbook holds no rows; start from `exmech template`")
    return graph


def node_id(node) -> str:
    return str(node).removeprefix(str(KB))


def _cell(field: Field, term) -> str:
    if field.kind == "ref":
        return node_id(term)
    if field.kind == "term":
        default = str(field.namespaces[0])
        return str(term)[len(default) :] if str(term).startswith(default) else compact(str(term))
    return str(term)


def _sheet_of(graph: Graph, node) -> Sheet:
    types = {compact(str(t)) for t in graph.objects(node, RDF.type)}
    for sheet in SHEETS:
        if types & set(sheet.classes):
            return sheet
    raise ValueError(f"{compact(str(node))}: no sheet holds a node of type {', '.join(sorted(types))}")


def graph_to_sheets(graph: Graph) -> dict[str, list[list[str]]]:
    """An entry graph as rows per sheet (header first), rows ordered by id; every triple lands in a cell."""
    out = {sheet.name: [columns(sheet)] for sheet in SHEETS}
    for node in sorted(set(graph.subjects()), key=str):
        sheet = _sheet_of(graph, node)
        known = {f.predicate: f for f in sheet.fields}
        extra = set(graph.predicates(node)) - set(known) - {RDF.type}
        if extra:
            raise ValueError(
                f"{compact(str(node))}: no column of sheet {sheet.name} for {compact(str(min(extra, key=str)))}"
            )
        row = {"id": node_id(node), "class": compact(str(graph.value(node, RDF.type))).removeprefix("exm:")}
        for field in sheet.fields:
            row[field.column] = SEPARATOR.join(
                sorted(_cell(field, v) for v in graph.objects(node, field.predicate))
            )
        out[sheet.name].append([row.get(column, "") for column in columns(sheet)])
    return {name: rows for name, rows in out.items() if len(rows) > 1}


def where(entry: Graph, focus: str, path: str) -> tuple[str, int | None]:
    """'sheet arms, column arm_size (exm:armSampleSize)' and the row, for a problem about a workbook node."""
    cells = origins(entry).entry_cells
    node = URIRef(expand(focus) or focus)
    if node not in cells:
        return "", None
    name, row = cells[node]
    column = next((f.column for f in SHEET_BY_NAME[name].fields if compact(str(f.predicate)) == path), "")
    column = column or ("class" if path == "rdf:type" else "id" if not path else "")
    field = f", column {column}" if column else ""
    return f"sheet {name}{field}{f' ({path})' if path else ''}: ", row
