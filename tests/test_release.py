"""exmech release: every artefact is written, parses, agrees with the others, and no released term vanishes."""

import hashlib

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SKOS, VOID

from exmech.graph.namespaces import EXM, ONTOLOGY_IRI
from exmech.graph.resources import resource_dir
from exmech.release.bundle import (
    RELEASED_TERMS,
    ReleaseError,
    make_release,
    ontology_graph,
    read_terms,
    term_iris,
    vanished_terms,
)


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    return make_release(tmp_path_factory.mktemp("rel") / "dist", date="2026-01-02")


def test_checksums_cover_every_file_and_match(release):
    listed = {}
    for line in (release.out / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    on_disk = {p.relative_to(release.out).as_posix() for p in release.out.rglob("*") if p.is_file()} - {
        "SHA256SUMS"
    }
    assert set(listed) == on_disk
    for name, digest in listed.items():
        assert hashlib.sha256((release.out / name).read_bytes()).hexdigest() == digest


@pytest.mark.parametrize("part", ["ontology/exmech", "kb/exmech-kb"])
def test_serialisations_are_isomorphic(release, part):
    ttl, nt, jsonld = (Graph().parse(release.out / f"{part}{s}") for s in (".ttl", ".nt", ".jsonld"))
    assert len(ttl) > 100
    assert ttl.isomorphic(nt) and ttl.isomorphic(jsonld)


def test_version_iri_is_stamped_with_the_release_date(release):
    onto = Graph().parse(release.out / "ontology" / "exmech.ttl")
    assert onto.value(URIRef(ONTOLOGY_IRI), OWL.versionIRI) == URIRef(
        "https://w3id.org/exmech/releases/2026-01-02/exmech.ttl"
    )


def test_rdfxml_loads_in_owlready2_with_every_class(release):
    import owlready2

    world = owlready2.World()
    onto = world.get_ontology((release.out / "ontology" / "exmech.owl").as_uri()).load()
    loaded = {c.iri for c in onto.classes()}
    expected = {str(c) for c in ontology_graph().subjects(RDF.type, OWL.Class) if str(c).startswith(str(EXM))}
    assert expected <= loaded


def test_void_counts_what_is_released(release):
    void = Graph().parse(release.out / "void.ttl")
    onto = Graph().parse(release.out / "ontology" / "exmech.ttl")
    kb = Graph().parse(release.out / "kb" / "exmech-kb.ttl")
    dataset = URIRef("https://w3id.org/exmech/dataset")
    assert int(void.value(dataset, VOID.triples)) == len(onto + kb)
    assert void.value(dataset, URIRef("http://purl.org/dc/terms/license")) is not None
    distributions = set(void.objects(dataset, URIRef("http://www.w3.org/ns/dcat#distribution")))
    assert len(distributions) >= 12


def test_sssom_lists_every_external_mapping(release):
    lines = [
        ln for ln in (release.out / "mappings.sssom.tsv").read_text().splitlines() if not ln.startswith("#")
    ]
    assert lines[0].split("\t")[:4] == ["subject_id", "subject_label", "predicate_id", "object_id"]
    declared = {
        ln.split(":")[0].strip("# ")
        for ln in (release.out / "mappings.sssom.tsv").read_text().splitlines()
        if ln.startswith("#   ")
    }
    for line in lines[1:]:  # every identifier is a CURIE of the curie_map, as SSSOM requires
        for cell in (line.split("\t")[0], line.split("\t")[3]):
            assert cell.split(":")[0] in declared, cell
    onto = ontology_graph()
    mappings = {
        (s, o)
        for p in (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)
        for s, o in onto.subject_objects(p)
        if not str(o).startswith("https://w3id.org/exmech/")
    }
    assert len(lines) - 1 == len(mappings) > 0


def test_docs_cover_every_class_and_property(release):
    html = (release.out / "docs" / "index.html").read_text()
    onto = ontology_graph()
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        for term in onto.subjects(RDF.type, kind):
            if str(term).startswith(str(EXM)):
                assert str(term) in html, f"{term} missing from the documentation"
    examples = (release.out / "docs" / "examples.html").read_text()
    assert "exm:RandomisedControlledTrial" in examples and "exm:Review" in examples


def test_release_refuses_when_a_released_term_vanishes(tmp_path):
    previous = tmp_path / "terms.txt"
    previous.write_text(
        "https://w3id.org/exmech/ontology/Study\nhttps://w3id.org/exmech/ontology/NoLongerThere\n"
    )
    with pytest.raises(ReleaseError, match="NoLongerThere"):
        make_release(tmp_path / "dist", previous_terms=previous)
    assert not (tmp_path / "dist").exists()  # nothing half-written


def test_deprecated_terms_may_leave_the_vocabulary():
    onto = ontology_graph()
    gone = "https://w3id.org/exmech/ontology/OldTerm"
    assert vanished_terms({gone}, onto) == [gone]
    onto.add((URIRef(gone), OWL.deprecated, Literal(True)))
    assert vanished_terms({gone}, onto) == []


def test_every_term_of_the_recorded_release_is_still_here_or_deprecated():
    recorded = resource_dir("ontology") / RELEASED_TERMS
    assert recorded.is_file(), f"run `exmech release --record-terms` once to create ontology/{RELEASED_TERMS}"
    previous = read_terms(recorded)
    assert len(previous) > 50
    assert vanished_terms(previous, ontology_graph()) == []
    assert previous <= term_iris(ontology_graph()) | {
        str(s) for s in ontology_graph().subjects(OWL.deprecated, Literal(True))
    }
