"""The Python API: a knowledge graph on any store, and the packaged queries over it.

from exmech.kg import KnowledgeGraph
kg = KnowledgeGraph.load()                          # embedded store (rdflib in memory)
kg = KnowledgeGraph.load(store="oxigraph:g.ox")     # on-disk Oxigraph, or an endpoint URL
kg = KnowledgeGraph.load(store="http://127.0.0.1:7878/query", graphs=["https://w3id.org/exmech/dataset"],
                         user="curator")            # password from EXMECH_PASSWORD or ~/.netrc
for row in kg.query("mechanisms-for-exercise-type", exerciseType="exm:WalkingExercise"):
    print(row)
"""

from pathlib import Path

from rdflib import Graph

from exmech.graph.catalogue import resolve
from exmech.graph.load import load_graph
from exmech.stores import MemoryStore, Rows, StoreError, open_store
from exmech.stores.base import Store


class KnowledgeGraph:
    def __init__(self, source: Graph | Store):
        self.store: Store = MemoryStore(source) if isinstance(source, Graph) else source

    @classmethod
    def load(
        cls,
        kb_dir: Path | None = None,
        extra: list[Path] | None = None,
        store: str | None = None,
        graphs: list[str] | tuple[str, ...] = (),
        user: str | None = None,
    ) -> "KnowledgeGraph":
        """Ontology + vocabularies + knowledge base (+ extra Turtle files, memory only) + derived facts, on the
        store the spec names: 'memory' (default), 'oxigraph:PATH', or a SPARQL endpoint URL (graphs: the ones it
        queries, as default-graph-uri; user: for HTTP Basic or Digest, see exmech.stores.auth)."""
        if store in (None, "memory") and not graphs:
            return cls(load_graph(kb_dir, extra))
        if extra:
            raise StoreError("extra files can only be added to the embedded (memory) store")
        if store and store.startswith(("http://", "https://")):
            from exmech.stores.auth import find_credentials

            auth = find_credentials(store, user)
            return cls(open_store(None, store, kb_dir, None, tuple(graphs), auth))
        return cls(open_store(store, None, kb_dir, None, tuple(graphs)))

    @property
    def graph(self) -> Graph:
        """The rdflib Graph of the embedded store (other stores are reached through queries)."""
        if isinstance(self.store, MemoryStore):
            return self.store.graph
        raise StoreError("this knowledge graph is not in memory; use .store or .query()")

    def run(self, name_or_file: str, **params: str) -> Rows | bool | Graph:
        """Run a packaged query (or .rq file) with parameters bound as RDF terms (CURIE, <IRI>, number, text):
        Rows for SELECT, a Graph for CONSTRUCT/DESCRIBE, a bool for ASK."""
        named = resolve(name_or_file)
        bindings = named.bindings(params)
        if named.form == "ASK":
            return self.store.ask(named.text, bindings)
        if named.form in ("CONSTRUCT", "DESCRIBE"):
            return self.store.construct(named.text, bindings)
        return self.store.select(named.text, bindings)

    def query(self, name_or_file: str, **params: str) -> list[dict[str, str]]:
        """A SELECT's rows as dicts of plain strings (full IRIs; '' where unbound)."""
        answer = self.run(name_or_file, **params)
        if not isinstance(answer, Rows):
            raise StoreError(f"{name_or_file} is not a SELECT query; use run()")
        return answer.records()

    def paths(
        self,
        intervention: str | None = None,
        mechanism: str | None = None,
        theme: str | None = None,
        outcome: str | None = None,
        min_evidence: str = "proposed",
    ) -> list:
        """Intervention -> mechanism -> outcome paths as typed records (see exmech.evidence.paths)."""
        from exmech.evidence.paths import find_paths

        return find_paths(self.store, intervention, mechanism, theme, outcome, min_evidence)
