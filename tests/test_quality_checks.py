"""queries/qc/*-violation.rq: no rows on the shipped graph, and each one fires on data that breaks its rule."""

import pytest
from rdflib import Literal
from rdflib.namespace import RDF, RDFS, SKOS

from exmech.catalogue import catalogue
from exmech.kg import KnowledgeGraph
from exmech.namespaces import EXM, KB, MECH, THEME

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
