"""`query`/`paths --endpoint` and `push` against misbehaving servers started here on 127.0.0.1 (tests/hostile_servers):
each failure is exit 3 with a sentence naming the server and the problem, no traceback, within the deadline given,
reading no more than the byte cap; credentials in a URL never appear in any message."""

import base64
import os
import subprocess
import sys
import time
import tracemalloc

import pytest
from rdflib import Graph, Literal, URIRef
from typer.testing import CliRunner

from exmech.cli import app
from exmech.kg import KnowledgeGraph
from exmech.stores.endpoint import EndpointStore
from exmech.stores.http_client import DEFAULT_MAX_BYTES, RemoteError
from exmech.stores.push import push
from hostile_servers import (
    GIB,
    JSON_HEAD,
    HostileServer,
    answer,
    by_path,
    huge,
    raw,
    redirect,
    results,
    trickle,
)

runner = CliRunner()
MIB = 1 << 20


def run_query(url: str, *extra: str):
    return runner.invoke(app, ["query", "review-summary", "--endpoint", url, *extra])


def assert_remote_failure(result, *words: str) -> None:
    """Exit 3, a one-line 'error:' sentence holding each of words, and no traceback."""
    assert result.exit_code == 3, result.output
    assert result.output.startswith("error: ") and "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for word in words:
        assert word in result.output, result.output


BAD_ANSWERS = {
    "malformed JSON": (answer(b'{"head": {"vars": ["x"]}, "results": '), "malformed JSON"),
    "no head": (answer(b'{"results": {"bindings": []}}'), "without a 'head' object"),
    "no vars": (answer(b'{"head": {}, "results": {"bindings": []}}'), "no 'vars' list"),
    "vars not names": (answer(b'{"head": {"vars": [1]}, "results": {"bindings": []}}'), "no 'vars' list"),
    "no results": (answer(b'{"head": {"vars": ["x"]}}'), "without a 'results' object"),
    "bindings not a list": (answer(b'{"head": {"vars": []}, "results": {"bindings": 5}}'), "'bindings' list"),
    "a row not an object": (answer(b'{"head": {"vars": []}, "results": {"bindings": [3]}}'), "row 1"),
    "a bad term type": (
        answer(
            b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "weird", "value": "v"}}]}}'
        ),
        "row 1, ?x has type 'weird'",
    ),
    "a term without value": (
        answer(b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "uri"}}]}}'),
        "row 1, ?x is not a term object",
    ),
    "an ASK answer": (answer(b'{"head": {}, "boolean": true}'), "yes/no (ASK)"),
    "JSON nested deeply": (answer(b"[" * 100_000 + b"]" * 100_000), "nested too deeply"),
    "HTML": (answer(b"<html>hello</html>", content_type="text/html"), "content type 'text/html'"),
    "malformed XML": (
        answer(b"<sparql><head>", content_type="application/sparql-results+xml"),
        "XML that is not SPARQL results",
    ),
    "XML with a DTD": (
        answer(
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><sparql>&e;</sparql>',
            content_type="application/sparql-results+xml",
        ),
        "document type declaration",
    ),
    "a bad datatype IRI": (
        answer(
            b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "1", '
            b'"datatype": "a b>"}}]}}'
        ),
        "row 1, ?x has an invalid datatype IRI",
    ),
    "no content type": (raw(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"), "content type '(none)'"),
    "gzip not asked for": (
        raw(JSON_HEAD + b"Content-Encoding: gzip\r\nContent-Length: 2\r\n\r\n{}"),
        "Content-Encoding 'gzip'",
    ),
    "not HTTP": (raw(b"HELLO THERE\r\n\r\n"), "did not answer in HTTP"),
    "nothing at all": (raw(b""), "did not answer in HTTP"),
    "cut short": (raw(JSON_HEAD + b"Content-Length: 1000\r\n\r\n" + results()), "cut its answer short"),
    "HTTP 500": (answer(b"<h1>boom</h1> it broke", "500 Internal Server Error", "text/html"), "HTTP 500"),
}


@pytest.mark.parametrize("case", sorted(BAD_ANSWERS))
def test_bad_answers_are_exit_3_with_a_sentence(case):
    behaviour, words = BAD_ANSWERS[case]
    with HostileServer(behaviour) as server:
        result = run_query(f"{server.url}/sparql")
    assert_remote_failure(result, f"endpoint {server.url}/sparql", words)
    assert "'head'" not in result.output.replace("a 'head' object", "")  # never a bare KeyError


XML_RESULTS = (
    b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="x"/>'
    b'<variable name="y"/></head><results><result><binding name="x"><uri>urn:x:a</uri></binding>'
    b'<binding name="y"><literal xml:lang="en">v</literal></binding></result>'
    b'<result><binding name="y"><literal datatype="http://www.w3.org/2001/XMLSchema#integer">7</literal>'
    b"</binding></result></results></sparql>"
)


def test_sparql_xml_answers_are_read_by_rdflib():
    with HostileServer(answer(XML_RESULTS, content_type="application/sparql-results+xml")) as server:
        store = EndpointStore(f"{server.url}/sparql")
        rows = store.select("SELECT ?x ?y WHERE {}", {})
        accept = server.requests[0]["headers"]["accept"]
    assert rows.vars == ["x", "y"] and "application/sparql-results+xml" in accept
    assert rows.rows == [[URIRef("urn:x:a"), Literal("v", lang="en")], [None, Literal(7)]]
    ask = b'<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/><boolean>true</boolean></sparql>'
    with HostileServer(answer(ask, content_type="application/sparql-results+xml")) as server:
        assert EndpointStore(f"{server.url}/sparql").ask("ASK {}") is True


def test_the_same_bad_answers_fail_paths_too():
    with HostileServer(answer(b'{"results": {}}')) as server:
        result = runner.invoke(app, ["paths", "--endpoint", f"{server.url}/sparql"])
    assert_remote_failure(result, "without a 'head' object")


def test_refused_connection_is_exit_3():
    with HostileServer(raw(b"")) as server:
        url = server.url
    assert_remote_failure(run_query(f"{url}/sparql"), "refused the connection")


@pytest.mark.parametrize(
    "behaviour",
    [
        trickle(b"HTTP/1.1 200 OK\r\nX-Slow: "),  # headers that never end
        trickle(JSON_HEAD + b"Content-Length: 100000\r\n\r\n" + results()[:-1]),  # a body that never ends
        trickle(JSON_HEAD + b"Connection: close\r\n\r\n" + results()[:-1]),  # read until close: never closes
    ],
    ids=["headers", "body", "until-close"],
)
def test_a_trickling_server_is_cut_off_at_the_deadline(behaviour):
    with HostileServer(behaviour) as server:
        start = time.monotonic()
        result = run_query(f"{server.url}/sparql", "--timeout", "1.5")
        elapsed = time.monotonic() - start
    assert_remote_failure(result, "no complete answer within 1.5 s (--timeout)")
    assert 1.4 < elapsed < 4, elapsed
    assert server.sent < 200_000  # it did trickle


def test_a_huge_body_is_read_only_up_to_the_cap():
    with HostileServer(huge()) as server:
        result = run_query(f"{server.url}/sparql", "--max-bytes", str(4 * MIB))
    assert_remote_failure(result, f"more than the {4 * MIB}-byte cap (--max-bytes)")
    assert server.sent < 64 * MIB  # the cap plus what sockets buffer, not the 2 GiB on offer


def test_an_announced_huge_body_is_not_read_at_all():
    with HostileServer(huge(announce=True)) as server:
        result = run_query(f"{server.url}/sparql")
    assert_remote_failure(result, f"announced {2 * GIB} bytes", f"{DEFAULT_MAX_BYTES}-byte cap")
    assert server.sent < 64 * MIB


def test_an_error_body_is_read_only_a_little():
    with HostileServer(huge("500 Internal Server Error")) as server:
        result = run_query(f"{server.url}/sparql")
    assert_remote_failure(result, "answered HTTP 500 Internal Server Error")
    assert len(result.output) < 600 and server.sent < 64 * MIB


def test_redirect_to_another_port_is_refused_and_not_followed():
    with HostileServer(answer(results())) as other, HostileServer(redirect(f"{other.url}/sparql")) as server:
        result = run_query(f"{server.url}/sparql")
    assert_remote_failure(result, f"redirected to {other.url}/sparql, another server")
    assert other.requests == []


LONG_QUERY = "# " + "a long comment " * 200 + "\nSELECT ?x WHERE {}"  # past GET_LIMIT: sent by POST


def test_same_origin_redirects_are_followed_a_bounded_number_of_times():
    routes = {"/old": redirect("/sparql", "307 Temporary Redirect"), "/sparql": answer(results(2))}
    with HostileServer(by_path(routes)) as server:
        rows = EndpointStore(f"{server.url}/old").select(LONG_QUERY, {})
        assert [str(r["x"]) for r in rows] == ["v0", "v1"]
        assert server.requests[1]["body"] == server.requests[0]["body"] > 0  # the query was sent again
    short = "/old?query=SELECT+%3Fx+WHERE+%7B%7D"
    routes = {short: redirect(short.replace("old", "sparql"), "307 Temporary Redirect"), **routes}
    routes[short.replace("old", "sparql")] = answer(results(2))
    with HostileServer(by_path(routes)) as server:  # a short query goes by GET; the redirect keeps it
        rows = EndpointStore(f"{server.url}/old").select("SELECT ?x WHERE {}", {})
        assert [str(r["x"]) for r in rows] == ["v0", "v1"]
        assert [r["line"].split()[0] for r in server.requests] == ["GET", "GET"]
    with HostileServer(redirect("/loop", "307 Temporary Redirect")) as server:
        with pytest.raises(RemoteError, match="more than 3 redirects"):
            EndpointStore(f"{server.url}/loop").select("SELECT ?x WHERE {}", {})
        assert len(server.requests) == 4


def test_credentials_are_sent_but_never_shown():
    with HostileServer(answer(b"nope", "401 Unauthorized", "text/plain")) as server:
        url = server.url.replace("http://", "http://curator:s3cr%40t@") + "/sparql"
        result = run_query(url)
        assert_remote_failure(result, f"endpoint {server.url}/sparql answered HTTP 401")
        assert "s3cr" not in result.output and "curator" not in result.output
        assert server.requests[0]["headers"]["authorization"] == "Basic " + base64.b64encode(
            b"curator:s3cr@t"
        ).decode("ascii")
        bad_port = url.replace(str(server.port), "99999")
        assert "s3cr" not in run_query(bad_port).output


def test_a_bad_url_is_an_input_error():
    for url, words in [("ftp://x/sparql", "not an http(s) URL"), ("http://127.0.0.1:1/a b", "spaces")]:
        result = run_query(url)
        assert result.exit_code == 2 and words in result.output, result.output


def test_cli_help_documents_exit_code_3():
    out = runner.invoke(app, ["--help"]).output
    assert "3 a server could not be reached, refused, or answered badly" in " ".join(out.split())


# --- push ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_graph() -> Graph:
    return KnowledgeGraph.load().graph


def run_push(url: str, *extra: str):
    return runner.invoke(app, ["push", "--to", url, *extra])


@pytest.mark.parametrize(
    "behaviour, words",
    [
        (answer(b"", "500 Internal Server Error", "text/plain"), "answered HTTP 500"),
        (raw(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort"), "cut its answer short"),
        (raw(b"OK, stored\r\n"), "did not answer in HTTP"),
        (answer(b"", "202 Accepted", "text/plain"), "answered HTTP 202, not 200, 201 or 204"),
        (redirect("http://127.0.0.1:9/store"), "another server"),
    ],
    ids=["500", "truncated", "not-http", "202", "redirect-elsewhere"],
)
def test_push_never_reports_success_on_a_bad_answer(behaviour, words):
    with HostileServer(behaviour) as server:
        result = run_push(f"{server.url}/store")
    assert_remote_failure(result, words)
    assert "pushed" not in result.output


def test_push_against_a_trickling_server_stops_at_its_deadline(small_graph):
    with HostileServer(trickle(b"HTTP/1.1 204 No Content\r\nX-Slow: ")) as server:
        start = time.monotonic()
        with pytest.raises(RemoteError, match="no complete answer within 2 s"):
            push(small_graph, f"{server.url}/store", timeout=2)
        assert 1.9 < time.monotonic() - start < 5
        result = run_push(f"{server.url}/store", "--timeout", "1")
    assert_remote_failure(result, "no complete answer within 1 s")
    assert "pushed" not in result.output


def test_push_streams_the_upload_with_its_length(small_graph, tmp_path):
    with HostileServer(answer(b"", "204 No Content", "text/plain"), keep_body=tmp_path / "body") as server:
        tracemalloc.start()
        sent = push(small_graph, f"{server.url}/store")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        requests = list(server.requests)
    lengths = [int(request["headers"]["content-length"]) for request in requests]
    assert [request["body"] for request in requests] == lengths  # each body as long as it said
    size = sum(lengths)  # the blank-node triples in the PUT, then the rest in POSTs
    assert requests[0]["line"].startswith("PUT /store?default ")
    assert all(request["line"].startswith("POST /store?default ") for request in requests[1:])
    received = Graph().parse(tmp_path / "body", format="nt")
    assert sent == len(received) == len(small_graph)
    assert peak < size * 3 / 4, (peak, size)  # no whole copy of the upload in memory (the old code: 1.5x)


def test_push_shows_no_credentials_on_success():
    with HostileServer(answer(b"", "204 No Content", "text/plain")) as server:
        result = run_push(server.url.replace("http://", "http://admin:pw123@") + "/store")
    assert result.exit_code == 0 and "pushed" in result.output and "pw123" not in result.output


# --- bounded memory, measured on the real command in a child process ------------------------------------


# Linux's ru_maxrss for a child that was vforked (or forked) and then exec'd starts at its parent's peak, so a
# child of a large pytest worker would report the worker's size. A small Python process in between starts it
# afresh and reports the child's own peak on the last line of its stdout.
_MEASURE = """
import os, subprocess, sys
proc = subprocess.Popen([sys.executable, "-m", "exmech", *sys.argv[1:]])
_, status, usage = os.wait4(proc.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def peak_rss_mib(args: list[str]) -> tuple[int, str, float]:
    """Run `python -m exmech ARGS`; return its exit code, stderr and its own peak RSS in MiB."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", _MEASURE, *args], capture_output=True, env=env, check=False)
    code, kib = done.stdout.decode().split()[-2:]
    return int(code), done.stderr.decode(), int(kib) / 1024  # ru_maxrss is in KiB on Linux


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ru_maxrss units differ off Linux")
def test_a_2_gib_body_does_not_grow_the_client():
    with HostileServer(huge()) as server:
        code, err, rss = peak_rss_mib(
            ["query", "review-summary", "--endpoint", f"{server.url}/sparql", "--max-bytes", str(16 * MIB)]
        )
    assert code == 3 and "16777216-byte cap" in err and "Traceback" not in err, err
    assert rss < 400 and server.sent < 128 * MIB, (rss, server.sent)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ru_maxrss units differ off Linux")
def test_push_against_a_500_with_a_2_gib_body_stays_small():
    with HostileServer(huge("500 Internal Server Error")) as server:
        code, err, rss = peak_rss_mib(["push", "--to", f"{server.url}/store"])
    assert code == 3 and "answered HTTP 500" in err and "Traceback" not in err, err
    assert rss < 1024 and server.sent < 128 * MIB, (rss, server.sent)


# --- how queries travel, and authentication -----------------------------------------------------------------


def test_short_queries_go_by_get_and_long_ones_as_a_form():
    with HostileServer(answer(results(1))) as server:
        store = EndpointStore(f"{server.url}/sparql", graphs=("urn:x:g",))
        store.select("SELECT ?x WHERE {}")
        store.select(LONG_QUERY)
        get, form = server.requests
    assert (
        get["line"].startswith("GET /sparql?query=SELECT") and "default-graph-uri=urn%3Ax%3Ag" in get["line"]
    )
    assert form["line"].startswith("POST /sparql ") and form["body"] > len(LONG_QUERY)
    assert form["headers"]["content-type"] == "application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    "status", ["405 Method Not Allowed", "415 Unsupported Media Type", "400 Bad Request"]
)
def test_a_refused_way_of_sending_falls_back_to_the_next(status):
    """A 405, 415 or an empty 400 means "not this way": GET, then the form, then the query POSTed directly; the way
    that worked is used first for the store's next queries."""
    calls = []

    def behave(conn):
        calls.append(conn.info)
        form = conn.info["headers"].get("content-type", "")
        (answer(results(1)) if form == "application/sparql-query" else answer(b"", status, "text/plain"))(
            conn
        )

    with HostileServer(behave) as server:
        store = EndpointStore(f"{server.url}/sparql")
        assert len(store.select("SELECT ?x WHERE {}").rows) == 1
        assert [r["line"].split()[0] for r in calls] == ["GET", "POST", "POST"] and store.form == "direct"
        store.select("SELECT ?x WHERE {}")
        assert len(calls) == 4 and calls[3]["headers"]["content-type"] == "application/sparql-query"


def test_a_400_with_a_reason_is_not_retried_another_way():
    with HostileServer(answer(b"Parse error: line 1", "400 Bad Request", "text/plain")) as server:
        result = run_query(f"{server.url}/sparql")
        assert len(server.requests) == 1
    assert_remote_failure(result, "answered HTTP 400", "Parse error")


def digest_server(user: str, password: str, realm: str = "exmech-test"):
    """A behaviour: 401 with a Digest challenge unless the request carries the right Digest answer (RFC 7616,
    MD5, qop=auth, computed here independently of urllib)."""
    import hashlib
    import urllib.request

    nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093"

    def h(text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()

    def behave(conn):
        given = conn.info["headers"].get("authorization", "")
        if given.startswith("Digest "):
            fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(given[7:]))
            method, uri = conn.info["line"].split()[:2]
            expected = h(
                f"{h(f'{user}:{realm}:{password}')}:{nonce}:{fields.get('nc')}:{fields.get('cnonce')}:auth:"
                f"{h(f'{method}:{uri}')}"
            )
            if fields.get("response") == expected and fields.get("uri") == uri:
                return answer(results(1))(conn)
        challenge = f'Digest realm="{realm}", nonce="{nonce}", qop="auth", algorithm=MD5'
        body = b"who are you?"
        conn.send(
            f"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: {challenge}\r\nContent-Length: {len(body)}\r\n"
            f"Connection: close\r\n\r\n".encode()
            + body
        )

    return behave


def test_digest_authentication_from_user_and_environment(monkeypatch):
    with HostileServer(digest_server("curator", "s3cr3t-pw")) as server:
        url = f"{server.url}/sparql"
        monkeypatch.setenv("EXMECH_PASSWORD", "s3cr3t-pw")
        ok = run_query(url, "--user", "curator", "-f", "csv")
        assert ok.exit_code == 0 and "v0" in ok.output, ok.output
        assert "authorization" not in server.requests[0]["headers"]  # nothing is sent before the server asks
        monkeypatch.setenv("EXMECH_PASSWORD", "wrong-pw-77")
        wrong = run_query(url, "--user", "curator")
        monkeypatch.delenv("EXMECH_PASSWORD")
        monkeypatch.setenv("NETRC", "/nonexistent")
        none = run_query(url)
    assert_remote_failure(wrong, "HTTP 401", "credentials given were refused")
    assert "wrong-pw-77" not in wrong.output and "s3cr3t" not in ok.output
    assert_remote_failure(none, "HTTP 401", "--user NAME", "EXMECH_PASSWORD")


def test_credentials_from_netrc(monkeypatch, tmp_path):
    netrc_file = tmp_path / "netrc"
    netrc_file.write_text("machine 127.0.0.1 login curator password n3trc-pw\n", "utf-8")
    netrc_file.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc_file))
    monkeypatch.delenv("EXMECH_PASSWORD", raising=False)
    with HostileServer(digest_server("curator", "n3trc-pw")) as server:
        result = run_query(f"{server.url}/sparql", "-f", "csv")
        with_user = run_query(f"{server.url}/sparql", "-f", "csv", "--user", "curator")
    assert result.exit_code == 0 and "v0" in result.output, result.output
    assert with_user.exit_code == 0 and "n3trc-pw" not in with_user.output
    other = run_query("http://127.0.0.1:1/sparql", "--user", "someone-else")
    assert other.exit_code == 2 and "EXMECH_PASSWORD" in other.output


def test_a_password_that_breaks_the_url_is_never_shown():
    """A '/' or '#' in a password written into a URL ends its host part early; the message shows none of it."""
    for url in ("http://dba:Zq9/Kx7@127.0.0.1:1/sparql", "http://dba:Zq9#Kx7@127.0.0.1:1/sparql"):
        result = run_query(url)
        assert result.exit_code == 2 and "credentials" in result.output, result.output
        assert "Zq9" not in result.output and "Kx7" not in result.output, result.output


def test_user_without_an_endpoint_is_exit_2():
    result = runner.invoke(app, ["query", "review-summary", "--user", "curator"])
    assert result.exit_code == 2 and "--endpoint" in result.output
