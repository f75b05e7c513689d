"""exmech validate: the store slice, the ontology and vocabulary checks, duplicates, and the three report formats."""

import json
import shutil
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH
from typer.testing import CliRunner

from entry_helpers import (  # noqa: F401
    EXAMPLES,
    STORED_MEDIATION,
    VALID_TRIAL,
    kb_fixture,
    no_network_fixture,
    private_cache_fixture,
)
from exmech.cli import app
from exmech.entries.kb_index import KbIndex
from exmech.entries.read import read_entry
from exmech.entries.validate import check_entry, load_kb_index, validate_entry
from exmech.graph.namespaces import KB, SHAPES

runner = CliRunner()


def violations(path, kb_dir=None) -> set[str]:
    return {
        p.shape for p in validate_entry(read_entry(path), load_kb_index(kb_dir)) if p.severity == "Violation"
    }


def test_a_mediation_analysis_of_a_stored_trial_conforms_using_only_the_store_slice():
    assert violations(STORED_MEDIATION) == set()
    # without the store the same entry points to nodes nobody describes: the shapes say so
    alone = validate_entry(read_entry(STORED_MEDIATION), {})
    assert {p.shape for p in alone} >= {"shp:MediationShape-study", "shp:MediationShape-intervention"}


def test_the_stored_trial_is_not_reported_on(tmp_path):
    problems, report = check_entry(read_entry(STORED_MEDIATION), load_kb_index())
    assert all(p.focus.startswith("kb:exmed2024") for p in problems)
    assert (None, SH.focusNode, KB.hall2011) not in report
    assert report.value(next(report.subjects(RDF.type, SH.ValidationReport)), SH.conforms).toPython() is True


def test_the_store_slice_is_read_from_the_files_of_the_named_trial_only():
    load_kb_index()  # the first load parses every file and fills the cache
    index = load_kb_index()
    found = index.describe([KB["hall2011-int1"], KB["nosuch1999"]])
    assert list(found) == [KB["hall2011-int1"]] and found[KB["hall2011-int1"]][0] == "studies/hall2011.ttl"
    assert list(index._parsed) == ["studies/hall2011.ttl"]


def test_the_index_is_cached_and_refreshed_when_a_file_changes(kb, tmp_path):
    first = KbIndex.load(kb)
    assert first.identifier("bibo:doi 10.2522/ptj.20090218")[1] == "studies/costa2009.ttl"
    cached = KbIndex.load(kb)
    assert cached._parsed == {}  # nothing re-parsed: everything came from the cache
    path = kb / "studies" / "costa2009.ttl"
    path.write_text(path.read_text().replace("10.2522/ptj.20090218", "10.2522/ptj.changed"))
    fresh = KbIndex.load(
        kb
    )  # rewritten in place: re-read by the load, or (folder signature unchanged) by the look-up
    assert fresh.identifier("bibo:doi 10.2522/ptj.20090218") is None
    assert fresh.identifier("bibo:doi 10.2522/ptj.changed")[0] == str(KB["costa2009-pub"])
    assert list(fresh._parsed) == ["studies/costa2009.ttl"]


def test_an_unknown_property_names_the_nearest_properties():
    problems = validate_entry(read_entry(EXAMPLES / "invalid" / "Study-unknown-property.ttl"), {})
    [problem] = [p for p in problems if p.severity == "Violation"]
    assert problem.path == "exm:sampelSize" and "nearest valid names: sampleSize" in problem.message


def test_an_unknown_mechanism_names_the_nearest_mechanisms():
    [problem] = validate_entry(read_entry(EXAMPLES / "invalid" / "Claim-unknown-mechanism.ttl"), {})
    assert problem.shape == "vocabulary" and "muscle-strength" in problem.message


def test_a_different_entry_under_a_stored_slug_is_a_duplicate(tmp_path):
    entry = tmp_path / "costa.ttl"
    entry.write_text(VALID_TRIAL.read_text().replace("kb:ex", "kb:costa2009"))
    problems = validate_entry(read_entry(entry), load_kb_index())
    assert [p.shape for p in problems if p.severity == "Violation"] == ["duplicate"]
    assert "studies/costa2009.ttl" in problems[0].message


def test_a_stored_entry_checked_again_is_not_its_own_duplicate():
    stored = sorted((EXAMPLES.parent.parent / "ontology" / "kb" / "studies").glob("*.ttl"))[:5]
    for path in stored:
        assert not [p for p in validate_entry(read_entry(path), load_kb_index()) if p.shape == "duplicate"], (
            path
        )


def test_text_report_names_entry_label_field_value_expectation_and_shape():
    result = runner.invoke(app, ["validate", str(EXAMPLES / "invalid" / "Study-negative-sample.ttl")])
    assert result.exit_code == 1
    line = [x for x in result.output.splitlines() if x.strip().startswith("Violation")][0]
    assert "kb:ex (Example" in line and "exm:sampleSize" in line and "between 1 and 100000" in line
    assert "found:" in line and "[shp:StudyShape-sampleSize]" in line


def test_json_report_is_structured_per_file():
    bad, good = EXAMPLES / "invalid" / "Study-bad-doi.ttl", VALID_TRIAL
    result = runner.invoke(app, ["validate", str(bad), str(good), "-f", "json"])
    data = json.loads(result.output)
    assert result.exit_code == 1
    assert data[str(good)] == {"conforms": True, "problems": []}
    [problem] = data[str(bad)]["problems"]
    assert problem["shape"] == "shp:PublicationShape-doi" and problem["path"] == "bibo:doi"
    assert problem["value"].startswith('"https://doi.org/')


def test_turtle_report_is_the_shacl_report_graph_with_the_python_checks(tmp_path):
    bad = tmp_path / "dup.ttl"
    bad.write_text(
        VALID_TRIAL.read_text().replace('"10.5555/example"', '"10.2522/PTJ.20090218"')
    )  # Costa 2009
    result = runner.invoke(
        app, ["validate", str(bad), str(EXAMPLES / "invalid" / "Study-bad-doi.ttl"), "-f", "turtle"]
    )
    assert result.exit_code == 1
    report = Graph().parse(data=result.output, format="turtle")
    shapes = set(report.objects(None, SH.sourceShape))
    assert SHAPES["duplicate-check"] in shapes and SHAPES["PublicationShape-doi"] in shapes
    assert (None, SH.conforms, None) in report and all(
        isinstance(f, URIRef) for f in report.objects(None, SH.focusNode)
    )


def test_warnings_alone_conform():
    result = runner.invoke(app, ["validate", str(EXAMPLES / "valid" / "Study-registration-only.ttl")])
    assert result.exit_code == 0 and "1 warning(s)" in result.output and "doiWarning" in result.output


def test_help_documents_the_exit_codes():
    for command in ("validate", "add"):
        text = runner.invoke(app, [command, "--help"]).output
        assert "Exit codes" in text and "0" in text and "2" in text


def test_exmech_check_runs_the_shapes_over_the_knowledge_base(tmp_path):
    # a small kb (the fixture trials) with one bad entry: the shipped graph's checks are in tests/test_checks.py
    kb = tmp_path / "kb"
    (kb / "studies").mkdir(parents=True)
    shutil.copy(Path(__file__).parent / "fixtures" / "kb" / "cq-fixture.ttl", kb)
    bad = (EXAMPLES / "invalid" / "Population-not-chronic.ttl").read_text().replace("kb:ex", "kb:notchronic")
    (kb / "studies" / "notchronic.ttl").write_text(bad)
    result = runner.invoke(app, ["check", "--no-hermit", "--kb", str(kb)])
    assert result.exit_code == 1 and "SHACL shapes:" in result.output
    assert "kb:notchronic-pop exm:minimumPainDurationWeeks" in result.output


def _row_problems(tmp_path, **cells):
    from entry_helpers import GOOD_ROW, write_csv

    path = write_csv(tmp_path / "row.csv", GOOD_ROW | cells)
    return [p for p in validate_entry(read_entry(path), {}) if p.severity == "Violation"]


def test_every_controlled_field_hints_case_spelling_and_abbreviation_insensitively(tmp_path):
    cases = {
        "outcome_instrument": ("NRS", "nearest valid names: nrs"),
        "outcome": ("function", "disability"),
        "exercise_type": ("yoga", "YogaExercise"),
        "comparator_type": ("truecontrol", "TrueControl"),
        "mechanism": ("pain-catastrophizing", "pain-catastrophising"),
    }
    for column, (typed, expected) in cases.items():
        problems = _row_problems(tmp_path, **{column: typed})
        assert len(problems) == 1 and problems[0].shape == "vocabulary", (column, problems)
        assert expected in problems[0].message, (column, problems[0].message)
    from exmech.entries.field_checks import _choices
    from exmech.entries.hints import nearest
    from exmech.graph.namespaces import INSTR

    for abbreviation, term in (
        ("ODI", "odi"),
        ("RMDQ", "rmdq"),
        ("PSEQ", "pseq"),
        ("TSK", "tsk"),
        ("FABQ", "fabq"),
    ):
        assert nearest(abbreviation, _choices(str(INSTR)))[0] == term
    assert nearest("Oswestry disability index", _choices(str(INSTR)))[0] == "odi"


def test_a_value_of_the_wrong_type_is_a_type_error_not_a_range_error(tmp_path):
    [weeks] = _row_problems(tmp_path, min_pain_weeks="3 months")
    assert weeks.shape == "type" and weeks.path == "exm:minimumPainDurationWeeks"
    assert '"3 months" is not a number' in weeks.message and "chronic" not in weeks.message
    [year] = _row_problems(tmp_path, year="Oct 2016")
    assert year.shape == "type" and year.path == "dcterms:issued" and "is not a year" in year.message
    [size] = _row_problems(tmp_path, sample_size="80.5")  # its shape checks the datatype and says so
    assert size.path == "exm:sampleSize" and "whole number" in size.message
    [low] = _row_problems(tmp_path, min_pain_weeks="6")  # the right type, out of range: the shape's message
    assert low.shape != "type" and "12 or more" in low.message


def test_a_duplicate_doi_is_shown_as_typed(tmp_path):
    from entry_helpers import GOOD_ROW, write_csv

    path = write_csv(tmp_path / "row.csv", GOOD_ROW | {"doi": "10.2519/JOSPT.2015.5021"})
    [problem] = [p for p in validate_entry(read_entry(path), load_kb_index()) if p.severity == "Violation"]
    assert problem.shape == "duplicate" and problem.value == "10.2519/JOSPT.2015.5021"
    assert "10.2519/JOSPT.2015.5021 is already in the knowledge base" in problem.message


def test_validate_writes_nothing_to_stderr_for_malformed_literals(tmp_path):
    import subprocess
    import sys

    bad = tmp_path / "bad.ttl"
    text = VALID_TRIAL.read_text().replace("exm:sampleSize 60", 'exm:sampleSize "6.5"^^xsd:integer')
    bad.write_text(text.replace('"2020"^^xsd:gYear', '"Oct 2016"^^xsd:date'))
    result = subprocess.run(
        [sys.executable, "-m", "exmech", "validate", str(bad)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 1 and result.stderr == "", result.stderr
    assert "exm:sampleSize" in result.stdout and "whole number" in result.stdout


def test_the_confidence_interval_rule_names_its_field():
    problems = validate_entry(read_entry(EXAMPLES / "invalid" / "Effect-ci-excludes-estimate.ttl"), {})
    [ci] = [p for p in problems if p.shape == "shp:EffectShape-ciContainsEstimate"]
    assert ci.path in ("exm:estimate", "exm:ciLower")


def test_the_instruments_reviewers_need_are_defined_sourced_and_found_by_their_abbreviations(tmp_path):
    from rdflib import URIRef
    from rdflib.namespace import SKOS

    from exmech.entries.field_checks import _choices, ontology_graph
    from exmech.entries.hints import nearest
    from exmech.graph.namespaces import EXM, INSTR

    graph = ontology_graph()
    typed = {
        "BBS": "berg-balance-scale",
        "Berg balance": "berg-balance-scale",
        "ALBPS": "aberdeen-lbp-scale",
        "Aberdeen": "aberdeen-lbp-scale",
        "single-leg stance": "single-leg-stance",
        "TUG": "timed-up-and-go",
        "EMG": "trunk-muscle-emg",
        "Biering-Sorensen": "trunk-extensor-endurance",
        "SF-12": "sf12",
        "EQ-5D": "eq5d",
        "EuroQol": "eq5d",
        "modified Oswestry": "modified-odi",
        "Quebec": "qbpds",
        "PSFS": "psfs",
        "Tampa": "tsk",
        "TSK-11": "tsk",
        "Quebec scale": "qbpds",
        "sit and reach": "sit-and-reach",
    }
    for text, local in typed.items():
        assert nearest(text, _choices(str(INSTR)))[:1] == [local], text
        term = INSTR[local]
        assert graph.value(term, SKOS.definition) and graph.value(term, EXM.measuresConstruct), local
    # the instruments added for this literature say where their definition was read
    for local in set(typed.values()) - {"sit-and-reach"}:
        sources = list(graph.objects(INSTR[local], URIRef("http://purl.org/dc/terms/source")))
        assert sources and all(str(s).startswith(("https://", "http://")) for s in sources), local
    [problem] = _row_problems(tmp_path, outcome_instrument="EQ5D-3L")
    assert "eq5d" in problem.message
