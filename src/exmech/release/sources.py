"""The release's graphs: every edit file its own named graph, blank nodes labelled from their content, sorted.

rdflib gives blank nodes random labels, and its stores iterate in the order triples were added (the rules add theirs
in hash order), so the same input could come out in another order with other labels on every run. Here each blank
node takes the label rdflib's canonicaliser computes from the triples around it (a SHA-256), and every graph is
rebuilt in sorted order: the same input gives byte-identical files.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.compare import _TripleCanonicalizer
from rdflib.namespace import OWL, RDF
from rdflib.term import Node

from exmech.graph.load import derive, parse_file
from exmech.graph.namespaces import BASE, ONTOLOGY_IRI, bind_prefixes
from exmech.graph.resources import knowledge_base_files, ontology_files, resource_dir
from exmech.graph.version import stamp

SOURCE_GRAPH = BASE + "graph/source/"  # + the file's path in the repository, e.g. ontology/kb/review.ttl
DERIVED_GRAPH = BASE + "graph/derived"  # the facts the rules of queries/rules/ derive
DEFAULT_GRAPH = ""  # the knowledge base's owl:Ontology header


class _Labeller(_TripleCanonicalizer):
    """rdflib's canonicaliser, keeping the content-hash label it computes for each blank node."""

    def __init__(self, graph: Graph) -> None:
        super().__init__(graph)
        self.labels: dict[Node, str] = {}

    def _canonicalize_bnodes(self, triple: Any, labels: dict[Node, str]) -> Any:
        self.labels = labels
        return super()._canonicalize_bnodes(triple, labels)


def content_labels(graph: Graph) -> dict[Node, Node]:
    """For every blank node of `graph`, a blank node labelled by the SHA-256 of its surroundings."""
    labeller = _Labeller(graph)
    for _ in labeller.canonical_triples():
        pass
    return {node: BNode("cb" + label) for node, label in labeller.labels.items() if isinstance(node, BNode)}


def ordered_graph() -> Graph:
    """An empty graph that iterates in the order triples were added (rdflib's default store keeps them in a set)."""
    return bind_prefixes(Graph(store="SimpleMemory"))


def relabelled(graph: Graph, labels: dict[Node, Node]) -> Graph:
    """A copy of `graph` with the blank-node labels given, its triples added in sorted order."""
    triples = [tuple(labels.get(term, term) for term in triple) for triple in graph]
    out = ordered_graph()
    for s, p, o in sorted(triples, key=lambda t: tuple(term.n3() for term in t)):
        out.add((s, p, o))
    return out


def deterministic(graph: Graph) -> Graph:
    """`graph` with content-labelled blank nodes, in sorted order, keeping its prefixes."""
    out = relabelled(graph, content_labels(graph))
    for prefix, namespace in graph.namespaces():
        out.bind(prefix, namespace, override=False)
    return out


@dataclass
class ReleaseGraphs:
    onto: Graph  # ontology + controlled vocabularies, stamped with the release's version
    kb: Graph  # knowledge base + derived facts + its owl:Ontology header
    parts: dict[str, Graph]  # named-graph IRI (DEFAULT_GRAPH for the header) -> its triples

    @property
    def full(self) -> Graph:
        full = ordered_graph()
        for graph in (self.onto, self.kb):
            for triple in graph:
                full.add(triple)
        return full


def _read(path: Path) -> Graph:
    graph = Graph()
    parse_file(graph, path)
    return graph


def _union(graphs: list[Graph]) -> Graph:
    out = Graph()
    for graph in graphs:
        out += graph
    return out


def release_graphs(date: str, kb_header: Graph) -> ReleaseGraphs:
    """Read every edit file into its own graph, stamp the ontology, derive, and label every blank node by content."""
    root = resource_dir("ontology").parent
    onto_parts = {SOURCE_GRAPH + p.relative_to(root).as_posix(): _read(p) for p in ontology_files()}
    kb_parts = {SOURCE_GRAPH + p.relative_to(root).as_posix(): _read(p) for p in knowledge_base_files()}
    for graph in onto_parts.values():
        if (URIRef(ONTOLOGY_IRI), RDF.type, OWL.Ontology) in graph:
            stamp(graph, date)
    sources = _union([*onto_parts.values(), *kb_parts.values()])
    full = sources + Graph()
    derive(full)
    parts = onto_parts | kb_parts | {DERIVED_GRAPH: full - sources, DEFAULT_GRAPH: kb_header}
    labels = content_labels(full + kb_header)
    onto = _union(list(onto_parts.values()))
    kb = _union([*kb_parts.values(), parts[DERIVED_GRAPH], kb_header]) - onto
    return ReleaseGraphs(
        relabelled(onto, labels),
        relabelled(kb, labels),
        {name: relabelled(graph, labels) for name, graph in sorted(parts.items())},
    )


def nquads(parts: dict[str, Graph]) -> str:
    """Every part in its named graph (the header in the default graph), as N-Quads in sorted lines."""
    dataset = Dataset()
    for name, graph in parts.items():
        target = dataset.graph(URIRef(name)) if name else dataset  # Dataset.add: the default graph
        for triple in graph:
            target.add(triple)
    return sorted_lines(dataset.serialize(format="nquads"))


def sorted_lines(text: str) -> str:
    """N-Triples and N-Quads lines stand alone: sorted, they are the same file whatever order a store kept."""
    return "".join(sorted(line + "\n" for line in text.splitlines() if line.strip()))
