"""Every packaged query gives the same answers on rdflib memory, an on-disk Oxigraph store, and a real Oxigraph
server loaded with `exmech push` and queried through --endpoint."""

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exmech.catalogue import catalogue
from exmech.cli import app
from exmech.stores import EndpointStore, OxigraphStore, open_store

runner = CliRunner()
QUERIES = sorted(catalogue())


def norm(term) -> str:
    if term is None:
        return ""
    text = str(term)
    try:
        return str(Decimal(text).normalize())
    except InvalidOperation:
        return ";".join(sorted(text.split("; "))) if "; " in text else " ".join(sorted(text.split(" ")))


def answers(store, name):
    q = catalogue()[name]
    return sorted(tuple(norm(t) for t in row) for row in store.select(q.text, q.bindings({})).rows)


@pytest.fixture(scope="module")
def memory():
    return open_store("memory")


@pytest.fixture(scope="module")
def oxigraph_store(tmp_path_factory):
    return OxigraphStore(tmp_path_factory.mktemp("ox") / "store")


@pytest.mark.parametrize("name", QUERIES)
def test_oxigraph_store_agrees_with_memory(name, memory, oxigraph_store):
    assert answers(oxigraph_store, name) == answers(memory, name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    if not Path(OXIGRAPH).exists():
        pytest.skip("the oxigraph server (pip install oxigraph) is not installed")
    port = _free_port()
    proc = subprocess.Popen([OXIGRAPH, "serve", "--location", str(tmp_path_factory.mktemp("oxs")), "--bind",
                             f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=2)
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("oxigraph server did not start")
    result = runner.invoke(app, ["push", "--endpoint", f"{base}/store"])
    assert result.exit_code == 0, result.output
    yield base
    proc.terminate()
    proc.wait(timeout=30)


@pytest.mark.parametrize("name", QUERIES)
def test_pushed_graph_answers_like_memory(name, memory, oxigraph_server):
    assert answers(EndpointStore(f"{oxigraph_server}/query"), name) == answers(memory, name)


def test_query_command_on_an_endpoint_binds_parameters(oxigraph_server):
    result = runner.invoke(app, ["query", "mechanisms-for-exercise-type", "-p", "exerciseType=exm:MotorControlExercise",
                                 "--endpoint", f"{oxigraph_server}/query", "-f", "csv"])
    assert result.exit_code == 0 and "motor-control" in result.output


def test_push_errors_are_clear():
    result = runner.invoke(app, ["push", "--endpoint", "ftp://example.org/store"])
    assert result.exit_code == 2 and "not an http(s)" in result.output
