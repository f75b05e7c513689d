"""The path network for Cytoscape / Gephi (GraphML) and spreadsheets (CSV nodes and edges)."""

import csv
import io
from xml.sax.saxutils import quoteattr

from .paths import Path


def network(paths: list[Path]) -> tuple[dict[str, str], list[dict]]:
    """Nodes (id -> kind) and edges: exercise type -> mechanism -> outcome, weighted by number of studies."""
    nodes, edges = {}, {}
    for p in paths:
        nodes[p.exercise_type], nodes[p.mechanism], nodes[p.outcome] = "exercise", "mechanism", "outcome"
        for source, target in ((p.exercise_type, p.mechanism), (p.mechanism, p.outcome)):
            edge = edges.setdefault((source, target), {"source": source, "target": target, "studies": set(), "rank": 0})
            edge["studies"].update(p.studies)
            edge["rank"] = max(edge["rank"], ["proposed", "measured", "tested", "supported"].index(p.status) + 1)
    out = [dict(e, studies=len(e["studies"]), status=["proposed", "measured", "tested", "supported"][e["rank"] - 1])
           for e in edges.values()]
    return nodes, out


def graphml(paths: list[Path]) -> str:
    nodes, edges = network(paths)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
             '  <key id="kind" for="node" attr.name="kind" attr.type="string"/>',
             '  <key id="studies" for="edge" attr.name="studies" attr.type="int"/>',
             '  <key id="status" for="edge" attr.name="status" attr.type="string"/>',
             '  <graph id="exmech-paths" edgedefault="directed">']
    lines += [f'    <node id={quoteattr(n)}><data key="kind">{k}</data></node>' for n, k in sorted(nodes.items())]
    for i, e in enumerate(edges):
        lines.append(f'    <edge id="e{i}" source={quoteattr(e["source"])} target={quoteattr(e["target"])}>'
                     f'<data key="studies">{e["studies"]}</data><data key="status">{e["status"]}</data></edge>')
    lines += ["  </graph>", "</graphml>"]
    return "\n".join(lines) + "\n"


def edges_csv(paths: list[Path]) -> str:
    _, edges = network(paths)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["source", "target", "studies", "status"], lineterminator="\n",
                            extrasaction="ignore")
    writer.writeheader()
    writer.writerows(edges)
    return out.getvalue()
