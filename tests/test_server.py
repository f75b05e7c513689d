"""`exmech serve` tested with real clients on 127.0.0.1: plain HTTP, SPARQLWrapper and (if installed) headless Chromium."""

import json
import shutil
import subprocess
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from rdflib import Graph

from exmech.load import load_graph
from exmech.server import make_server

Q = "PREFIX exm: <https://w3id.org/exmech/ontology/> SELECT (COUNT(?s) AS ?n) WHERE { ?s a exm:RandomisedControlledTrial }"


@pytest.fixture(scope="module")
def base():
    server = make_server(load_graph(), "127.0.0.1", 0, time_limit=3, max_rows=500)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def get(url, accept=None):
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, r.headers["Content-Type"], r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers["Content-Type"], e.read().decode()


def sparql(base, query, accept=None):
    return get(f"{base}/sparql?{urllib.parse.urlencode({'query': query})}", accept)


def test_get_and_post_select_in_every_format(base):
    status, media, body = sparql(base, Q)
    assert status == 200 and media == "application/sparql-results+json"
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == 40
    assert "<sparql" in sparql(base, Q, "application/sparql-results+xml")[2]
    assert sparql(base, Q, "text/csv")[2].splitlines() == ["n", "40"]
    assert sparql(base, Q, "text/tab-separated-values")[2].splitlines()[0] == "?n"
    post = urllib.request.Request(f"{base}/sparql", data=Q.encode(), method="POST",
                                  headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"})
    with urllib.request.urlopen(post, timeout=30) as r:
        assert r.read().decode().splitlines() == ["n", "40"]


def test_construct_by_accept_header(base):
    q = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?s = <https://w3id.org/exmech/kb/costa2009>) }"
    for accept, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/n-triples", "nt")):
        status, media, body = sparql(base, q, accept)
        assert status == 200 and media == accept
        assert len(Graph().parse(data=body, format=fmt)) > 5


def test_terms_and_studies_dereference_with_content_negotiation(base):
    status, media, body = get(f"{base}/kb/costa2009", "text/turtle")
    assert status == 200 and "Costa 2009" in body
    status, media, body = get(f"{base}/ontology/MechanismClaim", "text/html")
    assert status == 200 and media.startswith("text/html") and "mechanism claim" in body
    status, _, body = get(f"{base}/mechanism/self-efficacy", "application/ld+json")
    assert status == 200 and json.loads(body)
    assert get(f"{base}/kb/no-such-trial", "text/turtle")[0] == 404


@pytest.mark.parametrize("query, message", [
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "read-only"),
    ("LOAD <http://example.org/data.ttl>", "read-only"),
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE is refused"),
    ("SELECT WHERE {", "does not parse"),
])
def test_refusals_are_clear_400s(base, query, message):
    status, _, body = sparql(base, query)
    assert status == 400 and message in body


def test_time_and_size_limits(base):
    slow = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    status, _, body = sparql(base, slow)
    assert status == 408 and "stopped" in body
    status, _, body = sparql(base, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 413 and "LIMIT" in body


def test_sparqlwrapper_client(base):
    from SPARQLWrapper import JSON, SPARQLWrapper

    client = SPARQLWrapper(f"{base}/sparql")
    client.setQuery(Q)
    client.setReturnFormat(JSON)
    result = client.query().convert()
    assert result["results"]["bindings"][0]["n"]["value"] == "40"


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (apt-get install chromium)")
def test_query_page_in_headless_chromium(base):
    with tempfile.TemporaryDirectory() as profile:
        dom = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                              "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
                              "--dump-dom", f"{base}/"], capture_output=True, text=True, timeout=120).stdout
    assert "exmech SPARQL endpoint" in dom and "review-theme-table" in dom and "<textarea" in dom
