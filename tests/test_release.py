"""exmech release: every artefact is written, parses, agrees with the others, and no released term vanishes."""

import hashlib
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, SKOS, VOID, XSD

from exmech.graph.namespaces import EXM, ONTOLOGY_IRI, PREFIXES
from exmech.graph.resources import resource_dir
from exmech.release.bundle import (
    RELEASED_TERMS,
    ReleaseError,
    make_release,
    ontology_graph,
    read_terms,
    term_iris,
    vanished_terms,
    write_owl,
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


SPDX = Namespace("http://spdx.org/rdf/terms#")
DATASET = URIRef("https://w3id.org/exmech/dataset")
LICENCE = URIRef("https://creativecommons.org/licenses/by/4.0/")


def test_the_same_input_gives_byte_identical_files_in_another_process(release, tmp_path):
    """A second release, in a fresh interpreter with another hash seed, into another folder: the same bytes."""
    again = tmp_path / "dist"
    script = (
        "from pathlib import Path; from exmech.release.bundle import make_release; "
        f"make_release(Path({str(again)!r}), date='2026-01-02')"
    )
    env = os.environ | {"PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", script], check=True, env=env, capture_output=True, timeout=600)
    first = {p.relative_to(release.out).as_posix() for p in release.out.rglob("*") if p.is_file()}
    second = {p.relative_to(again).as_posix() for p in again.rglob("*") if p.is_file()}
    assert first == second
    differ = [
        name for name in sorted(first) if (release.out / name).read_bytes() != (again / name).read_bytes()
    ]
    assert differ == []
    assert (release.out / "SHA256SUMS").read_bytes() == (again / "SHA256SUMS").read_bytes()


def test_blank_nodes_are_labelled_by_content(release):
    labels = set(re.findall(r"_:(\S+)", (release.out / "ontology" / "exmech.nt").read_text()))
    assert len(labels) > 50 and all(re.fullmatch(r"cb[0-9a-f]{60,}", label) for label in labels)


def test_files_and_folders_are_readable_by_everyone(release):
    assert stat.S_IMODE(release.out.stat().st_mode) == 0o755
    for path in release.out.rglob("*"):
        assert stat.S_IMODE(path.stat().st_mode) == (0o755 if path.is_dir() else 0o644), path


def test_rdfxml_is_isomorphic_with_the_turtle_and_keeps_literals_and_iris(release):
    ttl = Graph().parse(release.out / "ontology" / "exmech.ttl")
    owl = Graph().parse(release.out / "ontology" / "exmech.owl", format="xml")
    assert ttl.isomorphic(owl)
    onto = URIRef(ONTOLOGY_IRI)
    assert owl.value(onto, DCTERMS.license) == LICENCE  # the trailing "/" is kept
    plain = [o for o in owl.objects(None, None) if isinstance(o, Literal) and o.language is None]
    assert plain and not any(o.datatype == XSD.string for o in plain)  # plain literals stay plain


def test_knowledge_base_file_is_an_ontology_importing_exmech(release):
    kb = Graph().parse(release.out / "kb" / "exmech-kb.ttl")
    header = URIRef("https://w3id.org/exmech/kb")
    assert (header, RDF.type, OWL.Ontology) in kb
    assert kb.value(header, OWL.imports) == URIRef(ONTOLOGY_IRI)
    assert kb.value(header, OWL.versionIRI) == URIRef(
        "https://w3id.org/exmech/releases/2026-01-02/kb/exmech-kb.ttl"
    )
    assert kb.value(header, DCTERMS.license) == LICENCE and kb.value(header, OWL.versionInfo) is not None


def test_the_released_context_is_the_shipped_one(release):
    shipped = resource_dir("ontology") / "context.jsonld"
    assert (release.out / "context.jsonld").read_bytes() == shipped.read_bytes()
    context = json.loads((release.out / "context.jsonld").read_text())["@context"]
    kb = json.loads((release.out / "kb" / "exmech-kb.jsonld").read_text())
    expanded = Graph().parse(data=json.dumps(kb | {"@context": context}), format="json-ld")
    assert expanded.isomorphic(Graph().parse(release.out / "kb" / "exmech-kb.ttl"))


def test_void_and_dcat_ap_have_the_required_fields(release):
    text = (release.out / "void.ttl").read_text()
    assert (
        all(f"@prefix {p}: " in text for p in ("dcat", "void", "spdx", "vcard"))
        and "@prefix ns1:" not in text
    )
    void = Graph().parse(release.out / "void.ttl")
    catalog = void.value(predicate=DCAT.dataset, object=DATASET)
    assert (catalog, RDF.type, DCAT.Catalog) in void
    for subject in (catalog, DATASET):
        for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.publisher, DCTERMS.license):
            assert void.value(subject, prop) is not None, (subject, prop)
    assert void.value(DATASET, DCTERMS.issued) == Literal("2026-01-02", datatype=XSD.date)
    contact = void.value(DATASET, DCAT.contactPoint)
    assert (contact, RDF.type, URIRef("http://www.w3.org/2006/vcard/ns#Organization")) in void
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef("http://127.0.0.1:8080/sparql")
    listed = dict(ln.split("  ")[::-1] for ln in (release.out / "SHA256SUMS").read_text().splitlines())
    distributions = set(void.objects(DATASET, DCAT.distribution))
    for dist in distributions:
        assert void.value(dist, DCAT.accessURL) is not None and void.value(dist, DCTERMS.license) == LICENCE
        checksum = void.value(dist, SPDX.checksum)
        assert (checksum, RDF.type, SPDX.Checksum) in void
        assert void.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        name = str(dist).split("/releases/2026-01-02/", 1)[1]
        assert str(void.value(checksum, SPDX.checksumValue)) == listed[name]
    released = Graph().parse(release.out / "ontology" / "exmech.ttl") + Graph().parse(
        release.out / "kb" / "exmech-kb.ttl"
    )
    classes = {void.value(p, VOID["class"]): p for p in void.objects(DATASET, VOID.classPartition)}
    assert len(classes) == int(void.value(DATASET, VOID.classes))
    trials = len(set(released.subjects(RDF.type, EXM.RandomisedControlledTrial)))
    assert int(void.value(classes[EXM.RandomisedControlledTrial], VOID.entities)) == trials > 50
    props = {void.value(p, VOID.property): p for p in void.objects(DATASET, VOID.propertyPartition)}
    assert set(props) == set(released.predicates())
    assert int(void.value(props[RDF.type], VOID.triples)) == len(
        list(released.triples((None, RDF.type, None)))
    )


def test_sssom_passes_sssom_py_validation_with_its_recommended_metadata(release, caplog):
    parsers = pytest.importorskip("sssom.parsers", reason="sssom-py comes with the dev extra")
    from sssom.validators import DEFAULT_VALIDATION_TYPES, validate

    with caplog.at_level("WARNING"):
        msdf = parsers.parse_sssom_table(release.out / "mappings.sssom.tsv")
    assert not [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    for key in ("mapping_set_id", "mapping_set_version", "license", "creator_id"):
        assert msdf.metadata.get(key), key
    assert set(msdf.df["mapping_date"]) == {
        "2026-01-02"
    }  # sssom-py moves the set's mapping_date to every row
    assert msdf.metadata["mapping_set_version"] == "2026-01-02"
    assert set(msdf.df["mapping_justification"]) == {"semapv:ManualMappingCuration"}
    validate(msdf, DEFAULT_VALIDATION_TYPES, fail_on_error=True)  # JSON schema, prefix map complete, CURIEs


def test_ro_crate_describes_every_file(release):
    crate = json.loads((release.out / "ro-crate-metadata.json").read_text())
    assert crate["@context"] == "https://w3id.org/ro/crate/1.1/context"
    entities = {e["@id"]: e for e in crate["@graph"]}
    assert entities["ro-crate-metadata.json"]["about"] == {"@id": "./"}
    root = entities["./"]
    assert root["@type"] == "Dataset" and root["license"] == {"@id": str(LICENCE)}
    assert entities[root["publisher"]["@id"]]["@type"] == "Organization" and root["author"]
    on_disk = {p.relative_to(release.out).as_posix() for p in release.out.rglob("*") if p.is_file()}
    parts = {part["@id"] for part in root["hasPart"]}
    assert parts == on_disk - {"ro-crate-metadata.json", "SHA256SUMS"}
    for part in parts:
        assert entities[part]["@type"] == "File" and "/" in entities[part]["encodingFormat"], part
        assert int(entities[part]["contentSize"]) == (release.out / part).stat().st_size


def test_nquads_hold_one_named_graph_per_source_file_and_the_same_triples(release):
    dataset = Dataset()
    dataset.parse(release.out / "exmech.nq", format="nquads")
    names = {str(g.identifier) for g in dataset.graphs() if len(g)}
    source = "https://w3id.org/exmech/graph/source/"
    assert source + "ontology/exmech.ttl" in names and source + "ontology/kb/review.ttl" in names
    assert "https://w3id.org/exmech/graph/derived" in names
    assert sum(n.startswith(source + "ontology/kb/") for n in names) > 100
    union = Graph()
    for s, p, o, _ in dataset.quads():
        union.add((s, p, o))
    released = Graph().parse(release.out / "ontology" / "exmech.ttl") + Graph().parse(
        release.out / "kb" / "exmech-kb.ttl"
    )
    assert union.isomorphic(released)


def test_docs_have_one_title_the_ontology_iri_ordered_classes_and_marked_imports(release):
    html = (release.out / "docs" / "index.html").read_text()
    assert re.findall(r"<title>(.*?)</title>", html) == [
        "exmech: mechanisms of exercise for chronic low back pain"
    ]
    assert f"<code>{ONTOLOGY_IRI}</code>" in html
    assert "https://w3id.org/exmech/mechanism/scheme" not in html
    classes = html[html.index('id="classes"') : html.index('id="objectproperties"')]
    shown = re.findall(r"<th>IRI</th>\s*<td>\s*<code>([^<]+)</code>", classes)
    own = [iri for iri in shown if iri.startswith(str(EXM))]
    assert own == sorted(own) and len(own) > 10 and shown[: len(own)] == own  # exmech's first, in IRI order
    entity = classes[classes.index("<code>http://www.w3.org/ns/prov#Entity</code>") :].split("</table>")[0]
    assert (
        "Is Defined By" in entity and 'href="http://www.w3.org/ns/prov#"' in entity
    )  # imported, and from where
    mech = (release.out / "docs" / "mech.html").read_text()
    assert f"{PREFIXES['mech']}fear-avoidance" in mech
    assert re.findall(r"<title>(.*?)</title>", mech) == [
        "Candidate mediators of exercise for chronic low back pain"
    ]
    onto = ontology_graph()
    for prefix in ("mech", "theme", "instr", "outc"):  # every vocabulary documented, every term on its page
        page = (release.out / "docs" / f"{prefix}.html").read_text()
        terms = {str(t) for t in onto.subjects() if str(t).startswith(str(PREFIXES[prefix]))}
        assert terms and all(f"<code>{t}</code>" in page for t in terms), prefix


def test_rdfxml_is_checked_in_owlready2_also_under_a_relative_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    graph = Graph()
    graph.add((URIRef(ONTOLOGY_IRI), RDF.type, OWL.Ontology))
    graph.add((EXM.Study, RDF.type, OWL.Class))
    written = write_owl(graph, Path("exmech.owl"))
    assert (
        Graph().parse(tmp_path / "exmech.owl", format="xml").isomorphic(graph) and not written.is_absolute()
    )
