"""Graph to files: write the merged graph in Turtle, N-Triples and JSON-LD, stamped with its version."""

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from exmech.graph.namespaces import CONTEXT
from exmech.graph.version import stamp

SERIALISATIONS = {"exmech.ttl": "turtle", "exmech.nt": "nt", "exmech.jsonld": "json-ld"}


@dataclass
class BuildResult:
    date: str
    files: list[Path]


def jsonld_context() -> dict:
    """The shipped JSON-LD context (prefixes and terms): the one used to write, release, serve and read JSON-LD."""
    return CONTEXT


def write_graph(graph: Graph, out_dir: Path, date: str | None = None) -> BuildResult:
    """Stamp the ontology header and write every serialisation atomically (temp file, then rename)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    used = stamp(graph, date)
    files = []
    for name, fmt in SERIALISATIONS.items():
        target = out_dir / name
        tmp = target.with_suffix(target.suffix + ".tmp")
        if fmt == "json-ld":
            graph.serialize(tmp, format=fmt, context=jsonld_context(), auto_compact=True, encoding="utf-8")
        else:
            graph.serialize(tmp, format=fmt, encoding="utf-8")
        tmp.replace(target)
        files.append(target)
    return BuildResult(used, files)
