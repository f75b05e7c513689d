"""What a term or study IRI answers: its concise bounded description (blank-node structures kept, e.g. an
owl:oneOf list) in Turtle, JSON-LD, N-Triples or RDF/XML, or a page for people.

The page is titled by the term's label, shows values plainly (lexical forms, not typed literals), links DOIs,
PubMed IDs and trial registrations, and lists what points at the term; for a mechanism, the trials that proposed
and measured it and the mediation analyses that tested it, with their indirect effects. Every query runs in the
endpoint's workers under its limits; IRIs are written into a query only when they hold safe characters.
"""

import io
import re
from http import HTTPStatus

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from exmech.graph.namespaces import BASE, EXM, bind_prefixes
from exmech.server.endpoint import Endpoint
from exmech.server.pages import render, wants_html
from exmech.server.term_views import Labels, evidence_rows, incoming_rows, label_of, statements
from exmech.server.worker import GRAPH_TYPES, Reply, text

TERM_SPACES = ("ontology/", "kb/", "mechanism/", "theme/", "instrument/", "outcome/")
LOCAL_PATH = re.compile(r"[A-Za-z0-9._~/-]+")  # what a term or study IRI may hold after the base
SAFE_IRI = re.compile(r"[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]+")  # an IRI written into a query as <...>
LABELS = """SELECT ?t ?l ?k WHERE {{ VALUES ?t {{ {values} }}
  {{ ?t <http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#prefLabel> ?l BIND(0 AS ?k) }}
  UNION {{ ?t <http://purl.org/dc/terms/title> ?l BIND(1 AS ?k) }} }}"""
INCOMING = "SELECT ?s ?p WHERE {{ ?s ?p <{iri}> }} ORDER BY ?p ?s LIMIT 200"
EVIDENCE = """PREFIX exm: <https://w3id.org/exmech/ontology/>
SELECT ?role ?other ?analysis ?outcome ?status ?estimate ?lo ?hi WHERE {{
  {{ ?claim exm:proposedMechanism {mechanism} ; exm:statedBy {study} . BIND("proposed" AS ?role) }}
  UNION {{ ?m a exm:MediatorMeasurement ; exm:ofConstruct {mechanism} ; exm:inStudy {study} .
          BIND("measured" AS ?role) }}
  UNION {{ ?analysis a exm:MediationAnalysis ; exm:mediator {mechanism} ; exm:analysesStudy {study} .
          BIND("tested" AS ?role)
          OPTIONAL {{ ?analysis exm:outcome ?outcome }}
          OPTIONAL {{ ?analysis exm:evidenceStatus ?status }}
          OPTIONAL {{ ?analysis exm:hasEffect ?e . ?e a exm:IndirectEffect .
                     OPTIONAL {{ ?e exm:estimate ?estimate }} OPTIONAL {{ ?e exm:ciLower ?lo ; exm:ciUpper ?hi }} }} }}
}} ORDER BY ?role ?other ?analysis"""


def graph_of(reply: Reply) -> Graph:
    return bind_prefixes(Graph()).parse(data=reply.body.decode("utf-8"), format=GRAPH_TYPES[reply.media])


def select(endpoint: Endpoint, query: str, start: float | None) -> list[dict] | str:
    """The rows of a SELECT run by the endpoint, or the endpoint's message if it did not answer 200."""
    from rdflib.query import Result, ResultRow

    reply = endpoint.run(query, "application/sparql-results+json", start)
    if reply.status != HTTPStatus.OK:
        return f"HTTP {reply.status}: {reply.body.decode('utf-8', 'replace')[:300]}"
    result = Result.parse(io.BytesIO(reply.body), format="json")
    return [{str(k): v for k, v in row.asdict().items()} for row in result if isinstance(row, ResultRow)]


def describe(endpoint: Endpoint, local: str, accept: str, start: float | None = None) -> Reply:
    """Statements about BASE + local: HTML for browsers, Turtle, JSON-LD, N-Triples or RDF/XML for programs."""
    if not LOCAL_PATH.fullmatch(local):
        return text(404, f"no resource {local!r} here")
    iri = BASE + local
    html = wants_html(accept)
    reply = endpoint.run(f"DESCRIBE <{iri}>", "text/turtle" if html else accept, start)
    if reply.status != HTTPStatus.OK:
        return reply
    graph = graph_of(reply)
    if not len(graph):
        return text(404, f"no resource {iri} in this graph")
    return term_page(endpoint, URIRef(iri), graph, start) if html else reply


def labels_for(endpoint: Endpoint, iris: set[URIRef], start: float | None) -> Labels:
    """Labels (rdfs:label, skos:prefLabel, else dcterms:title) of the IRIs a page names, in one query."""
    safe = sorted(str(i) for i in iris if SAFE_IRI.fullmatch(str(i)) and "service" not in str(i).lower())
    if not safe:
        return Labels({})
    values = " ".join(f"<{i}>" for i in safe)
    rows = select(endpoint, LABELS.format(values=values), start)
    found: dict[URIRef, list[tuple[int, Literal]]] = {}
    for row in rows if isinstance(rows, list) else []:
        if isinstance(row.get("l"), Literal):
            found.setdefault(row["t"], []).append((int(row["k"]), row["l"]))
    return Labels(found)


def term_page(endpoint: Endpoint, iri: URIRef, graph: Graph, start: float | None) -> Reply:
    incoming = select(endpoint, INCOMING.format(iri=iri), start)
    if (iri, RDF.type, EXM.Mechanism) in graph:  # the trials behind a mechanism
        evidence = select(endpoint, EVIDENCE.format(mechanism=f"<{iri}>", study="?other"), start)
        kind = "mechanism"
    else:  # the mechanisms of a study (none for other terms: the section is left out)
        evidence = select(endpoint, EVIDENCE.format(mechanism="?other", study=f"<{iri}>"), start)
        kind = "study"
    named = {t for t in (*graph.all_nodes(), *graph.predicates()) if isinstance(t, URIRef)}
    for rows in (incoming, evidence):
        if isinstance(rows, list):
            named |= {v for row in rows for v in row.values() if isinstance(v, URIRef)}
    labels = labels_for(endpoint, named, start)
    labels.add_graph(graph)
    nm = graph.namespace_manager
    return render(
        "term.html.j2",
        iri=str(iri),
        title=label_of(iri, labels, nm),
        types=[
            labels.link(t, nm) for t in sorted(graph.objects(iri, RDF.type), key=str) if isinstance(t, URIRef)
        ],
        rows=statements(iri, graph, labels, skip={RDF.type}),
        incoming=incoming_rows(incoming, labels, nm),
        evidence=evidence_rows(evidence, labels, nm, kind),
    )
