"""Benchmark (not a test): `exmech serve` under load, on loopback only, bounded in time; it stops by itself.

For the shipped graph on the memory store and on an on-disk Oxigraph store, starts `exmech serve` as users do
(a subprocess on a free 127.0.0.1 port), then for 1, 8 and 50 concurrent clients sends a simple ASK for
--duration seconds, alone and while 10 other clients keep slow queries running (each a three-way cross
product that only the time limit stops; they honour Retry-After). Prints throughput and p50 / p99 latency of
the simple query and how its answers were distributed by status.

    .venv/bin/python tests/benchmarks/bench_load.py                    # both stores, 6 s per cell
    .venv/bin/python tests/benchmarks/bench_load.py --stores memory --duration 3
"""

import argparse
import http.client
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

SIMPLE = "ASK { ?s a <https://w3id.org/exmech/ontology/RandomisedControlledTrial> }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(store: str, port: int) -> subprocess.Popen:
    exmech = str(Path(sys.executable).with_name("exmech"))
    proc = subprocess.Popen([exmech, "serve", "--port", str(port), "--store", store], stdout=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if ask(port, SIMPLE)[0] == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"exmech serve --store {store} did not start")


def ask(port: int, query: str, conn: http.client.HTTPConnection | None = None) -> tuple[int, dict]:
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(
            "GET", "/sparql?" + urllib.parse.urlencode({"query": query}), headers={"Accept": "text/csv"}
        )
        response = conn.getresponse()
        response.read()
        return response.status, dict(response.headers)
    finally:
        if own:
            conn.close()


def client(port: int, query: str, stop: float, latencies: list, statuses: Counter, polite: bool) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while time.monotonic() < stop:
        began = time.perf_counter()
        try:
            status, headers = ask(port, query, conn)
        except OSError:
            status, headers = "reset", {}
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        latencies.append(time.perf_counter() - began)
        statuses[status] += 1
        if polite and status == 503:
            time.sleep(min(float(headers.get("Retry-After", 1)), max(0.0, stop - time.monotonic())))
    conn.close()


def cell(port: int, clients: int, slow: int, duration: float) -> str:
    stop = time.monotonic() + duration + (1.0 if slow else 0.0)
    slow_threads = [
        threading.Thread(target=client, args=(port, SLOW, stop, [], Counter(), True)) for _ in range(slow)
    ]
    for t in slow_threads:
        t.start()
    if slow:
        time.sleep(1.0)  # the slow queries are running before the simple ones start
    latencies, statuses = [], Counter()
    began = time.monotonic()
    threads = [
        threading.Thread(target=client, args=(port, SIMPLE, stop, latencies, statuses, False))
        for _ in range(clients)
    ]
    for t in threads:
        t.start()
    for t in threads + slow_threads:
        t.join()
    elapsed = time.monotonic() - began
    ok = statuses[200]
    cuts = statistics.quantiles(sorted(latencies), n=100) if len(latencies) > 1 else [latencies[0]] * 99
    return (
        f"{clients:>7} {slow:>5} {ok / elapsed:>8.1f} {cuts[49] * 1000:>8.0f} {cuts[98] * 1000:>8.0f}  "
        f"{dict(statuses)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", nargs="+", default=["memory", "oxigraph"])
    parser.add_argument("--duration", type=float, default=6.0, help="seconds of simple queries per cell")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.stores:
            spec = "memory" if name == "memory" else f"oxigraph:{Path(tmp) / 'ox'}"
            port = free_port()
            proc = start(spec, port)
            try:
                print(f"\n{name} store: simple ASK, {args.duration:g} s per cell", flush=True)
                print(
                    f"{'clients':>7} {'slow':>5} {'q/s':>8} {'p50 ms':>8} {'p99 ms':>8}  statuses", flush=True
                )
                for clients in (1, 8, 50):
                    for slow in (0, 10):
                        print(cell(port, clients, slow, args.duration), flush=True)
            finally:
                proc.terminate()
                proc.wait(30)


if __name__ == "__main__":
    main()
