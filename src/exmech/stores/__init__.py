"""Where queries run: the one Store interface and its three implementations (rdflib in memory, on-disk
Oxigraph, a remote SPARQL 1.1 endpoint (exmech.stores.endpoint)), chosen by one store spec; and pushing the
graph into another store (exmech.stores.push).

One interface for all three, used by `exmech query`, `exmech serve` and the benchmarks:
  store.select(query, bindings) -> Rows   a packaged query with its parameters bound as RDF terms
  store.run(query, limit)       -> Rows | bool | Graph   any read query (SELECT, ASK, CONSTRUCT, DESCRIBE)
Parameters are never pasted in as user text: rdflib binds them through initBindings; Oxigraph and remote
endpoints get a VALUES block written from RDF terms that are checked first (IRIs against the IRI grammar's
forbidden characters, literals escaped by rdflib, language tags and datatypes checked, blank nodes refused).
pyoxigraph's own `substitutions` cannot be used: it only accepts variables the SELECT projects, and the
packaged queries' parameters (?exerciseType, ?minRank ...) are mostly not projected.
"""

from pathlib import Path

from exmech.graph.load import load_graph, source_digest
from exmech.graph.resources import knowledge_base_files, ontology_files
from exmech.stores.http_client import Limits
from exmech.stores.memory import MemoryStore
from exmech.stores.oxigraph import OxigraphStore
from exmech.stores.rows import IRI, LANG, Rows, StoreError, inline_bindings, term_n3

__all__ = [
    "IRI",
    "LANG",
    "MemoryStore",
    "OxigraphStore",
    "Rows",
    "StoreError",
    "inline_bindings",
    "open_store",
    "source_digest",
    "term_n3",
]


def open_store(
    spec: str | None = None,
    endpoint: str | None = None,
    kb_dir: Path | None = None,
    limits=None,
    graphs: tuple[str, ...] = (),
    auth=None,
):
    """'memory' (default), 'oxigraph:PATH' (refilled when its sources changed), 'oxigraph-read-only:PATH'
    (refused when stale), or a remote endpoint URL (exmech.stores.endpoint; limits: an exmech.stores.http_client.Limits
    of time and bytes; graphs: its default-graph-uri values; auth: exmech.stores.auth.Credentials)."""
    if endpoint:
        from exmech.stores.endpoint import EndpointStore  # it builds on this module

        return EndpointStore(endpoint, limits or Limits(), graphs=tuple(graphs), auth=auth)
    if graphs:
        raise StoreError("--graph chooses graphs of a remote endpoint; give --endpoint URL with it")
    if spec in (None, "memory"):
        return MemoryStore(load_graph(kb_dir), [*ontology_files(), *knowledge_base_files(kb_dir)])
    for scheme, read_only in (("oxigraph:", False), ("oxigraph-read-only:", True)):
        if spec.startswith(scheme) and spec[len(scheme) :]:
            files = [*ontology_files(), *knowledge_base_files(kb_dir)]
            return OxigraphStore(Path(spec[len(scheme) :]), files, read_only=read_only)
    raise StoreError(
        f"--store {spec!r}: use memory or oxigraph:PATH (oxigraph-read-only:PATH: never refill, refuse if stale)"
    )
