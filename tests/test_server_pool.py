"""The endpoint's pool of long-lived query workers, with real servers on 127.0.0.1 and real worker processes:
workers are reused, a worker killed mid-query (by the deadline or by anyone) is replaced and the next request
succeeds, requests beyond the workers and the queue get 503 with Retry-After at once, a worker's memory stays
within its cap, and the guard's parse is done once per text (and not at all on Oxigraph where it is not
needed) without letting anything through that it refused before."""

import os
import signal
import sys
import threading
import time

import pytest

from exmech.server.guard import CACHED_CHARS, QUICK_MAX, Checked, Refused, may_name_a_dataset, quick
from exmech.stores import OxigraphStore
from test_server import serve, sparql
from test_server_hostile import ASK, SLOW, doubling

PAGE = os.sysconf("SC_PAGE_SIZE")


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """An on-disk store filled once; each server opens it anew (no refill: its sources have not changed)."""
    path = tmp_path_factory.mktemp("ox") / "store"
    OxigraphStore(path).close()
    return path


@pytest.fixture(params=["memory", "oxigraph"])
def server(request, memory, filled):
    store = memory if request.param == "memory" else OxigraphStore(filled)
    one, url = serve(store, time_limit=4, workers=2, max_bytes=2**20, max_memory=256 * 2**20)
    yield one, url
    one.shutdown()
    one.server_close()


def statm(pid: int) -> tuple[int, int]:
    """(address space, resident) bytes of a process."""
    with open(f"/proc/{pid}/statm") as f:
        size, resident = f.read().split()[:2]
    return int(size) * PAGE, int(resident) * PAGE


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_workers_are_reused_not_forked_per_request(server):
    one, url = server
    assert sparql(url, ASK)[0] == 200
    first = one.endpoint.pool.pids()
    assert len(first) == 1 and all(alive(pid) for pid in first)
    for _ in range(30):
        assert sparql(url, ASK, "text/csv")[2] == "true\n"
    assert one.endpoint.pool.pids() == first  # the same process answered all 31


def test_a_worker_past_its_deadline_is_killed_and_replaced(server):
    one, url = server
    status, _, body = sparql(url, SLOW)
    assert status == 408 and "stopped" in body
    stopped = one.endpoint.pool.pids()
    assert stopped == set()  # the runaway's worker is gone, not kept running
    assert sparql(url, ASK, "text/csv")[2] == "true\n"
    assert len(one.endpoint.pool.pids()) == 1


def test_a_worker_killed_mid_query_is_replaced_and_the_next_request_succeeds(server):
    one, url = server
    assert sparql(url, ASK)[0] == 200
    idle = one.endpoint.pool.pids()
    answers = []
    slow = threading.Thread(target=lambda: answers.append(sparql(url, SLOW)))
    slow.start()
    waited = time.monotonic() + 2  # well within the 4 s deadline, even on a loaded machine
    while not (busy := one.endpoint.pool.pids() - one.endpoint.pool.pids(idle_only=True)):
        assert time.monotonic() < waited
        time.sleep(0.05)
    assert busy <= idle  # the slow query runs in the reused worker
    victim = busy.pop()
    os.kill(victim, signal.SIGKILL)
    slow.join(30)
    status, _, body = answers[0]
    assert status == 507 and "signal 9" in body  # said, not a dropped connection
    assert victim not in one.endpoint.pool.pids() and not alive(victim)
    assert sparql(url, ASK, "text/csv")[2] == "true\n"
    assert victim not in one.endpoint.pool.pids()


def test_a_worker_that_died_while_idle_is_replaced_without_an_error(server):
    one, url = server
    assert sparql(url, ASK)[0] == 200
    idle = one.endpoint.pool.pids(idle_only=True)
    for pid in idle:
        os.kill(pid, signal.SIGKILL)
    waited = time.monotonic() + 10
    while any(alive(pid) for pid in idle):
        assert time.monotonic() < waited
        time.sleep(0.05)
    assert sparql(url, ASK, "text/csv")[2] == "true\n"  # the request never sees the dead worker
    assert not idle & one.endpoint.pool.pids()


def test_requests_beyond_the_workers_and_queue_get_503_with_retry_after(memory):
    import urllib.error
    import urllib.parse
    import urllib.request

    one, url = serve(memory, time_limit=3, workers=2, queue=2)
    try:
        answers = []

        def ask():
            request = urllib.request.Request(f"{url}/sparql?{urllib.parse.urlencode({'query': SLOW})}")
            try:
                with urllib.request.urlopen(request, timeout=60) as r:
                    answers.append((r.status, None, r.read().decode()))
            except urllib.error.HTTPError as e:
                answers.append((e.code, e.headers.get("Retry-After"), e.read().decode()))

        threads = [threading.Thread(target=ask) for _ in range(7)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        full = [a for a in answers if a[0] == 503 and "2 queries already wait" in a[2]]
        assert len(full) >= 3, answers  # 2 running, 2 waiting: the other 3 are told so at once
        assert all(retry and int(retry) >= 1 for code, retry, _ in answers if code == 503), answers
        assert {code for code, _, _ in answers} <= {408, 503} and 408 in {code for code, _, _ in answers}
        assert len(one.endpoint.pool.pids()) <= 2  # never more workers than slots
        assert sparql(url, ASK)[0] == 200
    finally:
        one.shutdown()
        one.server_close()


def test_worker_memory_stays_within_its_cap(server):
    one, url = server
    cap = 256 * 2**20
    own_size, own_resident = statm(os.getpid())
    for times in (20, 21, 20, 21):  # 16 MB and 32 MB strings, built and dropped: answers over the byte cap
        status, _, body = sparql(url, doubling(times))
        assert status == 413 and "bytes" in body
        for pid in one.endpoint.pool.pids(idle_only=True):
            size, resident = statm(pid)
            assert resident < own_resident + cap and size < own_size + cap, (pid, size, resident)
    before = one.endpoint.pool.pids()
    status, _, body = sparql(url, doubling(26))  # 1 GB: over the cap
    assert status == 507 and "256 MB" in body
    assert not before & one.endpoint.pool.pids()  # the worker that hit its cap was replaced
    assert sparql(url, ASK, "text/csv")[2] == "true\n"


@pytest.mark.parametrize(
    "query, message",
    [
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "read-only"),
        ("DELETE WHERE { ?s ?p ?o }", "read-only"),
        ("SELECT * FROM <urn:x:g> WHERE { ?s ?p ?o }", "FROM and FROM NAMED are refused"),
        ("SELECT * FROM NAMED <urn:x:g> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM and FROM NAMED are refused"),
        ("SELECT * WHERE { ?s ?p ", "does not parse"),
    ],
)
def test_refusals_are_the_same_where_the_engine_parses(server, query, message):
    one, url = server
    for _ in range(2):  # and the second time, from a worker that has seen the text
        status, _, body = sparql(url, query)
        assert status == 400 and message in body, body
    still = sparql(url, "ASK { <urn:a> <urn:b> <urn:c> }", "text/csv")
    assert still[2] == "false\n"  # the INSERT did nothing


def test_what_may_skip_the_rdflib_parse():
    assert quick("PREFIX prov: <http://www.w3.org/ns/prov#> ASK { ?c prov:wasDerivedFrom ?s }")
    assert not quick("SELECT * FROM <urn:g> WHERE { ?s ?p ?o }")
    assert not quick("SELECT *FROM<urn:g> WHERE { ?s ?p ?o }")
    assert not quick("SELECT * from named <urn:g> WHERE { ?s ?p ?o }")
    assert not quick("SELECT ?x WHERE { BIND('fromage' AS ?x) }")  # a word that starts with from: parsed
    assert may_name_a_dataset("SELECT * \uff26\uff32\uff2f\uff2d <urn:g> WHERE { }")  # full-width letters
    assert not quick("ASK {}" + " " * QUICK_MAX)  # long texts are always parsed by rdflib
    assert quick("ASK " + "{" * 100 + "}" * 100) and not quick("ASK " + "{" * 300 + "}" * 300)


@pytest.mark.parametrize(
    "deep", ["ASK { FILTER(" + "(" * 5000 + "true" + ")" * 5000 + ") }", "ASK " + "{" * 5000 + "}" * 5000]
)
def test_deep_nesting_is_refused_clearly_on_every_store(server, deep):
    one, url = server
    status, _, body = sparql(url, deep)
    assert status == 400 and "does not parse" in body, body  # not a crashed worker
    assert sparql(url, ASK)[0] == 200


def test_the_checked_parse_is_done_once_and_bounded():
    made = []
    checked = Checked(lambda tree: made.append(tree) or len(made))
    assert checked.parse("ASK { ?s ?p ?o }") == checked.parse("ASK { ?s ?p ?o }") == 1
    assert len(made) == 1
    for i in range(2 * CACHED_CHARS // 1000):
        checked.parse(f"ASK {{ ?s ?p {i} }} #" + "x" * 1000)
    assert checked._chars <= CACHED_CHARS
    with pytest.raises(Refused):
        checked.check("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises(Refused):  # refused texts are not remembered as passed
        checked.check("INSERT DATA { <urn:a> <urn:b> <urn:c> }")


def test_a_large_answer_is_relayed_in_parts_whole_and_the_worker_reused(memory):
    """A CONSTRUCT of the whole graph as N-Triples (several 256 KiB parts) arrives whole, parses to the graph,
    and the same query again and the next one are answered whole (each worker settled after its last
    part); past the byte cap it is still a 413, decided before any byte."""
    from rdflib import Graph
    from rdflib.compare import isomorphic

    from exmech.server.relay import RELAY_PART

    # a generous deadline: an answer cut off past it on a loaded machine would end the connection midway
    one, url = serve(memory, time_limit=120, workers=2, max_rows=10**6, max_bytes=64 * 2**20)
    try:
        status, media, body = sparql(url, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
        assert status == 200 and len(body.encode()) > 3 * RELAY_PART
        assert isomorphic(Graph().parse(data=body, format="nt"), memory.graph)
        again = sparql(url, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
        assert again[0] == 200 and len(again[2]) == len(body)  # no part was left behind in a pipe
        assert sparql(url, ASK)[0] == 200 and len(one.endpoint.pool.pids()) <= 2
    finally:
        one.shutdown()
        one.server_close()
    small, url = serve(memory, time_limit=30, workers=2, max_rows=10**6, max_bytes=RELAY_PART)
    try:
        assert sparql(url, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")[0] == 413
    finally:
        small.shutdown()
        small.server_close()


def test_a_worker_forked_while_a_server_thread_holds_a_lock_still_answers(tmp_path, monkeypatch):
    """A lock another thread holds when a process forks stays held forever in the child: here the import lock
    of a module a server thread is importing, which the worker then needs. Workers come from a forker that was
    forked, single-threaded, when the pool was made, so what the server's threads do later cannot hold them."""
    from exmech.server.pool import Pool

    name = "exmech_probe_slow_import"
    (tmp_path / f"{name}.py").write_text("import time\ntime.sleep(2)\nVALUE = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)

    def serve(conn):
        conn.send_bytes(str(__import__(name).VALUE).encode())
        conn.recv_bytes()  # until the test is done with it

    pool = Pool(1, serve)
    try:
        importer = threading.Thread(target=__import__, args=(name,))
        importer.start()
        time.sleep(0.5)  # the importer is inside the module's body, holding its lock
        assert name in sys.modules and importer.is_alive()
        worker = pool.take()
        assert worker.conn.poll(20), (
            "the worker never answered: it waits on a lock no thread of it will release"
        )
        assert worker.conn.recv_bytes() == b"42"
        importer.join()
        pool.discard(worker)
    finally:
        pool.close()
        sys.modules.pop(name, None)


def test_closing_the_pool_stops_the_forker_and_its_workers():
    from exmech.server.pool import Pool

    def serve(conn):
        while True:
            conn.send_bytes(conn.recv_bytes())

    pool = Pool(2, serve)
    first, second = pool.take(), pool.take()
    first.conn.send_bytes(b"ping")
    assert first.conn.poll(20) and first.conn.recv_bytes() == b"ping"
    pool.give(first)
    forker = pool._forker.pid
    assert alive(forker) and alive(first.pid) and alive(second.pid)
    pool.close()  # the idle one is stopped now; the one still taken when it is given back
    assert not alive(first.pid) and alive(second.pid) and alive(forker)
    with pytest.raises(RuntimeError, match="closed"):
        pool.take()
    pool.give(second)
    assert not alive(second.pid) and not alive(forker)


def test_a_server_killed_outright_leaves_no_worker_behind(tmp_path):
    """SIGKILL gives the server no chance to clean up: its forker sees the control socket close and stops."""
    import subprocess

    script = tmp_path / "serve.py"
    script.write_text(
        "import sys\n"
        "from exmech.server.pool import Pool\n"
        "def serve(conn):\n"
        "    conn.recv_bytes()\n"
        "pool = Pool(2, serve)\n"
        "a, b = pool.take(), pool.take()\n"
        "print(pool._forker.pid, a.pid, b.pid, flush=True)\n"
        "sys.stdin.read()\n"
    )
    server = subprocess.Popen(
        [sys.executable, str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        pids = [int(p) for p in server.stdout.readline().split()]
        assert len(pids) == 3 and all(alive(pid) for pid in pids)
        server.kill()
        server.wait(20)
        waited = time.monotonic() + 20
        while any(alive(pid) for pid in pids):
            assert time.monotonic() < waited, [pid for pid in pids if alive(pid)]
            time.sleep(0.05)
    finally:
        server.kill()
        server.wait()
