"""The embedded default store: the merged graph in rdflib's memory store, no server or files needed."""

from collections.abc import Mapping
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, cast

from rdflib import Graph
from rdflib.query import ResultRow
from rdflib.term import Identifier, Node

from exmech.graph import load
from exmech.graph.load import source_digest
from exmech.graph.namespaces import bind_prefixes
from exmech.stores.rows import Rows, StoreError

if TYPE_CHECKING:  # rdflib's SPARQL engine is imported only when a query runs in memory
    from rdflib.plugins.sparql.sparql import Query


def _terms(bindings: dict[str, Node] | None) -> Mapping[str, Identifier]:
    """rdflib's initBindings, typed as it wants (every bound value is an IRI or a literal)."""
    return cast("Mapping[str, Identifier]", bindings or {})


class MemoryStore:
    """The merged graph in rdflib's memory store: the default, no server or files needed."""

    writable = True

    def __init__(self, graph: Graph | None = None, sources: list[Path] | None = None):
        self.graph = graph if graph is not None else bind_prefixes(Graph())
        self._sources = list(sources or [])

    def select(self, query: str, bindings: dict[str, Node] | None = None) -> Rows:
        result = self.graph.query(query, initBindings=_terms(bindings))
        if result.type != "SELECT":
            raise StoreError(f"a SELECT query was expected, not {result.type}")
        variables = [str(v) for v in result.vars or []]
        return Rows(variables, [[cast(ResultRow, row)[v] for v in variables] for row in result])

    def construct(self, query: str, bindings: dict[str, Node] | None = None) -> Graph:
        result = self.graph.query(query, initBindings=_terms(bindings))
        if result.type not in ("CONSTRUCT", "DESCRIBE"):
            raise StoreError(f"a CONSTRUCT or DESCRIBE query was expected, not {result.type}")
        return bind_prefixes(Graph()) + (result.graph if result.graph is not None else Graph())

    def ask(self, query: str, bindings: dict[str, Node] | None = None) -> bool:
        result = self.graph.query(query, initBindings=_terms(bindings))
        if result.type != "ASK":
            raise StoreError(f"an ASK query was expected, not {result.type}")
        return bool(result.askAnswer)

    def run(self, query: "str | Query", limit: int | None = None):
        result = self.graph.query(query)
        if result.type == "ASK":
            return bool(result.askAnswer)
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            return result.graph
        variables = [str(v) for v in result.vars or []]
        return Rows(
            variables, [[cast(ResultRow, row)[v] for v in variables] for row in islice(result, limit)]
        )

    def update(self, text: str) -> None:
        self.graph.update(text)

    def load(self, files: list[Path]) -> None:
        for path in files:
            load.parse_file(self.graph, path)
        self._sources += files
        self.derive()

    def derive(self, passes: int = 1) -> int:
        return load.derive(self.graph, passes)

    def count(self) -> int:
        return len(self.graph)

    def digest(self) -> str | None:
        return source_digest(self._sources) if self._sources else None
