"""The multi-sheet workbook: every stored trial round-trips (template --from, validate, add to an empty folder),
problems name sheet, row, column and field, and the workbook's bad input keeps the entry guarantees."""

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from entry_helpers import private_cache_fixture  # noqa: F401
from exmech.cli import app
from exmech.entries.read import EntryError, read_entry
from exmech.entries.workbook import graph_to_sheets
from exmech.entries.workbook_files import write_workbook
from exmech.graph.resources import resource_dir

runner = CliRunner()
KB_DIR = resource_dir("ontology") / "kb"
STUDIES = sorted((KB_DIR / "studies").glob("*.ttl"))
MEDIATION = sorted((KB_DIR / "mediation").glob("*.ttl"))


def test_every_stored_trial_and_mediation_file_round_trips_through_csv_sheets(tmp_path):
    assert len(STUDIES) > 150 and len(MEDIATION) > 5
    for path in STUDIES + MEDIATION:
        stored = Graph().parse(path, format="turtle")
        folder = tmp_path / path.stem
        write_workbook(graph_to_sheets(stored), folder)
        assert isomorphic(read_entry(folder), stored), path.name


def test_three_arm_and_mediation_trials_round_trip_through_xlsx(tmp_path):
    for path in (KB_DIR / "studies" / "sherman2011.ttl", MEDIATION[0]):
        stored = Graph().parse(path, format="turtle")
        out = tmp_path / f"{path.stem}.xlsx"
        result = runner.invoke(app, ["template", "--from", path.stem, "-o", str(out), "--kb", str(KB_DIR)])
        assert result.exit_code == 0, result.output
        assert isomorphic(read_entry(out), stored), path.name
        again = tmp_path / "again.xlsx"
        runner.invoke(app, ["template", "--from", path.stem, "-o", str(again), "--kb", str(KB_DIR)])
        assert again.read_bytes() == out.read_bytes(), "the same trial must give the same workbook"


@pytest.mark.slow
def test_every_stored_trial_added_from_its_workbook_to_an_empty_folder_reproduces_the_stored_graph(tmp_path):
    books = tmp_path / "books"
    for path in STUDIES + MEDIATION:
        write_workbook(
            graph_to_sheets(Graph().parse(path, format="turtle")), books / path.parent.name / path.stem
        )
    kb = tmp_path / "kb"
    kb.mkdir()
    for folder in ("studies", "mediation"):  # the trials first: the analyses point at them
        result = runner.invoke(app, ["add", *map(str, sorted((books / folder).iterdir())), "--kb", str(kb)])
        assert result.exit_code == 0, result.output[-3000:]
    for path in STUDIES + MEDIATION:
        added = kb / path.parent.name / path.name
        assert isomorphic(Graph().parse(added), Graph().parse(path)), path.name
    again = runner.invoke(app, ["add", str(books / "studies" / "sherman2011"), "--kb", str(kb)])
    assert again.exit_code == 0 and "already present" in again.output


def _book(tmp_path: Path, **changes) -> Path:
    folder = tmp_path / "book"
    stored = Graph().parse(KB_DIR / "studies" / "sherman2011.ttl", format="turtle")
    write_workbook(graph_to_sheets(stored), folder)
    for name, (old, new) in changes.items():
        sheet = folder / f"{name}.csv"
        sheet.write_text(sheet.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return folder


def test_a_problem_names_sheet_row_column_and_field(tmp_path):
    folder = _book(tmp_path, arms=(",92", ",ninety-two"), measurements=("disability", "function"))
    (tmp_path / "empty").mkdir()
    result = runner.invoke(app, ["validate", str(folder), "--kb", str(tmp_path / "empty")])
    lines = [x.strip() for x in result.output.splitlines() if x.strip().startswith("Violation")]
    assert result.exit_code == 1, result.output
    [size] = [x for x in lines if "arm_size" in x]
    assert "row 2:" in size and "sheet arms, column arm_size (exm:armSampleSize)" in size
    assert "ninety-two" in size and "whole number" in size
    [construct] = [x for x in lines if "construct" in x]
    assert "sheet measurements, column construct (exm:ofConstruct)" in construct and "disability" in construct


def test_unknown_sheets_columns_and_bad_ids_are_exit_2_naming_where(tmp_path):
    folder = _book(tmp_path, arms=("arm_size", "arm_sise"))
    with pytest.raises(EntryError, match=r"sheet arms, row 1: unknown or missing column\(s\) arm_sise"):
        read_entry(folder)
    (folder / "arms.csv").unlink()
    (folder / "notes.csv").write_text("id\nx\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 2 and "notes.csv" in result.output and "Traceback" not in result.output
    (folder / "notes.csv").unlink()
    trials = folder / "trials.csv"
    trials.write_text(
        trials.read_text(encoding="utf-8").replace("sherman2011,", "Sherman 2011,", 1), encoding="utf-8"
    )
    with pytest.raises(EntryError, match=r"sheet trials, row 2, column id: 'Sherman 2011' is not an id"):
        read_entry(folder)


def test_the_empty_workbook_has_every_sheet_with_its_columns_and_the_help_sheet(tmp_path):
    from openpyxl import load_workbook

    from exmech.entries.model import SHEETS, columns

    out = tmp_path / "form.xlsx"
    result = runner.invoke(app, ["template", "--sheets", "-o", str(out)])
    assert result.exit_code == 0, result.output
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == [s.name for s in SHEETS] + ["help"]
    for sheet in SHEETS:
        assert [c.value for c in next(book[sheet.name].iter_rows())] == columns(sheet)
    assert runner.invoke(app, ["template", "--sheets"]).exit_code == 2  # needs -o
    with pytest.raises(EntryError, match="holds no rows"):
        read_entry(out)


# GOOD_ROW (tests/entry_helpers.py) written by hand as the workbook rows the one-row form stands for
SAME_TRIAL = {
    "trials": "id,label,reported_in,population,arms,sample_size,registration,extraction,source\n"
    "rowex2021,Rowex 2021: yoga vs education,rowex2021-pub,rowex2021-pop,rowex2021-arm1 | rowex2021-arm2,80,"
    "NCT05555555,AbstractOnly,https://doi.org/10.5555/rowex\n",
    "publications": "id,title,authors,year,journal,doi,pmid,source\n"
    "rowex2021-pub,A made-up spreadsheet entry,Rowex A,2021,Example Journal,10.5555/rowex,5555555,"
    "https://doi.org/10.5555/rowex\n",
    "populations": "id,min_pain_weeks,source\nrowex2021-pop,12,https://doi.org/10.5555/rowex\n",
    "arms": "id,receives\nrowex2021-arm1,rowex2021-int1\nrowex2021-arm2,rowex2021-int2\n",
    "interventions": "id,class,label,sessions_per_week,session_minutes,weeks,supervision,source\n"
    "rowex2021-int1,YogaExercise,Hatha yoga,2,60,12,Supervised,https://doi.org/10.5555/rowex\n"
    "rowex2021-int2,HandsOffControl,Education booklet,,,,,\n",
    "measurements": "id,class,trial,construct,instrument,weeks,time_unit\n"
    "rowex2021-m1,OutcomeMeasurement,rowex2021,disability,rmdq,3,months\n",
    "claims": "id,trial,intervention,mechanism,location,statement,derived_from\n"
    'rowex2021-claim1,rowex2021,rowex2021-int1,self-efficacy,"Discussion, paragraph 2",made-up paraphrase,'
    "https://doi.org/10.5555/rowex\n",
}


def test_the_same_trial_as_one_row_and_as_a_workbook_is_one_entry(tmp_path):
    from entry_helpers import GOOD_ROW, tree_digest, write_csv

    row = write_csv(tmp_path / "row.csv", GOOD_ROW | {"outcome_weeks": "3 months"})
    book = tmp_path / "book"
    book.mkdir()
    for name, text in SAME_TRIAL.items():
        (book / f"{name}.csv").write_text(text, encoding="utf-8")
    assert set(read_entry(row)) == set(read_entry(book))
    for first, second in ((row, book), (book, row)):
        kb = tmp_path / f"kb-{first.name}"
        kb.mkdir()
        added = runner.invoke(app, ["add", str(first), "--kb", str(kb)])
        assert added.exit_code == 0 and "added as" in added.output, added.output
        digest = tree_digest(kb)
        again = runner.invoke(app, ["add", str(second), "--kb", str(kb)])
        assert again.exit_code == 0, again.output
        assert "already present" in again.output and tree_digest(kb) == digest
