"""The IRIs the project mints and the prefixes it binds, defined once.

The one source of the prefix map is the shipped JSON-LD context (ontology/context.jsonld): its prefix entries
are the prefixes bound in every serialisation, the server's, SSSOM's curie map and the JSON-LD context itself.
"""

import json
from typing import TypeVar

from rdflib import Graph, Namespace

from exmech.graph.resources import resource_dir

G = TypeVar("G", bound=Graph)

CONTEXT: dict = json.loads((resource_dir("ontology") / "context.jsonld").read_text(encoding="utf-8"))[
    "@context"
]
PREFIXES: dict[str, Namespace] = {
    name: Namespace(value)
    for name, value in CONTEXT.items()
    if isinstance(value, str) and not name.startswith("@") and value.endswith(("/", "#"))
}

BASE = "https://w3id.org/exmech/"
ONTOLOGY_IRI = BASE + "ontology"
EXM = PREFIXES["exm"]
KB = PREFIXES["kb"]
MECH = PREFIXES["mech"]
THEME = PREFIXES["theme"]
INSTR = PREFIXES["instr"]
OUTC = PREFIXES["outc"]
BIBO = PREFIXES["bibo"]
SHAPES = PREFIXES["shp"]


def bind_prefixes(graph: G) -> G:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    return graph


def compact(iri: str) -> str:
    """Shorten an IRI to a CURIE with the project's prefixes, or return it unchanged."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(str(ns)) and len(str(ns)) > len(best):
            best, found = str(ns), prefix
    return f"{found}:{iri[len(best) :]}" if best else iri


def expand(curie: str) -> str | None:
    """Expand a CURIE with a known prefix to a full IRI; None if the prefix is unknown."""
    prefix, sep, local = curie.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return str(PREFIXES[prefix]) + local
    return None
