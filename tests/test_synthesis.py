"""Synthesis: indirect effects as forest-plot rows, pooling only on compatible scales (checked against an
independent Paule-Mandel computation), and the forest plot's labels."""

import math
import shutil
import xml.etree.ElementTree as ET
from statistics import NormalDist

import pytest

from conftest import FIXTURES
from exmech.evidence.synthesis import indirect_effects, pooled
from exmech.kg import KnowledgeGraph
from exmech.outputs.forest_plot import forest

# A and D (made-up fixture trials) both report self-efficacy -> disability; here both on RMDQ, same scale, 95% CIs
SCALES = """@prefix exm: <https://w3id.org/exmech/ontology/> .
@prefix kb: <https://w3id.org/exmech/kb/> .
@prefix instr: <https://w3id.org/exmech/instrument/> .
kb:fixture-paths-a-ma1 exm:outcomeInstrument instr:rmdq ; exm:outcomeTimePointWeeks 12 .
kb:fixture-paths-a-ma1-indirect exm:effectScale "RMDQ points (0-24)" ; exm:ciLevel 0.95 .
kb:fixture-paths-d-ma1 exm:outcomeInstrument instr:rmdq .
kb:fixture-paths-d-ma1-indirect exm:effectScale "D_SCALE" ; exm:ciLevel 0.95 .
"""


def _graph(tmp_path, d_scale: str):
    kb = tmp_path / "kb"
    shutil.copytree(FIXTURES / "paths-kb", kb)
    (kb / "scales.ttl").write_text(SCALES.replace("D_SCALE", d_scale), encoding="utf-8")
    return KnowledgeGraph.load(kb_dir=kb).graph


def paule_mandel(y: list[float], v: list[float]) -> tuple[float, float]:
    """Independent reference: tau^2 solving Q(tau^2) = k - 1 (0 if Q(0) <= k - 1), and the pooled mean."""

    def q(t: float) -> float:
        w = [1 / (vi + t) for vi in v]
        mean = sum(wi * yi for wi, yi in zip(w, y, strict=True)) / sum(w)
        return sum(wi * (yi - mean) ** 2 for wi, yi in zip(w, y, strict=True))

    lo, hi = 0.0, 10.0
    if q(0.0) > len(y) - 1:
        for _ in range(200):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if q(mid) > len(y) - 1 else (lo, mid)
    w = [1 / (vi + lo) for vi in v]
    return lo, sum(wi * yi for wi, yi in zip(w, y, strict=True)) / sum(w)


def test_effects_are_labelled_by_trial_type_instrument_and_time(tmp_path):
    effects = {e.analysis: e for e in indirect_effects(_graph(tmp_path, "RMDQ points (0-24)"))}
    a = effects["kb:fixture-paths-a-ma1"]
    assert (a.trial, a.exercise_type, a.instrument, a.weeks) == (
        "Fixture paths A",
        "walking exercise",
        "Roland-Morris Disability Questionnaire",
        12.0,
    )
    assert a.caption == "Fixture paths A · walking exercise · Roland-Morris Disability Questionnaire · 12 wk"
    z = NormalDist().inv_cdf(0.975)
    assert a.variance == pytest.approx((0.8 / (2 * z)) ** 2)
    assert effects["kb:fixture-paths-a-ma2"].variance is None  # no CI level: never pooled


def test_two_trials_on_the_same_instrument_and_scale_are_pooled_as_paule_mandel_says(tmp_path):
    effects = indirect_effects(_graph(tmp_path, "RMDQ points (0-24)"))
    pools = pooled(effects)
    assert [(p.mechanism, p.outcome, p.trials) for p in pools] == [
        ("self-efficacy", "disability and function", ("Fixture paths A", "Fixture paths D"))
    ]
    z = NormalDist().inv_cdf(0.975)
    v = [(0.8 / (2 * z)) ** 2, (0.7 / (2 * z)) ** 2]
    tau2, mean = paule_mandel([-0.5, -0.1], v)
    (pool,) = pools
    assert pool.tau2 == pytest.approx(tau2, abs=1e-6) and tau2 > 0
    assert pool.estimate == pytest.approx(mean, abs=1e-6)
    se = math.sqrt(1 / sum(1 / (vi + tau2) for vi in v))
    assert (pool.lower, pool.upper) == pytest.approx((mean - z * se, mean + z * se), abs=1e-6)
    assert "2 trials" in pool.note and "Roland-Morris" in pool.note and "I²" in pool.note


def test_different_scales_are_never_pooled(tmp_path):
    assert pooled(indirect_effects(_graph(tmp_path, "RMDQ points, 0-23 modified version"))) == []


def test_forest_plot_carries_its_labels_and_the_pool(tmp_path):
    effects = indirect_effects(_graph(tmp_path, "RMDQ points (0-24)"))
    files = forest(effects, pooled(effects), tmp_path, "forest")
    assert {f.suffix for f in files} == {".svg", ".png"}
    text = " ".join(" ".join(ET.parse(tmp_path / "forest.svg").getroot().itertext()).split())
    for label in (
        "self-efficacy → disability and function",
        "Fixture paths A · walking exercise · Roland-Morris Disability Questionnaire · 12 wk",
        "sleep → disability and function",
        "pooled (2 trials)",
        "RMDQ points (0-24)",
        "-0.5 (-0.9 to -0.1)",
    ):
        assert label in text, label


def test_stats_count_the_evidence_in_brief(paths_kg):
    from exmech.evidence.stats import headline

    figures = headline(paths_kg.graph)
    assert (
        figures["mechanismsProposed"],
        figures["mechanismsMeasured"],
        figures["mechanismsTested"],
        figures["mechanismsSupported"],
        figures["mechanismsProposedNeverTested"],
        figures["nullMediationAnalyses"],
        figures["mediationAnalysesWithoutCi"],
    ) == (4, 2, 3, 1, 2, 2, 0)  # see the header of tests/fixtures/paths-kb/paths-trials.ttl


def test_evidence_and_forest_commands(tmp_path):
    from typer.testing import CliRunner

    from exmech.cli import app

    runner = CliRunner()
    kb = str(FIXTURES / "paths-kb")
    result = runner.invoke(app, ["evidence", "--kb", kb, "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert "self-efficacy,psychosocial,2,1,2,2,1,1,0" in result.output
    result = runner.invoke(
        app, ["evidence", "--kb", kb, "--by-theme", "-t", "exm:CyclingExercise", "-f", "csv"]
    )
    assert "psychosocial,0,0,1,1,0" in result.output and "cardiometabolic,1,0,0,0,0" in result.output
    result = runner.invoke(app, ["forest", "--kb", kb, "--out", str(tmp_path), "-m", "mech:self-efficacy"])
    assert result.exit_code == 0, result.output
    assert "2 indirect effect(s)" in result.output and "nothing pooled" in result.output
    assert (tmp_path / "forest.svg").is_file() and (tmp_path / "forest.png").is_file()
