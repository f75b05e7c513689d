"""Rules an entry's IRIs must keep so that nothing it says is followed by a loader or names a file unsafely.

One place for: the statements a loader or reasoner follows (owl:imports through owlready2/HermiT, sh:shapesGraph
through SHACL tools), the namespaces only the curators define, the characters no IRI may hold, and the slug rule
that every knowledge-base IRI an entry defines, and so every stored file name, must match.
"""

import re

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, SH

from exmech.graph.namespaces import BASE, EXM, INSTR, KB, MECH, ONTOLOGY_IRI, OUTC, SHAPES, THEME

# statements that make a loader fetch or open what they name: refused in entries, stripped before reasoning
IMPORT_PREDICATES = frozenset({OWL.imports, SH.shapesGraph, SH.entailment})
# namespaces whose terms are defined by the ontology, vocabularies and shapes only, never by an entry; each is
# closed with and without its trailing slash (the ontology IRI itself is .../ontology), as is the project base
CLOSED = (EXM, MECH, THEME, INSTR, OUTC, SHAPES)
_CLOSED_PREFIXES = tuple(str(ns).rstrip("/") for ns in CLOSED) + (ONTOLOGY_IRI,)
_CLOSED_EXACT = frozenset({BASE, BASE.rstrip("/")})
SLUG_RULE = "[a-z0-9][a-z0-9-]{0,63}"
_SLUG = re.compile(SLUG_RULE)
# no IRI holds controls, spaces, <>"{}|^`\ (RFC 3987 / N-Triples IRIREF) or bidirectional-text overrides
_BAD_IRI_CHARS = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]')


def is_closed(iri: str) -> bool:
    """Is this IRI one only the curators may define (a closed namespace, its base IRI, the ontology IRI)?"""
    return iri in _CLOSED_EXACT or iri.startswith(_CLOSED_PREFIXES)


def is_slug(text: str) -> bool:
    return bool(_SLUG.fullmatch(text))


def slug_of(iri: str) -> str | None:
    """kb:<slug> -> slug; None outside the knowledge-base namespace."""
    return iri[len(str(KB)) :] if iri.startswith(str(KB)) else None


def bad_iri(graph: Graph) -> tuple[str, str] | None:
    """The first IRI (in a stable order) that holds a character no IRI may hold, with that character."""
    found = None
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef) and (m := _BAD_IRI_CHARS.search(term)):
                if found is None or str(term) < found[0]:
                    found = (str(term), m.group())
    return found


def strip_imports(graph: Graph) -> Graph:
    """A copy of the graph without import-like statements, safe to hand to a reasoner that follows them."""
    out = Graph()
    for triple in graph:
        if triple[1] not in IMPORT_PREDICATES:
            out.add(triple)
    return out
