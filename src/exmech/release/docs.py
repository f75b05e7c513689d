"""The release's HTML documentation: pyLODE pages for the ontology and each vocabulary, one real example per class.

pyLODE documents every owl:Ontology and skos:ConceptScheme of the graph it is given as if they were one (their
titles run together and the last one's IRI is shown), and lists terms in the order the graph holds them. So each page
gets its own graph: the ontology page the ontology alone, its own terms first and in IRI order, the terms it uses
from other vocabularies marked with rdfs:isDefinedBy their namespace; each vocabulary page one concept scheme and its
concepts.
"""

import logging
import re
from html import escape

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from exmech.errors import require
from exmech.graph.namespaces import BASE, EXM, ONTOLOGY_IRI, PREFIXES, bind_prefixes, compact
from exmech.release.sources import ordered_graph

VOCABULARIES = (
    "mech",
    "theme",
    "instr",
    "outc",
)  # the controlled vocabularies, each documented on its own page
DOCUMENTED_KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
_MEMBER = r"<span>(?:(?!</?span).)*?</span>"  # one class of a union or intersection, as pyLODE writes it
_JOIN = r'\s*<span class="cardinality">(?:or|and)</span>\s*'
_SET_CLASS = re.compile(rf"{_MEMBER}(?:{_JOIN}{_MEMBER})+", re.S)


def _pylode(name: str) -> type:
    """A pyLODE profile class; its import calls logging.basicConfig(DEBUG), undone here."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    profile = getattr(require("pylode", "release"), name)
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    return profile


def _ordered(graph: Graph, first: set[Node]) -> Graph:
    """A copy whose triples are added subject by subject: `first` in IRI order, then every other subject."""
    out = ordered_graph()
    for subject in sorted(set(graph.subjects()), key=lambda s: (s not in first, str(s))):
        for triple in sorted(graph.triples((subject, None, None)), key=lambda t: (t[1].n3(), t[2].n3())):
            out.add(triple)
    return out


def ontology_doc_graph(onto: Graph) -> Graph:
    """The ontology without its vocabularies' concept schemes and concepts, imported terms marked as such."""
    schemes = set(onto.subjects(RDF.type, SKOS.ConceptScheme))
    concepts = set(onto.subjects(SKOS.inScheme, None)) | schemes
    doc = Graph()
    for s, p, o in onto:
        if s not in concepts:
            doc.add((s, p, o))
    own = {
        s for kind in DOCUMENTED_KINDS for s in doc.subjects(RDF.type, kind) if str(s).startswith(str(EXM))
    }
    for kind in DOCUMENTED_KINDS:
        for term in doc.subjects(RDF.type, kind):
            if isinstance(term, URIRef) and not str(term).startswith(BASE):
                namespace = str(term)[: max(str(term).rfind("#"), str(term).rfind("/")) + 1]
                doc.add((term, RDFS.isDefinedBy, URIRef(namespace)))
    return _ordered(doc, own | {URIRef(ONTOLOGY_IRI)})


def sorted_set_classes(html: str) -> str:
    """pyLODE gathers the members of an owl:unionOf / owl:intersectionOf in a Python set, so their order changes
    from run to run: put them in a stable order (the one post-processing of pyLODE's HTML)."""

    def ordered(match: re.Match) -> str:
        members = sorted(re.findall(_MEMBER, match.group(0), re.S))
        joins = re.findall(_JOIN, match.group(0))
        return "".join(m + j for m, j in zip(members, [*joins, ""], strict=True))

    return _SET_CLASS.sub(ordered, html)


def ontology_html(onto: Graph) -> str:
    """pyLODE's OntPub page for the ontology (offline: it reads only this graph)."""
    return sorted_set_classes(str(_pylode("OntPub")(ontology=ontology_doc_graph(onto)).make_html()))


def vocabulary_graphs(onto: Graph) -> dict[str, Graph]:
    """Each controlled vocabulary (its terms, and its concept scheme where it has one), by prefix."""
    graphs = {}
    for prefix in VOCABULARIES:
        members = {
            s for s in onto.subjects() if isinstance(s, URIRef) and str(s).startswith(str(PREFIXES[prefix]))
        }
        graph = Graph()
        for member in members:
            for triple in onto.triples((member, None, None)):
                graph.add(triple)
        graphs[prefix] = _ordered(graph, set(members))
    return graphs


def _vocabulary_title(vocabulary: Graph, prefix: str) -> tuple[str, str, str]:
    """Title, IRI and definition of a vocabulary: its concept scheme's, or made from the class of its terms."""
    scheme = vocabulary.value(predicate=RDF.type, object=SKOS.ConceptScheme)
    if scheme is not None:
        return (
            str(vocabulary.value(scheme, RDFS.label)),
            str(scheme),
            str(vocabulary.value(scheme, SKOS.definition)),
        )
    kinds = sorted({str(o) for o in vocabulary.objects(None, RDF.type) if str(o).startswith(str(EXM))})
    return f"exmech vocabulary: {', '.join(compact(k) for k in kinds)}", str(PREFIXES[prefix]), ""


def vocabulary_html(vocabulary: Graph, prefix: str) -> str:
    """A page for one controlled vocabulary: its title, IRI and definition, then every term with what it says.

    pyLODE's VocPub profile (3.3) lists classes and properties only, not SKOS concepts or other individuals, so the
    page is built here with dominate, the HTML library pyLODE itself uses."""
    dominate = require("dominate", "release")
    tags = dominate.tags
    title, iri, definition = _vocabulary_title(vocabulary, prefix)
    terms = sorted(
        (s for s in set(vocabulary.subjects()) if (s, RDF.type, SKOS.ConceptScheme) not in vocabulary),
        key=lambda t: (str(vocabulary.value(t, RDFS.label)), str(t)),
    )
    document = dominate.document(title=title)
    with document:
        tags.h1(title)
        tags.p(tags.code(iri), " ", definition)
        for term in terms:
            with tags.div(id=compact(str(term)).split(":", 1)[1], _class="concept"):
                tags.h2(str(vocabulary.value(term, RDFS.label) or compact(str(term))))
                with tags.dl():
                    tags.dt("IRI")
                    tags.dd(tags.code(str(term)))
                    for p, o in sorted(
                        vocabulary.predicate_objects(term), key=lambda t: (t[0].n3(), t[1].n3())
                    ):
                        if p not in (RDFS.label, SKOS.inScheme):
                            tags.dt(compact(str(p)))
                            tags.dd(tags.a(compact(str(o)), href=str(o)) if isinstance(o, URIRef) else str(o))
    return str(document.render())


def examples_html(full: Graph) -> str:
    """For every exmech class with instances in the knowledge base, its first real instance as Turtle."""
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>exmech examples</title></head><body>",
        "<h1>exmech: one real example per class</h1>",
    ]
    for cls in sorted({c for c in full.objects(None, RDF.type) if str(c).startswith(str(EXM))}, key=str):
        instances = sorted(
            (s for s in full.subjects(RDF.type, cls) if str(s).startswith(BASE + "kb/")), key=str
        )
        if not instances:
            continue
        example = bind_prefixes(Graph())
        for triple in sorted(full.triples((instances[0], None, None)), key=lambda t: (t[1].n3(), t[2].n3())):
            example.add(triple)
        parts.append(f"<h2 id='{escape(compact(str(cls)))}'>{escape(compact(str(cls)))}</h2>")
        parts.append(f"<pre>{escape(example.serialize(format='turtle'))}</pre>")
    return "\n".join(parts + ["</body></html>"])
