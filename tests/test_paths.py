"""Paths, their derived evidence statuses and the gap queries, on a small fixture with known answers
(tests/fixtures/paths-kb: trials A-E, described in paths-trials.ttl)."""

import json
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF
from typer.testing import CliRunner

from exmech.cli import app
from exmech.graph.catalogue import QueryError, catalogue
from exmech.graph.namespaces import EXM, KB
from exmech.kg import KnowledgeGraph

PATHS_KB = Path(__file__).parent / "fixtures" / "paths-kb"
runner = CliRunner()


@pytest.fixture(scope="module")
def paths_kg() -> KnowledgeGraph:
    return KnowledgeGraph.load(kb_dir=PATHS_KB)


def summary(paths):
    return {
        (p.exercise_type, p.mechanism, p.outcome): (p.status, tuple((e.study, e.status) for e in p.evidence))
        for p in paths
    }


A, C, D, E = (f"kb:fixture-paths-{x}" for x in "acde")


def test_expected_paths_and_statuses(paths_kg):
    assert summary(paths_kg.paths()) == {
        ("exm:WalkingExercise", "mech:self-efficacy", "outc:disability"): (
            "supported",
            ((A, "supported"), (D, "tested")),
        ),
        ("exm:WalkingExercise", "mech:self-efficacy", "outc:pain-intensity"): (
            "measured",
            ((A, "measured"),),
        ),
        ("exm:WalkingExercise", "mech:aerobic-fitness", "outc:pain-intensity"): ("tested", ((A, "tested"),)),
        ("exm:CyclingExercise", "mech:sleep", "outc:disability"): ("tested", ((C, "tested"),)),
        ("exm:CyclingExercise", "mech:aerobic-fitness", "outc:disability"): ("proposed", ((C, "proposed"),)),
        ("exm:MotorControlExercise", "mech:motor-control", "outc:pain-intensity"): (
            "measured",
            ((E, "measured"),),
        ),
        ("exm:MotorControlExercise", "mech:motor-control", "outc:fixture-paths-leg-pain"): (
            "measured",
            ((E, "measured"),),
        ),
        ("exm:MotorControlExercise", "mech:muscle-strength", "outc:fixture-paths-leg-pain"): (
            "proposed",
            ((E, "proposed"),),
        ),
    }


def test_strongest_evidence_first(paths_kg):
    statuses = [p.status for p in paths_kg.paths()]
    assert statuses == sorted(statuses, key=["supported", "tested", "measured", "proposed"].index)


def test_exercise_type_without_mechanism_has_no_path(paths_kg):
    assert paths_kg.paths(intervention="Pilates") == []  # trial B: full text read, no mechanism proposed


def test_supported_in_one_trial_and_not_in_another(paths_kg):
    [path] = paths_kg.paths(mechanism="self-efficacy", outcome="disability")
    supported, tested = path.evidence
    assert path.status == "supported" and path.studies == (A, D)
    assert (
        supported.study,
        supported.indirect,
        supported.ci_lower,
        supported.ci_upper,
        supported.proportion_mediated,
    ) == (A, -0.5, -0.9, -0.1, 0.36)
    assert (tested.study, tested.status, tested.ci_lower, tested.ci_upper) == (D, "tested", -0.4, 0.3)


def test_ci_touching_zero_is_tested_not_supported(paths_kg):
    [path] = paths_kg.paths(mechanism="aerobic fitness", outcome="pain intensity", min_evidence="tested")
    assert path.status == "tested" and (path.evidence[0].ci_lower, path.evidence[0].ci_upper) == (-0.5, 0.0)


def test_ci_excluding_zero_in_the_unfavourable_direction_is_not_support(paths_kg):
    [path] = paths_kg.paths(mechanism="sleep")
    assert path.status == "tested" and path.evidence[0].ci_lower == 0.1


def test_exercise_types_and_outcomes_roll_up(paths_kg):
    aerobic = paths_kg.paths(intervention="aerobic")
    assert {p.exercise_type for p in aerobic} == {"exm:WalkingExercise", "exm:CyclingExercise"}
    assert len(aerobic) == 5
    pain = paths_kg.paths(outcome="pain-intensity")
    assert {p.outcome for p in pain} == {"outc:pain-intensity", "outc:fixture-paths-leg-pain"}
    assert [p.exercise_type for p in paths_kg.paths(intervention="walking", min_evidence="supported")] == [
        "exm:WalkingExercise"
    ]


@pytest.mark.parametrize("level, count", [("proposed", 8), ("measured", 6), ("tested", 3), ("supported", 1)])
def test_min_evidence_keeps_whole_paths(paths_kg, level, count):
    found = paths_kg.paths(min_evidence=level)
    assert len(found) == count
    # a path that passes keeps all its studies, weaker ones included
    assert all(
        len(p.evidence) == 2
        for p in found
        if p.mechanism == "mech:self-efficacy" and p.outcome == "outc:disability"
    )


def test_theme_filter_and_names(paths_kg):
    assert {p.mechanism for p in paths_kg.paths(theme="cardiometabolic")} == {"mech:aerobic-fitness"}
    assert paths_kg.paths(theme="theme:neuromuscular") == paths_kg.paths(
        intervention="exm:MotorControlExercise"
    )
    assert paths_kg.paths(mechanism="<https://w3id.org/exmech/mechanism/sleep>") == paths_kg.paths(
        mechanism="Sleep"
    )


def test_unknown_names_are_refused(paths_kg):
    with pytest.raises(QueryError, match="unknown exercise type 'zumba'.*exm:AerobicExercise"):
        paths_kg.paths(intervention="zumba")
    with pytest.raises(QueryError, match="unknown mechanism"):
        paths_kg.paths(mechanism="exm:WalkingExercise")
    with pytest.raises(QueryError, match="minimum evidence"):
        paths_kg.paths(min_evidence="certain")


def test_statuses_are_derived_by_rules_not_typed(paths_kg):
    """The fixture states no status; every exm:Path and exm:PathEvidence gets exactly one from the rules."""
    assert "evidenceStatus" not in "".join(p.read_text() for p in PATHS_KB.glob("*.ttl"))
    g = paths_kg.graph
    for cls in (EXM.Path, EXM.PathEvidence):
        nodes = set(g.subjects(RDF.type, cls))
        assert nodes and all(len(set(g.objects(n, EXM.evidenceStatus))) == 1 for n in nodes)
    path = KB["path/WalkingExercise/self-efficacy/disability"]
    assert (
        g.value(path, EXM.evidenceStatus) == EXM.Supported
        and g.value(path, EXM.pathStudyCount).toPython() == 2
    )


def test_the_packaged_query_is_the_one_the_api_runs(paths_kg):
    query = catalogue()["paths"]
    assert set(query.parameters) == {
        "exerciseType",
        "mechanism",
        "theme",
        "outcomeDomain",
        "minRank",
        "chronicOnly",
    }
    rows = paths_kg.query("paths", exerciseType="exm:AerobicExercise", minRank="3")
    assert {r["path"] for r in rows} == {
        str(KB[f"path/{p}"])
        for p in (
            "WalkingExercise/self-efficacy/disability",
            "WalkingExercise/aerobic-fitness/pain-intensity",
            "CyclingExercise/sleep/disability",
        )
    }
    assert len(rows) == 4  # the supported path has two studies


def test_quality_checks_pass_with_derived_paths(paths_kg):
    for name in (n for n in catalogue() if n.startswith("qc/")):
        assert paths_kg.query(name) == [], name


def test_gaps_count_trials_per_type_and_theme(paths_kg):
    rows = {
        (r["typeLabel"], r["themeLabel"]): tuple(
            int(r[k]) for k in ("trialsProposing", "trialsMeasured", "trialsTested", "trialsSupported")
        )
        for r in paths_kg.query("gaps-exercise-type-by-theme")
    }
    assert len(rows) == 11 * 5  # every top-level exercise type x every theme
    assert rows[("aerobic exercise", "psychosocial")] == (
        2,
        3,
        3,
        1,
    )  # A, D propose; A, C, D test; A supports
    assert rows[("aerobic exercise", "cardiometabolic")] == (1, 1, 1, 0)  # C proposes; A tests (CI touches 0)
    assert rows[("motor control exercise", "neuromuscular")] == (1, 1, 0, 0)
    assert rows[("Pilates exercise", "neuromuscular")] == (0, 0, 0, 0)


def test_mechanisms_never_measured_or_tested(paths_kg):
    assert [r["mechanismLabel"] for r in paths_kg.query("mechanisms-never-measured-or-tested")] == [
        "muscle strength"
    ]


def test_cli_table_csv_json_turtle():
    args = ["paths", "--kb", str(PATHS_KB)]
    table = runner.invoke(app, [*args, "--intervention", "aerobic", "--min-evidence", "tested"])
    assert table.exit_code == 0, table.output
    assert (
        "exm:WalkingExercise -> mech:self-efficacy -> outc:disability  [SUPPORTED; 2 studies]" in table.output
    )
    assert "indirect -0.5 (CI -0.9 to -0.1), 36% mediated" in table.output and "(3 paths)" in table.output
    csv_out = runner.invoke(app, [*args, "-f", "csv", "--theme", "psychosocial"]).output.splitlines()
    assert csv_out[0].startswith("path,exercise_type,mechanism") and len(csv_out) == 1 + 4
    data = json.loads(runner.invoke(app, [*args, "-f", "json", "--min-evidence", "supported"]).output)
    assert data[0]["status"] == "supported" and data[0]["studies"] == [A, D]
    turtle = runner.invoke(app, [*args, "-f", "turtle", "--min-evidence", "supported"]).output
    g = Graph().parse(data=turtle, format="turtle")
    assert (
        len(set(g.subjects(RDF.type, EXM.Path))) == 1
        and len(set(g.subjects(RDF.type, EXM.PathEvidence))) == 2
    )


def test_cli_errors_exit_2():
    for bad in (["--min-evidence", "nope"], ["--intervention", "zumba"]):
        result = runner.invoke(app, ["paths", "--kb", str(PATHS_KB), *bad])
        assert result.exit_code == 2 and "error:" in result.output, bad
    # a format outside the enum is refused by the option parser itself, naming the allowed ones
    result = runner.invoke(app, ["paths", "--kb", str(PATHS_KB), "-f", "xml"])
    said = " ".join(result.output.replace("│", " ").split())  # typer's error box, whatever its width
    assert result.exit_code == 2 and "'xml' is not one of" in said and "'turtle'" in said, said


@pytest.mark.parametrize("store_spec", ["memory", "oxigraph"])
def test_paths_sorted_in_python_keep_the_order_the_query_gives(store_spec, tmp_path):
    """iter_path_rows runs queries/paths.rq without its ORDER BY and iter_paths sorts in Python: the same rows in
    the same order as the engine's ORDER BY, on the shipped graph, on both embedded stores."""
    from exmech.evidence.paths import _row_order, iter_path_rows
    from exmech.stores import open_store

    if store_spec == "oxigraph":
        pytest.importorskip("pyoxigraph")
    store = open_store("memory" if store_spec == "memory" else f"oxigraph:{tmp_path / 'ox'}")
    query = catalogue()["paths"]
    engine = [tuple(row.values()) for row in store.select(query.text, query.bindings({}))]
    ours = [tuple(row.values()) for row in sorted(iter_path_rows(store), key=_row_order)]
    assert len(engine) > 50 and ours == engine
