"""The command line, run in-process through typer's runner on the real package."""

import json
from pathlib import Path

from rdflib import Graph
from typer.testing import CliRunner

from exmech.cli import app

FIXTURE_KB = Path(__file__).parent / "fixtures" / "kb"

runner = CliRunner()


def test_build_writes_three_isomorphic_serialisations(tmp_path):
    result = runner.invoke(app, ["build", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "randomised trials" in result.output
    graphs = [Graph().parse(tmp_path / n) for n in ("exmech.ttl", "exmech.nt", "exmech.jsonld")]
    assert len(graphs[0]) > 1000
    assert graphs[0].isomorphic(graphs[1]) and graphs[0].isomorphic(graphs[2])


def test_query_binds_parameters_and_formats(tmp_path):
    result = runner.invoke(app, ["query", "review-summary", "-f", "json"])
    assert result.exit_code == 0, result.output
    bindings = json.loads(result.output)["results"]["bindings"]
    assert bindings[0]["included"]["value"] == "110"
    csv_out = runner.invoke(app, ["query", "review-theme-table", "-f", "csv"]).output.splitlines()
    assert csv_out[0] == "themeLabel,mentions,reportedPercent,total,computedPercent"
    assert csv_out[1].startswith("neuromuscular,105,44,241")
    tsv_out = runner.invoke(app, ["query", "review-theme-table", "-f", "tsv"]).output.splitlines()
    assert tsv_out[0].startswith("?themeLabel\t?mentions")


def test_parameter_values_are_terms_not_query_text():
    hostile = "exm:X } UNION { ?s ?p ?o"
    result = runner.invoke(
        app, ["query", "mechanisms-for-exercise-type", "-p", f"exerciseType={hostile}", "-f", "csv"]
    )
    assert result.exit_code == 0, result.output
    assert (
        result.output.strip() == "mechanism,mechanismLabel,themeLabel,studies"
    )  # bound as a literal: no rows


def test_unknown_parameter_is_a_clear_error():
    result = runner.invoke(app, ["query", "review-summary", "-p", "nope=1"])
    assert result.exit_code == 2
    assert "has no parameter nope" in result.output


def test_unknown_query_and_bad_format_exit_2():
    assert runner.invoke(app, ["query", "no-such-query"]).exit_code == 2
    assert runner.invoke(app, ["query", "review-summary", "-f", "xlsx"]).exit_code == 2


def test_user_query_file(tmp_path):
    rq = tmp_path / "mine.rq"
    rq.write_text(
        "# Question: how many trials?\nPREFIX exm: <https://w3id.org/exmech/ontology/>\n"
        "SELECT (COUNT(?s) AS ?n) WHERE { ?s a exm:RandomisedControlledTrial }\n"
    )
    result = runner.invoke(app, ["query", str(rq), "-f", "csv"])
    assert result.exit_code == 0 and int(result.output.splitlines()[1]) >= 40
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT WHERE {")
    result = runner.invoke(app, ["query", str(bad)])
    assert result.exit_code == 2 and "could not run" in result.output


def test_stats_json_and_check():
    figures = json.loads(runner.invoke(app, ["stats", "--json"]).output)
    assert figures["trials"] >= 40
    # the human-readable report on a small kb (the shipped graph's checks: tests/test_checks.py)
    result = runner.invoke(app, ["check", "--no-hermit", "--kb", str(FIXTURE_KB)])
    assert result.exit_code == 0, result.output
    assert "quality checks:" in result.output and "SHACL shapes:" in result.output
    assert "OWL RL (owlrl): consistent" in result.output


def test_check_fails_on_a_broken_knowledge_base(tmp_path):
    (tmp_path / "bad.ttl").write_text(
        "@prefix exm: <https://w3id.org/exmech/ontology/> .\n"
        "<https://w3id.org/exmech/kb/x-claim> a exm:MechanismClaim .\n"
    )
    result = runner.invoke(app, ["check", "--no-hermit", "--kb", str(tmp_path)])
    assert result.exit_code == 1
    assert "claim-without-source" in result.output


def test_unparseable_source_names_the_file(tmp_path):
    (tmp_path / "broken.ttl").write_text("this is not turtle")
    result = runner.invoke(app, ["stats", "--kb", str(tmp_path)])
    assert result.exit_code == 2
    assert "broken.ttl" in result.output
