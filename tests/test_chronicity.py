"""Chronicity of populations (issue 11): the optional exm:chronicity status, the rule that 12 weeks or more counts
as chronic, the shape that admits a shorter duration only with a stated non-chronic status, and the ?chronicOnly
parameter of the paths and count queries (default false: every trial, as before)."""

from pathlib import Path

import pytest
from rdflib import Graph

from exmech.graph.namespaces import EXM, KB
from exmech.kg import KnowledgeGraph

FIXTURES = Path(__file__).parent / "fixtures"
A, B, C, D, E = (f"kb:fixture-paths-{x}" for x in "abcde")


@pytest.fixture(scope="module")
def chron_kg() -> KnowledgeGraph:
    return KnowledgeGraph.load(
        kb_dir=FIXTURES / "paths-kb", extra=[FIXTURES / "chronicity" / "populations.ttl"]
    )


def _studies(rows, column="study"):
    return {r[column].replace("https://w3id.org/exmech/kb/", "kb:") for r in rows if r.get(column)}


def test_rule_makes_12_weeks_chronic_and_keeps_stated_status(chron_kg):
    g = chron_kg.graph
    assert (KB["fixture-paths-a-pop"], EXM.chronicity, EXM.Chronic) in g
    assert set(g.objects(KB["fixture-paths-c-pop"], EXM.chronicity)) == {EXM.MixedChronicity}
    assert set(g.objects(KB["fixture-paths-e-pop"], EXM.chronicity)) == {EXM.UnclearChronicity}


def test_paths_keep_every_trial_by_default_and_drop_non_chronic_on_request(chron_kg):
    everything = _studies(chron_kg.query("paths"))
    assert {A, C, D, E} <= everything
    chronic = _studies(chron_kg.query("paths", chronicOnly="true"))
    assert C not in chronic and E not in chronic
    assert {A, D} <= chronic  # D has no population: nothing says it is not chronic
    assert _studies(chron_kg.query("paths", chronicOnly="false")) == everything


def test_paths_summary_with_chronic_only_keeps_paths_whose_trials_are_all_chronic(chron_kg):
    def keyed(rows):
        return {(r["type"], r["mechanism"], r["outcome"]): r["studyCount"] for r in rows}

    full = keyed(chron_kg.query("paths-summary"))
    chronic = keyed(chron_kg.query("paths-summary", chronicOnly="true"))
    assert set(chronic) < set(full)
    walking_sef_dis = next(
        k
        for k in full
        if k[0].endswith("WalkingExercise") and k[1].endswith("self-efficacy") and k[2].endswith("disability")
    )
    assert chronic[walking_sef_dis] == full[walking_sef_dis]  # A and D: both kept, count unchanged
    assert not any(k[0].endswith("CyclingExercise") for k in chronic)  # C's paths rest on a mixed population
    assert not any(k[1].endswith("motor-control") for k in chronic)  # E's paths rest on an unclear population


def test_shipped_non_chronic_populations_are_recorded(kg):
    expected = {
        "hartvigsen2010-pop": EXM.MixedChronicity,
        "koumantakis2005-pop": EXM.MixedChronicity,
        "torstensen1998-pop": EXM.UnclearChronicity,
        "tilbrook2011-pop": EXM.UnclearChronicity,
    }
    for node, status in expected.items():
        assert set(kg.graph.objects(KB[node], EXM.chronicity)) == {status}, node
    assert (KB["costa2009-pop"], EXM.chronicity, EXM.Chronic) in kg.graph  # 12 weeks: derived


def test_shipped_counts_can_leave_out_non_chronic_trials(kg):
    def total(rows):
        return sum(int(r["trials"]) for r in rows)

    assert total(kg.query("exercise-type-rollup", chronicOnly="true")) < total(
        kg.query("exercise-type-rollup")
    )
    claims = {r["themeLabel"]: int(r["graphClaims"]) for r in kg.query("theme-mentions-in-graph")}
    chronic = {
        r["themeLabel"]: int(r["graphClaims"])
        for r in kg.query("theme-mentions-in-graph", chronicOnly="true")
    }
    assert all(chronic[t] <= claims[t] for t in claims)
    assert "kb:hartvigsen2010" not in _studies(kg.query("paths", chronicOnly="true"))


def test_shape_admits_a_short_duration_only_with_a_non_chronic_status():
    from pyshacl import validate

    from exmech.graph.resources import resource_dir

    shapes = Graph().parse(resource_dir("shapes") / "exmech-shapes.ttl")
    base = """@prefix exm: <https://w3id.org/exmech/ontology/> . @prefix kb: <https://w3id.org/exmech/kb/> .
    kb:p a exm:Population ; exm:minimumPainDurationWeeks 8 """
    for extra, ok in [
        ("", False),
        ("; exm:chronicity exm:MixedChronicity", True),
        ("; exm:chronicity exm:UnclearChronicity", True),
        ("; exm:chronicity exm:Chronic", False),
    ]:
        data = Graph().parse(data=base + extra + " .", format="turtle")
        conforms, _, text = validate(data, shacl_graph=shapes, advanced=True)
        assert conforms is ok, (extra, text)
    data = Graph().parse(data=base.replace("8", "12") + "; exm:chronicity exm:Nonsense .", format="turtle")
    assert not validate(data, shacl_graph=shapes, advanced=True)[0]


def test_evidence_summary_leaves_out_non_chronic_trials_on_request_alike_on_memory_and_oxigraph(
    chron_kg, tmp_path
):
    """C (mixed) proposes aerobic fitness and is the only trial to; E (unclear) the only one for motor control.
    With chronicOnly=true their rows count nothing, other rows are unchanged, and Oxigraph (VALUES-bound, bottom-up)
    gives the same numbers as rdflib."""
    from exmech.graph.catalogue import catalogue
    from exmech.graph.resources import ontology_files
    from exmech.stores import OxigraphStore

    counted = ("trialsProposing", "trialsMeasuring", "analysesTesting", "trialsTested", "analysesSupporting")

    def table(store, **given):
        q = catalogue()["evidence-summary"]
        rows = store.select(q.text, q.bindings(given)).records()
        return {r["mechanism"].rsplit("/", 1)[-1]: tuple(int(r[c]) for c in counted) for r in rows}

    files = [
        *ontology_files(),
        *sorted((FIXTURES / "paths-kb").glob("*.ttl")),
        FIXTURES / "chronicity" / "populations.ttl",
    ]
    oxigraph = OxigraphStore(tmp_path / "ox", files)
    every, chronic = table(chron_kg.store), table(chron_kg.store, chronicOnly="true")
    assert (
        every["aerobic-fitness"][0] >= 1 and chronic["aerobic-fitness"][0] == every["aerobic-fitness"][0] - 1
    )
    assert every["motor-control"] != (0,) * 5 and chronic["motor-control"] == (0,) * 5
    assert chronic["self-efficacy"] == every["self-efficacy"]  # A and D: nothing says they are not chronic
    assert table(oxigraph) == every and table(oxigraph, chronicOnly="true") == chronic
    assert table(chron_kg.store, chronicOnly="false") == every
