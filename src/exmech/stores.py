"""Where queries run: rdflib in memory (default), an on-disk Oxigraph store, or a remote SPARQL endpoint.

All three answer the same packaged queries with parameters bound as RDF terms: rdflib through initBindings,
Oxigraph through substitutions, a remote endpoint through a VALUES block built from validated terms (n3 syntax),
never by pasting user text into the query.
"""

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from rdflib import Graph, Literal, URIRef, Variable
from rdflib.term import BNode, Node

from .load import load_graph

TIMEOUT = 60


class StoreError(RuntimeError):
    """A store that cannot be opened or reached; the message says which and why."""


class Rows:
    """SELECT results in one shape for every store: variable names and rows of rdflib terms (None when unbound)."""

    def __init__(self, variables: list[str], rows: list[list[Node | None]]):
        self.vars, self.rows = variables, rows

    def records(self) -> list[dict[str, str]]:
        return [{v: ("" if t is None else str(t)) for v, t in zip(self.vars, r, strict=True)} for r in self.rows]


def inline_bindings(query: str, bindings: dict[str, Node]) -> str:
    """Put the bindings in a VALUES block at the start of the outer WHERE group, as n3 terms (already validated
    RDF terms, never raw user text), so they constrain the pattern before grouping as rdflib's initBindings do."""
    if not bindings:
        return query
    body = "\n".join(line for line in query.splitlines() if not line.lstrip().startswith("#"))
    match = re.search(r"\bWHERE\s*\{", body, re.IGNORECASE) or re.search(r"\{", body)
    if match is None:
        raise StoreError("cannot bind parameters: the query has no WHERE group")
    names = " ".join(f"?{k}" for k in bindings)
    values = " ".join(v.n3() for v in bindings.values())
    return f"{body[:match.end()]} VALUES ({names}) {{ ({values}) }} {body[match.end():]}"


class MemoryStore:
    def __init__(self, graph: Graph):
        self.graph = graph

    def select(self, query: str, bindings: dict[str, Node]) -> Rows:
        result = self.graph.query(query, initBindings=bindings)
        variables = [str(v) for v in result.vars or []]
        return Rows(variables, [[row[v] for v in variables] for row in result])


def _from_ox(term):
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    datatype = URIRef(term.datatype.value) if term.datatype and not term.language else None
    if datatype and str(datatype) == "http://www.w3.org/2001/XMLSchema#string":
        datatype = None
    return Literal(term.value, lang=term.language, datatype=datatype)


class OxigraphStore:
    """An on-disk Oxigraph store; filled with the merged graph the first time it is opened empty.

    Parameters are inlined as a VALUES block: Oxigraph's substitutions require the variable to be projected."""

    def __init__(self, path: Path, graph: Graph | None = None):
        import pyoxigraph as ox

        self.path = path
        self.store = ox.Store(str(path))
        if len(self.store) == 0:
            data = (graph if graph is not None else load_graph()).serialize(format="nt", encoding="utf-8")
            self.store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
            self.store.flush()

    def select(self, query: str, bindings: dict[str, Node]) -> Rows:
        result = self.store.query(inline_bindings(query, bindings))
        variables = [v.value for v in result.variables]
        return Rows(variables, [[_from_ox(solution[v]) for v in variables] for solution in result])


class EndpointStore:
    """A remote SPARQL 1.1 endpoint (query over HTTP POST); bindings travel as a trailing VALUES block."""

    def __init__(self, url: str):
        if not url.startswith(("http://", "https://")):
            raise StoreError(f"endpoint {url!r} must be an http(s) URL")
        self.url = url

    def select(self, query: str, bindings: dict[str, Node]) -> Rows:
        query = inline_bindings(query, bindings)
        request = urllib.request.Request(self.url, data=query.encode("utf-8"), method="POST", headers={
            "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                payload = json.load(response)
        except (urllib.error.URLError, OSError, json.JSONDecodeError) as exc:
            raise StoreError(f"endpoint {self.url}: {exc}") from exc
        variables = payload["head"]["vars"]
        return Rows(variables, [[_from_json(b.get(v)) for v in variables] for b in payload["results"]["bindings"]])


def _from_json(cell: dict | None):
    if cell is None:
        return None
    if cell["type"] == "uri":
        return URIRef(cell["value"])
    if cell["type"] == "bnode":
        return BNode(cell["value"])
    return Literal(cell["value"], lang=cell.get("xml:lang"), datatype=cell.get("datatype"))


def open_store(spec: str | None = None, endpoint: str | None = None, kb_dir: Path | None = None):
    """'memory' (default), 'oxigraph:PATH', or a remote endpoint URL."""
    if endpoint:
        return EndpointStore(endpoint)
    if spec in (None, "memory"):
        return MemoryStore(load_graph(kb_dir))
    if spec.startswith("oxigraph:"):
        return OxigraphStore(Path(spec.split(":", 1)[1]), load_graph(kb_dir) if kb_dir else None)
    raise StoreError(f"--store {spec!r}: use memory or oxigraph:PATH")


__all__ = ["open_store", "MemoryStore", "OxigraphStore", "EndpointStore", "Rows", "StoreError", "Variable"]
