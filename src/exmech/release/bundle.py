"""A release: the ontology and the knowledge base in every standard serialisation, with their descriptions.

dist/
  ontology/exmech.{ttl,nt,jsonld,owl}   ontology + controlled vocabularies (.owl: RDF/XML saved by owlready2)
  kb/exmech-kb.{ttl,nt,jsonld}          knowledge base + derived facts
  context.jsonld                        the JSON-LD context both JSON-LD files use
  shapes/                               SHACL shapes, as shipped
  void.ttl                              VoID + DCAT description of the dataset and its distributions
  mappings.sssom.tsv                    every mapping to an external vocabulary, in SSSOM
  docs/index.html, docs/examples.html   HTML documentation (pyLODE) and one real example per class
  terms.txt                             every term IRI of this release (compared with the previous release)
  SHA256SUMS                            checksums of every file above
"""

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, RDFS, SKOS, VOID, XSD

from exmech import __version__
from exmech.errors import NotConforming, require
from exmech.graph.build import jsonld_context
from exmech.graph.load import derive, parse_file
from exmech.graph.namespaces import BASE, EXM, PREFIXES, bind_prefixes, compact
from exmech.graph.resources import knowledge_base_files, ontology_files, resource_dir
from exmech.graph.version import release_date, stamp

DATASET = URIRef(BASE + "dataset")
LICENCE = URIRef("https://creativecommons.org/licenses/by/4.0/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
TERM_SPACES = ("ontology/", "mechanism/", "theme/", "instrument/", "outcome/")
MEDIA = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".jsonld": "application/ld+json",
    ".owl": "application/rdf+xml",
    ".tsv": "text/tab-separated-values",
    ".html": "text/html",
}
MAPPING_PREDICATES = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)
RELEASED_TERMS = "released-terms.txt"


class ReleaseError(NotConforming):
    """The release cannot be made (for example a released term vanished without owl:deprecated)."""


@dataclass
class Release:
    date: str
    out: Path
    files: list[Path]


def ontology_graph() -> Graph:
    graph = bind_prefixes(Graph())
    for path in ontology_files():
        parse_file(graph, path)
    return graph


def term_iris(graph: Graph) -> set[str]:
    """IRIs of the terms the project mints: classes, properties and controlled-vocabulary concepts."""
    return {
        str(s)
        for s in graph.subjects(RDF.type, None)
        if isinstance(s, URIRef) and any(str(s).startswith(BASE + sp) for sp in TERM_SPACES)
    }


def vanished_terms(previous: set[str], graph: Graph) -> list[str]:
    """Terms of the previous release that are gone and not kept with an owl:deprecated marker."""
    current = term_iris(graph)
    return sorted(t for t in previous - current if (URIRef(t), OWL.deprecated, Literal(True)) not in graph)


def read_terms(path: Path) -> set[str]:
    return {
        ln.strip()
        for ln in path.read_text(encoding="utf-8").splitlines()
        if ln.strip() and not ln.startswith("#")
    }


def _serialise(graph: Graph, base: Path) -> list[Path]:
    written = []
    for suffix, fmt in ((".ttl", "turtle"), (".nt", "nt"), (".jsonld", "json-ld")):
        path = base.with_suffix(suffix)
        kwargs: dict[str, Any] = (
            {"context": jsonld_context(), "auto_compact": True} if fmt == "json-ld" else {}
        )
        graph.serialize(path, format=fmt, encoding="utf-8", **kwargs)
        written.append(path)
    return written


def owl_via_owlready(graph: Graph, target: Path) -> Path:
    """Write RDF/XML, load it in owlready2 and save it again from there: proof that OWL tools read it."""
    import owlready2

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "exmech.rdf"
        graph.serialize(source, format="xml", encoding="utf-8")
        world = owlready2.World()
        onto = world.get_ontology(source.as_uri()).load()
        onto.save(file=str(target), format="rdfxml")
    return target


def sssom(graph: Graph, date: str) -> str:
    """Every skos mapping to an external vocabulary, as an SSSOM TSV with its YAML header."""
    prefixes = {p: str(ns) for p, ns in PREFIXES.items()} | {
        "MESH": "http://id.nlm.nih.gov/mesh/",
        "OBI": "http://purl.obolibrary.org/obo/OBI_",
        "NCIT": "http://purl.obolibrary.org/obo/NCIT_",
        "HP": "http://purl.obolibrary.org/obo/HP_",
        "RO": "http://purl.obolibrary.org/obo/RO_",
        "semapv": "https://w3id.org/semapv/vocab/",
    }

    def curie(iri: str) -> str:
        """SSSOM identifiers are CURIEs whose prefixes the curie_map declares."""
        for prefix, ns in sorted(prefixes.items(), key=lambda p: -len(p[1])):
            if iri.startswith(ns):
                return f"{prefix}:{iri[len(ns) :]}"
        return iri

    rows = []
    for pred in MAPPING_PREDICATES:
        for s, o in graph.subject_objects(pred):
            if str(s).startswith(BASE) and not str(o).startswith(BASE):
                rows.append(
                    (
                        compact(str(s)),
                        str(graph.value(s, RDFS.label) or ""),
                        compact(str(pred)),
                        curie(str(o)),
                        "semapv:ManualMappingCuration",
                    )
                )
    header = [
        f"# mapping_set_id: {BASE}releases/{date}/mappings.sssom.tsv",
        f"# mapping_set_version: {date}",
        f"# license: {LICENCE}",
        "# curie_map:",
    ] + [f"#   {p}: {ns}" for p, ns in sorted(prefixes.items())]
    lines = ["\t".join(("subject_id", "subject_label", "predicate_id", "object_id", "mapping_justification"))]
    lines += ["\t".join(r) for r in sorted(set(rows))]
    return "\n".join(header + lines) + "\n"


def examples_html(full: Graph) -> str:
    """For every exmech class with instances in the knowledge base, its first real instance as Turtle."""
    from html import escape

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
        for triple in full.triples((instances[0], None, None)):
            example.add(triple)
        parts.append(f"<h2 id='{escape(compact(str(cls)))}'>{escape(compact(str(cls)))}</h2>")
        parts.append(f"<pre>{escape(example.serialize(format='turtle'))}</pre>")
    return "\n".join(parts + ["</body></html>"])


def ontology_html(onto: Graph) -> str:
    """pyLODE's OntPub page for the ontology and its vocabularies (offline: it reads only this graph)."""
    import logging

    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    OntPub = require("pylode", "release").OntPub  # its import calls logging.basicConfig(DEBUG): undone below

    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    return OntPub(
        ontology=onto + Graph()
    ).make_html()  # a copy: pyLODE adds its background triples to the graph


def void_description(onto: Graph, kb: Graph, date: str, files: list[Path], out: Path) -> Graph:
    g = bind_prefixes(Graph())
    g.bind("void", VOID)
    g.bind("dcat", DCAT)
    g.bind("spdx", SPDX)
    full = onto + kb
    g.add((DATASET, RDF.type, VOID.Dataset))
    g.add((DATASET, RDF.type, DCAT.Dataset))
    g.add(
        (
            DATASET,
            DCTERMS.title,
            Literal("exmech: mechanisms of exercise for chronic low back pain", lang="en"),
        )
    )
    g.add(
        (
            DATASET,
            DCTERMS.description,
            Literal(
                "Ontology and knowledge base of randomised trials of exercise for chronic low back pain, the mechanisms "
                "their authors propose, and published mediation analyses, each fact with its source.",
                lang="en",
            ),
        )
    )
    g.add((DATASET, DCTERMS.license, LICENCE))
    g.add((DATASET, DCTERMS.issued, Literal(date, datatype=XSD.date)))
    g.add((DATASET, OWL.versionInfo, Literal(f"{__version__} ({date})")))
    g.add((DATASET, URIRef(str(DCAT) + "version"), Literal(date)))  # DCAT 3 term, unknown to rdflib's DCAT 2
    g.add((DATASET, DCTERMS.source, URIRef("https://doi.org/10.1016/j.msksp.2020.102307")))
    g.add((DATASET, VOID.uriSpace, Literal(BASE)))
    g.add((DATASET, VOID.triples, Literal(len(full))))
    g.add((DATASET, VOID.classes, Literal(len(set(full.objects(None, RDF.type))))))
    g.add((DATASET, VOID.properties, Literal(len(set(full.predicates())))))
    g.add((DATASET, VOID.distinctSubjects, Literal(len(set(full.subjects())))))
    g.add((DATASET, VOID.exampleResource, URIRef(BASE + "kb/wun2021")))
    g.add((DATASET, VOID.vocabulary, URIRef(str(EXM))))
    for vocab in (PREFIXES["bibo"], PREFIXES["prov"], PREFIXES["dcterms"], PREFIXES["skos"]):
        g.add((DATASET, VOID.vocabulary, URIRef(str(vocab))))
    for name, part in (("ontology", onto), ("kb", kb)):
        subset = URIRef(f"{DATASET}/{name}")
        g.add((DATASET, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, VOID.triples, Literal(len(part))))
    for cls in sorted({c for c in full.objects(None, RDF.type) if str(c).startswith(str(EXM))}, key=str):
        partition = URIRef(f"{DATASET}/class/{str(cls)[len(str(EXM)) :]}")
        g.add((DATASET, VOID.classPartition, partition))
        g.add((partition, VOID["class"], cls))
        g.add((partition, VOID.entities, Literal(len(set(full.subjects(RDF.type, cls))))))
    for path in files:
        rel = path.relative_to(out).as_posix()
        dist = URIRef(f"{BASE}releases/{date}/{rel}")
        g.add((DATASET, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCAT.downloadURL, dist))
        g.add((dist, DCAT.byteSize, Literal(path.stat().st_size, datatype=XSD.nonNegativeInteger)))
        if path.suffix in MEDIA:
            g.add(
                (
                    dist,
                    DCAT.mediaType,
                    URIRef(f"https://www.iana.org/assignments/media-types/{MEDIA[path.suffix]}"),
                )
            )
        g.add((dist, SPDX.checksum, Literal(sha256(path))))
    return g


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_release(out: Path, date: str | None = None, previous_terms: Path | None = None) -> Release:
    """Write a complete release into `out` (replaced whole); refuse if a released term vanished."""
    date = date or release_date()
    onto = ontology_graph()
    previous = previous_terms or resource_dir("ontology") / RELEASED_TERMS
    if previous.is_file() and (gone := vanished_terms(read_terms(previous), onto)):
        raise ReleaseError(
            "terms of the previous release are gone without owl:deprecated: " + ", ".join(gone)
        )
    full = onto + bind_prefixes(Graph())
    for path in knowledge_base_files():
        parse_file(full, path)
    derive(full)
    kb = bind_prefixes(full - onto)  # entries + derived facts; the ontology's own blank nodes stay with it
    stamp(onto, date)

    staging = Path(tempfile.mkdtemp(prefix=".release-", dir=out.parent if out.parent.exists() else None))
    try:
        (staging / "ontology").mkdir()
        (staging / "kb").mkdir()
        (staging / "docs").mkdir()
        files = _serialise(onto, staging / "ontology" / "exmech")
        files.append(owl_via_owlready(onto, staging / "ontology" / "exmech.owl"))
        files += _serialise(kb, staging / "kb" / "exmech-kb")
        ctx = staging / "context.jsonld"
        ctx.write_text(json.dumps({"@context": jsonld_context()}, indent=2) + "\n", encoding="utf-8")
        files.append(ctx)
        shapes = resource_dir("shapes")
        shutil.copytree(shapes, staging / "shapes")
        files += sorted(p for p in (staging / "shapes").rglob("*") if p.is_file())
        mappings = staging / "mappings.sssom.tsv"
        mappings.write_text(sssom(onto, date), encoding="utf-8")
        files.append(mappings)
        docs = staging / "docs" / "index.html"
        docs.write_text(ontology_html(onto), encoding="utf-8")
        examples = staging / "docs" / "examples.html"
        examples.write_text(examples_html(full), encoding="utf-8")
        files += [docs, examples]
        terms = staging / "terms.txt"
        terms.write_text(
            f"# term IRIs of exmech release {date}\n" + "\n".join(sorted(term_iris(onto))) + "\n",
            encoding="utf-8",
        )
        files.append(terms)
        void = staging / "void.ttl"
        void_description(onto, kb, date, files, staging).serialize(void, format="turtle", encoding="utf-8")
        files.append(void)
        sums = "".join(f"{sha256(p)}  {p.relative_to(staging).as_posix()}\n" for p in files)
        (staging / "SHA256SUMS").write_text(sums, encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        staging.replace(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    final = [out / p.relative_to(staging) for p in files] + [out / "SHA256SUMS"]
    return Release(date, out, final)
