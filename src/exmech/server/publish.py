"""The endpoint describing itself: a SPARQL service description (GET /sparql with no query), a VoID description
(/.well-known/void), the ontology at its IRI (/ontology) and the shipped JSON-LD context (/context.jsonld).

The counts come from queries run by the endpoint's own workers under its limits, once per endpoint (the graph
does not change while it is served); the ontology is the shipped file, parsed once.
"""

import weakref
from functools import cache
from http import HTTPStatus

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID, XSD

from exmech.graph.load import parse_file
from exmech.graph.namespaces import BASE, EXM, KB, bind_prefixes
from exmech.graph.resources import ontology_files, resource_dir
from exmech.release.describe import DATASET, LICENCE
from exmech.server.conneg import choose
from exmech.server.endpoint import Endpoint
from exmech.server.terms import describe, select
from exmech.server.worker import GRAPH_TYPES, Reply, serialize

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV")
GRAPH_FORMATS = ("Turtle", "JSON-LD", "N-Triples", "RDF_XML")
COUNTS = """SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?p) AS ?properties)
       (COUNT(DISTINCT ?o) AS ?objects) WHERE { ?s ?p ?o }"""
CLASSES = "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY ?class"
JSONLD = "application/ld+json"
_counted: "weakref.WeakKeyDictionary[Endpoint, tuple[dict, list[dict]]]" = weakref.WeakKeyDictionary()


def counts(endpoint: Endpoint, start: float | None) -> tuple[dict, list[dict]] | str:
    """(whole-graph counts, per-class counts) or the endpoint's message when it could not count."""
    if endpoint in _counted:
        return _counted[endpoint]
    totals = select(endpoint, COUNTS, start)
    if isinstance(totals, str):
        return totals
    classes = select(endpoint, CLASSES, start)
    found = (totals[0], classes if isinstance(classes, list) else [])  # too many classes: no partitions
    _counted[endpoint] = found
    return found


def void_graph(origin: str, totals: dict, classes: list[dict]) -> Graph:
    g = bind_prefixes(Graph())
    g.bind("void", VOID)
    g.bind("sd", SD)
    g.add((DATASET, RDF.type, VOID.Dataset))
    g.add(
        (
            DATASET,
            DCTERMS.title,
            Literal("exmech: mechanisms of exercise for chronic low back pain", lang="en"),
        )
    )
    g.add((DATASET, DCTERMS.license, LICENCE))
    g.add((DATASET, VOID.sparqlEndpoint, URIRef(origin + "/sparql")))
    g.add((DATASET, VOID.uriSpace, Literal(BASE)))
    g.add((DATASET, VOID.vocabulary, URIRef(str(EXM))))
    g.add((DATASET, VOID.exampleResource, KB.wun2021))
    for name, prop in (
        ("triples", "triples"),
        ("subjects", "distinctSubjects"),
        ("properties", "properties"),
    ):
        g.add((DATASET, VOID[prop], Literal(int(totals[name]), datatype=XSD.integer)))
    g.add((DATASET, VOID.distinctObjects, Literal(int(totals["objects"]), datatype=XSD.integer)))
    g.add((DATASET, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    for row in classes:
        if isinstance(row.get("class"), URIRef):
            part = BNode()
            g.add((DATASET, VOID.classPartition, part))
            g.add((part, VOID["class"], row["class"]))
            g.add((part, VOID.entities, Literal(int(row["n"]), datatype=XSD.integer)))
    return g


def _graph_reply(graph: Graph, accept: str) -> Reply:
    media, body = serialize(graph, accept)
    return Reply(200, media, body.encode("utf-8"))


def void_document(endpoint: Endpoint, origin: str, accept: str, start: float | None) -> Reply:
    found = counts(endpoint, start)
    if isinstance(found, str):
        return Reply(HTTPStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8", found.encode("utf-8"))
    return _graph_reply(void_graph(origin, *found), accept)


def service_description(endpoint: Endpoint, origin: str, accept: str, start: float | None) -> Reply:
    """sd:Service at /sparql: the language, the result formats and the default dataset (with its VoID)."""
    found = counts(endpoint, start)
    if isinstance(found, str):
        return Reply(HTTPStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8", found.encode("utf-8"))
    g = void_graph(origin, *found)
    service = URIRef(origin + "/sparql")
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for name in (*RESULT_FORMATS, *GRAPH_FORMATS):
        g.add((service, SD.resultFormat, FORMATS[name]))
    g.add((service, SD.defaultDataset, DATASET))
    g.add((DATASET, RDF.type, SD.Dataset))
    default = URIRef(origin + "/sparql#default-graph")
    g.add((DATASET, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, VOID.triples, Literal(int(found[0]["triples"]), datatype=XSD.integer)))
    return _graph_reply(g, accept)


@cache
def ontology_graph() -> Graph:
    graph = bind_prefixes(Graph())
    parse_file(graph, ontology_files()[0])
    return graph


@cache
def _ontology_reply(media: str) -> Reply:
    return _graph_reply(ontology_graph(), media)


def ontology_document(endpoint: Endpoint, accept: str, start: float | None) -> Reply:
    """The ontology at its IRI: a page for browsers, the shipped file's graph in any RDF format otherwise."""
    media = choose(accept, [*GRAPH_TYPES, "text/html", "application/xhtml+xml"])
    if media in ("text/html", "application/xhtml+xml"):
        return describe(endpoint, "ontology", accept, start)
    return _ontology_reply(media)


@cache
def _context_body() -> bytes:
    return (resource_dir("ontology") / "context.jsonld").read_bytes()


def context_document(accept: str) -> Reply:
    """The JSON-LD context the data and the entries name (https://w3id.org/exmech/context.jsonld)."""
    media = choose(accept, [JSONLD, "application/json"])
    return Reply(200, media, _context_body())
