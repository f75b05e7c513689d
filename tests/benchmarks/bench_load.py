"""Benchmark (not a test): `exmech serve` under load, on loopback only, bounded in time; it stops by itself.

Two parts, both on the shipped graph, every server a subprocess on a free 127.0.0.1 port:

compare (default): Oxigraph's own server (`oxigraph serve-read-only`, from the `oxigraph` package on PyPI)
  and `exmech serve --store oxigraph-read-only:PATH` on the same on-disk store, filled once from the shipped
  files, and `exmech serve` on the embedded store; the review-summary SELECT (queries/review-summary.rq, its
  text as shipped, with JSON results) from 1, 4 and 16 keep-alive clients for --duration seconds each. Prints
  q/s and p50 / p99 latency of each server side by side and exmech's ratio to Oxigraph's (goal: within 3x).
  The clients are Python threads in this process: they share the 2 cores with the servers, the same for all.
slow: the simple ASK from 1, 8 and 50 clients, alone and while 10 other clients keep slow queries running
  (each a three-way cross product that only the time limit stops; they honour Retry-After), per store.

    .venv/bin/python tests/benchmarks/bench_load.py                    # compare, 5 s per cell
    .venv/bin/python tests/benchmarks/bench_load.py --part slow --stores memory --duration 3
"""

import argparse
import http.client
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SIMPLE = "ASK { ?s a <https://w3id.org/exmech/ontology/RandomisedControlledTrial> }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SUMMARY = (ROOT / "queries" / "review-summary.rq").read_text(encoding="utf-8")
JSON = "application/sparql-results+json"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(command: list[str], port: int, path: str = "/sparql") -> subprocess.Popen:
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if ask(port, SIMPLE, accept=JSON, path=path)[0] == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"{' '.join(command)} did not start")


def exmech_serve(store: str, port: int) -> subprocess.Popen:
    exmech = str(Path(sys.executable).with_name("exmech"))
    return start([exmech, "serve", "--port", str(port), "--store", store], port)


def ask(
    port: int,
    query: str,
    conn: http.client.HTTPConnection | None = None,
    accept: str = "text/csv",
    path: str = "/sparql",
) -> tuple[int, dict, bytes]:
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", f"{path}?" + urllib.parse.urlencode({"query": query}), headers={"Accept": accept})
        response = conn.getresponse()
        return response.status, dict(response.headers), response.read()
    finally:
        if own:
            conn.close()


def client(
    port: int,
    query: str,
    stop: float,
    latencies: list,
    statuses: Counter,
    polite: bool,
    accept: str,
    path: str = "/sparql",
):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while time.monotonic() < stop:
        began = time.perf_counter()
        try:
            status, headers, _ = ask(port, query, conn, accept, path)
        except OSError:
            status, headers = "reset", {}
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        latencies.append(time.perf_counter() - began)
        statuses[status] += 1
        if polite and status == 503:
            time.sleep(min(float(headers.get("Retry-After", 1)), max(0.0, stop - time.monotonic())))
    conn.close()


def load(port: int, query: str, clients: int, duration: float, accept: str, path: str = "/sparql"):
    """(answers 200 per second, p50 ms, p99 ms, statuses) of `clients` clients sending `query` for `duration` s."""
    latencies: list[float] = []
    statuses: Counter = Counter()
    stop = time.monotonic() + duration
    began = time.monotonic()
    threads = [
        threading.Thread(target=client, args=(port, query, stop, latencies, statuses, False, accept, path))
        for _ in range(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    cuts = statistics.quantiles(sorted(latencies), n=100) if len(latencies) > 1 else [latencies[0]] * 99
    return statuses[200] / elapsed, cuts[49] * 1000, cuts[98] * 1000, dict(statuses)


def slow_cell(port: int, clients: int, slow: int, duration: float) -> str:
    stop = time.monotonic() + duration + (1.0 if slow else 0.0)
    slow_threads = [
        threading.Thread(target=client, args=(port, SLOW, stop, [], Counter(), True, "text/csv"))
        for _ in range(slow)
    ]
    for t in slow_threads:
        t.start()
    if slow:
        time.sleep(1.0)  # the slow queries are running before the simple ones start
    rate, p50, p99, statuses = load(port, SIMPLE, clients, stop - time.monotonic(), "text/csv")
    for t in slow_threads:
        t.join()
    return f"{clients:>7} {slow:>5} {rate:>8.1f} {p50:>8.1f} {p99:>8.1f}  {statuses}"


def slow_part(stores: list[str], duration: float, tmp: str) -> None:
    for name in stores:
        spec = "memory" if name == "memory" else f"oxigraph:{Path(tmp) / 'slow-ox'}"
        port = free_port()
        proc = exmech_serve(spec, port)
        try:
            print(f"\n{name} store: simple ASK, {duration:g} s per cell", flush=True)
            print(f"{'clients':>7} {'slow':>5} {'q/s':>8} {'p50 ms':>8} {'p99 ms':>8}  statuses", flush=True)
            for clients in (1, 8, 50):
                for slow in (0, 10):
                    print(slow_cell(port, clients, slow, duration), flush=True)
        finally:
            proc.terminate()
            proc.wait(30)


def values(port: int, path: str = "/sparql") -> list:
    """The review summary's bindings as (variable, value) pairs: what must agree between the servers."""
    status, _, body = ask(port, SUMMARY, accept=JSON, path=path)
    assert status == 200, body[:300]
    return [
        sorted((k, v["value"]) for k, v in row.items()) for row in json.loads(body)["results"]["bindings"]
    ]


def compare_part(duration: float, tmp: str, counts: list[int]) -> None:
    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(oxigraph).exists():
        raise SystemExit("the oxigraph server is not installed: pip install oxigraph (the dev extra has it)")
    sys.path.insert(0, str(ROOT / "src"))
    from exmech.stores import open_store

    location = Path(tmp) / "ox"
    open_store(f"oxigraph:{location}").close()  # filled once from the shipped files, then shared read-only
    ports = {"oxigraph": free_port(), "exmech": free_port(), "exmech memory": free_port()}
    procs = [
        start(
            [
                oxigraph,
                "serve-read-only",
                "--location",
                str(location),
                "--bind",
                f"127.0.0.1:{ports['oxigraph']}",
            ],
            ports["oxigraph"],
            "/query",
        ),
        exmech_serve(f"oxigraph-read-only:{location}", ports["exmech"]),
        exmech_serve("memory", ports["exmech memory"]),
    ]
    try:
        _compare(ports, duration, counts)
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(30)


def _compare(ports: dict[str, int], duration: float, counts: list[int]) -> None:
    answers = {
        name: values(port, "/query" if name == "oxigraph" else "/sparql") for name, port in ports.items()
    }
    assert len({json.dumps(a) for a in answers.values()}) == 1, answers  # the same answer from each server
    print(f"\nreview-summary SELECT ({JSON}), {duration:g} s per cell; {answers['exmech']}", flush=True)
    names = list(ports)
    print(
        f"{'clients':>7}  "
        + "  ".join(f"{n + ' q/s':>17} {'p50 ms':>7} {'p99 ms':>7}" for n in names)
        + f"  {'oxigraph/exmech':>15}",
        flush=True,
    )
    for clients in counts:
        cells, rates = [], {}
        for name in names:
            path = "/query" if name == "oxigraph" else "/sparql"
            rate, p50, p99, statuses = load(ports[name], SUMMARY, clients, duration, JSON, path)
            if set(statuses) != {200}:
                print(f"  {name} at {clients} clients answered {statuses}", flush=True)
            rates[name] = rate
            cells.append(f"{rate:>17.0f} {p50:>7.2f} {p99:>7.2f}")
        ratio = rates["oxigraph"] / rates["exmech"] if rates["exmech"] else float("inf")
        print(f"{clients:>7}  " + "  ".join(cells) + f"  {ratio:>14.2f}x", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["compare", "slow"], default="compare")
    parser.add_argument("--stores", nargs="+", default=["memory", "oxigraph"], help="for --part slow")
    parser.add_argument("--clients", nargs="+", type=int, default=[1, 4, 16], help="for --part compare")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of queries per cell")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.part == "compare":
            compare_part(args.duration, tmp, args.clients)
        else:
            slow_part(args.stores, args.duration, tmp)


if __name__ == "__main__":
    main()
