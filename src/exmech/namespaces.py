"""The IRIs the project mints and the prefixes it binds, defined once."""

from rdflib import Graph, Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

BASE = "https://w3id.org/exmech/"
ONTOLOGY_IRI = BASE + "ontology"
EXM = Namespace(BASE + "ontology/")
KB = Namespace(BASE + "kb/")
MECH = Namespace(BASE + "mechanism/")
THEME = Namespace(BASE + "theme/")
INSTR = Namespace(BASE + "instrument/")
OUTC = Namespace(BASE + "outcome/")
BIBO = Namespace("http://purl.org/ontology/bibo/")
SHAPES = Namespace(BASE + "shapes/")

PREFIXES: dict[str, Namespace] = {
    "exm": EXM,
    "kb": KB,
    "mech": MECH,
    "theme": THEME,
    "instr": INSTR,
    "outc": OUTC,
    "bibo": BIBO,
    "shp": SHAPES,
    "dcterms": Namespace(str(DCTERMS)),
    "prov": Namespace(str(PROV)),
    "skos": Namespace(str(SKOS)),
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "owl": Namespace(str(OWL)),
    "xsd": Namespace(str(XSD)),
}


def bind_prefixes(graph: Graph) -> Graph:
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
