"""The one interface every store implements (rdflib in memory, on-disk Oxigraph, a remote SPARQL 1.1 endpoint).

Every command and the Python API talk to a store only through these operations, so each runs on every store:
  select(query, bindings)    SELECT -> Rows (parameters bound as RDF terms, never pasted in as text)
  construct(query, bindings) CONSTRUCT or DESCRIBE -> rdflib Graph
  ask(query, bindings)       ASK -> bool
  run(query, limit)          any read query form -> Rows | bool | Graph (the endpoint and `exmech query FILE`)
  update(text)               SPARQL Update, where the store is writable (else StoreError)
  load(files)                bulk load Turtle / N-Triples files, then derive
  derive()                   apply the rules (queries/rules/*-construct.rq) until nothing new appears
  count()                    number of triples
  digest()                   SHA-256 of the source files the store holds (None when unknown, e.g. a remote one)
"""

from pathlib import Path
from typing import Protocol, runtime_checkable

from rdflib import Graph
from rdflib.term import Node

from exmech.stores import Rows


@runtime_checkable
class Store(Protocol):
    writable: bool

    def select(self, query: str, bindings: dict[str, Node] | None = None) -> Rows: ...

    def construct(self, query: str, bindings: dict[str, Node] | None = None) -> Graph: ...

    def ask(self, query: str, bindings: dict[str, Node] | None = None) -> bool: ...

    def run(self, query: str, limit: int | None = None) -> Rows | bool | Graph: ...

    def update(self, text: str) -> None: ...

    def load(self, files: list[Path]) -> None: ...

    def derive(self) -> int: ...

    def count(self) -> int: ...

    def digest(self) -> str | None: ...


def as_store(source: "Graph | Store") -> Store:
    """An rdflib Graph is queried in memory; a store is used as it is."""
    from exmech.stores import MemoryStore

    return MemoryStore(source) if isinstance(source, Graph) else source


_LABELS = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?term ?label WHERE { ?term rdfs:label ?label FILTER(isIRI(?term)) }"""


def term_labels(source: "Graph | Store") -> dict[str, str]:
    """Every labelled term's English (else first, in sorted order) rdfs:label, keyed by CURIE, in one query."""
    from exmech.graph.namespaces import compact

    found: dict[str, list] = {}
    for row in as_store(source).select(_LABELS):
        found.setdefault(compact(str(row["term"])), []).append(row["label"])
    return {
        term: str(next((x for x in sorted(ls) if getattr(x, "language", None) == "en"), sorted(ls)[0]))
        for term, ls in found.items()
    }
