"""What the report reads, from any store: the packaged queries and every term's label (one query)."""

from dataclasses import dataclass

from rdflib import Graph

from exmech.graph.catalogue import resolve
from exmech.graph.namespaces import EXM
from exmech.stores.base import Store, as_store, term_labels


@dataclass
class Context:
    """What the report reads, from any store: the packaged queries and every term's label (one query)."""

    store: Store
    labels: dict[str, str]

    @classmethod
    def of(cls, source: Graph | Store) -> "Context":
        store = as_store(source)
        return cls(store, term_labels(store))

    def rows(self, name: str, **params: str) -> list[dict[str, str]]:
        query = resolve(name)
        return self.store.select(query.text, query.bindings(params)).records()

    def label(self, curie: str) -> str:
        return self.labels.get(curie, curie.split(":", 1)[-1])

    def trial(self, curie: str) -> str:
        """A trial by first author and year, as its label starts ('Bagg 2022 (RESOLVE)')."""
        return self.label(curie).split(":")[0].strip()

    def review(self) -> dict[str, str]:
        """The review whose theme table is shown: Wun 2021 when present, else the first review in the graph."""
        rows = self.store.select(f"SELECT ?r WHERE {{ ?r a <{EXM.Review}> }} ORDER BY ?r").rows
        reviews = [str(r[0]) for r in rows]
        chosen = next((r for r in reviews if r.endswith("/wun2021")), reviews[0] if reviews else None)
        return {"review": f"<{chosen}>"} if chosen else {}
