"""Benchmark (not a test): rdflib in memory vs on-disk Oxigraph over synthetic graphs of 1k, 10k, 100k (and,
with --huge, 1M) studies. For each size and store, in a fresh subprocess (so peak memory is honest): load time
(parse the ontology, vocabularies and synthetic N-Triples, then apply the loader's rules), the median time of
the packaged paths queries (one row per path; every path with its studies, as shipped and narrowed) and of
the theme-table query, through the same store interface `exmech query` uses (answers as rdflib terms); then
ratios rdflib / Oxigraph and peak RSS.

The synthetic graphs come from exmech.synthetic (marked exm:synthetic, under https://w3id.org/exmech/synthetic/),
are written to a temporary folder and never touch the shipped knowledge base.

    .venv/bin/python tests/benchmarks/bench_stores.py                # 1k, 10k, 100k
    .venv/bin/python tests/benchmarks/bench_stores.py --huge         # adds 1M (rdflib skipped: --rdflib-max)
    .venv/bin/python tests/benchmarks/bench_stores.py --sizes --huge --skip paths "paths 1 mech"   # 1M only,
                                                                     # without the 1.3M-row full listing
    .venv/bin/python tests/benchmarks/bench_stores.py --sizes 1000 --runs 3
"""

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# (column, packaged query, parameters): one row per path; every path with every study behind it (as shipped,
# then narrowed as users of `exmech paths` do); the review's theme table
QUERIES = (
    ("paths summary", "paths-summary", {}),
    ("paths", "paths", {}),
    ("paths 1 mech", "paths", {"mechanism": "mech:self-efficacy"}),
    ("paths mech+type", "paths", {"mechanism": "mech:self-efficacy", "exerciseType": "exm:YogaExercise"}),
    ("themes", "theme-mentions-in-graph", {}),
)


def measure(store_kind: str, nt: Path, workdir: Path, runs: int, rules: Path | None) -> dict:
    """Run inside a subprocess: load one store, time the queries, report peak RSS."""
    if rules:  # another formulation of the loader's rules, for both stores; the shipped files stay untouched
        import exmech.graph.load

        exmech.graph.load.rule_queries = lambda: sorted(rules.glob("*-construct.rq"))
    from exmech.graph.catalogue import catalogue
    from exmech.graph.load import derive, parse_file
    from exmech.graph.namespaces import bind_prefixes
    from exmech.graph.resources import ontology_files
    from exmech.stores import MemoryStore, OxigraphStore

    files = [*ontology_files(), nt]
    start = time.perf_counter()
    if store_kind == "rdflib":
        from rdflib import Graph

        graph = bind_prefixes(Graph())
        for path in files:
            if path.suffix == ".nt":
                graph.parse(path, format="nt")
            else:
                parse_file(graph, path)
        derive(graph)
        store = MemoryStore(graph)
    else:
        store = OxigraphStore(workdir / "oxigraph", files, reload=True)
    load_s = time.perf_counter() - start
    triples = len(graph) if store_kind == "rdflib" else len(store.store)
    out = {"load_s": load_s, "triples": triples}
    progress(f"{store_kind}: {triples} triples loaded and derived in {load_s:.1f} s")
    for column, name, given in QUERIES:
        query = catalogue()[name]
        times, rows = [], 0
        for _ in range(runs):
            t = time.perf_counter()
            rows = len(store.select(query.text, query.bindings(given)))
            times.append(time.perf_counter() - t)
        out[column] = statistics.median(times)
        out[f"{column} rows"] = rows
        progress(f"{store_kind}: {column}: median {out[column]:.3f} s, {rows} rows")
    out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def progress(message: str) -> None:
    """A line on stderr as each figure is known (the table row is printed when the subprocess ends)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"    [{time.strftime('%H:%M:%S')}] {message} (peak {peak:.0f} MiB)", file=sys.stderr, flush=True)


def run_one(store_kind: str, nt: Path, workdir: Path, runs: int, rules: Path | None, skip: list[str]) -> dict:
    cmd = [sys.executable, __file__, "--one", store_kind, str(nt), str(workdir), "--runs", str(runs)]
    cmd += ["--rules", str(rules)] if rules else []
    cmd += ["--skip", *skip] if skip else []
    done = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)  # progress and errors go straight to stderr
    if done.returncode != 0:
        return {"error": f"exit {done.returncode} (see the messages above)"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def fmt(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.3f}"


def ratio(a: dict, b: dict, key: str) -> str:
    return f"{a[key] / b[key]:.1f}x" if key in a and key in b and b[key] > 0 else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000, 100000])
    parser.add_argument("--huge", action="store_true", help="also 1,000,000 studies (takes long)")
    parser.add_argument("--runs", type=int, default=3, help="query repetitions; the median is shown")
    parser.add_argument(
        "--rdflib-max",
        type=int,
        default=100000,
        help="largest size rdflib is tried on (1M studies would need over 24 GiB in rdflib)",
    )
    parser.add_argument("--rules", type=Path, help="*-construct.rq rules to use instead")
    parser.add_argument(
        "--skip",
        nargs="*",
        default=[],
        metavar="COLUMN",
        help="leave out these query columns, e.g. --skip paths (the full listing is slow at 1M studies)",
    )
    parser.add_argument("--one", nargs=3, metavar=("STORE", "NT", "WORKDIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    global QUERIES
    unknown = set(args.skip) - {c for c, _, _ in QUERIES}
    if unknown:
        parser.error(f"--skip: unknown column(s) {sorted(unknown)}; columns: {[c for c, _, _ in QUERIES]}")
    QUERIES = tuple(q for q in QUERIES if q[0] not in args.skip)
    if args.one:
        kind, nt, workdir = args.one
        print(json.dumps(measure(kind, Path(nt), Path(workdir), args.runs, args.rules)))
        return

    from exmech.synthetic import write_ntriples

    sizes = args.sizes + ([1_000_000] if args.huge else [])
    print(
        f"stores benchmark: median of {args.runs} runs; load = parse + rules "
        f"({args.rules or 'shipped rules'}); peak RSS per subprocess",
        flush=True,
    )
    head = (
        f"{'studies':>9} {'triples':>10} {'store':>8} {'load s':>9} "
        + " ".join(f"{c + ' s':>16} {'rows':>7}" for c, _, _ in QUERIES)
        + f" {'peak MiB':>9}"
    )
    print(head)
    print("-" * len(head), flush=True)
    summary = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix=f"exmech-bench-{size}-") as tmp:
            nt = Path(tmp) / "synthetic.nt"
            write_ntriples(size, nt)
            results = {}
            for kind in ("oxigraph", "rdflib"):
                if kind == "rdflib" and size > args.rdflib_max:
                    results[kind] = {"error": f"skipped above {args.rdflib_max} studies (--rdflib-max)"}
                else:
                    results[kind] = run_one(kind, nt, Path(tmp), args.runs, args.rules, args.skip)
                r = results[kind]
                if "error" in r:
                    print(f"{size:>9} {'':>10} {kind:>8}  {r['error']}", flush=True)
                    continue
                cells = " ".join(f"{fmt(r[c]):>16} {r[c + ' rows']:>7}" for c, _, _ in QUERIES)
                load = fmt(r["load_s"])
                peak = r["peak_rss_mib"]
                print(f"{size:>9} {r['triples']:>10} {kind:>8} {load:>9} {cells} {peak:>9.0f}", flush=True)
            rd, ox = results["rdflib"], results["oxigraph"]
            keys = ["load_s", *(c for c, _, _ in QUERIES), "peak_rss_mib"]
            summary.append(f"{size:>9} " + " ".join(f"{ratio(rd, ox, k):>16}" for k in keys))
    print("\nrdflib / Oxigraph (higher = Oxigraph faster or smaller)")
    columns = " ".join(f"{c:>16}" for c, _, _ in QUERIES)
    print(f"{'studies':>9} {'load':>16} {columns} {'peak mem':>16}")
    print("\n".join(summary))


if __name__ == "__main__":
    main()
