"""Query results to text: an aligned table for people, CSV/TSV/JSON for programs.

CSV and TSV are opened in spreadsheets, so text that would be read as a formula is escaped there
(exmech.outputs.cells); SPARQL JSON keeps every value exactly as stored."""

import json

from rdflib import BNode, Literal, URIRef
from rdflib.query import Result

from exmech.graph.namespaces import compact
from exmech.outputs.cells import csv_text, escape_text, is_number

FORMATS = ("table", "csv", "tsv", "json")


def _plain(term) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return compact(str(term))
    return str(term)


TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _tsv_term(term) -> str:
    """A term in SPARQL 1.1 TSV syntax (N-Triples-like, tabs and line breaks escaped so a row stays one line).
    A literal whose text would be read as a formula gets a single quote inside its quotes: "'=HYPERLINK(...)"."""
    if term is None:
        return ""
    if not isinstance(term, Literal):
        return term.n3() if isinstance(term, (URIRef, BNode)) else escape_text(str(term))
    text = str(term) if is_number(term) else escape_text(str(term))
    suffix = f"@{term.language}" if term.language else f"^^<{term.datatype}>" if term.datatype else ""
    return f'"{text.translate(TSV_ESCAPES)}"{suffix}'


def rows(result: Result) -> tuple[list[str], list[list]]:
    variables = [str(v) for v in result.vars or []]
    return variables, [[row[v] for v in variables] for row in result]


def render(result: Result, fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return result.graph.serialize(format="turtle")
    if result.type == "ASK":
        return "true\n" if result.askAnswer else "false\n"
    if fmt == "json":
        return result.serialize(format="json").decode("utf-8")
    variables, table = rows(result)
    return render_rows(variables, table, fmt)


def _json_term(term) -> dict:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    cell = {"type": "literal", "value": str(term)}
    if isinstance(term, Literal) and term.language:
        cell["xml:lang"] = term.language
    elif isinstance(term, Literal) and term.datatype:
        cell["datatype"] = str(term.datatype)
    return cell


def render_rows(variables: list[str], table: list[list], fmt: str) -> str:
    """SELECT results from any store (rdflib, Oxigraph, a remote endpoint) as table, CSV, TSV or SPARQL JSON."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "json":
        bindings = [
            {v: _json_term(t) for v, t in zip(variables, r, strict=True) if t is not None} for r in table
        ]
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}}, indent=2) + "\n"
    if fmt == "csv":  # IRIs in full, literals as their text, formulas escaped
        return csv_text(variables, table)
    if fmt == "tsv":
        lines = ["\t".join(f"?{v}" for v in variables)]
        lines += ["\t".join(_tsv_term(t) for t in r) for r in table]
        return "\n".join(lines) + "\n"
    cells = [[_plain(t) for t in r] for r in table]
    widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(variables)]
    fmt_row = "  ".join(f"{{:<{w}}}" for w in widths)
    out_lines = [fmt_row.format(*variables), fmt_row.format(*("-" * w for w in widths))]
    out_lines += [fmt_row.format(*r).rstrip() for r in cells]
    out_lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out_lines) + "\n"


def as_json(records: list[dict]) -> str:
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
