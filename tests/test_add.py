"""exmech add: only valid entries land, all or nothing per file, under a lock, idempotent, and the store stays valid."""

import os
import subprocess
import sys

import pytest
from rdflib import Graph
from typer.testing import CliRunner

from entry_helpers import (  # noqa: F401
    GOOD_ROW,
    STORED_MEDIATION,
    VALID_TRIAL,
    copy_kb,
    kb_fixture,
    private_cache_fixture,
    tree_digest,
    write_csv,
)
from exmech.checks.shapes import validate as shacl_validate
from exmech.cli import app
from exmech.entries.read import read_entry
from exmech.graph.load import load_graph

runner = CliRunner()


def add(*args):
    return runner.invoke(app, ["add", *map(str, args)])


@pytest.mark.slow  # checks the whole graph with the new file
def test_a_mediation_analysis_of_a_stored_trial_is_added_to_mediation(kb):
    result = add(STORED_MEDIATION, "--kb", kb)
    assert result.exit_code == 0, result.output
    stored = kb / "mediation" / "exmed2024.ttl"
    assert Graph().parse(stored).isomorphic(read_entry(STORED_MEDIATION))
    graph = load_graph(kb)  # the whole store, with the new file, still loads and has no new violation
    assert not [
        p for p in shacl_validate(graph) if p.severity == "Violation" and p.focus.startswith("kb:exmed")
    ]


def test_two_files_with_the_same_doi_in_one_add_only_the_first_lands(kb, tmp_path):
    first = write_csv(tmp_path / "a.csv", GOOD_ROW)
    second = write_csv(tmp_path / "b.csv", GOOD_ROW | {"slug": "rowdup2021"})
    result = add(first, second, "--kb", kb)
    assert result.exit_code == 1
    assert (kb / "studies" / "rowex2021.ttl").exists() and not (kb / "studies" / "rowdup2021.ttl").exists()
    assert "b.csv: not added" in result.output and "a duplicate" in result.output


def test_concurrent_adds_of_the_same_trial_under_two_slugs_let_exactly_one_in(kb, tmp_path):
    paths = [write_csv(tmp_path / f"{i}.csv", GOOD_ROW | {"slug": f"race{i}x2021"}) for i in range(2)]
    exe = [sys.executable, "-m", "exmech", "add"]
    procs = [
        subprocess.Popen(
            [*exe, str(p), "--kb", str(kb)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=os.environ | {"EXMECH_CACHE_DIR": str(tmp_path / f"cache{i}")},
        )
        for i, p in enumerate(paths)
    ]
    codes = sorted(p.wait(timeout=180) for p in procs)
    assert codes == [0, 1]
    assert len(list((kb / "studies").glob("race*x2021.ttl"))) == 1


def test_a_multi_trial_spreadsheet_is_one_file_all_or_nothing(kb, tmp_path):
    rows = [
        GOOD_ROW,
        GOOD_ROW | {"slug": "rowtwo2022", "doi": "10.5555/rowtwo", "pmid": "", "registration": ""},
    ]
    sheet = write_csv(tmp_path / "two.csv", *rows)
    bad = write_csv(
        tmp_path / "bad.csv",
        rows[0] | {"slug": "rowbad2021", "doi": "10.5555/rowbad", "pmid": "", "registration": ""},
        rows[1] | {"slug": "rowbad2022", "doi": "10.5555/bad2", "min_pain_weeks": "4"},
    )
    digest = tree_digest(kb)
    refused = add(bad, "--kb", kb)
    assert refused.exit_code == 1 and "row 3:" in refused.output and tree_digest(kb) == digest
    assert add(sheet, "--kb", kb).exit_code == 0
    stored = Graph().parse(kb / "studies" / "rowex2021.ttl")
    assert len(set(stored.subjects(None, None))) > 10 and "rowtwo2022" in stored.serialize(format="turtle")


def test_an_unreadable_file_stops_the_add_before_anything_is_written(kb, tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text("kb:x a")
    digest = tree_digest(kb)
    result = add(VALID_TRIAL, broken, "--kb", kb)
    assert result.exit_code == 2 and "broken.ttl" in result.output and tree_digest(kb) == digest


def test_adding_twice_is_a_no_op_also_for_spreadsheets(kb, tmp_path):
    sheet = write_csv(tmp_path / "one.csv", GOOD_ROW)
    assert add(sheet, "--kb", kb).exit_code == 0
    digest = tree_digest(kb)
    again = add(sheet, "--kb", kb)
    assert again.exit_code == 0 and "unchanged" in again.output and tree_digest(kb) == digest


def _stored_turtle(kb_dir) -> dict:
    """What the store consists of: its *.ttl files (a killed writer's hidden .tmp file is never loaded)."""
    return {p.relative_to(kb_dir).as_posix(): p.read_bytes() for p in kb_dir.rglob("*.ttl")}


def test_a_killed_add_leaves_the_store_as_before_or_fully_updated(tmp_path):
    """SIGKILL a real `exmech add` at several moments: never a partial entry."""
    kb_dir = copy_kb(tmp_path)
    before = _stored_turtle(kb_dir)
    target = kb_dir / "studies" / "ex.ttl"
    env = os.environ | {"EXMECH_CACHE_DIR": str(tmp_path / "cache")}
    for delay in (0.05, 0.5, 1.0, 1.5, 2.5):
        proc = subprocess.Popen(
            [sys.executable, "-m", "exmech", "add", str(VALID_TRIAL), "--kb", str(kb_dir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        after = _stored_turtle(kb_dir)
        if target.exists():  # fully updated: the whole entry, nothing else changed
            assert Graph().parse(target).isomorphic(read_entry(VALID_TRIAL))
            after.pop("studies/ex.ttl")
            target.unlink()
        assert after == before


JSONLD_TRIAL = VALID_TRIAL.parent / "Study-jsonld.jsonld"


def test_a_json_ld_entry_added_twice_is_already_present_and_still_validates(kb):
    """JSON-LD numbers arrive as "12"^^xsd:decimal; the stored Turtle writes 12.0: compared by value, not text."""
    first = add(JSONLD_TRIAL, "--kb", kb)
    assert first.exit_code == 0 and "added as" in first.output, first.output
    digest = tree_digest(kb)
    second = add(JSONLD_TRIAL, "--kb", kb)
    assert second.exit_code == 0 and "already present" in second.output, second.output
    assert tree_digest(kb) == digest
    again = runner.invoke(app, ["validate", str(JSONLD_TRIAL), "--kb", str(kb)])
    assert again.exit_code == 0, again.output


def test_add_leaves_nothing_in_the_kb_folder_but_the_trial_file(kb, tmp_path):
    before = {p.relative_to(kb) for p in kb.rglob("*")}
    refused = write_csv(tmp_path / "bad.csv", GOOD_ROW | {"exercise_type": "NoSuchExercise"})
    assert add(refused, "--kb", kb).exit_code == 1
    assert {p.relative_to(kb) for p in kb.rglob("*")} == before, "a refused add changed the kb folder"
    assert add(VALID_TRIAL, "--kb", kb).exit_code == 0
    new = {p.relative_to(kb) for p in kb.rglob("*")} - before
    assert [p.parent.name for p in new] == ["studies"] and all(p.suffix == ".ttl" for p in new), new


def test_a_new_file_gets_the_permissions_of_the_files_beside_it(kb):
    for path in (kb / "studies").glob("*.ttl"):
        path.chmod(0o640)
    assert add(VALID_TRIAL, "--kb", kb).exit_code == 0
    modes = {p.name: p.stat().st_mode & 0o777 for p in (kb / "studies").glob("*.ttl")}
    assert set(modes.values()) == {0o640}, modes


def test_curator_date_file_and_the_entry_files_comments_are_kept(kb, tmp_path):
    from rdflib import URIRef
    from rdflib.namespace import PROV

    entry = tmp_path / "noted.ttl"
    entry.write_text("# read: full text, Table 2 for the arms\n" + VALID_TRIAL.read_text(), encoding="utf-8")
    bad = add(entry, "--kb", kb, "--curator", "not-an-orcid")
    assert bad.exit_code == 2 and "ORCID" in bad.output and "Traceback" not in bad.output
    result = add(entry, "--kb", kb, "--curator", "0000-0002-1825-0097")
    assert result.exit_code == 0, result.output
    [stored] = (kb / "studies").glob("ex.ttl")
    text = stored.read_text(encoding="utf-8")
    assert text.startswith("# Entry added with `exmech add` from noted.ttl on ")
    assert "# read: full text, Table 2 for the arms" in text
    graph = Graph().parse(stored)
    [activity] = graph.subjects(PROV.wasAssociatedWith, URIRef("https://orcid.org/0000-0002-1825-0097"))
    assert str(activity).endswith("ex-addition") and graph.value(activity, PROV.endedAtTime) is not None
    digest = tree_digest(kb)
    again = add(entry, "--kb", kb, "--curator", "0000-0002-1825-0097")
    assert again.exit_code == 0 and "already present" in again.output and tree_digest(kb) == digest
