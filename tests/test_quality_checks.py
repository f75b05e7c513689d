"""queries/qc/*-violation.rq: no rows on the shipped graph, and each one fires on data that breaks its rule."""

import pytest
from rdflib import Literal
from rdflib.namespace import RDF, RDFS, SKOS

from exmech.graph.catalogue import catalogue
from exmech.graph.namespaces import EXM, KB, MECH, THEME
from exmech.kg import KnowledgeGraph

QC = {n: q for n, q in catalogue().items() if n.startswith("qc/")}


def test_there_are_quality_checks():
    assert len(QC) >= 8


@pytest.mark.parametrize("name", sorted(QC))
def test_quality_check_passes_on_shipped_graph(name, kg):
    rows = list(kg.graph.query(QC[name].text))
    assert rows == [], f"{name} found violations: {rows[:5]}"


@pytest.mark.parametrize("name", sorted(QC))
def test_quality_check_opens_with_its_rule(name):
    assert QC[name].text.startswith("# Rule:"), f"{name} must open with '# Rule: <one sentence>'"


def _broken(add):
    kg = KnowledgeGraph.load(kb_dir=__import__("pathlib").Path(__file__).parent / "fixtures" / "kb")
    add(kg.graph)
    return kg.graph


BREAKERS = {
    "qc/term-without-label-or-definition-violation": lambda g: g.add(
        (MECH["unlabelled"], RDF.type, EXM.Mechanism)
    ),
    "qc/mechanism-not-in-one-theme-violation": lambda g: g.add(
        (MECH["self-efficacy"], EXM.inTheme, THEME.neuromuscular)
    ),
    "qc/claim-without-source-violation": lambda g: g.add((KB["x-claim"], RDF.type, EXM.MechanismClaim)),
    "qc/study-without-source-violation": lambda g: g.add(
        (KB["x-study"], RDF.type, EXM.RandomisedControlledTrial)
    ),
    "qc/mediation-without-source-violation": lambda g: g.add((KB["x-ma"], RDF.type, EXM.MediationAnalysis)),
    "qc/undeclared-term-violation": lambda g: g.add((KB["x"], EXM.sampleSise, Literal(3))),
    "qc/undefined-vocabulary-term-violation": lambda g: g.add(
        (KB["x"], EXM.proposedMechanism, MECH["no-such"])
    ),
    "qc/dangling-kb-node-violation": lambda g: g.add((KB["fixture-cq-a"], EXM.hasArm, KB["missing-arm"])),
    "qc/claim-status-violation": lambda g: g.add(
        (KB["fixture-cq-a-claim1"], EXM.evidenceStatus, EXM.Supported)
    ),
    "qc/ci-excludes-estimate-violation": lambda g: g.add(
        (KB["fixture-cq-ma1-ind"], EXM.ciUpper, Literal(-0.95))
    ),
    # an ANZCTR number with 15 digits (the protocol title's "ACTRN012605000262606"; ANZCTR IDs have 14)
    "qc/registry-id-format-violation": lambda g: g.add(
        (KB["fixture-cq-a"], EXM.trialRegistration, Literal("ACTRN012605000262606"))
    ),
    "qc/extraction-level-location-violation": lambda g: g.add(
        (KB["fixture-cq-a"], EXM.mechanismExtraction, EXM.CitationOnly)
    ),
    "qc/education-control-violation": lambda g: g.add(
        (KB["fixture-cq-a-ctrl"], RDFS.label, Literal("Self-care book"))
    ),
}


def test_every_quality_check_has_a_breaking_case():
    assert set(BREAKERS) == set(QC)


@pytest.mark.parametrize("name", sorted(BREAKERS))
def test_quality_check_fires_on_broken_data(name):
    graph = _broken(BREAKERS[name])
    assert list(graph.query(QC[name].text)), f"{name} did not fire on data that breaks its rule"


def test_label_check_names_the_missing_definition():
    graph = _broken(
        lambda g: (
            g.add((EXM.NewThing, RDF.type, __import__("rdflib").OWL.Class)),
            g.add((EXM.NewThing, RDFS.label, Literal("new thing"))),
        )
    )
    rows = list(graph.query(QC["qc/term-without-label-or-definition-violation"].text))
    assert [(str(r[0]), str(r[1])) for r in rows] == [(str(EXM.NewThing), "no skos:definition")]
    assert (EXM.NewThing, SKOS.definition, None) not in graph


REGISTRY_IDS_OK = [
    "NCT01343927",
    "ACTRN12605000262606",
    "ISRCTN22714229",
    "DRKS00012345",
    "ChiCTR1800015218",
    "ChiCTR-IOR-17013542",
    "IRCT20180311039020N1",
    "CTRI/2018/03/012345",
    "UMIN000012345",
    "NTR1234",
    "NL12345",
    "EUCTR2014-003164-21",
    "PACTR201812123456789",
    "KCT0001234",
    "RBR-7tyg5j",
    "TCTR20180101001",
]
REGISTRY_IDS_BAD = [
    "ACTRN012605000262606",
    "ACTRN1260500026260",
    "NCT0134392",
    "NCT013439270",
    "nct01343927",
    "ISRCTN2271422",
    "DRKS0001234",
    "UMIN00012345",
    "CTRI/2018/3",
    "trial 5",
    "NCT 01343927",
]


@pytest.mark.parametrize(
    ("registration", "ok"), [(r, True) for r in REGISTRY_IDS_OK] + [(r, False) for r in REGISTRY_IDS_BAD]
)
def test_registry_id_formats(registration, ok):
    graph = _broken(lambda g: g.add((KB["fixture-cq-a"], EXM.trialRegistration, Literal(registration))))
    rows = list(graph.query(QC["qc/registry-id-format-violation"].text))
    assert (not rows) is ok, (registration, rows)


@pytest.mark.parametrize(
    ("registration", "ok"),
    [
        ("ACTRN12605000262606", True),
        ("ACTRN012605000262606", False),
        ("NCT01343927", True),
        ("NCT0134392", False),
    ],
)
def test_registration_shape_agrees_with_the_quality_check(registration, ok):
    from pyshacl import validate
    from rdflib import Graph

    from exmech.graph.resources import resource_dir

    shapes = Graph().parse(resource_dir("shapes") / "exmech-shapes.ttl")
    data = Graph().parse(
        data=f"""@prefix exm: <https://w3id.org/exmech/ontology/> . @prefix kb: <https://w3id.org/exmech/kb/> .
        kb:t exm:trialRegistration "{registration}" .""",
        format="turtle",
    )
    data.add((KB["t"], RDF.type, EXM.RandomisedControlledTrial))
    report = validate(data, shacl_graph=shapes, advanced=True)[2]
    assert ("StudyShape-registration" not in report) is ok, report


def test_abstract_only_claim_read_in_the_introduction_is_flagged():
    graph = _broken(
        lambda g: (
            g.remove((KB["fixture-cq-a"], EXM.mechanismExtraction, None)),
            g.add((KB["fixture-cq-a"], EXM.mechanismExtraction, EXM.AbstractOnly)),
        )
    )
    rows = list(graph.query(QC["qc/extraction-level-location-violation"].text))
    # fixture A's claims are read in its Introduction: fine for full text, not for an abstract-only trial
    assert str(KB["fixture-cq-a-claim1"]) in {str(r[2]) for r in rows}
    assert {str(r[1]) for r in rows} == {str(EXM.AbstractOnly)}


def test_shipped_costa2009_registration_is_the_verified_anzctr_number(kg):
    assert set(map(str, kg.graph.objects(KB["costa2009"], EXM.trialRegistration))) == {"ACTRN12605000262606"}
