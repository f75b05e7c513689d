"""Joint mediators (exm:jointMediator, an exm:MediatorSet): a joint analysis counts for its set, never for one member.
The evidence summary, the stats, the claims' statuses and the paths rest on exm:mediator only, so adding joint
analyses to a fixture (tests/fixtures/joint/joint.ttl on the paths fixture) changes none of them;
joint-mediation-analyses and the stats' joint counts report them."""

import pytest

from exmech.entries.workbook import graph_to_sheets
from exmech.evidence.stats import headline
from exmech.graph.load import parse_file
from exmech.graph.namespaces import EXM, KB
from exmech.graph.resources import resource_dir
from exmech.kg import KnowledgeGraph

KEYED_ON_MEDIATOR = ("evidence-summary", "evidence-summary-by-theme", "paths", "claims-with-evidence-status")


def _rows(kg: KnowledgeGraph, name: str) -> list[tuple]:
    return sorted(tuple(sorted(r.items())) for r in kg.query(name))


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
    assert (
        after["mechanismsWithoutTheme"] == before["mechanismsWithoutTheme"] == 1
    )  # mech:fatigue (vocabulary)
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
    assert (row["id"], set(row["members"].split(" | "))) == (
        "ijyt2022-set1",
        {"outc:pain-intensity", "fatigue"},
    )
    mediation = [dict(zip(sheets["mediation"][0], r, strict=True)) for r in sheets["mediation"][1:]]
    joint = [r for r in mediation if r["joint_mediator"]]
    assert [(r["id"], r["joint_mediator"], r["mediator"]) for r in joint] == [
        ("ijyt2022-ma6", "ijyt2022-set1", "")
    ]
