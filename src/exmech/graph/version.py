"""Release stamping: the build, never a person, writes owl:versionIRI and owl:versionInfo."""

import datetime as dt
import os

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL

from exmech import __version__
from exmech.graph.namespaces import BASE, ONTOLOGY_IRI


def release_date() -> str:
    """Today (UTC), or the date of SOURCE_DATE_EPOCH for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = (
        dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch else dt.datetime.now(dt.timezone.utc)
    )
    return when.date().isoformat()


def version_iri(date: str, filename: str = "exmech.ttl") -> URIRef:
    return URIRef(f"{BASE}releases/{date}/{filename}")


def stamp(graph: Graph, date: str | None = None) -> str:
    """Add the dated version IRI and version info to the ontology header; return the date used."""
    date = date or release_date()
    onto = URIRef(ONTOLOGY_IRI)
    graph.remove((onto, OWL.versionIRI, None))
    graph.remove((onto, OWL.versionInfo, None))
    graph.add((onto, OWL.versionIRI, version_iri(date)))
    graph.add((onto, OWL.versionInfo, Literal(f"{__version__} ({date})")))
    return date
