"""Query results to text: an aligned table for people, CSV/TSV/JSON for programs."""

import csv
import io
import json

from rdflib import BNode, Literal, URIRef
from rdflib.query import Result

from .namespaces import compact

FORMATS = ("table", "csv", "tsv", "json")


def _plain(term) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return compact(str(term))
    return str(term)


def _tsv_term(term) -> str:
    """A term in SPARQL 1.1 TSV syntax (N-Triples-like)."""
    if term is None:
        return ""
    if isinstance(term, (URIRef, Literal, BNode)):
        return term.n3()
    return str(term)


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
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(variables)
        writer.writerows([[_plain(t) if not isinstance(t, URIRef) else str(t) for t in r] for r in table])
        return out.getvalue()
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


def as_records(result: Result) -> list[dict[str, str]]:
    """Rows as dicts of plain strings (full IRIs), for tests and JSON-minded callers."""
    variables, table = rows(result)
    return [{v: ("" if t is None else str(t)) for v, t in zip(variables, r, strict=True)} for r in table]


def as_json(records: list[dict]) -> str:
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
