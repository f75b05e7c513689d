"""The HTML of `exmech serve`: the query page, the page of a term or study, and what a term IRI answers.

Inline script and style are allowed by their hashes in the Content-Security-Policy (`CSP`), nothing else.
"""

import base64
import hashlib
import re
from html import escape
from http import HTTPStatus

from rdflib import Graph, URIRef

from exmech.graph.catalogue import catalogue
from exmech.graph.namespaces import BASE, bind_prefixes
from exmech.server.conneg import NotAcceptable, negotiate
from exmech.server.worker import GRAPH_TYPES, Reply
from exmech.stores import inline_bindings

TERM_SPACES = ("ontology/", "kb/", "mechanism/", "theme/", "instrument/", "outcome/")
LOCAL_PATH = re.compile(r"[A-Za-z0-9._~/-]+")  # what a term or study IRI may hold after the base
HTML = "text/html; charset=utf-8"


def describe(endpoint, local: str, accept: str, start: float | None = None) -> Reply:
    """Statements about BASE + local: HTML for browsers, Turtle, JSON-LD or N-Triples for programs."""
    if not LOCAL_PATH.fullmatch(local):
        return Reply(404, "text/plain; charset=utf-8", f"no resource {local!r} here".encode())
    iri = BASE + local
    html = wants_html(accept)
    graph_accept = "text/turtle" if html else accept
    reply = endpoint.run(f"CONSTRUCT {{ <{iri}> ?p ?o }} WHERE {{ <{iri}> ?p ?o }}", graph_accept, start)
    if reply.status != HTTPStatus.OK:
        return reply
    sub = bind_prefixes(Graph()).parse(data=reply.body.decode("utf-8"), format=GRAPH_TYPES[reply.media])
    if not len(sub):
        return Reply(404, "text/plain; charset=utf-8", f"no resource {iri} in this graph".encode())
    return Reply(200, HTML, describe_page(iri, sub).encode("utf-8")) if html else reply


def wants_html(accept: str) -> bool:
    """Browsers prefer text/html to any RDF type; programs name an RDF type (or nothing)."""
    try:
        media, _ = negotiate(
            accept, {**GRAPH_TYPES, "text/html": "html", "application/xhtml+xml": "html"}, "text/turtle"
        )
    except NotAcceptable:
        return False
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


CSS = (
    "body{font-family:sans-serif;margin:1.5em;max-width:80em}textarea{width:100%;font-family:monospace}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;"
    "vertical-align:top}"
)
STYLE = f"<style>{CSS}</style>"

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


def _sha256(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode() + "'"


CSP = (
    f"default-src 'none'; script-src {_sha256(SCRIPT)}; style-src {_sha256(CSS)}; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


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
