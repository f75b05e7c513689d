"""exmech validate / add / template on real files: formats, duplicates, hostile input, atomic and idempotent adds."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph
from typer.testing import CliRunner

from entry_helpers import kb_fixture, private_cache_fixture, tree_digest  # noqa: F401
from exmech.cli import app
from exmech.entries.form import COLUMNS, template_text
from exmech.entries.read import read_entry
from exmech.entries.validate import load_kb_index, validate_entry

runner = CliRunner()
EXAMPLES = Path(__file__).parent / "examples"
VALID = EXAMPLES / "valid" / "Study-minimal.ttl"


def test_template_lists_every_column(tmp_path):
    assert template_text().strip().split(",") == list(COLUMNS)
    result = runner.invoke(app, ["template", "-o", str(tmp_path / "t.csv")])
    assert result.exit_code == 0 and "mechanism_location" in result.output


def test_validate_exit_codes_and_formats():
    assert runner.invoke(app, ["validate", str(VALID)]).exit_code == 0
    bad = EXAMPLES / "invalid" / "Study-bad-doi.ttl"
    result = runner.invoke(app, ["validate", str(bad), "-f", "json"])
    assert result.exit_code == 1 and '"shape": "shp:PublicationShape-doi"' in result.output
    report = runner.invoke(app, ["validate", str(bad), "-f", "turtle"]).output
    assert "sh:ValidationResult" in report and Graph().parse(data=report, format="turtle")


def test_csv_problems_name_the_row():
    result = runner.invoke(app, ["validate", str(EXAMPLES / "invalid" / "Population-csv-not-chronic.csv")])
    assert (
        result.exit_code == 1 and "row 4:" in result.output and "PopulationShape-chronicity" in result.output
    )


def test_a_doi_already_stored_is_a_duplicate(tmp_path):
    entry = tmp_path / "dup.ttl"
    entry.write_text(
        VALID.read_text().replace('bibo:doi "10.5555/example"', 'bibo:doi "10.2522/ptj.20090218"')
    )
    problems = validate_entry(read_entry(entry), load_kb_index())
    dup = [p for p in problems if p.shape == "duplicate"]
    assert dup and "kb:costa2009-pub" in dup[0].message


def test_add_is_idempotent_and_conflicts_are_refused(kb, tmp_path):
    first = runner.invoke(app, ["add", str(VALID), "--kb", str(kb)])
    assert first.exit_code == 0 and "added as" in first.output
    stored = kb / "studies" / "ex.ttl"
    assert Graph().parse(stored).isomorphic(read_entry(VALID))
    digest = tree_digest(kb)
    again = runner.invoke(app, ["add", str(VALID), "--kb", str(kb)])
    assert again.exit_code == 0 and "unchanged" in again.output and tree_digest(kb) == digest
    other = tmp_path / "other.ttl"
    other.write_text(VALID.read_text().replace("exm:sampleSize 60", "exm:sampleSize 61"))
    clash = runner.invoke(app, ["add", str(other), "--kb", str(kb)])
    assert clash.exit_code == 1 and "different entry" in clash.output and tree_digest(kb) == digest


def test_invalid_entries_are_never_added(kb):
    digest = tree_digest(kb)
    result = runner.invoke(
        app, ["add", str(EXAMPLES / "invalid" / "Population-not-chronic.ttl"), "--kb", str(kb)]
    )
    assert result.exit_code == 1 and "not added" in result.output
    assert tree_digest(kb) == digest


def test_an_interrupted_add_leaves_the_store_as_it_was(kb, monkeypatch):
    digest = tree_digest(kb)

    def crash(*args):
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        from exmech.entries.kb_write import write_entry

        write_entry(read_entry(VALID), kb)
    assert tree_digest(kb) == digest
    assert not list(kb.rglob("*.tmp"))


def test_concurrent_adds_both_land(kb, tmp_path):
    entries = []
    for i in range(2):
        text = (
            VALID.read_text().replace("kb:ex", f"kb:conc{i}x").replace("10.5555/example", f"10.5555/conc{i}")
        )
        path = tmp_path / f"e{i}.ttl"
        path.write_text(text)
        entries.append(path)
    exe = [sys.executable, "-m", "exmech", "add"]
    procs = [
        subprocess.Popen(exe + [str(p), "--kb", str(kb)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for p in entries
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    for i in range(2):
        assert Graph().parse(kb / "studies" / f"conc{i}x.ttl")


_vocab_types = [
    "ResistanceExercise",
    "PilatesExercise",
    "YogaExercise",
    "WalkingExercise",
    "MotorControlExercise",
]


def _csv(tmp_path: Path, **cells) -> Path:
    import csv

    row = (
        {c: "" for c in COLUMNS}
        | {
            "slug": "prop2020",
            "title": "Property test entry",
            "year": "2020",
            "doi": "10.5555/prop",
            "source": "https://doi.org/10.5555/prop",
            "extraction": "AbstractOnly",
        }
        | cells
    )
    path = tmp_path / "entry.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(COLUMNS))
        w.writeheader()
        w.writerow(row)
    return path


@settings(max_examples=25, deadline=None)
@given(
    exercise=st.sampled_from(_vocab_types),
    n=st.integers(1, 5000),
    weeks=st.integers(1, 52),
    per_week=st.integers(1, 7),
    pain=st.integers(12, 520),
)
def test_property_valid_rows_conform(tmp_path_factory, exercise, n, weeks, per_week, pain):
    path = _csv(
        tmp_path_factory.mktemp("p"),
        exercise_type=exercise,
        sample_size=str(n),
        weeks=str(weeks),
        sessions_per_week=str(per_week),
        min_pain_weeks=str(pain),
    )
    assert [p for p in validate_entry(read_entry(path), {}) if p.severity == "Violation"] == []


@settings(max_examples=25, deadline=None)
@given(pain=st.integers(0, 11))
def test_property_short_pain_is_never_chronic(tmp_path_factory, pain):
    path = _csv(tmp_path_factory.mktemp("p"), exercise_type="YogaExercise", min_pain_weeks=str(pain))
    shapes = {p.shape for p in validate_entry(read_entry(path), {}) if p.severity == "Violation"}
    assert shapes == {"shp:PopulationShape-chronicity"}
