"""The ontology: consistent under OWL RL always and HermiT where Java runs; every term labelled; versions stamped."""

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF

from exmech.checks.consistency import hermit, java_available, owl_rl
from exmech.graph.namespaces import EXM, KB, MECH, ONTOLOGY_IRI, THEME
from exmech.graph.resources import ontology_files
from exmech.graph.version import stamp
from exmech.kg import KnowledgeGraph

# the OWL RL closure of the shipped graph: tests/test_checks.py (one run of every check for that file)


@pytest.mark.slow
@pytest.mark.skipif(
    not java_available(), reason="no Java runtime: HermiT cannot run (OWL RL check still runs)"
)
def test_hermit_finds_the_shipped_graph_consistent(kg):
    verdict = hermit(kg.graph)
    assert verdict.consistent, verdict.messages


def _with_two_themes() -> Graph:
    kg = KnowledgeGraph.load(kb_dir=__import__("pathlib").Path(__file__).parent / "fixtures" / "kb")
    kg.graph.add((MECH["self-efficacy"], EXM.inTheme, THEME.neuromuscular))  # it is psychosocial already
    return kg.graph


@pytest.mark.skipif(not java_available(), reason="no Java runtime")
def test_hermit_detects_a_mechanism_in_two_themes():
    assert hermit(_with_two_themes()).consistent is False


def test_owl_rl_detects_an_individual_in_disjoint_classes():
    kg = KnowledgeGraph.load(kb_dir=__import__("pathlib").Path(__file__).parent / "fixtures" / "kb")
    kg.graph.add((KB["fixture-cq-a-int1"], RDF.type, EXM.TrueControl))  # an exercise cannot be a comparator
    verdict = owl_rl(kg.graph)
    assert verdict.consistent is False and verdict.messages


def test_hermit_falls_back_cleanly_without_java(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    verdict = hermit(Graph())
    assert verdict.consistent is None and "no Java" in verdict.messages[0]


def test_build_stamps_a_dated_version_iri():
    g = Graph()
    g.add((URIRef(ONTOLOGY_IRI), RDF.type, OWL.Ontology))
    stamp(g, "2026-01-02")
    assert g.value(URIRef(ONTOLOGY_IRI), OWL.versionIRI) == URIRef(
        "https://w3id.org/exmech/releases/2026-01-02/exmech.ttl"
    )
    assert "2026-01-02" in str(g.value(URIRef(ONTOLOGY_IRI), OWL.versionInfo))
    stamp(g, "2026-02-03")  # restamping replaces, never accumulates
    assert len(list(g.objects(URIRef(ONTOLOGY_IRI), OWL.versionIRI))) == 1


def test_source_ontology_is_not_stamped_by_hand():
    source = Graph().parse(ontology_files()[0])
    assert (None, OWL.versionIRI, None) not in source and (None, OWL.versionInfo, None) not in source


# mechanisms whose theme no source read states (issue 11: Wun 2021 does not name fatigue); they have none, and stats
# counts them as mechanismsWithoutTheme
WITHOUT_THEME = {MECH["fatigue"]}


def test_every_mechanism_is_in_exactly_one_of_five_themes(kg):
    from exmech.evidence.stats import headline

    themes = set(kg.graph.subjects(RDF.type, EXM.MechanismTheme))
    assert len(themes) == 5
    for mech in kg.graph.subjects(RDF.type, EXM.Mechanism):
        expected = 0 if mech in WITHOUT_THEME else 1
        assert len(set(kg.graph.objects(mech, EXM.inTheme))) == expected, mech
        assert len(set(kg.graph.objects(mech, EXM.inTheme)) & themes) == expected, mech
    assert headline(kg.graph)["mechanismsWithoutTheme"] == len(WITHOUT_THEME)


def test_mechanisms_per_theme_query_matches_a_direct_count(kg):
    direct = {}
    for mech in set(kg.graph.subjects(RDF.type, EXM.Mechanism)) - WITHOUT_THEME:
        theme = kg.graph.value(mech, EXM.inTheme)
        direct[str(theme)] = direct.get(str(theme), 0) + 1
    rows = kg.query("mechanisms-per-theme")
    assert {r["theme"]: int(r["mechanisms"]) for r in rows if int(r["mechanisms"])} == direct
    assert [r["themeLabel"] for r in rows] == [
        "neuromuscular",
        "psychosocial",
        "neurophysiological",
        "cardiometabolic",
        "tissue healing",
    ]
    assert Literal("tissue healing") in {Literal(r["themeLabel"]) for r in rows}


def test_causal_links_are_derived_only_from_supported_indirect_effects(fixture_kg):
    from exmech.graph.namespaces import OUTC

    links = set(fixture_kg.graph.subject_objects(EXM.causallyUpstreamOf))
    # MA1: self-efficacy -> disability, CI (-0.9, -0.1), favourable negative: derived
    assert (KB["fixture-cq-a-int1"], MECH["self-efficacy"]) in links
    assert (MECH["self-efficacy"], OUTC["disability"]) in links
    # MA2: aerobic fitness -> pain, CI (-0.5, 0.0) touches zero: nothing derived
    assert (MECH["aerobic-fitness"], OUTC["pain-intensity"]) not in links
    assert len(links) == 2
    sup = fixture_kg.graph.value(
        EXM.causallyUpstreamOf, URIRef("http://www.w3.org/2000/01/rdf-schema#subPropertyOf")
    )
    assert sup == URIRef("http://purl.obolibrary.org/obo/RO_0002411")
