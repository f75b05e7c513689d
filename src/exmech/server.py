"""A read-only SPARQL 1.1 Protocol endpoint with a query page and dereferenceable IRIs (standard library only).

Each query runs in a forked worker with a time limit (408 when exceeded) and a result-size limit (413); updates,
LOAD and SERVICE are refused (400) before anything runs. Only 127.0.0.1 is served unless asked otherwise.
"""

import json
import multiprocessing as mp
import urllib.parse
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from rdflib import Graph, URIRef
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

from .build import jsonld_context
from .catalogue import catalogue
from .namespaces import BASE, bind_prefixes
from .results import render

SELECT_TYPES = {"application/sparql-results+json": "json", "application/json": "json",
                "application/sparql-results+xml": "xml", "text/csv": "csv", "text/tab-separated-values": "tsv"}
GRAPH_TYPES = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt"}
TERM_SPACES = ("ontology/", "kb/", "mechanism/", "theme/", "instrument/", "outcome/")


class Refused(ValueError):
    def __init__(self, status: HTTPStatus, message: str):
        super().__init__(message)
        self.status = status


def check_query(text: str) -> None:
    """Refuse what a read-only public endpoint must not run; raise Refused with a clear message."""
    try:
        tree = parseQuery(text)
    except Exception as exc:
        try:
            parseUpdate(text)
        except Exception:
            raise Refused(HTTPStatus.BAD_REQUEST, f"the query does not parse: {exc}") from exc
        raise Refused(HTTPStatus.BAD_REQUEST, "updates (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP ...) are refused: "
                                              "this endpoint is read-only") from None
    if "ServiceGraphPattern" in repr(tree):
        raise Refused(HTTPStatus.BAD_REQUEST, "SERVICE is refused: this endpoint does not query other endpoints")


def _negotiate(accept: str, table: dict[str, str], default: str) -> tuple[str, str]:
    for part in (accept or "").split(","):
        media = part.split(";")[0].strip()
        if media in table:
            return media, table[media]
    return default, table[default]


def _worker(graph: Graph, text: str, accept: str, max_rows: int, conn) -> None:
    try:
        result = graph.query(text)
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            if len(result.graph) > max_rows:
                conn.send(("413", f"the result has more than {max_rows} triples; add a LIMIT"))
                return
            media, fmt = _negotiate(accept, GRAPH_TYPES, "text/turtle")
            kwargs = {"context": jsonld_context()} if fmt == "json-ld" else {}
            conn.send(("200", media, result.graph.serialize(format=fmt, **kwargs)))
            return
        if result.type == "SELECT" and len(result) > max_rows:
            conn.send(("413", f"the result has more than {max_rows} rows; add a LIMIT"))
            return
        media, fmt = _negotiate(accept, SELECT_TYPES, "application/sparql-results+json")
        body = result.serialize(format=fmt).decode("utf-8") if fmt in ("json", "xml") else render(result, fmt)
        conn.send(("200", media, body))
    except Exception as exc:  # evaluation errors of a user's query
        conn.send(("400", f"the query failed: {exc}"))


class Endpoint:
    def __init__(self, graph: Graph, time_limit: float = 10.0, max_rows: int = 10000):
        self.graph, self.time_limit, self.max_rows = graph, time_limit, max_rows

    def run(self, text: str, accept: str) -> tuple[int, str, str]:
        try:
            check_query(text)
        except Refused as exc:
            return exc.status, "text/plain", str(exc)
        ctx = mp.get_context("fork")
        parent, child = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_worker, args=(self.graph, text, accept, self.max_rows, child), daemon=True)
        proc.start()
        child.close()
        if not parent.poll(self.time_limit):
            proc.kill()
            proc.join()
            return HTTPStatus.REQUEST_TIMEOUT, "text/plain", f"the query ran longer than {self.time_limit:g} s and was stopped"
        message = parent.recv()
        proc.join()
        if message[0] == "200":
            return HTTPStatus.OK, message[1], message[2]
        status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE if message[0] == "413" else HTTPStatus.BAD_REQUEST
        return status, "text/plain", message[1]

    def describe(self, iri: str, accept: str) -> tuple[int, str, str]:
        node = URIRef(iri)
        sub = bind_prefixes(Graph())
        for triple in self.graph.triples((node, None, None)):
            sub.add(triple)
        if not len(sub):
            return HTTPStatus.NOT_FOUND, "text/plain", f"no resource {iri} in this graph"
        if "text/html" in (accept or "") and "text/turtle" not in (accept or ""):
            rows = "".join(f"<tr><td>{escape(sub.namespace_manager.normalizeUri(p))}</td><td>{escape(o.n3(sub.namespace_manager))}</td></tr>"
                           for _, p, o in sorted(sub))
            return HTTPStatus.OK, "text/html; charset=utf-8", (
                f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{escape(iri)}</title></head>"
                f"<body><h1>{escape(iri)}</h1><table>{rows}</table></body></html>")
        media, fmt = _negotiate(accept, GRAPH_TYPES, "text/turtle")
        kwargs = {"context": jsonld_context()} if fmt == "json-ld" else {}
        return HTTPStatus.OK, media, sub.serialize(format=fmt, **kwargs)


def query_page() -> str:
    examples = "".join(
        f"<option value='{escape(q.text, quote=True)}'>{escape(name)}: {escape(q.question)}</option>"
        for name, q in catalogue().items())
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>exmech SPARQL</title></head><body>"
            "<h1>exmech SPARQL endpoint</h1><p>Read-only. Pick an example or write a query.</p>"
            f"<select id='examples' onchange=\"document.getElementById('query').value=this.value\">"
            f"<option value=''>packaged queries…</option>{examples}</select>"
            "<form method='post' action='/sparql'><textarea id='query' name='query' rows='16' cols='100'>"
            "SELECT * WHERE { ?s ?p ?o } LIMIT 10</textarea><br>"
            "<button type='submit'>Run</button></form></body></html>")


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
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            accept = self.headers.get("Accept", "")
            if url.path == "/":
                return self._send(HTTPStatus.OK, "text/html; charset=utf-8", query_page())
            if url.path == "/sparql":
                query = urllib.parse.parse_qs(url.query).get("query", [""])[0]
                if not query:
                    return self._send(HTTPStatus.BAD_REQUEST, "text/plain", "missing query parameter")
                return self._send(*endpoint.run(query, accept))
            if url.path.lstrip("/").startswith(TERM_SPACES):
                return self._send(*endpoint.describe(BASE + url.path.lstrip("/"), accept))
            return self._send(HTTPStatus.NOT_FOUND, "text/plain", f"nothing at {url.path}")

        def do_POST(self):
            url = urllib.parse.urlsplit(self.path)
            if url.path != "/sparql":
                return self._send(HTTPStatus.NOT_FOUND, "text/plain", f"nothing at {url.path}")
            length = int(self.headers.get("Content-Length") or 0)
            if length > 1_000_000:
                return self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "text/plain", "query larger than 1 MB")
            body = self.rfile.read(length).decode("utf-8", errors="replace")
            kind = self.headers.get("Content-Type", "").split(";")[0].strip()
            if kind == "application/sparql-query":
                query = body
            elif kind == "application/x-www-form-urlencoded":
                form = urllib.parse.parse_qs(body)
                if "update" in form:
                    return self._send(HTTPStatus.BAD_REQUEST, "text/plain", "updates are refused: this endpoint is read-only")
                query = form.get("query", [""])[0]
            else:
                return self._send(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "text/plain",
                                  "send application/sparql-query or a form with a query field")
            accept = self.headers.get("Accept", "")
            if kind == "application/x-www-form-urlencoded" and "text/html" in accept:
                accept = "text/csv"  # a browser form: show a readable table
            return self._send(*endpoint.run(query, accept))

    return Handler


def make_server(graph: Graph, host: str = "127.0.0.1", port: int = 0, time_limit: float = 10.0,
                max_rows: int = 10000) -> ThreadingHTTPServer:
    return ThreadingHTTPServer((host, port), make_handler(Endpoint(graph, time_limit, max_rows)))


__all__ = ["make_server", "Endpoint", "check_query", "Refused", "json"]
