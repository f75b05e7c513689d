"""A read-only SPARQL 1.1 Protocol endpoint, a query page and dereferenceable IRIs (standard library only).

Served from any store in exmech.stores (rdflib in memory, or an on-disk Oxigraph store). Each query runs in a
forked worker process: neither rdflib nor Oxigraph can be interrupted inside a thread, but a process can be
killed, so a query past its time limit gets HTTP 408; a result past the size limit gets 413; updates, LOAD,
SERVICE and FROM are refused with 400 before anything runs. Binds to 127.0.0.1 unless told otherwise.
"""

import multiprocessing as mp
import re
import threading
import urllib.parse
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from rdflib import Graph, URIRef, Variable
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.query import Result

from .build import jsonld_context
from .catalogue import catalogue
from .namespaces import BASE, bind_prefixes
from .results import render_rows
from .stores import OxigraphStore, Rows, inline_bindings

SELECT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt"}
TERM_SPACES = ("ontology/", "kb/", "mechanism/", "theme/", "instrument/", "outcome/")
LOCAL_PATH = re.compile(r"[A-Za-z0-9._~/-]+")  # what a term or study IRI may hold after the base
MAX_BODY = 1_000_000


class Refused(ValueError):
    def __init__(self, status: HTTPStatus, message: str):
        super().__init__(message)
        self.status = status


def _parts(node):
    """Names of every element of an rdflib SPARQL parse tree."""
    if isinstance(node, CompValue):
        yield node.name
        children = list(node.values())
    elif isinstance(node, dict):
        children = list(node.values())
    elif isinstance(node, (list, tuple)) or hasattr(node, "asList"):
        children = list(node)
    else:
        return
    for child in children:
        yield from _parts(child)


def check_query(text: str) -> None:
    """Refuse what a read-only public endpoint must not run; raise Refused with a clear message."""
    try:
        tree = parseQuery(text)
    except Exception as exc:
        try:
            parseUpdate(text)
        except Exception:
            raise Refused(HTTPStatus.BAD_REQUEST, f"the query does not parse: {exc}") from exc
        raise Refused(
            HTTPStatus.BAD_REQUEST,
            "updates (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP ...) are refused: this endpoint is read-only",
        ) from None
    names = set(_parts(tree))
    if "ServiceGraphPattern" in names:
        raise Refused(
            HTTPStatus.BAD_REQUEST, "SERVICE is refused: this endpoint does not query other endpoints"
        )
    if "DatasetClause" in names:
        raise Refused(
            HTTPStatus.BAD_REQUEST,
            "FROM and FROM NAMED are refused: this endpoint serves one graph and never fetches other data",
        )


def negotiate(accept: str, table: dict[str, str], default: str) -> tuple[str, str]:
    """The first media type of the Accept header that the table knows (q-values ignored), else the default."""
    for part in (accept or "").split(","):
        media = part.split(";")[0].strip().lower()
        if media in table:
            return media, table[media]
    return default, table[default]


def serialize(answer, accept: str) -> tuple[str, str]:
    """A query answer (Rows, bool or Graph, from any store) in the media type the client asked for."""
    if isinstance(answer, Graph):
        bind_prefixes(answer)  # the project's prefixes (exm:, kb:, mech: ...) rather than ns1:
        media, fmt = negotiate(accept, GRAPH_TYPES, "text/turtle")
        kwargs = {"context": jsonld_context()} if fmt == "json-ld" else {}
        return media, answer.serialize(format=fmt, **kwargs)
    media, fmt = negotiate(accept, SELECT_TYPES, "application/sparql-results+json")
    if isinstance(answer, bool):
        if fmt in ("csv", "tsv"):
            return media, f"{str(answer).lower()}\n"
        result = Result("ASK")
        result.askAnswer = answer
    elif fmt != "xml":
        return media, render_rows(answer.vars, answer.rows, fmt)
    else:
        result = Result("SELECT")
        result.vars = [Variable(v) for v in answer.vars]
        result.bindings = [
            {Variable(v): t for v, t in zip(answer.vars, row, strict=True) if t is not None}
            for row in answer.rows
        ]
    return media, result.serialize(format=fmt).decode("utf-8")


def _size(answer) -> int:
    return len(answer) if isinstance(answer, (Rows, Graph)) else 1


def _worker(store, text: str, accept: str, max_rows: int, conn) -> None:
    try:
        answer = store.run(text, limit=max_rows + 1)
        if _size(answer) > max_rows:
            kind = "triples" if isinstance(answer, Graph) else "rows"
            conn.send((413, "text/plain", f"the result has more than {max_rows} {kind}; add a LIMIT"))
        else:
            conn.send((200, *serialize(answer, accept)))
    except Exception as exc:  # evaluation errors of a user's query
        conn.send((400, "text/plain", f"the query failed: {exc}"))


class Endpoint:
    """Runs read queries on a store with a time limit, a result-size limit and at most `workers` at once."""

    def __init__(self, store, time_limit: float = 10.0, max_rows: int = 10000, workers: int = 2):
        self.store, self.time_limit, self.max_rows = store, time_limit, max_rows
        self.slots = threading.BoundedSemaphore(workers)
        if isinstance(store, OxigraphStore):  # workers open it read-only; a forked open handle would deadlock
            store.close()
            store.read_only = True

    def run(self, text: str, accept: str) -> tuple[int, str, str]:
        try:
            check_query(text)
        except Refused as exc:
            return exc.status, "text/plain", str(exc)
        with self.slots:
            ctx = mp.get_context("fork")  # the child shares the loaded graph instead of copying it
            parent, child = ctx.Pipe(duplex=False)
            proc = ctx.Process(
                target=_worker, args=(self.store, text, accept, self.max_rows, child), daemon=True
            )
            proc.start()
            child.close()
            try:
                if not parent.poll(self.time_limit):
                    return (
                        HTTPStatus.REQUEST_TIMEOUT,
                        "text/plain",
                        f"the query ran longer than {self.time_limit:g} s and was stopped; "
                        "narrow it or add a LIMIT",
                    )
                return parent.recv()
            except EOFError:
                return (
                    HTTPStatus.INTERNAL_SERVER_ERROR,
                    "text/plain",
                    "the query worker stopped without an answer",
                )
            finally:
                proc.kill()
                proc.join()
                parent.close()

    def describe(self, local: str, accept: str) -> tuple[int, str, str]:
        """Statements about BASE + local: HTML for browsers, Turtle, JSON-LD or N-Triples for programs."""
        if not LOCAL_PATH.fullmatch(local):
            return HTTPStatus.NOT_FOUND, "text/plain", f"no resource {local!r} here"
        iri = BASE + local
        graph_accept = "text/turtle" if wants_html(accept) else accept
        status, media, body = self.run(
            f"CONSTRUCT {{ <{iri}> ?p ?o }} WHERE {{ <{iri}> ?p ?o }}", graph_accept
        )
        if status != HTTPStatus.OK:
            return status, media, body
        sub = bind_prefixes(Graph()).parse(
            data=body, format=negotiate(graph_accept, GRAPH_TYPES, "text/turtle")[1]
        )
        if not len(sub):
            return HTTPStatus.NOT_FOUND, "text/plain", f"no resource {iri} in this graph"
        return (
            (HTTPStatus.OK, "text/html; charset=utf-8", describe_page(iri, sub))
            if wants_html(accept)
            else (status, media, body)
        )


def wants_html(accept: str) -> bool:
    """Browsers list text/html before any RDF type; programs name an RDF type (or nothing)."""
    media, _ = negotiate(
        accept, {**GRAPH_TYPES, "text/html": "html", "application/xhtml+xml": "html"}, "text/turtle"
    )
    return media in ("text/html", "application/xhtml+xml")


def _link(term, graph: Graph) -> str:
    text = escape(term.n3(graph.namespace_manager))
    if isinstance(term, URIRef) and str(term).startswith(BASE):
        return f"<a href='/{escape(str(term)[len(BASE) :], quote=True)}'>{text}</a>"
    return text


def describe_page(iri: str, graph: Graph) -> str:
    rows = "".join(
        f"<tr><td>{_link(p, graph)}</td><td>{_link(o, graph)}</td></tr>" for _, p, o in sorted(graph)
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(iri)}</title>{STYLE}</head>"
        f"<body><h1>{escape(iri)}</h1><p>Also as Turtle, JSON-LD or N-Triples (ask with an Accept header). "
        f"<a href='/'>Query page</a></p><table>{rows}</table></body></html>"
    )


STYLE = (
    "<style>body{font-family:sans-serif;margin:1.5em;max-width:80em}textarea{width:100%;font-family:monospace}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;"
    "vertical-align:top}</style>"
)

SCRIPT = """
const box = document.getElementById('query'), out = document.getElementById('results');
document.getElementById('examples').onchange = e => { if (e.target.value) box.value = e.target.value; };
function cell(b) { return b === undefined ? '' : b.value; }
async function run() {
  out.textContent = 'running...';
  const r = await fetch('/sparql', {method: 'POST', body: box.value, headers: {
    'Content-Type': 'application/sparql-query', 'Accept': 'application/sparql-results+json, text/turtle'}});
  const text = await r.text();
  if (!r.ok || !(r.headers.get('Content-Type') || '').includes('json')) {
    out.innerHTML = ''; const pre = document.createElement('pre');
    pre.textContent = (r.ok ? '' : 'HTTP ' + r.status + ': ') + text;
    out.appendChild(pre); return; }
  const data = JSON.parse(text);
  if ('boolean' in data) { out.textContent = String(data.boolean); return; }
  const table = document.createElement('table'), head = table.insertRow();
  for (const v of data.head.vars) {
    const th = document.createElement('th'); th.textContent = v; head.appendChild(th); }
  for (const b of data.results.bindings) {
    const row = table.insertRow();
    for (const v of data.head.vars) row.insertCell().textContent = cell(b[v]); }
  out.innerHTML = ''; out.appendChild(table);
  const n = document.createElement('p'); n.id = 'count';
  n.textContent = data.results.bindings.length + ' rows'; out.appendChild(n);
}
document.getElementById('form').onsubmit = e => { e.preventDefault(); run(); };
const given = new URLSearchParams(location.search).get('query');
if (given) { box.value = given; run(); }
"""


def example_text(query) -> str:
    """A packaged query ready to run by hand: its question as a comment, its default parameters as VALUES."""
    return f"# {query.question}\n{inline_bindings(query.text, query.bindings({})).strip()}\n"


def query_page() -> str:
    examples = "".join(
        f"<option value='{escape(example_text(q), quote=True)}'>{escape(name)}: {escape(q.question)}</option>"
        for name, q in catalogue().items()
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>exmech SPARQL</title>"
        f"{STYLE}</head><body><h1>exmech SPARQL endpoint</h1>"
        "<p>Read-only SPARQL 1.1 at <code>/sparql</code> (GET or POST). Pick a packaged question or "
        "write a query. Terms and studies dereference, e.g. <a href='/kb/wun2021'>/kb/wun2021</a>.</p>"
        f"<select id='examples'><option value=''>packaged queries ...</option>{examples}</select>"
        "<form id='form' method='post' action='/sparql'><textarea id='query' name='query' rows='16'>"
        "SELECT * WHERE { ?s ?p ?o } LIMIT 10</textarea><br><button type='submit'>Run</button></form>"
        f"<div id='results'></div><script>{SCRIPT}</script></body></html>"
    )


def make_handler(endpoint: Endpoint):
    class Handler(BaseHTTPRequestHandler):
        server_version = "exmech"

        def log_message(self, *args):  # quiet by default
            pass

        def _send(self, status, media: str, body: str) -> None:
            data = body.encode("utf-8")
            self.send_response(int(status))
            self.send_header("Content-Type", media)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Vary", "Accept")
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            self.wfile.write(data)

        def _query(self, params: dict[str, list[str]], accept: str):
            if "update" in params:
                return self._send(
                    HTTPStatus.BAD_REQUEST, "text/plain", "updates are refused: this endpoint is read-only"
                )
            if "default-graph-uri" in params or "named-graph-uri" in params:
                return self._send(
                    HTTPStatus.BAD_REQUEST,
                    "text/plain",
                    "default-graph-uri and named-graph-uri are refused: this endpoint serves one graph",
                )
            queries = params.get("query", [])
            if len(queries) != 1 or not queries[0].strip():
                return self._send(HTTPStatus.BAD_REQUEST, "text/plain", "give exactly one query parameter")
            return self._send(*endpoint.run(queries[0], accept))

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            accept = self.headers.get("Accept", "")
            if url.path in ("/", "/index.html"):
                return self._send(HTTPStatus.OK, "text/html; charset=utf-8", query_page())
            if url.path == "/sparql":
                params = urllib.parse.parse_qs(url.query)
                if not params and wants_html(accept):
                    return self._send(HTTPStatus.OK, "text/html; charset=utf-8", query_page())
                return self._query(params, accept)
            local = urllib.parse.unquote(url.path).lstrip("/")
            if local.startswith(TERM_SPACES):
                return self._send(*endpoint.describe(local, accept))
            return self._send(HTTPStatus.NOT_FOUND, "text/plain", f"nothing at {url.path}")

        def do_POST(self):
            url = urllib.parse.urlsplit(self.path)
            if url.path != "/sparql":
                return self._send(HTTPStatus.NOT_FOUND, "text/plain", f"nothing at {url.path}")
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                return self._send(HTTPStatus.BAD_REQUEST, "text/plain", "bad Content-Length")
            if length > MAX_BODY:
                if length <= 16 * MAX_BODY:  # read it away, so the client sees the answer, not a reset
                    for start in range(0, length, 65536):
                        self.rfile.read(min(65536, length - start))
                self.close_connection = True
                return self._send(
                    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                    "text/plain",
                    f"request body larger than {MAX_BODY} bytes",
                )
            body = self.rfile.read(length).decode("utf-8", errors="replace")
            kind = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
            accept = self.headers.get("Accept", "")
            if kind == "application/sparql-update":
                return self._send(
                    HTTPStatus.BAD_REQUEST, "text/plain", "updates are refused: this endpoint is read-only"
                )
            if kind == "application/sparql-query":
                params = urllib.parse.parse_qs(url.query) | {"query": [body]}
                return self._query(params, accept)
            if kind == "application/x-www-form-urlencoded":
                if wants_html(accept):
                    accept = "text/csv"  # the query page without JavaScript: a readable table
                return self._query(urllib.parse.parse_qs(body), accept)
            return self._send(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                "text/plain",
                "send application/sparql-query or a form with a query field",
            )

    return Handler


def make_server(
    store, host: str = "127.0.0.1", port: int = 0, time_limit: float = 10.0, max_rows: int = 10000
) -> ThreadingHTTPServer:
    """A server for a store from exmech.stores (or an rdflib Graph, served from memory)."""
    if isinstance(store, Graph):
        from .stores import MemoryStore

        store = MemoryStore(store)
    server = ThreadingHTTPServer((host, port), make_handler(Endpoint(store, time_limit, max_rows)))
    server.daemon_threads = True
    return server


__all__ = ["make_server", "Endpoint", "check_query", "serialize", "Refused"]
