"""exmech check: the shipped graph passes every check; `check` on any store, with machine-readable output and
--fail-on.

The checks on the whole shipped graph (quality queries, SHACL, OWL RL) run once for this file (`shipped`), since
each run costs half a minute; the command's own behaviour (exit codes, formats, --fail-on) and the comparison
between stores are tested on small knowledge bases with planted problems, where every kind of finding occurs.
"""

import json
import shutil
from pathlib import Path

import pytest
from rdflib import Graph
from typer.testing import CliRunner

from exmech.checks import quality as checks
from exmech.cli import app
from exmech.graph.resources import knowledge_base_files, ontology_files
from exmech.kg import KnowledgeGraph
from exmech.stores import MemoryStore, OxigraphStore
from exmech.stores.oxigraph import OxigraphCopy

runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = Path(__file__).parent / "examples"
# a claim, a trial and an analysis that cite nothing and a mechanism with no definition (quality-query failures)
UNSOURCED = """@prefix exm: <https://w3id.org/exmech/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/exmech/kb/x-claim> a exm:MechanismClaim .
<https://w3id.org/exmech/kb/x-trial> a exm:RandomisedControlledTrial .
<https://w3id.org/exmech/kb/x-analysis> a exm:MediationAnalysis .
<https://w3id.org/exmech/mechanism/x-undefined> a exm:Mechanism ; rdfs:label "undefined mechanism" .
"""
PLANTED_QC = {
    "qc/claim-without-source-violation",
    "qc/study-without-source-violation",
    "qc/mediation-without-source-violation",
    "qc/term-without-label-or-definition-violation",
}


@pytest.fixture(scope="module")
def shipped(kg) -> checks.CheckReport:
    """One run of every check (HermiT aside: tests/test_ontology.py) on the shipped graph."""
    return checks.run_checks(kg.graph, hermit=False)


@pytest.mark.slow
def test_the_shipped_graph_passes_every_quality_query(shipped):
    assert shipped.qc_total >= 10 and shipped.qc_failures == {}


@pytest.mark.slow
def test_the_shipped_graph_has_no_shape_violation_and_some_warnings(shipped):
    violations = [p.line() for p in shipped.problems if p.severity == "Violation"]
    assert violations == []
    assert shipped.warnings > 0  # e.g. publications with no DOI, analyses with no time point


@pytest.mark.slow
def test_the_shipped_graph_is_consistent_under_owl_rl(shipped):
    [verdict] = shipped.verdicts
    assert verdict.reasoner == "OWL RL (owlrl)"
    assert verdict.consistent, verdict.messages
    assert verdict.inferred_triples > 0


@pytest.mark.slow
def test_the_shipped_graph_conforms_so_check_would_exit_0_and_fail_on_warning_would_exit_1(shipped):
    assert shipped.conforms() and not shipped.conforms("warning")
    summary = shipped.as_dict()["summary"]
    assert summary["violations"] == 0 and summary["warnings"] == shipped.warnings and summary["notRun"] == []


@pytest.fixture(scope="module")
def planted_kb(tmp_path_factory) -> Path:
    """The small fixture kb with entries that cite nothing (UNSOURCED) and a population that is not chronic."""
    kb = tmp_path_factory.mktemp("planted-kb")
    shutil.copy(FIXTURES / "kb" / "cq-fixture.ttl", kb)
    (kb / "unsourced.ttl").write_text(UNSOURCED, encoding="utf-8")
    bad = (EXAMPLES / "invalid" / "Population-not-chronic.ttl").read_text(encoding="utf-8")
    (kb / "notchronic.ttl").write_text(bad.replace("kb:ex", "kb:notchronic"), encoding="utf-8")
    return kb


def test_check_json_has_summary_counts_and_fail_on_warning_fails_on_warnings():
    # the fixture kb has warnings (a publication with no DOI, analyses with no time point) and no violation
    args = ["check", "--no-hermit", "-f", "json", "-q", "--kb", str(FIXTURES / "kb")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)["summary"]
    assert summary["qualityChecks"] >= 10 and summary["violations"] == 0 and summary["warnings"] > 0
    result = runner.invoke(app, [*args, "--fail-on", "warning"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert report["summary"]["warnings"] == len(report["shapes"]) == summary["warnings"]


def test_check_json_counts_every_kind_of_violation(planted_kb):
    result = runner.invoke(app, ["check", "--no-hermit", "-f", "json", "-q", "--kb", str(planted_kb)])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert PLANTED_QC <= set(report["qualityChecks"])
    assert any(p["severity"] == "Violation" and p["focus"] == "kb:notchronic-pop" for p in report["shapes"])
    assert report["summary"]["violations"] >= 2


def test_check_on_oxigraph_finds_what_the_embedded_store_finds(planted_kb, tmp_path):
    memory = checks.run_checks(KnowledgeGraph.load(kb_dir=planted_kb).graph, hermit=False)
    files = [*ontology_files(), *knowledge_base_files(planted_kb)]
    oxigraph = checks.run_checks(OxigraphStore(tmp_path / "ox", files=files), hermit=False)
    assert PLANTED_QC <= set(memory.qc_failures) and memory.violations >= 5 and memory.warnings > 0
    assert oxigraph.qc_failures == memory.qc_failures
    assert sorted(p.line() for p in oxigraph.problems) == sorted(p.line() for p in memory.problems)
    assert [v.consistent for v in oxigraph.verdicts] == [v.consistent for v in memory.verdicts] == [True]


def test_the_quality_queries_find_the_same_rows_in_rdflib_and_in_the_oxigraph_copy(planted_kb):
    """On the embedded store `check` runs them in an Oxigraph copy of its graph: rdflib's own evaluation, used
    where pyoxigraph is not installed, finds the same rows."""
    graph = KnowledgeGraph.load(kb_dir=planted_kb).graph
    in_rdflib = checks.quality_failures(MemoryStore(graph))
    assert PLANTED_QC <= set(in_rdflib)
    assert checks.quality_failures(OxigraphCopy(graph)) == in_rdflib
    assert isinstance(checks._engine(MemoryStore(graph)), OxigraphCopy)


def test_a_consistency_verdict_is_reused_for_the_same_content_only(fixture_kg):
    from rdflib import Literal, URIRef

    from exmech.checks import consistency

    graph = fixture_kg.graph
    first = consistency.check(graph, use_hermit=False)
    assert [v.consistent for v in first] == [True]
    key = consistency.content_key(graph)
    # a planted verdict for this content is what the next check of it returns: it is not reasoned again
    consistency._KNOWN[key]["owl_rl"] = consistency.Verdict("OWL RL (owlrl)", False, ["planted"])
    assert consistency.check(graph, use_hermit=False)[0].messages == ["planted"]
    changed = graph + Graph()
    changed.add((URIRef("urn:x:a"), URIRef("urn:x:b"), Literal("c")))
    assert consistency.content_key(changed) != key
    assert [v.consistent for v in consistency.check(changed, use_hermit=False)] == [True]
    del consistency._KNOWN[key]


def test_a_store_too_large_to_fetch_runs_the_quality_checks_and_says_what_was_not_run(tmp_path, monkeypatch):
    monkeypatch.setattr(checks, "MAX_FETCHED", 100)
    report = checks.run_checks(OxigraphStore(tmp_path / "ox"), hermit=False)
    assert report.qc_total >= 10 and not report.problems and not report.verdicts
    assert any("SHACL" in r and "more than the 100" in r for r in report.not_run)
