"""`exmech serve` tested with real clients on 127.0.0.1: plain HTTP, SPARQLWrapper, headless Chromium,
over the default rdflib store and over an on-disk Oxigraph store."""

import json
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph

from exmech.server.app import make_server
from exmech.stores import OxigraphStore

EXM = "https://w3id.org/exmech/ontology/"
Q = f"PREFIX exm: <{EXM}> SELECT (COUNT(?s) AS ?n) WHERE {{ ?s a exm:RandomisedControlledTrial }}"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # one row, far too much work


def serve(store, **limits):
    server = make_server(store, "127.0.0.1", 0, **limits)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="module")
def trials(memory) -> str:
    """How many trials the shipped graph holds (curators keep adding them), counted without a server."""
    return str(memory.run(Q).rows[0][0])


@pytest.fixture(scope="module")
def base(memory):
    # a generous deadline: the size caps (413) are tested here, and a loaded CI machine must not turn them into 408s
    server, url = serve(memory, time_limit=30, max_rows=500)
    yield url
    server.shutdown()
    server.server_close()


def get(url, accept=None):
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, r.headers["Content-Type"], r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers["Content-Type"], e.read().decode()


def post(url, data: bytes, content_type: str, accept=None):
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={"Content-Type": content_type, **({"Accept": accept} if accept else {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, r.headers["Content-Type"], r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers["Content-Type"], e.read().decode()


def sparql(base, query, accept=None):
    return get(f"{base}/sparql?{urllib.parse.urlencode({'query': query})}", accept)


def test_get_and_post_select_in_every_format(base, trials):
    status, media, body = sparql(base, Q)
    assert status == 200 and media == "application/sparql-results+json"
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == trials
    status, media, body = sparql(base, Q, "application/sparql-results+xml")
    assert media == "application/sparql-results+xml" and f">{trials}</literal>" in body
    assert sparql(base, Q, "text/csv")[2].splitlines() == ["n", trials]
    assert sparql(base, Q, "text/tab-separated-values")[2].splitlines()[0] == "?n"
    assert post(f"{base}/sparql", Q.encode(), "application/sparql-query", "text/csv")[2].splitlines() == [
        "n",
        trials,
    ]
    form = urllib.parse.urlencode({"query": Q}).encode()
    status, media, body = post(f"{base}/sparql", form, "application/x-www-form-urlencoded")
    assert status == 200 and json.loads(body)["results"]["bindings"][0]["n"]["value"] == trials


def test_ask(base):
    status, _, body = sparql(base, f"ASK {{ ?s a <{EXM}RandomisedControlledTrial> }}")
    assert status == 200 and json.loads(body)["boolean"] is True
    assert sparql(base, "ASK { <urn:x:none> ?p ?o }", "text/csv")[2] == "false\n"


def test_construct_and_describe_by_accept_header(base):
    q = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?s = <https://w3id.org/exmech/kb/costa2009>) }"
    for accept, fmt in (
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
    ):
        status, media, body = sparql(base, q, accept)
        assert status == 200 and media == accept
        assert len(Graph().parse(data=body, format=fmt)) > 5
    status, _, body = sparql(base, "DESCRIBE <https://w3id.org/exmech/kb/costa2009>", "text/turtle")
    assert status == 200 and len(Graph().parse(data=body, format="turtle")) > 5


def test_terms_and_studies_dereference_with_content_negotiation(base):
    status, media, body = get(f"{base}/kb/costa2009", "text/turtle")
    assert status == 200 and media == "text/turtle" and "Costa 2009" in body
    assert "kb:costa2009 a exm:RandomisedControlledTrial" in body  # the project's prefixes, not ns1:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    status, media, body = get(f"{base}/ontology/MechanismClaim", browser)
    assert status == 200 and media.startswith("text/html") and "mechanism claim" in body
    status, media, body = get(f"{base}/mechanism/self-efficacy", "application/ld+json")
    assert status == 200 and media == "application/ld+json" and json.loads(body)
    status, media, body = get(f"{base}/mechanism/self-efficacy", "application/n-triples")
    assert status == 200 and len(Graph().parse(data=body, format="nt")) > 2
    assert get(f"{base}/kb/no-such-trial", "text/turtle")[0] == 404
    assert get(f"{base}/kb/%3E%20%7D", "text/turtle")[0] == 404  # not a term path: never reaches a query


@pytest.mark.parametrize(
    "query, message",
    [
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "read-only"),
        ("LOAD <http://example.org/data.ttl>", "read-only"),
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE is refused"),
        (
            "SELECT * WHERE { OPTIONAL { SERVICE SILENT <http://example.org/sparql> { ?s ?p ?o } } }",
            "SERVICE is refused",
        ),
        ("SELECT * FROM <http://example.org/data.ttl> WHERE { ?s ?p ?o }", "FROM and FROM NAMED are refused"),
        ("SELECT WHERE {", "does not parse"),
    ],
)
def test_refusals_are_clear_400s(base, query, message):
    status, _, body = sparql(base, query)
    assert status == 400 and message in body


def test_protocol_refusals(base):
    assert post(f"{base}/sparql", b"DROP ALL", "application/sparql-update")[0] == 400
    form = urllib.parse.urlencode({"update": "DROP ALL"}).encode()
    assert post(f"{base}/sparql", form, "application/x-www-form-urlencoded")[0] == 400
    assert get(f"{base}/sparql?query=ASK%7B%7D&default-graph-uri=http%3A%2F%2Fexample.org%2F")[0] == 400
    assert post(f"{base}/sparql", Q.encode(), "text/plain")[0] == 415
    assert post(f"{base}/sparql", b" " * 1_000_001, "application/sparql-query")[0] == 413
    assert get(f"{base}/sparql?query=")[0] == 400  # an empty query (no query at all: the service description)
    assert get(f"{base}/sparql?default-graph-uri=x")[0] == 400


def test_time_and_size_limits(base, memory, trials):
    strict, url = serve(memory, time_limit=2, max_rows=500)  # the deadline, on a server of its own
    try:
        status, _, body = sparql(url, SLOW)
        assert status == 408 and "stopped" in body and "s of CPU" in body, body
        still = json.loads(sparql(url, Q)[2])["results"]["bindings"][0]["n"]["value"]
        assert still == trials  # still serving after the worker was killed
    finally:
        strict.shutdown()
        strict.server_close()
    status, _, body = sparql(base, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 413 and "LIMIT" in body, body
    status, _, body = sparql(base, "CONSTRUCT WHERE { ?s ?p ?o }")
    assert status == 413 and "triples" in body, body
    assert json.loads(sparql(base, Q)[2])["results"]["bindings"][0]["n"]["value"] == trials  # still serving


def test_sparqlwrapper_client(base, trials):
    from SPARQLWrapper import CSV, JSON, POST, TURTLE, XML, SPARQLWrapper

    client = SPARQLWrapper(f"{base}/sparql")
    client.setQuery(Q)
    client.setReturnFormat(JSON)
    assert client.query().convert()["results"]["bindings"][0]["n"]["value"] == trials
    client.setMethod(POST)
    client.setReturnFormat(XML)
    assert client.query().convert().getElementsByTagName("literal")[0].firstChild.data == trials
    client.setReturnFormat(CSV)
    assert client.query().convert().decode().splitlines() == ["n", trials]
    client.setQuery(
        "CONSTRUCT { <https://w3id.org/exmech/kb/costa2009> ?p ?o } "
        "WHERE { <https://w3id.org/exmech/kb/costa2009> ?p ?o }"
    )
    client.setReturnFormat(TURTLE)
    assert len(Graph().parse(data=client.query().convert(), format="turtle")) > 5


def test_oxigraph_store_behind_the_server(tmp_path, trials):
    """The endpoint over an on-disk Oxigraph store: same answers, describe, and the time limit still holds."""
    store = OxigraphStore(tmp_path / "ox")
    server, url = serve(store, time_limit=30, max_rows=500)
    try:
        assert sparql(url, Q, "text/csv")[2].splitlines() == ["n", trials]
        status, _, body = get(f"{url}/kb/costa2009", "text/turtle")
        assert status == 200 and "Costa 2009" in body
        status, _, body = sparql(url, "SELECT * WHERE { ?s ?p ?o }")
        assert status == 413, body
    finally:
        server.shutdown()
        server.server_close()
    server, url = serve(store, time_limit=2, max_rows=500)  # the deadline, on a server of its own
    try:
        assert sparql(url, SLOW)[0] == 408
        assert sparql(url, Q, "text/csv")[2].splitlines() == ["n", trials]
    finally:
        server.shutdown()
        server.server_close()


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def chromium_dom(url: str) -> str:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-dev-shm-usage",
                f"--user-data-dir={profile}",
                "--virtual-time-budget=10000",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (apt-get install -y chromium)")
def test_query_page_in_headless_chromium(base, trials):
    dom = chromium_dom(f"{base}/")
    assert "exmech SPARQL endpoint" in dom and "<textarea" in dom
    assert "review-theme-table" in dom and "paths: Through which mechanisms" in dom
    # the plain page's script (at /simple since YASGUI is at /) runs a query given in the address and draws the
    # answer as a table
    dom = chromium_dom(f"{base}/simple?{urllib.parse.urlencode({'query': Q})}")
    assert f"<td>{trials}</td>" in dom and "1 rows" in dom


def test_serve_command_starts_and_stops():
    """`exmech serve` as users start it: a subprocess on a free port, stopped with SIGTERM."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exmech = str(Path(sys.executable).with_name("exmech"))
    proc = subprocess.Popen([exmech, "serve", "--port", str(port)], stdout=subprocess.PIPE, text=True)
    try:
        assert "serving on http://127.0.0.1:" in proc.stdout.readline()
        deadline = time.time() + 30
        while True:
            try:
                status, media, body = get(f"http://127.0.0.1:{port}/", "text/html")
                break
            except OSError:
                assert time.time() < deadline
                time.sleep(0.2)
        assert status == 200 and "exmech SPARQL endpoint" in body
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
