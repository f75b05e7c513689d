"""The same entry written as Turtle, JSON-LD, CSV or XLSX reads to the same graph; the forms are documented."""

import json

import pytest
from openpyxl import Workbook, load_workbook
from rdflib import Graph
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from entry_helpers import EXAMPLES, GOOD_ROW, private_cache_fixture, write_csv  # noqa: F401
from exmech.cli import app
from exmech.entries.form import COLUMNS
from exmech.entries.read import CONTEXT_IRI, EntryError, read_entry
from exmech.entries.validate import validate_entry

runner = CliRunner()


def write_xlsx(path, *rows: dict):
    book = Workbook()
    book.active.append(list(COLUMNS))
    for row in rows:
        book.active.append([_typed(row.get(c, "")) for c in COLUMNS])
    book.save(path)
    return path


def _typed(value: str):
    """Spreadsheets hold numbers as numbers."""
    return int(value) if value.isdigit() and not value.startswith("0") else (value or None)


def test_xlsx_and_csv_rows_read_to_the_same_graph(tmp_path):
    from_csv = read_entry(write_csv(tmp_path / "e.csv", GOOD_ROW))
    from_xlsx = read_entry(write_xlsx(tmp_path / "e.xlsx", GOOD_ROW))
    assert isomorphic(from_csv, from_xlsx)
    assert from_xlsx.entry_rows == {"rowex2021": 2}
    assert [p for p in validate_entry(from_xlsx, {}) if p.severity == "Violation"] == []


def test_template_writes_csv_and_xlsx_forms_with_every_column(tmp_path):
    assert runner.invoke(app, ["template", "-o", str(tmp_path / "t.xlsx")]).exit_code == 0
    book = load_workbook(tmp_path / "t.xlsx")
    assert [c.value for c in book["entries"][1]] == list(COLUMNS)
    assert {r[0].value for r in book["columns"].iter_rows(min_row=2)} == set(COLUMNS)
    stdout = runner.invoke(app, ["template"]).output
    assert stdout.strip().split(",") == list(COLUMNS)


def test_an_empty_template_is_a_clear_error_not_an_empty_entry(tmp_path):
    runner.invoke(app, ["template", "-o", str(tmp_path / "t.csv")])
    runner.invoke(app, ["template", "-o", str(tmp_path / "t.xlsx")])
    for name in ("t.csv", "t.xlsx"):
        with pytest.raises(EntryError, match="no entry rows"):
            read_entry(tmp_path / name)


def test_jsonld_with_natural_keys_equals_the_turtle_entry():
    jsonld = read_entry(EXAMPLES / "valid" / "Study-jsonld.jsonld")
    turtle = Graph().parse(
        data="""
        @prefix exm: <https://w3id.org/exmech/ontology/> . @prefix kb: <https://w3id.org/exmech/kb/> .
        @prefix dcterms: <http://purl.org/dc/terms/> . @prefix bibo: <http://purl.org/ontology/bibo/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        kb:jsonex2020 a exm:RandomisedControlledTrial ; rdfs:label "JSON example 2020: yoga vs education" ;
            exm:reportedIn kb:jsonex2020-pub ; exm:sampleSize 40 ; exm:hasPopulation kb:jsonex2020-pop ;
            exm:hasArm kb:jsonex2020-arm1 ; exm:mechanismExtraction exm:AbstractOnly ;
            dcterms:source <https://doi.org/10.5555/jsonex> .
        kb:jsonex2020-pub a bibo:AcademicArticle ; dcterms:title "A made-up JSON-LD test entry" ;
            dcterms:issued "2020"^^xsd:gYear ; bibo:doi "10.5555/jsonex" .
        kb:jsonex2020-pop a exm:Population ; exm:minimumPainDurationWeeks "12"^^xsd:decimal .
        kb:jsonex2020-arm1 a exm:Arm ; exm:receives kb:jsonex2020-int1 .
        kb:jsonex2020-int1 a exm:YogaExercise ; rdfs:label "yoga" ; exm:sessionsPerWeek "1"^^xsd:decimal ;
            exm:supervision exm:Supervised .
    """,
        format="turtle",
    )
    assert isomorphic(jsonld, turtle)


def test_jsonld_may_name_the_shipped_context_by_its_short_name_or_inline_it(tmp_path):
    doc = json.loads((EXAMPLES / "valid" / "Study-jsonld.jsonld").read_text())
    reference = read_entry(EXAMPLES / "valid" / "Study-jsonld.jsonld")
    for context in ("exmech", [CONTEXT_IRI], {"@import": CONTEXT_IRI}):
        path = tmp_path / "e.jsonld"
        path.write_text(json.dumps(doc | {"@context": context}))
        assert isomorphic(read_entry(path), reference), context


def test_an_unknown_jsonld_key_is_caught_as_an_unknown_property(tmp_path):
    doc = json.loads((EXAMPLES / "valid" / "Study-jsonld.jsonld").read_text())
    doc["@graph"][0]["sampelSize"] = 40
    path = tmp_path / "typo.jsonld"
    path.write_text(json.dumps(doc))
    [problem] = [p for p in validate_entry(read_entry(path), {}) if p.severity == "Violation"]
    assert problem.path == "exm:sampelSize" and "sampleSize" in problem.message


def test_csv_notes_blank_rows_and_bom_are_tolerated(tmp_path):
    path = write_csv(tmp_path / "e.csv", GOOD_ROW)
    text = path.read_text(encoding="utf-8")
    path.write_bytes("\ufeff# notes for the reviewer\n".encode() + text.encode() + b",,,\n")
    graph = read_entry(path)
    assert graph.entry_rows == {"rowex2021": 3}


@pytest.mark.parametrize(
    "change, message",
    [
        ({"slug": "Row Ex"}, "column slug"),
        ({"slug": "row-ex2021"}, "column slug"),
    ],
)
def test_csv_row_errors_name_file_row_and_column(tmp_path, change, message):
    path = write_csv(tmp_path / "e.csv", GOOD_ROW | change)
    with pytest.raises(EntryError, match=rf"e.csv: row 2: {message}"):
        read_entry(path)


def test_csv_header_errors_name_the_columns(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("slug,title,source,exercise_type,colour\nab2020,t,https://x.org,YogaExercise,red\n")
    with pytest.raises(EntryError, match="row 1: unknown column.*colour"):
        read_entry(path)


def test_ntriples_entries_are_read_too(tmp_path):
    path = tmp_path / "e.nt"
    path.write_text(read_entry(EXAMPLES / "valid" / "Study-minimal.ttl").serialize(format="nt"))
    assert isomorphic(read_entry(path), read_entry(EXAMPLES / "valid" / "Study-minimal.ttl"))


def test_every_column_of_the_one_row_form_is_mapped(tmp_path):
    """A column added to COLUMNS without a cell of the workbook in VIEW would be silently ignored: fail instead.
    Every column maps onto a real workbook column, and filling it changes the graph."""
    from exmech.entries.form import COLUMNS, VIEW
    from exmech.entries.model import SHEET_BY_NAME, columns

    unmapped = [c for c in COLUMNS if c not in ("slug", "source") and c not in VIEW]
    assert not unmapped, f"columns of COLUMNS that the one-row form never reads: {unmapped}"
    for column, (sheet, _, target) in VIEW.items():
        assert target in columns(SHEET_BY_NAME[sheet]), (column, sheet, target)
    filled = GOOD_ROW | {"outcome_weeks": "3", "outcome_time_unit": "mo"}
    full = read_entry(write_csv(tmp_path / "full.csv", filled))
    for column in [*VIEW, "source"]:
        if column in ("exercise_type", "title"):  # required: an empty one is a problem the shapes report
            continue
        less = read_entry(write_csv(tmp_path / "less.csv", filled | {column: ""}))
        assert set(less) != set(full), f"column {column} of the one-row form does not reach the graph"


def test_a_one_row_problem_names_its_row_and_column(tmp_path):
    path = write_csv(
        tmp_path / "e.csv", GOOD_ROW | {"outcome_weeks": "6 monts", "comparator_type": "TrueControll"}
    )
    result = runner.invoke(app, ["validate", str(path)])
    lines = [x.strip() for x in result.output.splitlines() if x.strip().startswith("Violation")]
    assert result.exit_code == 1 and len(lines) == 2, result.output
    [weeks] = [x for x in lines if "timePointWeeks" in x]
    assert "row 2:" in weeks and "column outcome_weeks:" in weeks and "6 monts" in weeks
    [comparator] = [x for x in lines if "TrueControll" in x]
    assert "row 2:" in comparator and "column comparator_type:" in comparator and "TrueControl" in comparator
