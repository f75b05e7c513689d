"""The Python API: a loaded knowledge graph and the packaged queries over it.

from exmech.kg import KnowledgeGraph
kg = KnowledgeGraph.load()
for row in kg.query("mechanisms-for-exercise-type", exerciseType="exm:WalkingExercise"):
    print(row)
"""

from pathlib import Path

from rdflib import Graph
from rdflib.query import Result

from .catalogue import resolve
from .load import load_graph
from .results import as_records


class KnowledgeGraph:
    def __init__(self, graph: Graph):
        self.graph = graph

    @classmethod
    def load(cls, kb_dir: Path | None = None, extra: list[Path] | None = None) -> "KnowledgeGraph":
        """Ontology + vocabularies + knowledge base (+ extra Turtle files) + derived facts, in memory."""
        return cls(load_graph(kb_dir, extra))

    def run(self, name_or_file: str, **params: str) -> Result:
        """Run a packaged query (or .rq file) with parameters bound as RDF terms (CURIE, <IRI>, number, text)."""
        named = resolve(name_or_file)
        return self.graph.query(named.text, initBindings=named.bindings(params))

    def query(self, name_or_file: str, **params: str) -> list[dict[str, str]]:
        """Like run(), with rows as dicts of plain strings."""
        return as_records(self.run(name_or_file, **params))

    def paths(
        self,
        intervention: str | None = None,
        mechanism: str | None = None,
        theme: str | None = None,
        outcome: str | None = None,
        min_evidence: str = "proposed",
    ) -> list:
        """Intervention -> mechanism -> outcome paths as typed records (see exmech.paths.Path)."""
        from .paths import find_paths

        return find_paths(self.graph, intervention, mechanism, theme, outcome, min_evidence)
