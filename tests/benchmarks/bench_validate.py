"""Benchmark (not a test): time to validate one entry against stores of 1k, 10k and 100k synthetic studies,
beside pyshacl run naively over the whole store plus the entry.

    python tests/benchmarks/bench_validate.py [--sizes 1000 10000 100000] [--naive-timeout 300]

Prints median seconds over repeats and the naive/per-entry ratio. Synthetic data comes from exmech.synthetic and
is never written into the knowledge base.
"""

import argparse
import multiprocessing as mp
import statistics
import time
from pathlib import Path

from rdflib import Graph

from exmech.entries import read_entry
from exmech.shapes import validate as shacl_validate
from exmech.synthetic import triples
from exmech.validate import base_graph, identifier_index, validate_entry

ENTRY = Path(__file__).resolve().parents[1] / "examples" / "valid" / "Claim-sourced.ttl"


def store(n: int) -> Graph:
    g = Graph()
    for t in triples(n):
        g.add(t)
    return g


def naive(n: int, queue) -> None:
    data = base_graph() + store(n) + read_entry(ENTRY)
    start = time.perf_counter()
    shacl_validate(data)
    queue.put(time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--naive-timeout", type=float, default=300)
    args = ap.parse_args()
    entry = read_entry(ENTRY)
    print(f"{'studies':>8} {'store triples':>13} {'index build s':>13} {'per-entry s (median)':>21} {'naive pyshacl s':>16} {'ratio':>7}")
    for n in args.sizes:
        g = store(n)
        t0 = time.perf_counter()
        index = identifier_index(g)
        build = time.perf_counter() - t0
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            validate_entry(entry, index)
            times.append(time.perf_counter() - t0)
        per = statistics.median(times)
        queue = mp.Queue()
        proc = mp.Process(target=naive, args=(n, queue))
        proc.start()
        proc.join(args.naive_timeout)
        if proc.is_alive():
            proc.terminate()
            naive_s, ratio = f">{args.naive_timeout:.0f}", f">{args.naive_timeout / per:.0f}"
        else:
            value = queue.get()
            naive_s, ratio = f"{value:.2f}", f"{value / per:.0f}"
        print(f"{n:>8} {len(g):>13} {build:>13.2f} {per:>21.3f} {naive_s:>16} {ratio:>7}", flush=True)


if __name__ == "__main__":
    main()
