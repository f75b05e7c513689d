"""Query answers to text: SELECT and ASK results as SPARQL JSON and XML (rdflib's serialisers), CSV and TSV, and
the aligned table for people; CONSTRUCT/DESCRIBE graphs as Turtle, N-Triples, JSON-LD or RDF/XML.

Every store's answer (exmech.stores.rows.Rows, a bool, an rdflib Graph) goes through here: `exmech query`,
`exmech evidence` and the endpoint (`exmech serve`) write the same bytes for the same answer. rdflib 7 has no
SPARQL TSV serialiser (only the parser), so a small one is registered as rdflib's "tsv" result serialiser; rdflib's
CSV serialiser cannot quote a chosen cell, which the spreadsheet escaping needs, so CSV is written by the project's
one spreadsheet-safe CSV writer (exmech.outputs.cells). CSV and TSV are opened in spreadsheets: a text value that
would be read as a formula gets a single quote in front (TSV: the literal is mapped before it is written; CSV:
csv_text escapes and quotes it); SPARQL JSON and XML keep every value exactly as stored."""

from enum import Enum
from typing import IO, Any

from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib import plugin as rdflib_plugin
from rdflib.query import Result, ResultSerializer
from rdflib.term import Identifier, Node

from exmech.errors import InputError
from exmech.graph.build import jsonld_context
from exmech.graph.namespaces import bind_prefixes, compact
from exmech.outputs.cells import csv_text, escape_text, is_formula, is_number
from exmech.stores.rows import Rows


class SelectFormat(str, Enum):
    """How SELECT (and ASK) results are written (`exmech query -f`, the endpoint's SPARQL results)."""

    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    xml = "xml"


class GraphFormat(str, Enum):
    """How a CONSTRUCT/DESCRIBE answer (a graph) is written: the value is rdflib's serialiser name."""

    turtle = "turtle"
    nt = "nt"
    jsonld = "json-ld"
    xml = "xml"


SELECT_FORMATS = tuple(f.value for f in SelectFormat)
GRAPH_FORMATS = tuple(f.value for f in GraphFormat)
TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


class FormatError(InputError):
    """A format that does not fit the answer (e.g. turtle for a SELECT): exit 2, naming the ones that do."""


class TSVResultSerializer(ResultSerializer):
    """SPARQL 1.1 TSV (https://www.w3.org/TR/sparql11-results-csv-tsv/): terms in their SPARQL syntax, literals in
    full ("-0.88"^^<...#decimal>), tabs and line breaks escaped inside the quotes so a row stays one line."""

    def serialize(self, stream: IO, encoding: str = "utf-8", **kwargs: Any) -> None:
        variables = list(self.result.vars or [])
        lines = ["\t".join(v.n3() for v in variables)]
        lines += ["\t".join(_tsv_term(row.get(v)) for v in variables) for row in self.result.bindings]
        text = "\n".join(lines) + "\n"
        stream.write(text.encode(encoding or "utf-8"))


def _tsv_term(term: Node | None) -> str:
    if term is None:
        return ""
    if not isinstance(term, Literal):
        return term.n3()
    suffix = f"@{term.language}" if term.language else f"^^<{term.datatype}>" if term.datatype else ""
    return f'"{str(term).translate(TSV_ESCAPES)}"{suffix}'


rdflib_plugin.register("tsv", ResultSerializer, "exmech.outputs.results", "TSVResultSerializer")


def as_result(variables: list[str], table: list[list]) -> Result:
    """An rdflib SELECT Result from rows of terms (None when unbound); plain Python values become literals."""
    result = Result("SELECT")
    result.vars = [Variable(v) for v in variables]
    result.bindings = [
        {Variable(v): _term(t) for v, t in zip(variables, row, strict=True) if t is not None} for row in table
    ]
    return result


def _term(value) -> Identifier:
    return value if isinstance(value, (URIRef, BNode, Literal)) else Literal(value)


def ask_result(answer: bool) -> Result:
    result = Result("ASK")
    result.askAnswer = answer
    return result


def _spreadsheet_safe(term: Node | None) -> Node | None:
    """A literal whose text a spreadsheet would run as a formula, with a single quote in front (numbers kept)."""
    if isinstance(term, Literal) and not is_number(term) and is_formula(str(term)):
        return Literal(escape_text(str(term)), lang=term.language, datatype=term.datatype)
    return term


def _csv_value(term):
    """A term as SPARQL CSV writes it (IRIs in full, blank nodes as _:label, literals as their text)."""
    return f"_:{term}" if isinstance(term, BNode) else term


def _plain(term) -> str:
    if term is None:
        return ""
    return compact(str(term)) if isinstance(term, URIRef) else str(term)


def _table(variables: list[str], table: list[list]) -> str:
    """The aligned table for people: IRIs as CURIEs, a row count at the end."""
    cells = [[_plain(t) for t in r] for r in table]
    widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(variables)]
    fmt_row = "  ".join(f"{{:<{w}}}" for w in widths)
    out_lines = [fmt_row.format(*variables), fmt_row.format(*("-" * w for w in widths))]
    out_lines += [fmt_row.format(*r).rstrip() for r in cells]
    out_lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out_lines) + "\n"


def _choice(fmt: "str | Enum", allowed: tuple[str, ...], what: str) -> str:
    name = fmt.value if isinstance(fmt, Enum) else fmt
    if name not in allowed:
        raise FormatError(f"--format {name!r} does not fit {what}; choose one of {', '.join(allowed)}")
    return name


def fit_format(form: str, fmt: "str | Enum | None") -> str:
    """The format name for a query form (SELECT, ASK, CONSTRUCT, DESCRIBE): fmt if it fits, else a FormatError
    naming the ones that do; None gives the form's default (table, or turtle for a graph)."""
    graph = form in ("CONSTRUCT", "DESCRIBE")
    if fmt is None:
        return "turtle" if graph else "table"
    what = f"a {form} query" + (" (its answer is a graph)" if graph else "")
    return _choice(fmt, GRAPH_FORMATS if graph else SELECT_FORMATS, what)


def render_rows(variables: list[str], table: list[list], fmt: "str | Enum") -> str:
    """SELECT results from any store (rdflib, Oxigraph, a remote endpoint) as table, CSV, TSV, SPARQL JSON or XML."""
    name = _choice(fmt, SELECT_FORMATS, "SELECT results")
    if name == "table":
        return _table(variables, table)
    if name == "csv":
        return csv_text(variables, [[_csv_value(t) for t in r] for r in table])  # csv_text escapes and quotes
    if name == "tsv":
        table = [[_spreadsheet_safe(t) for t in r] for r in table]
    data = as_result(variables, table).serialize(format=name) or b""
    # rdflib's XML writer leaves a carriage return raw, which every XML parser reads as a line feed
    return _lines(data.replace(b"\r", b"&#13;") if name == "xml" else data)


def _lines(data: bytes | None) -> str:
    """rdflib's serialised bytes as text ending in a line break (rdflib's JSON and XML end without one)."""
    text = (data or b"").decode("utf-8")
    return text if text.endswith("\n") else text + "\n"


def write_rows(rows: Rows, fmt: "str | Enum") -> str:
    return render_rows(rows.vars, rows.rows, fmt)


def write_ask(answer: bool, fmt: "str | Enum") -> str:
    """An ASK answer: SPARQL JSON or XML results, or true/false on one line (table, csv, tsv)."""
    name = _choice(fmt, SELECT_FORMATS, "an ASK query")
    if name in ("json", "xml"):
        return _lines(ask_result(answer).serialize(format=name))
    return "true\n" if answer else "false\n"


def write_graph(graph: Graph, fmt: "str | Enum") -> str:
    """A graph with the project's prefixes; JSON-LD compacted with the shipped context; N-Triples sorted, so the
    same graph gives the same bytes."""
    name = _choice(fmt, GRAPH_FORMATS, "a CONSTRUCT or DESCRIBE query (a graph)")
    bind_prefixes(graph)
    if name == "nt":
        return "".join(sorted(graph.serialize(format="nt").splitlines(keepends=True)))
    if name == "json-ld":
        return graph.serialize(format=name, context=jsonld_context())
    return graph.serialize(format=name)


def write_answer(answer: "Rows | bool | Graph", fmt: "str | Enum") -> str:
    """Any query form's answer in the format asked for; a FormatError (exit 2) if it does not fit the form."""
    if isinstance(answer, Graph):
        return write_graph(answer, fmt)
    if isinstance(answer, bool):
        return write_ask(answer, fmt)
    return write_rows(answer, fmt)
