"""A remote SPARQL 1.1 endpoint as a store: queries over HTTP POST (bounded by exmech.stores.http_client), bindings
sent as a VALUES block, and answers checked as SPARQL JSON results before any row is used.

A wrong content type, malformed JSON or a missing 'head', 'vars', 'results' or 'bindings' is a RemoteError
naming the endpoint and what was wrong, never a KeyError."""

import io
import json

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.query import Result

from exmech.graph.catalogue import query_form
from exmech.graph.namespaces import bind_prefixes
from exmech.stores import IRI, LANG, Rows, StoreError, inline_bindings
from exmech.stores.http_client import Limits, RemoteError, check_url, redact, request

JSON_TYPES = ("application/sparql-results+json", "application/json")


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

    def select(self, query: str, bindings: dict | None = None) -> Rows:
        answer = self._post(
            inline_bindings(query, bindings or {}), "application/sparql-results+json", JSON_TYPES
        )
        return parse_results(answer.body, f"endpoint {redact(self.url)}")

    def ask(self, query: str, bindings: dict | None = None) -> bool:
        answer = self._post(
            inline_bindings(query, bindings or {}), "application/sparql-results+json", JSON_TYPES
        )
        try:
            result = Result.parse(io.BytesIO(answer.body), format="json")
        except Exception as exc:  # rdflib's parser raises several types for a malformed answer
            raise RemoteError(
                f"endpoint {redact(self.url)} answered a malformed ASK result ({exc})"
            ) from None
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


def parse_results(body: bytes, where: str) -> Rows:
    """SPARQL 1.1 JSON SELECT results as Rows, or a RemoteError saying what is missing or malformed."""
    try:
        payload = json.loads(body)
    except RecursionError:
        raise RemoteError(f"{where} answered with JSON nested too deeply to be SPARQL results") from None
    except ValueError as exc:
        raise RemoteError(f"{where} answered with malformed JSON ({exc})") from None
    if isinstance(payload, dict) and "boolean" in payload and "results" not in payload:
        raise RemoteError(f"{where} answered a yes/no (ASK) result where rows were expected")
    head = payload.get("head") if isinstance(payload, dict) else None
    if not isinstance(head, dict):
        raise RemoteError(f"{where} answered JSON without a 'head' object: not SPARQL JSON results")
    variables = head.get("vars")
    if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
        raise RemoteError(f"{where} answered SPARQL JSON whose head has no 'vars' list of variable names")
    results = payload.get("results")
    bindings = results.get("bindings") if isinstance(results, dict) else None
    if not isinstance(bindings, list):
        raise RemoteError(
            f"{where} answered SPARQL JSON without a 'results' object holding a 'bindings' list"
        )
    rows = []
    for number, binding in enumerate(bindings, 1):
        if not isinstance(binding, dict):
            raise RemoteError(f"{where} answered SPARQL JSON whose row {number} is not an object")
        rows.append([_term(binding.get(v), f"{where}: row {number}, ?{v}") for v in variables])
    return Rows(variables, rows)


def _term(cell, where: str):
    """One RDF term of SPARQL JSON results, checked."""
    if cell is None:
        return None
    if not isinstance(cell, dict) or not isinstance(cell.get("value"), str):
        raise RemoteError(f"{where} is not a term object with a text 'value'")
    kind, value = cell.get("type"), cell["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind not in ("literal", "typed-literal"):
        raise RemoteError(f"{where} has type {kind!r}; SPARQL JSON terms are uri, bnode or literal")
    lang, datatype = cell.get("xml:lang"), cell.get("datatype")
    if lang is not None and not (isinstance(lang, str) and LANG.fullmatch(lang)):
        raise RemoteError(f"{where} has an invalid language tag {lang!r}")
    if datatype is not None and not (isinstance(datatype, str) and IRI.fullmatch(datatype)):
        raise RemoteError(f"{where} has an invalid datatype IRI {datatype!r}")
    return Literal(value, lang=lang, datatype=None if lang else datatype)
