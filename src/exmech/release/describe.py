"""What a release says about itself: the knowledge base's owl:Ontology header, VoID + DCAT-AP, SSSOM, RO-Crate.

Every description is built from the graphs and files it describes, so it cannot disagree with them, and written in
a stable order, so the same release gives the same bytes.
"""

import hashlib
from pathlib import Path

import yaml
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, VOID, XSD

from exmech import __version__
from exmech.graph.namespaces import BASE, EXM, ONTOLOGY_IRI, PREFIXES, bind_prefixes, compact
from exmech.graph.version import version_iri

DATASET = URIRef(BASE + "dataset")
CATALOG = URIRef(BASE + "catalog")
PUBLISHER = URIRef(BASE + "contributors")
KB_IRI = URIRef(BASE + "kb")
LICENCE = URIRef("https://creativecommons.org/licenses/by/4.0/")
SOURCE_REVIEW = URIRef("https://doi.org/10.1016/j.msksp.2020.102307")
TITLE = "exmech: mechanisms of exercise for chronic low back pain"
DESCRIPTION = (
    "Ontology and knowledge base of randomised trials of exercise for chronic low back pain, the mechanisms "
    "their authors propose, and published mediation analyses, each fact with its source."
)
# the SPARQL endpoint `exmech serve` answers at with its defaults (host 127.0.0.1, port 8080, path /sparql)
SERVE_ENDPOINT = "http://127.0.0.1:8080/sparql"
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DCAT_VERSION = URIRef(str(DCAT) + "version")  # DCAT 3 term, unknown to rdflib's DCAT 2 namespace
HEALTH_THEME = URIRef("http://publications.europa.eu/resource/authority/data-theme/HEAL")
MEDIA = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".nq": "application/n-quads",
    ".jsonld": "application/ld+json",
    ".json": "application/ld+json",
    ".owl": "application/rdf+xml",
    ".tsv": "text/tab-separated-values",
    ".html": "text/html",
    ".txt": "text/plain",
}
MAPPING_PREDICATES = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)
EXTERNAL_PREFIXES = {
    "MESH": "http://id.nlm.nih.gov/mesh/",
    "OBI": "http://purl.obolibrary.org/obo/OBI_",
    "NCIT": "http://purl.obolibrary.org/obo/NCIT_",
    "HP": "http://purl.obolibrary.org/obo/HP_",
    "RO": "http://purl.obolibrary.org/obo/RO_",
    "semapv": "https://w3id.org/semapv/vocab/",
    "exmech": BASE,
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def media_type(path: Path) -> str:
    return MEDIA.get(path.suffix, "application/octet-stream")


def release_url(date: str, rel: str = "") -> URIRef:
    return URIRef(f"{BASE}releases/{date}/{rel}")


def kb_header(date: str) -> Graph:
    """The knowledge base is an ontology of its own that imports exmech's: its IRI, version, licence."""
    g = Graph()
    g.add((KB_IRI, RDF.type, OWL.Ontology))
    g.add((KB_IRI, OWL.imports, URIRef(ONTOLOGY_IRI)))
    g.add((KB_IRI, OWL.versionIRI, version_iri(date, "kb/exmech-kb.ttl")))
    g.add((KB_IRI, OWL.versionInfo, Literal(f"{__version__} ({date})")))
    g.add(
        (KB_IRI, DCTERMS.title, Literal("exmech knowledge base: trials, mechanisms and mediation analyses"))
    )
    g.add((KB_IRI, DCTERMS.license, LICENCE))
    g.add((KB_IRI, DCTERMS.issued, Literal(date, datatype=XSD.date)))
    g.add((KB_IRI, DCTERMS.source, SOURCE_REVIEW))
    return g


def _agents(g: Graph) -> None:
    """The publisher (a foaf:Agent) and the contact point (a vCard), as DCAT-AP asks."""
    g.add((PUBLISHER, RDF.type, FOAF.Agent))
    g.add((PUBLISHER, FOAF.name, Literal("exmech contributors")))
    contact = URIRef(BASE + "contact")
    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, VCARD.fn, Literal("exmech contributors")))
    g.add((contact, VCARD.hasURL, URIRef(BASE)))
    for subject in (DATASET, CATALOG):
        g.add((subject, DCTERMS.publisher, PUBLISHER))
    g.add((DATASET, DCAT.contactPoint, contact))


def _catalogue(g: Graph, date: str) -> None:
    g.add((CATALOG, RDF.type, DCAT.Catalog))
    g.add((CATALOG, DCTERMS.title, Literal("exmech releases", lang="en")))
    g.add((CATALOG, DCTERMS.description, Literal("Every release of the exmech knowledge graph.", lang="en")))
    g.add((CATALOG, DCAT.dataset, DATASET))
    g.add((CATALOG, DCTERMS.license, LICENCE))
    g.add((CATALOG, DCTERMS.issued, Literal(date, datatype=XSD.date)))
    g.add((CATALOG, FOAF.homepage, URIRef(BASE)))


def _dataset(g: Graph, date: str, endpoint: str) -> None:
    g.add((DATASET, RDF.type, VOID.Dataset))
    g.add((DATASET, RDF.type, DCAT.Dataset))
    g.add((DATASET, DCTERMS.title, Literal(TITLE, lang="en")))
    g.add((DATASET, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    g.add((DATASET, DCTERMS.license, LICENCE))
    g.add((DATASET, DCTERMS.issued, Literal(date, datatype=XSD.date)))
    g.add((DATASET, OWL.versionInfo, Literal(f"{__version__} ({date})")))
    g.add((DATASET, DCAT_VERSION, Literal(date)))
    g.add((DATASET, DCTERMS.source, SOURCE_REVIEW))
    g.add((DATASET, DCAT.theme, HEALTH_THEME))
    for word in ("exercise", "chronic low back pain", "mediation analysis", "mechanism", "randomised trial"):
        g.add((DATASET, DCAT.keyword, Literal(word, lang="en")))
    g.add((DATASET, VOID.sparqlEndpoint, URIRef(endpoint)))
    g.add(
        (
            URIRef(endpoint),
            RDFS.comment,
            Literal("Where `exmech serve` answers SPARQL 1.1 queries.", lang="en"),
        )
    )
    g.add((DATASET, VOID.uriSpace, Literal(BASE)))
    g.add((DATASET, VOID.exampleResource, URIRef(BASE + "kb/wun2021")))
    for vocab in (str(EXM), *(str(PREFIXES[p]) for p in ("bibo", "prov", "dcterms", "skos"))):
        g.add((DATASET, VOID.vocabulary, URIRef(vocab)))


def _statistics(g: Graph, onto: Graph, kb: Graph) -> None:
    """Counts, the two subsets, and a partition per class and per property (blank nodes, labelled later)."""
    full = onto + kb
    g.add((DATASET, VOID.triples, Literal(len(full))))
    g.add((DATASET, VOID.classes, Literal(len(set(full.objects(None, RDF.type))))))
    g.add((DATASET, VOID.properties, Literal(len(set(full.predicates())))))
    g.add((DATASET, VOID.distinctSubjects, Literal(len(set(full.subjects())))))
    g.add((DATASET, VOID.distinctObjects, Literal(len(set(full.objects())))))
    for name, part in (("ontology", onto), ("kb", kb)):
        subset = URIRef(f"{DATASET}/{name}")
        g.add((DATASET, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, VOID.triples, Literal(len(part))))
    for cls in sorted(set(full.objects(None, RDF.type)), key=str):
        partition = BNode()
        g.add((DATASET, VOID.classPartition, partition))
        g.add((partition, VOID["class"], cls))
        g.add((partition, VOID.entities, Literal(len(set(full.subjects(RDF.type, cls))))))
    for prop in sorted(set(full.predicates()), key=str):
        partition = BNode()
        g.add((DATASET, VOID.propertyPartition, partition))
        g.add((partition, VOID.property, prop))
        g.add((partition, VOID.triples, Literal(len(list(full.triples((None, prop, None)))))))


def _distributions(g: Graph, files: list[Path], out: Path, date: str) -> None:
    """One dcat:Distribution per file: where to get it, its media type, size, licence and SPDX checksum."""
    for path in files:
        dist = release_url(date, path.relative_to(out).as_posix())
        g.add((DATASET, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCAT.accessURL, release_url(date)))
        g.add((dist, DCAT.downloadURL, dist))
        g.add((dist, DCTERMS.license, LICENCE))
        g.add((dist, DCTERMS.issued, Literal(date, datatype=XSD.date)))
        g.add((dist, DCAT.byteSize, Literal(path.stat().st_size, datatype=XSD.nonNegativeInteger)))
        iana = f"https://www.iana.org/assignments/media-types/{media_type(path)}"
        g.add((dist, DCAT.mediaType, URIRef(iana)))
        checksum = URIRef(f"{dist}#sha256")
        g.add((dist, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(sha256(path), datatype=XSD.hexBinary)))


def void_description(
    onto: Graph, kb: Graph, date: str, files: list[Path], out: Path, endpoint: str = SERVE_ENDPOINT
) -> Graph:
    """VoID + DCAT-AP: the catalogue, the dataset, its publisher, contact point, statistics and distributions."""
    g = bind_prefixes(Graph())
    for prefix, ns in (("void", VOID), ("dcat", DCAT), ("spdx", SPDX), ("vcard", VCARD), ("foaf", FOAF)):
        g.bind(prefix, ns)
    _catalogue(g, date)
    _dataset(g, date, endpoint)
    _agents(g)
    _statistics(g, onto, kb)
    _distributions(g, files, out, date)
    return g


def sssom(graph: Graph, date: str) -> str:
    """Every skos mapping to an external vocabulary, as an SSSOM TSV with its recommended YAML metadata."""
    prefixes = {p: str(ns) for p, ns in PREFIXES.items()} | EXTERNAL_PREFIXES

    def curie(iri: str) -> str:
        return compact_with(prefixes, iri)

    rows = {
        (curie(str(s)), str(graph.value(s, RDFS.label) or ""), curie(str(p)), curie(str(o)))
        for p in MAPPING_PREDICATES
        for s, o in graph.subject_objects(p)
        if str(s).startswith(BASE) and not str(o).startswith(BASE)
    }
    metadata = {
        "mapping_set_id": f"{BASE}releases/{date}/mappings.sssom.tsv",
        "mapping_set_version": date,
        "mapping_set_title": "exmech mappings to external vocabularies",
        "mapping_set_description": "Every skos mapping of an exmech term to a term of another vocabulary.",
        "license": str(LICENCE),
        "creator_id": [compact_with(prefixes, str(PUBLISHER))],
        "creator_label": ["exmech contributors"],
        "mapping_date": date,
        "publication_date": date,
        "subject_source": compact_with(prefixes, ONTOLOGY_IRI),
        "curie_map": dict(sorted(prefixes.items())),
    }
    header = yaml.safe_dump(metadata, sort_keys=False, allow_unicode=True, width=1000)
    columns = ("subject_id", "subject_label", "predicate_id", "object_id", "mapping_justification")
    lines = ["\t".join(columns)] + ["\t".join((*r, "semapv:ManualMappingCuration")) for r in sorted(rows)]
    return "".join(f"# {ln}\n" for ln in header.splitlines()) + "\n".join(lines) + "\n"


def compact_with(prefixes: dict[str, str], iri: str) -> str:
    """The CURIE of `iri` with the longest namespace of `prefixes` (SSSOM needs one for every identifier)."""
    best = max(
        (p for p, ns in prefixes.items() if iri.startswith(ns)), key=lambda p: len(prefixes[p]), default=""
    )
    return f"{best}:{iri[len(prefixes[best]) :]}" if best else compact(iri)


def ro_crate(files: list[Path], out: Path, date: str) -> dict:
    """RO-Crate 1.1 metadata (its JSON-LD): the release folder as the root dataset, every file with its format."""
    licence = {"@id": str(LICENCE)}
    publisher = {"@id": str(PUBLISHER)}
    parts = [
        {
            "@id": path.relative_to(out).as_posix(),
            "@type": "File",
            "name": path.relative_to(out).as_posix(),
            "encodingFormat": media_type(path),
            "contentSize": str(path.stat().st_size),
            "license": licence,
        }
        for path in files
    ]
    root = {
        "@id": "./",
        "@type": "Dataset",
        "identifier": str(release_url(date)),
        "name": TITLE,
        "description": DESCRIPTION,
        "version": date,
        "datePublished": date,
        "license": licence,
        "author": publisher,
        "publisher": publisher,
        "isBasedOn": {"@id": str(SOURCE_REVIEW)},
        "hasPart": [{"@id": part["@id"]} for part in parts],
    }
    metadata = {
        "@id": "ro-crate-metadata.json",
        "@type": "CreativeWork",
        "conformsTo": {"@id": "https://w3id.org/ro/crate/1.1"},
        "about": {"@id": "./"},
    }
    agents = [
        {"@id": str(PUBLISHER), "@type": "Organization", "name": "exmech contributors", "url": BASE},
        {"@id": str(LICENCE), "@type": "CreativeWork", "name": "CC BY 4.0", "identifier": str(LICENCE)},
        {"@id": str(SOURCE_REVIEW), "@type": "ScholarlyArticle", "name": "Wun et al. 2021"},
    ]
    return {"@context": "https://w3id.org/ro/crate/1.1/context", "@graph": [metadata, root, *agents, *parts]}
