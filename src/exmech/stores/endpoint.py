"""A remote SPARQL 1.1 endpoint as a store: queries over HTTP (bounded by exmech.stores.http_client), bindings
sent as a VALUES block, and answers read by rdflib's SPARQL result parsers (JSON or XML, by the answer's media type)
after the bounded read.

How a query travels (SPARQL 1.1 Protocol 2.1): GET when the URL stays short (every endpoint must take it), else
URL-encoded POST, and "POST directly" (application/sparql-query) only last; a server that refuses a form with 405,
415, 501, 414 or an empty 400 gets the next one, and the form that worked is kept for the store's later queries.
Virtuoso never answers "POST directly", so it is never tried first. `graphs` go as default-graph-uri (and
`named_graphs` as named-graph-uri) parameters. xsd:boolean values written "1"/"0" (Virtuoso) are read as
"true"/"false", the canonical form every other engine writes.

An answer that is not SPARQL results (a wrong content type, malformed JSON or XML, a missing 'head', 'vars',
'results' or 'bindings', a bad term) is a RemoteError naming the endpoint and what was wrong, never a KeyError; an
XML answer with a document type declaration is refused unread (SPARQL results need none, and a DTD could make a
parser expand entities or read files)."""

import io
import json
from typing import cast
from urllib.parse import urlencode

from rdflib import XSD, Graph, Literal
from rdflib.query import Result

from exmech.graph.catalogue import query_form
from exmech.graph.namespaces import bind_prefixes
from exmech.stores.auth import Credentials
from exmech.stores.http_client import Limits, RemoteError, check_url, redact, request
from exmech.stores.partial import check_whole
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
GET_LIMIT = 2000  # characters of a GET URL; longer queries are POSTed (proxies and servers cut long URLs)
FALLBACK = (405, 414, 415, 501)  # "not this way": try the next way of sending the query
FORMS = ("get", "form", "direct")


class EndpointStore:
    """A remote SPARQL 1.1 endpoint (the query URL); bindings travel as a VALUES block. Read-only here:
    `exmech push` loads a graph into a Graph Store instead. graphs: default-graph-uri values (the dataset's
    default graph is their merge), named_graphs: named-graph-uri values; auth: credentials for a 401."""

    writable = False

    def __init__(
        self,
        url: str,
        limits: Limits = Limits(),
        graphs: tuple[str, ...] = (),
        named_graphs: tuple[str, ...] = (),
        auth: Credentials | None = None,
    ):
        try:
            check_url(url)
        except ValueError as exc:
            raise StoreError(f"endpoint {exc}") from None
        for iri in (*graphs, *named_graphs):
            if not IRI.fullmatch(iri):
                raise StoreError(f"--graph {iri!r} is not a valid IRI")
        self.url, self.limits, self.auth = url, limits, auth
        self.dataset = [("default-graph-uri", g) for g in graphs] + [
            ("named-graph-uri", g) for g in named_graphs
        ]
        self.form: str | None = None  # the way of sending that worked, once one has

    def _ways(self, query: str) -> list[tuple[str, str, str, bytes | None, dict[str, str]]]:
        """(form, method, URL, body, headers) for each way of sending, in the order they are tried."""
        encoded = urlencode([("query", query), *self.dataset])
        glue = "&" if "?" in self.url else "?"
        dataset = f"{glue}{urlencode(self.dataset)}" if self.dataset else ""
        ways = {
            "get": ("GET", f"{self.url}{glue}{encoded}", None, {}),
            "form": (
                "POST",
                self.url,
                encoded.encode("ascii"),
                {"Content-Type": "application/x-www-form-urlencoded"},
            ),
            "direct": (
                "POST",
                self.url + dataset,
                query.encode("utf-8"),
                {"Content-Type": "application/sparql-query"},
            ),
        }
        order = [f for f in FORMS if f != "get" or len(ways["get"][1]) <= GET_LIMIT]
        if self.form in order:
            order.remove(self.form)
            order.insert(0, self.form)
        return [(form, *ways[form]) for form in order]

    def _send(self, query: str, accept: str, wanted: tuple[str, ...]):
        ways = self._ways(query)
        for number, (form, method, url, body, headers) in enumerate(ways, 1):
            try:
                answer = request(
                    method,
                    url,
                    body=body,
                    headers={**headers, "Accept": accept},
                    limits=self.limits,
                    auth=self.auth,
                )
            except RemoteError as exc:
                refused = exc.status in FALLBACK or (exc.status == 400 and exc.empty)
                if refused and number < len(ways):
                    continue
                raise RemoteError(f"endpoint {str(exc).replace(redact(url), redact(self.url), 1)}") from None
            self.form = form
            break
        if answer.content_type not in wanted:
            raise RemoteError(
                f"endpoint {redact(self.url)} answered with content type {answer.content_type or '(none)'!r}, "
                f"not {' or '.join(wanted)}; is the URL its SPARQL query service?"
            )
        check_whole(answer, self.url)
        return answer

    def _results(self, query: str, bindings: dict | None) -> Result:
        answer = self._send(inline_bindings(query, bindings or {}), RESULTS_ACCEPT, tuple(RESULT_TYPES))
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
        answer = self._send(inline_bindings(query, bindings or {}), accept, tuple(GRAPH_TYPES))
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

    def named_graph_hint(self) -> str | None:
        """When no graph was chosen and the default graph is empty but named graphs hold data (Oxigraph after
        `push --graph G`: its default graph is not their union), a sentence saying so; else None."""
        if self.dataset or self.ask("ASK { ?s ?p ?o }"):
            return None
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g LIMIT 4").rows
        names = [f"<{row[0]}>" for row in rows if row[0] is not None]
        if not names:
            return None
        shown = ", ".join(names[:3]) + (" ..." if len(names) > 3 else "")
        return (
            f"the default graph of {redact(self.url)} is empty; the data sits in the named graph(s) {shown}: "
            "query them with --graph IRI"
        )

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
    return _canonical_booleans(result)


def _canonical_booleans(result: Result) -> Result:
    """xsd:boolean "1"/"0" (Virtuoso's lexical form) as "true"/"false": the same value, written as others do."""
    if result.type != "SELECT":
        return result
    for row in result.bindings:
        for name, term in list(row.items()):
            if isinstance(term, Literal) and term.datatype == XSD.boolean and str(term) in ("1", "0"):
                cast(dict, row)[name] = Literal(str(term) == "1")  # rdflib's rows are plain dicts
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
