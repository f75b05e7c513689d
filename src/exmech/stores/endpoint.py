"""A remote SPARQL 1.1 endpoint as a store: queries over HTTP POST (bounded by exmech.stores.http_client), bindings
sent as a VALUES block, and answers read by rdflib's SPARQL result parsers (JSON or XML, by the answer's media type)
after the bounded read.

An answer that is not SPARQL results (a wrong content type, malformed JSON or XML, a missing 'head', 'vars',
'results' or 'bindings', a bad term) is a RemoteError naming the endpoint and what was wrong, never a KeyError; an
XML answer with a document type declaration is refused unread (SPARQL results need none, and a DTD could make a
parser expand entities or read files)."""

import io
import json

from rdflib import Graph, Literal
from rdflib.query import Result

from exmech.graph.catalogue import query_form
from exmech.graph.namespaces import bind_prefixes
from exmech.stores.http_client import Limits, RemoteError, check_url, redact, request
from exmech.stores.rows import IRI, LANG, Rows, StoreError, inline_bindings

RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
}
RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
GRAPH_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml"}


class EndpointStore:
    """A remote SPARQL 1.1 endpoint (query over HTTP POST); bindings travel as a VALUES block. Read-only here:
    `exmech push` loads a graph into a Graph Store instead."""

    writable = False

    def __init__(self, url: str, limits: Limits = Limits()):
        try:
            check_url(url)
        except ValueError as exc:
            raise StoreError(f"endpoint {exc}") from None
        self.url, self.limits = url, limits

    def _post(self, query: str, accept: str, wanted: tuple[str, ...]):
        headers = {"Content-Type": "application/sparql-query", "Accept": accept}
        try:
            answer = request(
                "POST", self.url, body=query.encode("utf-8"), headers=headers, limits=self.limits
            )
        except RemoteError as exc:
            raise RemoteError(f"endpoint {exc}") from None
        if answer.content_type not in wanted:
            raise RemoteError(
                f"endpoint {redact(self.url)} answered with content type {answer.content_type or '(none)'!r}, "
                f"not {' or '.join(wanted)}; is the URL its SPARQL query service?"
            )
        return answer

    def _results(self, query: str, bindings: dict | None) -> Result:
        answer = self._post(inline_bindings(query, bindings or {}), RESULTS_ACCEPT, tuple(RESULT_TYPES))
        return parse_results(answer.body, answer.content_type, f"endpoint {redact(self.url)}")

    def select(self, query: str, bindings: dict | None = None) -> Rows:
        result = self._results(query, bindings)
        if result.type == "ASK":
            raise RemoteError(
                f"endpoint {redact(self.url)} answered a yes/no (ASK) result where rows were expected"
            )
        variables = [str(v) for v in result.vars or []]
        return Rows(variables, [[row.get(v) for v in result.vars or []] for row in result.bindings])

    def ask(self, query: str, bindings: dict | None = None) -> bool:
        result = self._results(query, bindings)
        if result.type != "ASK":
            raise RemoteError(f"endpoint {redact(self.url)} answered rows where yes/no (ASK) was expected")
        return bool(result.askAnswer)

    def construct(self, query: str, bindings: dict | None = None) -> Graph:
        accept = ", ".join(GRAPH_TYPES)
        answer = self._post(inline_bindings(query, bindings or {}), accept, tuple(GRAPH_TYPES))
        graph = bind_prefixes(Graph())
        try:
            graph.parse(data=answer.body, format=GRAPH_TYPES[answer.content_type])
        except Exception as exc:  # parser-specific exception types
            raise RemoteError(
                f"endpoint {redact(self.url)} answered a graph that does not parse ({exc})"
            ) from None
        return graph

    def run(self, query: str, limit: int | None = None) -> Rows | bool | Graph:
        form = query_form(query)
        if form == "ASK":
            return self.ask(query)
        if form in ("CONSTRUCT", "DESCRIBE"):
            return self.construct(query)
        rows = self.select(query)
        return rows if limit is None else Rows(rows.vars, rows.rows[:limit])

    def count(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
        return int(str(rows[0][0])) if rows and rows[0][0] is not None else 0

    def digest(self) -> str | None:
        return None  # what a remote store was filled from is not known here

    def update(self, text: str) -> None:
        raise StoreError(
            f"{redact(self.url)}: a remote endpoint is read-only here; load a graph with `exmech push`"
        )

    def load(self, files) -> None:
        self.update("")

    def derive(self) -> int:
        self.update("")
        return 0


def parse_results(body: bytes, media: str, where: str) -> Result:
    """SPARQL 1.1 results (JSON or XML, by media type) parsed by rdflib, or a RemoteError saying what is wrong."""
    fmt = RESULT_TYPES.get(media, "json")
    if fmt == "xml" and b"<!DOCTYPE" in body:
        raise RemoteError(f"{where} answered XML with a document type declaration; SPARQL results have none")
    try:
        result = Result.parse(io.BytesIO(body), format=fmt)
    except RecursionError:
        raise RemoteError(
            f"{where} answered with {fmt.upper()} nested too deeply to be SPARQL results"
        ) from None
    except Exception as exc:  # rdflib's parsers raise many types (KeyError, TypeError, ParseError ...)
        problem = json_problem(body) if fmt == "json" else None
        raise RemoteError(
            f"{where} answered {problem or f'{fmt.upper()} that is not SPARQL results ({exc})'}"
        ) from None
    if fmt == "json" and result.type == "SELECT":
        problem = _vars_problem(getattr(result, "json", {}).get("head"))  # the payload rdflib read
        if problem:
            raise RemoteError(f"{where} answered {problem}")
    _check_literals(result, where)
    return result


def _vars_problem(head) -> str | None:
    if not isinstance(head, dict):
        return "JSON without a 'head' object: not SPARQL JSON results"
    variables = head.get("vars")
    if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
        return "SPARQL JSON whose head has no 'vars' list of variable names"
    return None


def json_problem(body: bytes) -> str | None:
    """Why a body rdflib could not read is not SPARQL JSON results, in words (None if no reason is found)."""
    try:
        payload = json.loads(body)
    except RecursionError:
        return "with JSON nested too deeply to be SPARQL results"
    except ValueError as exc:
        return f"with malformed JSON ({exc})"
    if not isinstance(payload, dict):
        return "JSON that is not an object: not SPARQL JSON results"
    if "boolean" in payload:
        return None
    problem = _vars_problem(payload.get("head"))
    results = payload.get("results")
    bindings = results.get("bindings") if isinstance(results, dict) else None
    if problem or not isinstance(bindings, list):
        return problem or "SPARQL JSON without a 'results' object holding a 'bindings' list"
    for number, binding in enumerate(bindings, 1):
        if not isinstance(binding, dict):
            return f"SPARQL JSON whose row {number} is not an object"
        for name, cell in binding.items():
            problem = _cell_problem(cell)
            if problem:
                return f"SPARQL JSON whose row {number}, ?{name} {problem}"
    return None


def _cell_problem(cell) -> str | None:
    if not isinstance(cell, dict) or not isinstance(cell.get("value"), str):
        return "is not a term object with a text 'value'"
    if cell.get("type") not in ("uri", "bnode", "literal", "typed-literal"):
        return f"has type {cell.get('type')!r}; SPARQL JSON terms are uri, bnode or literal"
    lang = cell.get("xml:lang")
    if lang is not None and not (isinstance(lang, str) and LANG.fullmatch(lang)):
        return f"has an invalid language tag {lang!r}"
    return None


def _check_literals(result: Result, where: str) -> None:
    """rdflib takes any text as a datatype IRI; one that could break out of a query or a TSV cell is refused."""
    for number, row in enumerate(result.bindings if result.type == "SELECT" else [], 1):
        for name, term in row.items():
            if isinstance(term, Literal) and term.datatype and not IRI.fullmatch(str(term.datatype)):
                raise RemoteError(
                    f"{where} answered SPARQL results whose row {number}, ?{name} has an invalid datatype IRI "
                    f"{str(term.datatype)!r}"
                )
