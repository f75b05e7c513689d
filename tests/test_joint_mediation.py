"""Joint mediators (exm:jointMediator, an exm:MediatorSet): a joint analysis counts for its set, never for one member.
The evidence summary, the stats, the claims' statuses and the paths rest on exm:mediator only, so adding joint
analyses to a fixture changes none of them; joint-mediation-analyses and the stats' joint counts report them."""

import shutil

import pytest

from conftest import FIXTURES
from exmech.entries.workbook import graph_to_sheets
from exmech.evidence.stats import headline
from exmech.graph.load import parse_file
from exmech.graph.namespaces import EXM, KB
from exmech.graph.resources import resource_dir
from exmech.kg import KnowledgeGraph

# made up: trial A (walking) tests self-efficacy and earlier pain intensity together (the set's CI excludes zero, the
# favourable way); trial C (cycling) tests aerobic fitness and fatigue together, no numbers, no mediation stated
JOINT = """@prefix exm: <https://w3id.org/exmech/ontology/> .
@prefix kb: <https://w3id.org/exmech/kb/> .
@prefix mech: <https://w3id.org/exmech/mechanism/> .
@prefix outc: <https://w3id.org/exmech/outcome/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
kb:fixture-paths-a-set1 a exm:MediatorSet ; rdfs:label "self-efficacy and pain" ;
    exm:hasMember mech:self-efficacy , outc:pain-intensity .
kb:fixture-paths-a-ma3 a exm:MediationAnalysis ; rdfs:label "Fixture A: walking, self-efficacy and pain -> disability" ;
    exm:reportedIn kb:fixture-paths-a-pub ; exm:analysesStudy kb:fixture-paths-a ; exm:intervention kb:fixture-paths-a-int1 ;
    exm:jointMediator kb:fixture-paths-a-set1 ; exm:outcome outc:disability ; exm:hasEffect kb:fixture-paths-a-ma3-indirect ;
    exm:sourceLocation "Table 4" ; prov:wasDerivedFrom <https://doi.org/10.5555/fixture-paths-a> .
kb:fixture-paths-a-ma3-indirect a exm:IndirectEffect ; exm:estimate -0.6 ; exm:ciLower -1.0 ; exm:ciUpper -0.2 ;
    exm:favourableDirection exm:Negative .
kb:fixture-paths-c-set1 a exm:MediatorSet ; rdfs:label "aerobic fitness and fatigue" ;
    exm:hasMember mech:aerobic-fitness , mech:fatigue .
kb:fixture-paths-c-ma2 a exm:MediationAnalysis ; rdfs:label "Fixture C: cycling, aerobic fitness and fatigue -> disability" ;
    exm:reportedIn kb:fixture-paths-c-pub ; exm:analysesStudy kb:fixture-paths-c ; exm:intervention kb:fixture-paths-c-int1 ;
    exm:jointMediator kb:fixture-paths-c-set1 ; exm:outcome outc:disability ; exm:numbersReadable false ;
    exm:statedFinding exm:NoMediationFound ; exm:sourceLocation "Abstract" ;
    prov:wasDerivedFrom <https://doi.org/10.5555/fixture-paths-c> .
"""
KEYED_ON_MEDIATOR = ("evidence-summary", "evidence-summary-by-theme", "paths", "claims-with-evidence-status")


def _rows(kg: KnowledgeGraph, name: str) -> list[tuple]:
    return sorted(tuple(sorted(r.items())) for r in kg.query(name))


@pytest.fixture(scope="module")
def joint_kg(tmp_path_factory) -> KnowledgeGraph:
    kb = tmp_path_factory.mktemp("joint") / "kb"
    shutil.copytree(FIXTURES / "paths-kb", kb)
    (kb / "joint.ttl").write_text(JOINT, encoding="utf-8")
    return KnowledgeGraph.load(kb_dir=kb)


@pytest.mark.parametrize("name", KEYED_ON_MEDIATOR)
def test_joint_analyses_change_nothing_keyed_on_the_single_mediator(name, joint_kg, paths_kg):
    assert _rows(joint_kg, name) == _rows(paths_kg, name)


def test_a_member_is_never_tested_or_supported_by_a_joint_analysis(joint_kg):
    graph = joint_kg.graph
    # the claim of trial C proposes aerobic fitness, a member of C's joint set: it stays proposed
    assert graph.value(KB["fixture-paths-c-claim1"], EXM.evidenceStatus) == EXM.Proposed
    # the set as a whole is supported (its CI excludes zero the favourable way); no path names a set or a member for it
    assert graph.value(KB["fixture-paths-a-ma3"], EXM.evidenceStatus) == EXM.Supported
    assert not any(
        "fatigue" in str(p) or "pain-intensity" in str(m)
        for p in graph.subjects(EXM.pathMechanism, None)
        for m in graph.objects(p, EXM.pathMechanism)
    )


def test_stats_count_joint_analyses_and_mechanisms_without_a_theme(joint_kg, paths_kg):
    before, after = headline(paths_kg.graph), headline(joint_kg.graph)
    for key in ("mechanismsTested", "mechanismsSupported", "mechanismsProposedNeverTested"):
        assert after[key] == before[key], key
    assert (before["jointMediationAnalyses"], after["jointMediationAnalyses"]) == (0, 2)
    # self-efficacy, aerobic fitness and fatigue; fatigue alone was never tested by itself
    assert (after["mechanismsTestedJointly"], after["mechanismsTestedOnlyJointly"]) == (3, 1)
    assert after["mechanismsWithoutTheme"] == before["mechanismsWithoutTheme"] == 1  # mech:fatigue (vocabulary)
    assert after["mediationAnalyses"] == before["mediationAnalyses"] + 2


def test_joint_mediation_analyses_counts_per_member(joint_kg):
    rows = {
        r["member"].rsplit("/", 1)[1]: (
            r["memberKind"],
            r["theme"].rsplit("/", 1)[-1],
            r["analysesTestingJointly"],
            r["trialsTestedJointly"],
            r["analysesSetMediated"],
            r["analysesSetNull"],
            r["analysesWithoutCi"],
        )
        for r in joint_kg.query("joint-mediation-analyses")
    }
    assert rows == {
        "self-efficacy": ("mechanism", "psychosocial", "1", "1", "1", "0", "0"),
        "pain-intensity": ("outcome domain", "", "1", "1", "1", "0", "0"),
        "aerobic-fitness": ("mechanism", "cardiometabolic", "1", "1", "0", "1", "1"),
        "fatigue": ("mechanism", "", "1", "1", "0", "1", "1"),
    }


def test_mediation_analyses_lists_a_joint_analysis_with_its_set(joint_kg):
    rows = {r["analysis"].rsplit("/", 1)[1]: r["mediator"] for r in joint_kg.query("mediation-analyses")}
    assert rows["fixture-paths-a-ma3"] == str(KB["fixture-paths-a-set1"])
    assert rows["fixture-paths-a-ma1"].endswith("/mechanism/self-efficacy")


def test_shipped_joint_analyses_are_counted(kg):
    figures = headline(kg.graph)
    assert figures["jointMediationAnalyses"] >= 4  # IJYT 2022 (pain + fatigue) and the three RESTORE models
    assert figures["mechanismsWithoutTheme"] >= 1  # mech:fatigue: Wun 2021 does not name it
    members = {r["member"].rsplit("/", 1)[1] for r in kg.query("joint-mediation-analyses")}
    assert {"fatigue", "pain-intensity", "self-efficacy", "fear-avoidance", "pain-catastrophising"} <= members


def test_the_workbook_holds_the_mediator_sets_of_a_joint_file():
    from rdflib import Graph

    stored = Graph()
    parse_file(stored, resource_dir("ontology") / "kb" / "mediation" / "ijyt2022.ttl")
    sheets = graph_to_sheets(stored)
    header, *rows = sheets["mediator_sets"]
    row = dict(zip(header, rows[0], strict=True))
    assert (row["id"], set(row["members"].split(" | "))) == ("ijyt2022-set1", {"outc:pain-intensity", "fatigue"})
    mediation = [dict(zip(sheets["mediation"][0], r, strict=True)) for r in sheets["mediation"][1:]]
    joint = [r for r in mediation if r["joint_mediator"]]
    assert [(r["id"], r["joint_mediator"], r["mediator"]) for r in joint] == [("ijyt2022-ma6", "ijyt2022-set1", "")]
