"""Benchmark (not a test): every packaged query on an on-disk Oxigraph store of synthetic studies (default 100k),
built once in a folder (a temporary one, or --workdir to keep and reuse it), through the same store interface
`exmech query` uses (OxigraphStore.select: parameters bound, answers as rdflib terms).

For each query it prints the median time, the rows, and two anchors measured in the same run: the raw engine
result of the same query (pyoxigraph's Store.query iterated, no conversion) and iterating a trivial
`SELECT * { ?s ?p ?o } LIMIT n` with as many rows. Then the streaming figures of `paths` (rows as they arrive,
via exmech.evidence.paths.iter_path_rows): time to the first row and to the last, beside the raw engine result.

    .venv/bin/python tests/benchmarks/bench_queries.py                       # 100k studies, temporary folder
    .venv/bin/python tests/benchmarks/bench_queries.py --studies 10000 --runs 3 --workdir /tmp/q10k
    .venv/bin/python tests/benchmarks/bench_queries.py --workdir /tmp/q100k --only gaps-exercise-type-by-theme --no-paths
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from exmech.graph.catalogue import catalogue
from exmech.graph.resources import ontology_files
from exmech.stores import OxigraphStore
from exmech.stores.rows import inline_bindings
from exmech.synthetic import write_ntriples

SLOW = 1.0  # the goal: every packaged query under 1 s at 100k studies


def median_time(action, runs: int, *args) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = action(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def iterate(raw, text: str) -> int:
    """The raw engine result: pyoxigraph's answer iterated, no conversion."""
    return sum(1 for _ in raw.query(text))


def open_store(workdir: Path, studies: int) -> OxigraphStore:
    nt = workdir / "synthetic.nt"  # one workdir per size
    if not nt.exists():
        write_ntriples(studies, nt)
    start = time.perf_counter()
    store = OxigraphStore(workdir / "oxigraph", [*ontology_files(), nt])
    print(f"store ready in {time.perf_counter() - start:.1f} s: {len(store.store)} triples", flush=True)
    return store


def time_queries(store: OxigraphStore, runs: int, only: list[str]) -> None:
    raw = store.store
    print(f"{'query':<42} {'exmech s':>9} {'rows':>7} {'engine s':>9} {'trivial s':>9}")
    for name, query in catalogue().items():
        if name.startswith("qc/") or query.form != "SELECT" or (only and name not in only):
            continue
        text = inline_bindings(query.text, query.bindings({}))
        ours, rows = median_time(store.select, runs, query.text, query.bindings({}))
        engine, _ = median_time(iterate, runs, raw, text)
        trivial, _ = median_time(iterate, runs, raw, f"SELECT * {{ ?s ?p ?o }} LIMIT {max(len(rows), 1)}")
        flag = "  SLOW" if ours >= SLOW else ""
        print(f"{name:<42} {ours:>9.3f} {len(rows):>7} {engine:>9.3f} {trivial:>9.3f}{flag}", flush=True)


def time_paths_stream(store: OxigraphStore, runs: int) -> None:
    """`paths`: the rows as they arrive (first and last), the grouped and sorted paths (find_paths, what `exmech
    paths` prints), beside the raw engine result of the packaged query, with and without its ORDER BY."""
    from exmech.evidence.paths import _ORDER_BY, find_paths, iter_path_rows

    def stream() -> tuple[float, int]:
        start, first, count = time.perf_counter(), None, 0
        for _ in iter_path_rows(store):
            count += 1
            if first is None:
                first = time.perf_counter() - start
        return first or 0.0, count

    total, (first, count) = median_time(stream, runs)
    listed, found = median_time(find_paths, runs, store)
    text = inline_bindings(catalogue()["paths"].text, catalogue()["paths"].bindings({}))
    engine, _ = median_time(iterate, runs, store.store, text)
    unordered, _ = median_time(iterate, runs, store.store, _ORDER_BY.sub("", text))
    print(
        f"paths rows streamed: first row {first:.3f} s, all {count} rows {total:.3f} s; find_paths (grouped and "
        f"sorted, {len(found)} paths) {listed:.3f} s; raw engine result of the packaged query {engine:.3f} s "
        f"(without its ORDER BY {unordered:.3f} s); find_paths / raw engine {listed / engine:.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--studies", type=int, default=100000)
    parser.add_argument("--runs", type=int, default=3, help="repetitions; the median is shown")
    parser.add_argument(
        "--workdir", type=Path, help="keep the synthetic file and store here, reuse them later"
    )
    parser.add_argument("--only", nargs="*", default=[], metavar="QUERY", help="time only these queries")
    parser.add_argument(
        "--no-paths", dest="paths", action="store_false", help="leave out the paths streaming"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="exmech-bench-queries-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        store = open_store(workdir, args.studies)
        print(f"packaged queries at {args.studies} studies, Oxigraph on disk, median of {args.runs} runs")
        time_queries(store, args.runs, args.only)
        if args.paths:
            time_paths_stream(store, args.runs)


if __name__ == "__main__":
    main()
