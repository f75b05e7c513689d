"""exmech check on any store, with machine-readable output and --fail-on."""

import json

from typer.testing import CliRunner

from exmech.checks import quality as checks
from exmech.cli import app
from exmech.stores import OxigraphStore

runner = CliRunner()


def test_check_json_has_summary_counts_and_fail_on_warning_fails_on_warnings():
    # one run: the shipped graph has warnings and no violations, so --fail-on warning exits 1 with the full JSON
    # (exit 0 without --fail-on is asserted by tests/test_cli.py::test_stats_json_and_check)
    result = runner.invoke(app, ["check", "--no-hermit", "-f", "json", "-q", "--fail-on", "warning"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    summary = report["summary"]
    assert summary["qualityChecks"] >= 10 and summary["violations"] == 0
    assert summary["warnings"] == len(report["shapes"]) > 0  # e.g. publications with no DOI


def test_check_on_oxigraph_finds_what_the_embedded_store_finds(kg, tmp_path):
    memory = checks.run_checks(kg.graph, hermit=False)
    oxigraph = checks.run_checks(OxigraphStore(tmp_path / "ox"), hermit=False)
    assert oxigraph.qc_failures == memory.qc_failures
    assert sorted(p.line() for p in oxigraph.problems) == sorted(p.line() for p in memory.problems)
    assert [v.consistent for v in oxigraph.verdicts] == [v.consistent for v in memory.verdicts] == [True]


def test_a_store_too_large_to_fetch_runs_the_quality_checks_and_says_what_was_not_run(tmp_path, monkeypatch):
    monkeypatch.setattr(checks, "MAX_FETCHED", 100)
    report = checks.run_checks(OxigraphStore(tmp_path / "ox"), hermit=False)
    assert report.qc_total >= 10 and not report.problems and not report.verdicts
    assert any("SHACL" in r and "more than the 100" in r for r in report.not_run)
