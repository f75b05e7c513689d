"""Time points written in weeks, months or years, in every entry format, are stored in weeks as the knowledge base's
files convert them; a unit in a weeks-only field is a type error that says what to write."""

import json
import re
from decimal import Decimal

import pytest
from openpyxl import Workbook
from rdflib import Graph, Literal
from rdflib.namespace import RDFS, XSD
from typer.testing import CliRunner

from entry_helpers import EXAMPLES, GOOD_ROW, private_cache_fixture, tree_digest, write_csv  # noqa: F401
from exmech.cli import app
from exmech.entries.form import COLUMNS
from exmech.entries.read import read_entry
from exmech.entries.time_points import in_weeks, written_time
from exmech.entries.validate import validate_entry
from exmech.entries.workbook import graph_to_sheets
from exmech.entries.workbook_files import write_workbook
from exmech.graph.namespaces import EXM, KB
from exmech.graph.resources import resource_dir

runner = CliRunner()
KB_DIR = resource_dir("ontology") / "kb"
M1 = KB["rowex2021-m1"]


def _weeks(graph: Graph, node=M1, prop=EXM.timePointWeeks):
    [value] = graph.objects(node, prop)
    return value


def _violations(graph: Graph) -> list:
    return [p for p in validate_entry(graph, {}) if p.severity == "Violation"]


def test_the_conversion_is_the_one_the_knowledge_base_files_state():
    """Every 'N months = M weeks' (or '(M weeks)', 'recorded as M weeks') the stored files state in whole weeks
    is what in_weeks gives; a few files instead give one decimal at 4.3 weeks a month (8.7 for 2 months)."""
    stated = re.compile(
        r"\b([0-9]+)[- ]months?,? (?:= |\(|\(?recorded as |\(?entered as |\(?converted to )([0-9.]+) weeks"
    )
    found = {}
    for path in sorted(KB_DIR.rglob("*.ttl")):
        for months, weeks in stated.findall(path.read_text(encoding="utf-8")):
            found.setdefault((months, weeks), path.name)
    whole = {k: v for k, v in found.items() if "." not in k[1]}
    assert len(whole) >= 5 and {("3", "13"), ("6", "26"), ("12", "52"), ("2", "9")} <= set(whole)
    for (months, weeks), name in whole.items():
        assert in_weeks(Decimal(months), "month") == Decimal(weeks), (months, weeks, name)
    assert in_weeks(Decimal(9), "month") == 39 and in_weeks(Decimal(1), "year") == 52
    assert in_weeks(Decimal("1.5"), "month") == 7 and in_weeks(Decimal("2.5"), "week") == Decimal("2.5")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("6 months", (6, "month")),
        ("3 mo", (3, "month")),
        ("3mo.", (3, "month")),
        ("12 Weeks", (12, "week")),
        ("1 year", (1, "year")),
        ("2.5 wks", (Decimal("2.5"), "week")),
        ("6", None),
        ("six months", None),
        ("6 fortnights", None),
        ("6 months later", None),
    ],
)
def test_written_time(text, expected):
    assert written_time(text) == (None if expected is None else (Decimal(expected[0]), expected[1]))


def test_the_one_row_form_takes_a_unit_in_the_cell_or_in_the_unit_column(tmp_path):
    in_cell = read_entry(write_csv(tmp_path / "a.csv", GOOD_ROW | {"outcome_weeks": "6 months"}))
    in_column = read_entry(
        write_csv(tmp_path / "b.csv", GOOD_ROW | {"outcome_weeks": "6", "outcome_time_unit": "months"})
    )
    assert _weeks(in_cell) == Literal(26, datatype=XSD.integer)
    assert set(in_cell) == set(in_column)
    [comment] = in_cell.objects(M1, RDFS.comment)
    assert "6 months" in comment and "26 weeks" in comment and "52/12" in comment
    assert _violations(in_cell) == []
    weeks = read_entry(write_csv(tmp_path / "c.csv", GOOD_ROW | {"outcome_weeks": "12 weeks"}))
    assert _weeks(weeks) == Literal(12, datatype=XSD.integer) and not list(weeks.objects(M1, RDFS.comment))
    book = Workbook()  # the one-row form as XLSX: a number cell and a unit cell
    book.active.append(list(COLUMNS))
    row = GOOD_ROW | {"outcome_weeks": 3, "outcome_time_unit": "mo"}
    book.active.append([row.get(c) or None for c in COLUMNS])
    book.save(tmp_path / "d.xlsx")
    assert _weeks(read_entry(tmp_path / "d.xlsx")) == Literal(13, datatype=XSD.integer)


def test_turtle_and_json_ld_take_a_unit_too(tmp_path):
    mediation = (EXAMPLES / "valid" / "Mediation-of-stored-trial.ttl").read_text(encoding="utf-8")
    path = tmp_path / "m.ttl"
    path.write_text(
        mediation.replace("exm:mediatorTimePointWeeks 10", 'exm:mediatorTimePointWeeks "3 months"').replace(
            "exm:outcomeTimePointWeeks 10", 'exm:outcomeTimePointWeeks "1 year"'
        ),
        encoding="utf-8",
    )
    graph = read_entry(path)
    ma = KB["exmed2024-ma1"]
    assert _weeks(graph, ma, EXM.mediatorTimePointWeeks).value == 13
    assert _weeks(graph, ma, EXM.outcomeTimePointWeeks).value == 52
    comments = {str(c) for c in graph.objects(ma, RDFS.comment)}
    assert any(c.startswith("mediator time point written as 3 months") for c in comments)
    assert any(c.startswith("outcome time point written as 1 year") for c in comments)
    doc = json.loads((EXAMPLES / "valid" / "Study-jsonld.jsonld").read_text(encoding="utf-8"))
    doc["@graph"].append(
        {
            "id": "kb:jsonex2020-m1",
            "type": "OutcomeMeasurement",
            "inStudy": "kb:jsonex2020",
            "construct": "outc:disability",
            "timePointWeeks": "6 months",
        }
    )
    jsonld = tmp_path / "e.jsonld"
    jsonld.write_text(json.dumps(doc), encoding="utf-8")
    entry = read_entry(jsonld)
    assert _weeks(entry, KB["jsonex2020-m1"]).value == 26 and _violations(entry) == []


def test_a_workbook_takes_a_unit_and_round_trips(tmp_path):
    stored = Graph().parse(KB_DIR / "studies" / "sherman2011.ttl", format="turtle")
    folder = tmp_path / "book"
    write_workbook(graph_to_sheets(stored), folder)
    sheet = folder / "measurements.csv"
    lines = sheet.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    assert header.index("time_unit") == header.index("weeks") + 1
    cells = next(csv_row for csv_row in (line.split(",") for line in lines[1:]) if csv_row[0].endswith("-m1"))
    node = KB[cells[0]]
    cells[header.index("weeks")], cells[header.index("time_unit")] = "3", "months"
    lines[[line.split(",")[0] for line in lines].index(cells[0])] = ",".join(cells)
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    graph = read_entry(folder)
    assert _weeks(graph, node).value == 13
    assert any("3 months" in str(c) for c in graph.objects(node, RDFS.comment))
    again = tmp_path / "again"
    write_workbook(graph_to_sheets(graph), again)
    assert set(read_entry(again)) == set(graph)


def test_a_unit_in_a_weeks_only_field_is_a_type_error_saying_what_to_write(tmp_path):
    for column, prop, write in (
        ("min_pain_weeks", "exm:minimumPainDurationWeeks", "write 13"),
        ("weeks", "exm:programmeDurationWeeks", "write 26"),
    ):
        value = "3 months" if column == "min_pain_weeks" else "6 months"
        entry = read_entry(write_csv(tmp_path / "e.csv", GOOD_ROW | {column: value}))
        [problem] = _violations(entry)
        assert problem.shape == "type" and problem.path == prop, problem
        assert f'"{value}" is not a number' in problem.message and write in problem.message
        assert "weeks only" in problem.message and "chronic" not in problem.message
    [typo] = _violations(read_entry(write_csv(tmp_path / "t.csv", GOOD_ROW | {"outcome_weeks": "6 monts"})))
    assert typo.shape == "type" and typo.path == "exm:timePointWeeks" and "time point" in typo.message


def test_adding_the_same_time_point_written_another_way_changes_nothing(tmp_path):
    kb = tmp_path / "kb"
    kb.mkdir()
    first = write_csv(tmp_path / "a.csv", GOOD_ROW | {"outcome_weeks": "6 months"})
    assert runner.invoke(app, ["add", str(first), "--kb", str(kb)]).exit_code == 0
    digest = tree_digest(kb)
    second = write_csv(tmp_path / "b.csv", GOOD_ROW | {"outcome_weeks": "6", "outcome_time_unit": "mo"})
    again = runner.invoke(app, ["add", str(second), "--kb", str(kb)])
    assert again.exit_code == 0 and "already present" in again.output and tree_digest(kb) == digest
