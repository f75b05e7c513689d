"""`exmech push` into a real Oxigraph server (pip install oxigraph) on 127.0.0.1; every packaged
query run there with --endpoint gives the same answers as the embedded rdflib store."""

import json
import urllib.parse
import urllib.request

import pytest
from typer.testing import CliRunner

from conftest import FIXTURES
from exmech.cli import app
from exmech.graph.catalogue import catalogue
from exmech.stores import open_store
from exmech.stores.endpoint import EndpointStore
from exmech.stores.http_client import RemoteError
from interop_servers import free_port, oxigraph_server
from test_stores import QUERIES, answers

runner = CliRunner()
NAMED = "https://w3id.org/exmech/dataset"
ALL = "CONSTRUCT WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module", name="oxigraph_server")
def oxigraph_server_fixture(tmp_path_factory):
    with oxigraph_server(tmp_path_factory.mktemp("oxs")) as base:
        yield base


@pytest.mark.parametrize("name", QUERIES)
def test_pushed_graph_answers_like_memory(name, memory, oxigraph_server):
    assert answers(EndpointStore(f"{oxigraph_server}/query"), name) == answers(memory, name)


def test_query_command_on_an_endpoint_binds_parameters(oxigraph_server):
    args = [
        "query",
        "mechanisms-for-exercise-type",
        "-p",
        "exerciseType=exm:MotorControlExercise",
        "-f",
        "csv",
    ]
    remote = runner.invoke(app, [*args, "--endpoint", f"{oxigraph_server}/query"])
    assert remote.exit_code == 0 and "motor-control" in remote.output
    assert sorted(remote.output.splitlines()) == sorted(runner.invoke(app, args).output.splitlines())


def test_push_to_a_named_graph_replaces_it(oxigraph_server, memory):
    for _ in range(2):  # pushing twice replaces the graph (PUT), it does not double it
        result = runner.invoke(app, ["push", "--to", f"{oxigraph_server}/store", "--graph", NAMED])
        assert result.exit_code == 0 and NAMED in result.output
    count = urllib.parse.urlencode(
        {"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{NAMED}> {{ ?s ?p ?o }} }}"}
    )
    request = urllib.request.Request(f"{oxigraph_server}/query?{count}", headers={"Accept": "text/csv"})
    with urllib.request.urlopen(request, timeout=30) as r:
        assert r.read().decode().split()[1] == str(len(memory.graph))


def test_push_errors_are_clear():
    result = runner.invoke(app, ["push", "--to", "ftp://example.org/store"])
    assert result.exit_code == 2 and "not an http(s)" in result.output
    result = runner.invoke(app, ["push", "--to", f"http://127.0.0.1:{free_port()}/store"])
    assert result.exit_code == 3 and "refused" in result.output.lower()
    result = runner.invoke(app, ["push", "--to", "http://127.0.0.1:1/store", "--graph", "not an iri"])
    assert result.exit_code == 2 and "not a valid IRI" in result.output


def test_unreachable_endpoint_is_a_clear_error():
    q = catalogue()["review-summary"]
    with pytest.raises(RemoteError, match="endpoint http://127.0.0.1.*refused"):
        EndpointStore(f"http://127.0.0.1:{free_port()}/query").select(q.text, q.bindings({}))


def test_paths_command_on_an_endpoint(oxigraph_server):
    for args in (["paths", "-f", "csv"], ["paths", "--intervention", "yoga", "-f", "csv"]):
        remote = runner.invoke(app, [*args, "--endpoint", f"{oxigraph_server}/query"])
        assert remote.exit_code == 0, remote.output
        assert len(remote.output.splitlines()) > 1
        assert sorted(remote.output.splitlines()) == sorted(runner.invoke(app, args).output.splitlines())
    turtle = runner.invoke(
        app,
        ["paths", "--mechanism", "self-efficacy", "-f", "turtle", "--endpoint", f"{oxigraph_server}/query"],
    )
    assert turtle.exit_code == 0 and "exm:Path" in turtle.output and "exm:hasEvidence" in turtle.output


USER_CONSTRUCT = """PREFIX exm: <https://w3id.org/exmech/ontology/>
CONSTRUCT { ?claim exm:proposedMechanism ?m ; exm:statedBy ?study }
WHERE { ?claim a exm:MechanismClaim ; exm:proposedMechanism ?m ; exm:statedBy ?study }"""
USER_ASKS = {
    "PREFIX exm: <https://w3id.org/exmech/ontology/> ASK { ?a a exm:MediationAnalysis }": True,
    "PREFIX exm: <https://w3id.org/exmech/ontology/> ASK { ?a a exm:NoSuchClass }": False,
}


def test_a_user_construct_and_ask_answer_alike_on_all_three_stores(memory, oxigraph_server, tmp_path):
    """The same user CONSTRUCT gives isomorphic graphs, the same ASKs the same booleans, on the embedded store,
    an on-disk Oxigraph store and a remote endpoint (the packaged SELECTs are compared in
    test_pushed_graph_answers_like_memory and tests/test_stores.py)."""
    from rdflib.compare import isomorphic

    from exmech.stores import OxigraphStore

    stores = {
        "memory": memory,
        "oxigraph": OxigraphStore(tmp_path / "ox"),
        "endpoint": EndpointStore(f"{oxigraph_server}/query"),
    }
    graphs = {name: store.construct(USER_CONSTRUCT) for name, store in stores.items()}
    assert len(graphs["memory"]) > 100
    assert isomorphic(graphs["memory"], graphs["oxigraph"]) and isomorphic(
        graphs["memory"], graphs["endpoint"]
    )
    for text, expected in USER_ASKS.items():
        assert {name: store.ask(text) for name, store in stores.items()} == dict.fromkeys(stores, expected)


def test_push_takes_its_graph_from_any_store(oxigraph_server, memory, tmp_path):
    """--store oxigraph:PATH (and --endpoint, a query URL) choose where push reads; --to where it writes."""
    graph = "https://w3id.org/exmech/from-store"
    result = runner.invoke(
        app,
        [
            "push",
            "--to",
            f"{oxigraph_server}/store",
            "--graph",
            graph,
            "--store",
            f"oxigraph:{tmp_path / 'ox'}",
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"pushed {len(memory.graph)} triples" in result.output
    again = runner.invoke(
        app,
        [
            "push",
            "--to",
            f"{oxigraph_server}/store",
            "--graph",
            graph + "2",
            "--endpoint",
            f"{oxigraph_server}/query",
        ],
    )
    assert again.exit_code == 0 and f"pushed {len(memory.graph)} triples" in again.output, again.output


def test_every_reading_command_takes_graph_and_user_from_one_definition(tmp_path_factory, tmp_path):
    """export, report's store and check read a named graph of an endpoint with --graph, as query/paths/stats
    do; --user without a server is exit 2 on each; push reads --from-graph and writes --graph. On the small
    fixture knowledge base (check's OWL RL and shapes over the shipped graph take 20 s)."""
    kb = ["--kb", str(FIXTURES / "kb")]
    with oxigraph_server(tmp_path_factory.mktemp("oxg"), "--graph", NAMED, *kb) as base:
        remote = ["--endpoint", f"{base}/query", "--graph", NAMED]
        local = runner.invoke(app, ["export", "-f", "csv", "-o", str(tmp_path / "local"), *kb])
        there = runner.invoke(app, ["export", "-f", "csv", "-o", str(tmp_path / "remote"), *remote])
        assert local.exit_code == 0 and there.exit_code == 0, there.output
        for name in ("paths-nodes.csv", "paths-edges.csv"):
            mine = (tmp_path / "remote" / name).read_text()
            assert mine.count("\n") > 5 and mine == (tmp_path / "local" / name).read_text()
        empty = runner.invoke(app, ["export", "-f", "csv", "-o", str(tmp_path / "e"), *remote[:2]])
        assert (tmp_path / "e" / "paths-edges.csv").read_text().count("\n") <= 1, empty.output
        checked = runner.invoke(app, ["check", "--no-hermit", "-f", "json", *remote])
        assert checked.exit_code == 0, checked.output
        assert json.loads(checked.output)["summary"]["qualityChecks"] > 0
        copy = "https://w3id.org/exmech/copy"
        pushed = runner.invoke(
            app,
            [
                "push",
                "--to",
                f"{base}/store",
                "--graph",
                copy,
                "--endpoint",
                f"{base}/query",
                "--from-graph",
                NAMED,
            ],
        )
        fixture = len(open_store("memory", kb_dir=FIXTURES / "kb").graph)
        assert pushed.exit_code == 0 and f"pushed {fixture} triples" in pushed.output, pushed.output
    for command in (["export"], ["check", "--no-hermit"], ["report"], ["stats"]):
        result = runner.invoke(app, [*command, "--user", "someone"])
        assert result.exit_code == 2 and "--user is for a server" in result.output, command


def test_small_parts_keep_blank_nodes_whole(oxigraph_server, memory):
    """Pushed in 16 KiB parts, the graph (whose ontology holds blank-node restrictions and lists) comes back
    isomorphic: the blank-node triples went together in one request, the rest in many."""
    from io import BytesIO

    from rdflib.compare import isomorphic

    from exmech.stores.push import parts, push, split_blank, write_ntriples

    backs = []
    for part_bytes in (16 * 1024, 1024**3):  # many parts; the whole graph in one request
        graph = f"https://w3id.org/exmech/parts-{part_bytes}"
        assert push(memory, f"{oxigraph_server}/store", graph, part_bytes=part_bytes) == len(memory.graph)
        backs.append(EndpointStore(f"{oxigraph_server}/query", graphs=(graph,)).construct(ALL))
    assert len(backs[0]) == len(memory.graph) and isomorphic(*backs)  # a split blank node would add nodes
    data, plain, nodes = BytesIO(), BytesIO(), BytesIO()
    write_ntriples(memory, data)
    ranges, triples, blank = parts(data, 16 * 1024)
    split_blank(data, plain, nodes)
    assert blank and triples == len(memory.graph) and len(ranges) > 4
    assert all(b"_:" in line for line in nodes.getvalue().splitlines())
    assert b"_:" not in plain.getvalue()
