"""Formula injection: stored text such as =HYPERLINK(...), +cmd, @SUM(...) comes out of every CSV/TSV/XLSX the
project writes with a single quote in front (and quoted, in CSV), so a spreadsheet shows it and never runs it;
numbers that start with '-' stay numbers; the RDF outputs (SPARQL JSON) keep the raw value."""

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from typer.testing import CliRunner

from exmech.cli import app
from exmech.outputs.cells import csv_cell, escape_text
from exmech.outputs.results import render_rows

runner = CliRunner()
PATHS_KB = Path(__file__).parent / "fixtures" / "paths-kb"
HOSTILE = [
    '=HYPERLINK("http://127.0.0.1/x?leak="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\uff1d1+1",  # full-width =
    "\uff0b1",
    "\uff0d1",
    "\uff20SUM(1)",
]
SAFE = ["plain text", "self-efficacy", "a = b", "", "'already quoted"]


@pytest.fixture(scope="module")
def hostile_kb(tmp_path_factory) -> Path:
    kb = tmp_path_factory.mktemp("kb")
    lines = [f"<urn:x:s{i}> <urn:x:p> {Literal(text).n3()} ." for i, text in enumerate(HOSTILE)]
    lines += [
        '<urn:x:n1> <urn:x:p> "-0.88"^^<http://www.w3.org/2001/XMLSchema#decimal> .',
        '<urn:x:n2> <urn:x:p> "-12"^^<http://www.w3.org/2001/XMLSchema#integer> .',
        '<urn:x:n3> <urn:x:p> "=1+1"^^<http://www.w3.org/2001/XMLSchema#decimal> .',  # ill-typed: text
        '<urn:x:t1> <urn:x:p> "-fear"@en .',
    ]
    (kb / "hostile.ttl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return kb


@pytest.fixture(scope="module")
def values_query(tmp_path_factory) -> Path:
    rq = tmp_path_factory.mktemp("rq") / "values.rq"
    rq.write_text("SELECT ?s ?v WHERE { ?s <urn:x:p> ?v }\n", encoding="utf-8")
    return rq


def cells(output: str) -> dict[str, str]:
    """Subject -> value of a two-column CSV answer, as a spreadsheet's CSV reader sees it."""
    return {row["s"]: row["v"] for row in csv.DictReader(io.StringIO(output))}


def test_query_csv_escapes_formulas_and_keeps_numbers(hostile_kb, values_query):
    result = runner.invoke(app, ["query", str(values_query), "-f", "csv", "--kb", str(hostile_kb)])
    assert result.exit_code == 0, result.output
    got = cells(result.output)
    for i, text in enumerate(HOSTILE):
        assert got[f"urn:x:s{i}"] == "'" + text
    assert got["urn:x:n1"] == "-0.88" and got["urn:x:n2"] == "-12"
    assert got["urn:x:n3"] == "'=1+1" and got["urn:x:t1"] == "'-fear"
    lines = result.output.splitlines()
    assert "urn:x:n1,-0.88" in lines  # a number, unquoted
    assert "urn:x:s1,\"'+cmd|' /C calc'!A0\"" in lines  # escaped and quoted (OWASP)


def test_query_tsv_escapes_formulas_inside_the_literal(hostile_kb, values_query):
    result = runner.invoke(app, ["query", str(values_query), "-f", "tsv", "--kb", str(hostile_kb)])
    assert result.exit_code == 0, result.output
    rows = dict(line.split("\t") for line in result.output.splitlines()[1:])
    assert len(rows) == len(HOSTILE) + 4  # a tab or CR in a value does not break its row
    assert rows["<urn:x:s0>"] == '"\'=HYPERLINK(\\"http://127.0.0.1/x?leak=\\"&A1,\\"click\\")"'
    assert rows["<urn:x:s4>"] == '"\'\\t=1+1"' and rows["<urn:x:s5>"] == '"\'\\r=1+1"'
    assert rows["<urn:x:n1>"] == '"-0.88"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    assert rows["<urn:x:t1>"] == '"\'-fear"@en'


def test_json_results_keep_the_raw_values(hostile_kb, values_query):
    result = runner.invoke(app, ["query", str(values_query), "-f", "json", "--kb", str(hostile_kb)])
    bindings = json.loads(result.output)["results"]["bindings"]
    assert {b["v"]["value"] for b in bindings} >= set(HOSTILE)


def test_render_rows_csv_is_what_the_endpoint_serves():
    table = [[Literal(text)] for text in [*HOSTILE, *SAFE]] + [[Literal("-0.88", datatype=XSD.decimal)]]
    table += [[URIRef("urn:x:a")], [None]]
    values = [row[0] for row in csv.reader(io.StringIO(render_rows(["v"], table, "csv")))][1:]
    assert values == ["'" + t for t in HOSTILE] + SAFE + ["-0.88", "urn:x:a", ""]


@pytest.mark.parametrize("value", [-0.88, -1, 0.5, Literal("-1.5e3", datatype=XSD.double)])
def test_numbers_stay_numbers(value):
    assert not csv_cell(value).startswith(("'", '"'))


@pytest.fixture(scope="module")
def hostile_paths_kb(tmp_path_factory) -> Path:
    kb = tmp_path_factory.mktemp("paths-kb")
    for f in PATHS_KB.iterdir():
        shutil.copy(f, kb / f.name)
    review = kb / "paths-review.ttl"
    review.write_text(
        review.read_text(encoding="utf-8").replace('"fixture leg pain"', '"=HYPERLINK(\\"http://x\\")"'),
        encoding="utf-8",
    )
    return kb


def test_export_csv_escapes_labels(hostile_paths_kb, tmp_path):
    result = runner.invoke(app, ["export", "-f", "csv", "-o", str(tmp_path), "--kb", str(hostile_paths_kb)])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "paths-nodes.csv").read_text(encoding="utf-8")
    nodes = {row["id"]: row for row in csv.DictReader(io.StringIO(text))}
    assert nodes["outc:fixture-paths-leg-pain"]["label"] == '\'=HYPERLINK("http://x")'
    assert '"\'=HYPERLINK(""http://x"")"' in text
    edges = list(csv.DictReader((tmp_path / "paths-edges.csv").read_text(encoding="utf-8").splitlines()))
    assert all(e["weight"].isdigit() for e in edges)


def test_paths_csv_keeps_negative_effects_as_numbers():
    result = runner.invoke(app, ["paths", "-f", "csv", "--kb", str(PATHS_KB), "--min-evidence", "tested"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    negative = [r["indirect"] for r in rows if r["indirect"].startswith("-")]
    assert negative and all(float(v) < 0 for v in negative)  # not '-0.3, which a spreadsheet reads as text
    assert "'-" not in result.output


def test_the_xlsx_template_holds_no_formula(tmp_path):
    form = tmp_path / "form.xlsx"
    assert runner.invoke(app, ["template", "-o", str(form)]).exit_code == 0
    book = load_workbook(form)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert all(c.data_type != "f" for c in row if c.value is not None)
    assert escape_text("=A1") == "'=A1" and escape_text("A1") == "A1"
