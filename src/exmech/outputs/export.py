"""The path network for Cytoscape / Gephi (GraphML) and spreadsheets (CSV nodes and edges).

Nodes are exercise types, mechanisms and outcomes; an edge exercise type -> mechanism gathers the paths
through it over all outcomes, an edge mechanism -> outcome over all exercise types. Edge weight = number of
distinct studies, edge status = the strongest evidence status among those paths. CSV cells that a spreadsheet
would read as formulas (a label starting with '=', say) are escaped (exmech.outputs.cells).
"""

from dataclasses import dataclass, field
from pathlib import Path as FilePath
from xml.sax.saxutils import escape, quoteattr

from rdflib import Graph

from exmech.evidence.paths import STATUSES, MechanismPath
from exmech.graph.namespaces import expand
from exmech.outputs.cells import csv_text
from exmech.stores.base import Store, term_labels


@dataclass
class Node:
    id: str  # CURIE
    kind: str  # exercise type | mechanism | outcome
    label: str
    theme: str = ""


@dataclass
class Edge:
    source: str
    target: str
    studies: set[str] = field(default_factory=set)
    status: str = "proposed"

    @property
    def weight(self) -> int:
        return len(self.studies)


def network(source: Graph | Store, paths: list[MechanismPath]) -> tuple[list[Node], list[Edge]]:
    """Nodes and edges of the paths, labelled from any store (one query for every label)."""
    labels = term_labels(source)

    def label(curie: str) -> str:
        return labels.get(curie, curie.split(":", 1)[-1])

    nodes: dict[str, Node] = {}
    edges: dict[tuple[str, str], Edge] = {}
    for p in paths:
        nodes.setdefault(p.exercise_type, Node(p.exercise_type, "exercise type", label(p.exercise_type)))
        nodes.setdefault(p.mechanism, Node(p.mechanism, "mechanism", label(p.mechanism), label(p.theme)))
        nodes.setdefault(p.outcome, Node(p.outcome, "outcome", label(p.outcome)))
        for start, end in ((p.exercise_type, p.mechanism), (p.mechanism, p.outcome)):
            edge = edges.setdefault((start, end), Edge(start, end))
            edge.studies.update(p.studies)
            edge.status = max(edge.status, p.status, key=STATUSES.index)
    order = {"exercise type": 0, "mechanism": 1, "outcome": 2}
    return (
        sorted(nodes.values(), key=lambda n: (order[n.kind], n.label.lower())),
        sorted(edges.values(), key=lambda e: (e.source, e.target)),
    )


def graphml(source: Graph | Store, paths: list[MechanismPath]) -> str:
    nodes, edges = network(source, paths)
    keys = [
        ("label", "node", "string"),
        ("kind", "node", "string"),
        ("theme", "node", "string"),
        ("iri", "node", "string"),
        ("weight", "edge", "int"),
        ("status", "edge", "string"),
        ("studies", "edge", "string"),
    ]
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
        'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
    ]
    lines += [f'  <key id="{k}" for="{f}" attr.name="{k}" attr.type="{t}"/>' for k, f, t in keys]
    lines.append('  <graph id="exmech-paths" edgedefault="directed">')
    for n in nodes:
        data = {"label": n.label, "kind": n.kind, "theme": n.theme, "iri": expand(n.id) or n.id}
        cells = "".join(f'<data key="{k}">{escape(v)}</data>' for k, v in data.items() if v)
        lines.append(f"    <node id={quoteattr(n.id)}>{cells}</node>")
    for i, e in enumerate(edges):
        cells = (
            f'<data key="weight">{e.weight}</data><data key="status">{e.status}</data>'
            f'<data key="studies">{escape(" ".join(sorted(e.studies)))}</data>'
        )
        lines.append(
            f'    <edge id="e{i}" source={quoteattr(e.source)} target={quoteattr(e.target)}>{cells}</edge>'
        )
    lines += ["  </graph>", "</graphml>"]
    return "\n".join(lines) + "\n"


def nodes_csv(source: Graph | Store, paths: list[MechanismPath]) -> str:
    nodes, _ = network(source, paths)
    return csv_text(
        ["id", "label", "kind", "theme", "iri"],
        [[n.id, n.label, n.kind, n.theme, expand(n.id)] for n in nodes],
    )


def edges_csv(source: Graph | Store, paths: list[MechanismPath]) -> str:
    _, edges = network(source, paths)
    return csv_text(
        ["source", "target", "weight", "status", "studies"],
        [[e.source, e.target, e.weight, e.status, " ".join(sorted(e.studies))] for e in edges],
    )


def write_export(
    source: Graph | Store, paths: list[MechanismPath], fmt: str, out: FilePath
) -> list[FilePath]:
    """Write paths.graphml, or paths-nodes.csv and paths-edges.csv, into the folder out."""
    out.mkdir(parents=True, exist_ok=True)
    if fmt == "graphml":
        files = {out / "paths.graphml": graphml(source, paths)}
    elif fmt == "csv":
        files = {
            out / "paths-nodes.csv": nodes_csv(source, paths),
            out / "paths-edges.csv": edges_csv(source, paths),
        }
    else:
        raise ValueError(f"export format {fmt!r}: choose graphml or csv")
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    return list(files)
