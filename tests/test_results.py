"""Results written by exmech.outputs.results and read back by rdflib's own parsers give the same terms, on the
memory and the Oxigraph stores; `exmech query` honours -f for every query form (and refuses a format that does not
fit the form, exit 2); -o writes exactly the bytes standard output would show."""

import io
import json
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, Variable
from rdflib.query import Result
from typer.testing import CliRunner

from exmech.cli import app
from exmech.cli.options import QueryFormat
from exmech.outputs.results import GRAPH_FORMATS, SELECT_FORMATS, render_rows, write_graph
from exmech.stores import open_store

runner = CliRunner()
TESTS = Path(__file__).parent
PATHS_KB = TESTS / "fixtures" / "paths-kb"
EXM = "PREFIX exm: <https://w3id.org/exmech/ontology/>\n"
TEXTS = ["plain", "with\ttab", "two\nlines", "cr\r\nlf", 'quote " and \\ backslash', "accents é ü 中文", ""]
VALUES_QUERY = "SELECT ?s ?v ?w WHERE { ?s <urn:x:p> ?v OPTIONAL { ?s <urn:x:q> ?w } } ORDER BY ?s"


@pytest.fixture(scope="module")
def values_kb(tmp_path_factory) -> Path:
    """Every kind of term a result can hold: IRIs, a blank node, plain, language-tagged and typed literals,
    text with tabs, line breaks, quotes and backslashes, and unbound cells."""
    kb = tmp_path_factory.mktemp("values-kb")
    lines = [f"<urn:x:s{i}> <urn:x:p> {Literal(text).n3()} ." for i, text in enumerate(TEXTS)]
    lines += [
        '<urn:x:t1> <urn:x:p> "-0.88"^^<http://www.w3.org/2001/XMLSchema#decimal> .',
        '<urn:x:t2> <urn:x:p> "12"^^<http://www.w3.org/2001/XMLSchema#integer> .',
        '<urn:x:t3> <urn:x:p> "douleur"@fr .',
        "<urn:x:t4> <urn:x:p> <https://example.org/o> .",
        '<urn:x:t4> <urn:x:q> "with w" .',
        "<urn:x:t5> <urn:x:p> _:b1 .",
    ]
    (kb / "values.ttl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return kb


@pytest.fixture(scope="module", params=["memory", "oxigraph"])
def rows(request, values_kb, tmp_path_factory):
    spec = "memory" if request.param == "memory" else f"oxigraph:{tmp_path_factory.mktemp('ox') / 'store'}"
    found = open_store(spec, kb_dir=values_kb).select(VALUES_QUERY)
    assert len(found) == len(TEXTS) + 5 and any(isinstance(t, BNode) for r in found.rows for t in r)
    return found


def parsed(text: str, fmt: str) -> list[list]:
    result = Result.parse(io.BytesIO(text.encode("utf-8")), format=fmt)
    assert [str(v) for v in result.vars] == ["s", "v", "w"]
    return [[b.get(Variable(v)) for v in ("s", "v", "w")] for b in result.bindings]


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_every_term_survives_a_round_trip(rows, fmt):
    text = render_rows(rows.vars, rows.rows, fmt)
    assert parsed(text, fmt) == rows.rows  # same IRIs, blank nodes, lexical forms, datatypes and languages
    assert text == render_rows(rows.vars, rows.rows, fmt)  # reproducible


def test_csv_round_trip_keeps_the_text_of_every_term(rows):
    text = render_rows(rows.vars, rows.rows, "csv")
    expected = [
        ["" if t is None else f"_:{t}" if isinstance(t, BNode) else str(t) for t in r] for r in rows.rows
    ]
    assert [["" if t is None else str(t) for t in r] for r in parsed(text, "csv")] == expected


def test_query_format_names_are_the_select_and_graph_formats():
    assert [f.value for f in QueryFormat] == list(dict.fromkeys([*SELECT_FORMATS, *GRAPH_FORMATS]))


@pytest.fixture(scope="module")
def query_files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("rq")
    texts = {
        "ask-yes": EXM + "ASK { ?s a exm:RandomisedControlledTrial }",
        "ask-no": EXM + "ASK { ?s a exm:NoSuchClass }",
        "construct": EXM
        + "CONSTRUCT { ?s a exm:RandomisedControlledTrial } WHERE { ?s a exm:RandomisedControlledTrial }",
        "describe": "DESCRIBE <https://w3id.org/exmech/ontology/RandomisedControlledTrial>",
    }
    for name, text in texts.items():
        (folder / f"{name}.rq").write_text(text + "\n", encoding="utf-8")
    return {name: folder / f"{name}.rq" for name in texts}


def run(*args: str):
    return runner.invoke(app, list(args))


@pytest.mark.parametrize("fmt", SELECT_FORMATS)
def test_ask_honours_every_select_format(query_files, fmt):
    for name, answer in (("ask-yes", True), ("ask-no", False))[: 2 if fmt in ("json", "table") else 1]:
        result = run("query", str(query_files[name]), "-f", fmt)
        assert result.exit_code == 0, result.output
        if fmt in ("json", "xml"):
            parsed_answer = Result.parse(io.BytesIO(result.output.encode()), format=fmt)
            assert parsed_answer.type == "ASK" and parsed_answer.askAnswer is answer
        else:
            assert result.output == ("true\n" if answer else "false\n")


@pytest.fixture(scope="module")
def constructed(query_files) -> Graph:
    """The CONSTRUCT's answer without -f: a graph's default format is Turtle."""
    result = run("query", str(query_files["construct"]))
    assert result.exit_code == 0, result.output
    return Graph().parse(data=result.output, format="turtle")


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_construct_honours_every_graph_format(query_files, constructed, fmt):
    result = run("query", str(query_files["construct"]), "-f", fmt)
    assert result.exit_code == 0, result.output
    graph = Graph().parse(data=result.output, format=fmt)
    assert len(graph) >= 40 and graph.isomorphic(constructed)


def test_describe_is_a_graph_too(query_files):
    result = run("query", str(query_files["describe"]), "-f", "nt")
    assert result.exit_code == 0, result.output
    assert len(Graph().parse(data=result.output, format="nt")) > 0
    assert result.output.splitlines() == sorted(result.output.splitlines())  # N-Triples sorted: reproducible


@pytest.mark.parametrize(
    "name, fmt, allowed",
    [
        ("construct", "csv", "turtle, nt, json-ld, xml"),
        ("construct", "table", "turtle, nt, json-ld, xml"),
        ("ask-yes", "turtle", "table, csv, tsv, json, xml"),
    ],
)
def test_a_format_that_does_not_fit_the_query_form_is_exit_2(query_files, name, fmt, allowed):
    result = run("query", str(query_files[name]), "-f", fmt)
    assert result.exit_code == 2 and allowed in result.output and "Traceback" not in result.output
    assert f"--format {fmt!r}" in result.output


def test_select_format_refused_for_select_names_the_choices():
    result = run("query", "review-summary", "-f", "json-ld")
    assert result.exit_code == 2 and "table, csv, tsv, json, xml" in result.output


def test_construct_on_oxigraph_writes_the_same_bytes_as_memory(query_files, tmp_path):
    memory = run("query", str(query_files["construct"]), "-f", "nt")
    oxigraph = run(
        "query", str(query_files["construct"]), "-f", "nt", "--store", f"oxigraph:{tmp_path / 'ox'}"
    )
    assert memory.exit_code == oxigraph.exit_code == 0, oxigraph.output
    assert memory.output == oxigraph.output and memory.output.count("\n") >= 40
    ask = run("query", str(query_files["ask-yes"]), "-f", "json", "--store", f"oxigraph:{tmp_path / 'ox'}")
    assert json.loads(ask.output)["boolean"] is True


def test_write_graph_json_ld_uses_the_shipped_context():
    graph = Graph().parse(data="<https://w3id.org/exmech/kb/x> a <https://w3id.org/exmech/ontology/Study> .")
    data = json.loads(write_graph(graph, "json-ld"))
    assert "@context" in data and Graph().parse(data=json.dumps(data), format="json-ld").isomorphic(graph)


OUTPUT_CASES = [
    ("query-json", ["query", "review-theme-table", "-f", "json"]),
    ("paths", ["paths", "--kb", str(PATHS_KB), "-f", "csv"]),
    ("paths-turtle", ["paths", "--kb", str(PATHS_KB), "-f", "turtle"]),
    ("evidence", ["evidence", "--kb", str(PATHS_KB), "-f", "json"]),
    ("stats", ["stats", "--kb", str(PATHS_KB)]),
    ("check", ["check", "--no-hermit", "-q", "--kb", str(PATHS_KB), "-f", "json"]),
]


@pytest.mark.parametrize("case, argv", OUTPUT_CASES, ids=[c[0] for c in OUTPUT_CASES])
def test_output_file_holds_the_same_bytes_as_stdout(query_files, tmp_path, case, argv):
    argv = [a.format(construct=query_files["construct"]) for a in argv]
    shown = runner.invoke(app, argv)
    target = tmp_path / "out.txt"
    written = runner.invoke(app, [*argv, "-o", str(target)])
    assert written.exit_code == shown.exit_code and shown.exit_code in (0, 1), shown.output
    assert shown.stdout_bytes and target.read_bytes() == shown.stdout_bytes
    assert written.stdout_bytes == b""
