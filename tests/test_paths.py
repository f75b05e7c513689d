"""Paths, report and export on a small fixture graph with known answers."""

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exmech.catalogue import QueryError
from exmech.cli import app
from exmech.export import edges_csv, graphml
from exmech.kg import KnowledgeGraph
from exmech.report import write_report

FIXTURES = Path(__file__).parent / "fixtures"
runner = CliRunner()


@pytest.fixture(scope="module")
def pkg() -> KnowledgeGraph:
    return KnowledgeGraph.load(kb_dir=FIXTURES / "kb", extra=[FIXTURES / "paths-extra.ttl"])


def key(p):
    return (p.exercise_type, p.mechanism, p.outcome, p.status, p.studies)


def test_expected_paths_and_statuses(pkg):
    got = {key(p) for p in pkg.paths()}
    assert got == {
        ("exm:WalkingExercise", "mech:aerobic-fitness", "outc:pain-intensity", "tested", ("kb:fixture-cq-a",)),
        ("exm:WalkingExercise", "mech:self-efficacy", "outc:pain-intensity", "measured", ("kb:fixture-cq-a",)),
        ("exm:WalkingExercise", "mech:self-efficacy", "outc:disability", "supported", ("kb:fixture-cq-a",)),
        ("exm:CyclingExercise", "mech:aerobic-fitness", "outc:disability", "proposed", ("kb:fixture-cq-d",)),
        ("exm:CyclingExercise", "mech:muscle-strength", "outc:pain-intensity", "proposed", ("kb:fixture-cq-d",)),
        ("exm:YogaExercise", "mech:self-efficacy", "outc:disability", "tested", ("kb:fixture-paths-e",)),
    }


def test_exercise_type_without_mechanism_has_no_path(pkg):
    assert pkg.paths(intervention="Pilates") == []


def test_types_roll_up_and_filters_apply(pkg):
    aerobic = pkg.paths(intervention="aerobic")
    assert {p.exercise_type for p in aerobic} == {"exm:WalkingExercise", "exm:CyclingExercise"}
    assert len(aerobic) == 5
    assert [key(p)[:4] for p in pkg.paths(min_evidence="supported")] == [
        ("exm:WalkingExercise", "mech:self-efficacy", "outc:disability", "supported")]
    assert {p.exercise_type for p in pkg.paths(mechanism="self-efficacy", outcome="disability")} == {
        "exm:WalkingExercise", "exm:YogaExercise"}
    assert {p.mechanism for p in pkg.paths(theme="cardiometabolic")} == {"mech:aerobic-fitness"}


def test_tested_paths_carry_their_indirect_effect(pkg):
    touching = [p for p in pkg.paths() if p.mechanism == "mech:aerobic-fitness" and p.status == "tested"][0]
    assert (touching.ci_lower, touching.ci_upper) == (-0.5, 0.0)  # touches zero: tested, not supported
    supported = pkg.paths(min_evidence="supported")[0]
    assert (supported.indirect, supported.ci_lower, supported.ci_upper) == (-0.5, -0.9, -0.1)


def test_unknown_names_are_refused(pkg):
    with pytest.raises(QueryError, match="unknown exercise type"):
        pkg.paths(intervention="zumba")
    with pytest.raises(QueryError, match="min evidence"):
        pkg.paths(min_evidence="certain")


def test_cli_paths_formats():
    result = runner.invoke(app, ["paths", "--intervention", "yoga", "--min-evidence", "tested"])
    assert result.exit_code == 0 and "mech:self-efficacy" in result.output
    turtle = runner.invoke(app, ["paths", "-f", "turtle", "--min-evidence", "supported"]).output
    assert "exm:Path" in turtle
    assert runner.invoke(app, ["paths", "--min-evidence", "nope"]).exit_code == 2


def test_export_graphml_and_csv(pkg):
    paths = pkg.paths()
    root = ET.fromstring(graphml(paths))
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    nodes = {n.get("id") for n in root.iter("{http://graphml.graphdrawing.org/xmlns}node")}
    assert {"exm:WalkingExercise", "mech:self-efficacy", "outc:disability"} <= nodes
    assert len(root.findall(".//g:edge", ns)) == len(edges_csv(paths).splitlines()) - 1


def test_report_files_exist_parse_and_carry_labels(pkg, tmp_path):
    made = write_report(pkg.graph, tmp_path)
    html = made.html.read_text()
    assert "theme table" in html and "neuromuscular" in html and "Gaps" in html
    assert "muscle strength" in made.markdown.read_text()
    svgs = [p for p in made.figures if p.suffix == ".svg"]
    pngs = [p for p in made.figures if p.suffix == ".png"]
    assert len(svgs) == len(pngs) == 3
    for png in pngs:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    texts = {p.stem: " ".join(t for t in ET.parse(p).getroot().itertext()) for p in svgs}
    assert "psychosocial" in texts["theme-mentions"] and "Wun et al. 2021" in texts["theme-mentions"]
    assert "self efficacy" in texts["paths"] and "supported" in texts["paths"]
    assert "Walking" in texts["type-by-theme"] or "Aerobic" in texts["type-by-theme"]


def test_gaps_count_trials_proposing_and_testing_per_type_and_theme(pkg):
    rows = {(r["type"].rsplit("/", 1)[1], r["theme"].rsplit("/", 1)[1]): (int(r["trialsProposing"]), int(r["trialsTested"]))
            for r in pkg.query("gaps-exercise-type-by-theme")}
    assert rows[("AerobicExercise", "cardiometabolic")] == (2, 1)  # A and D proposed aerobic fitness; A tested it
    assert rows[("AerobicExercise", "psychosocial")] == (1, 1)
    assert rows[("YogaExercise", "psychosocial")] == (0, 1)  # tested without being proposed
    assert rows[("PilatesExercise", "psychosocial")] == (0, 0)
