"""Benchmark (not a test): the synthetic graph pushed into a real Virtuoso (Debian's virtuoso-opensource) and every
packaged query run there through `exmech query --endpoint`, beside the same query on an Oxigraph server holding
the same graph (`oxigraph serve-read-only` on the filled store), through the same client.

For each size (--studies 100000 by default; exmech.synthetic):
  fill       the synthetic N-Triples file loaded and derived into an on-disk Oxigraph store (bench_scale's child)
  dump       that store's whole graph written to one N-Triples file (what push sends; pyoxigraph's dump)
  anchor     Virtuoso's own bulk loader on that file into a fresh database: ld_dir + rdf_loader_run through isql-vt
  push       exmech.stores.push.push_file of that file into a fresh `oxigraph serve` and then into a second fresh
             Virtuoso database (Graph Store Protocol: a PUT of the blank-node triples, then POSTs of --part-mib
             parts, streamed from the file), each in a child process: its peak RSS is push's; printed beside
             ld_dir's and Oxigraph's time
  queries    every packaged query through `exmech query NAME --endpoint ... --graph G` on Virtuoso and on Oxigraph;
             a failing query is reported as failed with the error's last line (none is fixed here)

Each Virtuoso gets --buffers NumberOfBuffers (8 KiB pages; MaxDirtyBuffers 3/4 of it), 240000 by default (about
1.9 GiB), enough for the 3.5M triples of 100k studies and under 4 GiB. Steps run one after another; the anchor's
database is stopped before push's starts.

    .venv/bin/python tests/benchmarks/bench_virtuoso.py --studies 100000
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parents[1] / "src")]

from bench_scale import MIB, row, run_child  # noqa: E402

from interop_servers import OXIGRAPH, free_port, stop, virtuoso_server, wait_until_up  # noqa: E402

GRAPH = "https://w3id.org/exmech/synthetic"
PASSWORD = "dba"  # a new Virtuoso database's own default administrator, in a temporary folder on 127.0.0.1
EXMECH = [sys.executable, "-c", "import sys; from exmech.cli import main; sys.argv[0] = 'exmech'; main()"]


def child_dump(folder: Path, out: Path) -> dict:
    from exmech.stores import OxigraphStore
    from exmech.stores.push import write_ntriples

    with out.open("wb") as handle:
        write_ntriples(OxigraphStore(folder, read_only=True), handle)
    with out.open("rb") as handle:
        return {"triples": sum(1 for _ in handle), "mib": round(out.stat().st_size / MIB)}


def child_push(nt: Path, url: str, part_mib: str) -> dict:
    from exmech.stores.auth import Credentials
    from exmech.stores.push import push_file

    sent = push_file(nt, url, GRAPH, 3600, Credentials("dba", PASSWORD), int(part_mib) * MIB)
    return {"triples": sent}


def child_query(endpoint: str, name: str, out: Path, timeout: str, graph: str) -> dict:
    """`exmech query NAME --endpoint URL [--graph G]` as a user runs it; its rows, or the error's last line."""
    from exmech.graph.catalogue import catalogue

    graph_form = catalogue()[name].form in ("CONSTRUCT", "DESCRIBE")
    fmt = "nt" if graph_form else "json"
    args = ["query", name, "-f", fmt, "-o", str(out), "--endpoint", endpoint]
    args += ["--graph", graph] if graph != "-" else []
    done = subprocess.run([*EXMECH, *args, "--timeout", timeout], capture_output=True, text=True)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"exit {done.returncode}"]
        return {"failed": f"exit {done.returncode}: {lines[-1][:300]}"}
    if graph_form:
        return {"rows": sum(1 for line in out.read_text().splitlines() if line.strip())}
    answer = json.loads(out.read_text())
    return {"rows": answer["boolean"] if "boolean" in answer else len(answer["results"]["bindings"])}


CHILDREN = {"dump": child_dump, "push": child_push, "query": child_query}


def graph_size(endpoint: str) -> int:
    from exmech.stores.endpoint import EndpointStore

    return EndpointStore(endpoint, graphs=(GRAPH,)).count()


def bulk_load_anchor(nt: Path, folder: Path, opts) -> dict:
    """Virtuoso's own loader into a fresh database: wall time of ld_dir + rdf_loader_run + checkpoint."""
    folder.mkdir()
    with virtuoso_server(folder, opts.buffers, opts.buffers * 3 // 4, (nt.parent,), 10**7, 0) as (base, sql):
        script = f"ld_dir('{nt.parent}', '{nt.name}', '{GRAPH}'); rdf_loader_run(); checkpoint;"
        start = time.perf_counter()
        done = subprocess.run(
            ["isql-vt", f"127.0.0.1:{sql}", "dba", PASSWORD, f"exec={script}"], capture_output=True, text=True
        )
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            return {"s": seconds, "peak_mib": 0, "error": done.stderr.strip()[-300:]}
        return {"s": seconds, "peak_mib": 0, "triples": graph_size(f"{base}/sparql")}  # memory: Virtuoso's


def push_to_oxigraph(nt: Path, folder: Path, opts, max_rss: int) -> dict:
    """exmech push of the same file, in the same child, into a fresh `oxigraph serve` (its Graph Store /store)."""
    folder.mkdir()
    port = free_port()
    server = subprocess.Popen(
        [OXIGRAPH, "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", server, "The Oxigraph server")
        url = f"http://127.0.0.1:{port}/store"
        pushed = run_child("push", [str(nt), url, str(opts.part_mib)], max_rss, None, __file__)
        pushed["in_oxigraph"] = graph_size(f"http://127.0.0.1:{port}/query")
        row(f"exmech push Oxigraph ({opts.part_mib} MiB)", pushed)
        return pushed
    finally:
        stop(server)


def run_queries(endpoints: dict[str, tuple[str, str]], folder: Path, opts, max_rss: int) -> None:
    from exmech.graph.catalogue import catalogue

    print(f"\n{'query':<44} " + "   ".join(f"{name:>24}" for name in endpoints) + "   ratio", flush=True)
    for name in sorted(catalogue()):
        cells, seconds = [], []
        for store, (endpoint, graph) in endpoints.items():
            out = folder / f"answer-{store}"
            args = [endpoint, name, str(out), str(opts.query_timeout), graph]
            got = run_child("query", args, max_rss, opts.query_timeout + 30, __file__)
            if "failed" in got or "error" in got:
                cells.append(f"{'FAILED':>24}")
                seconds.append(None)
                print(f"    {store} {name}: {got.get('failed') or got.get('error')}", flush=True)
            else:
                cells.append(f"{got['s']:>9.2f} s {str(got['rows']):>10} rows")
                seconds.append(got["s"])
        ratio = f"{seconds[0] / seconds[1]:.1f}x" if None not in seconds else "-"
        print(f"{name:<44} " + "   ".join(cells) + f"   {ratio}", flush=True)


def measure_size(studies: int, opts) -> None:
    from exmech.synthetic import write_ntriples

    max_rss = int(opts.max_rss_gib * 1024 * MIB)
    with (
        tempfile.TemporaryDirectory(prefix=f"exmech-virtuoso-{studies}-", dir=opts.tmp) as tmp,
        ExitStack() as up,
    ):
        folder = Path(tmp)
        (folder / "data").mkdir()
        synthetic, full = folder / "synthetic.nt", folder / "data" / "full.nt"
        start = time.perf_counter()
        print(
            f"\n{studies} studies: {write_ntriples(studies, synthetic)} triples written", end="", flush=True
        )
        print(f" in {time.perf_counter() - start:.1f} s", flush=True)
        row("exmech fill (Oxigraph)", run_child("fill", [str(synthetic), str(folder / "filled")], max_rss))
        row(
            "dump to N-Triples",
            run_child("dump", [str(folder / "filled"), str(full)], max_rss, None, __file__),
        )
        anchor = bulk_load_anchor(full, folder / "anchor-db", opts)
        row("anchor Virtuoso ld_dir", anchor)
        to_oxigraph = push_to_oxigraph(full, folder / "push-oxigraph", opts, max_rss)
        (folder / "push-db").mkdir()
        base, _ = up.enter_context(
            virtuoso_server(folder / "push-db", opts.buffers, opts.buffers * 3 // 4, (), 10**7, 0)
        )
        store_url = f"{base}/sparql-graph-crud-auth"
        pushed = run_child("push", [str(full), store_url, str(opts.part_mib)], max_rss, None, __file__)
        pushed["in_virtuoso"] = graph_size(f"{base}/sparql")
        row(f"exmech push Virtuoso ({opts.part_mib} MiB)", pushed)
        for name, other in (("ld_dir", anchor), ("push Oxigraph", to_oxigraph)):
            if "error" not in other and "error" not in pushed:
                print(f"{'':<28} push Virtuoso / {name} time {pushed['s'] / other['s']:.2f}x", flush=True)
        port = free_port()
        oxigraph = subprocess.Popen(
            [
                OXIGRAPH,
                "serve-read-only",
                "--location",
                str(folder / "filled"),
                "--bind",
                f"127.0.0.1:{port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        up.callback(oxigraph.wait)
        up.callback(oxigraph.terminate)
        time.sleep(2)
        # Virtuoso holds the graph in GRAPH; the Oxigraph store in its default graph
        endpoints = {
            "virtuoso": (f"{base}/sparql", GRAPH),
            "oxigraph": (f"http://127.0.0.1:{port}/query", "-"),
        }
        run_queries(endpoints, folder, opts, max_rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--studies", type=int, nargs="+", default=[100000])
    parser.add_argument("--buffers", type=int, default=240000, help="Virtuoso NumberOfBuffers (8 KiB pages)")
    parser.add_argument("--part-mib", type=int, default=32, help="MiB of N-Triples per push request")
    parser.add_argument("--query-timeout", type=float, default=120.0, help="exmech query --timeout")
    parser.add_argument("--max-rss-gib", type=float, default=6.0, help="kill a step whose RSS passes this")
    parser.add_argument("--tmp", type=Path, default=None, help="folder for the temporary files and stores")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        step, *rest = opts.child
        print(json.dumps(CHILDREN[step](*[Path(a) if a.startswith("/") else a for a in rest])))
        return
    for studies in opts.studies:
        measure_size(studies, opts)


if __name__ == "__main__":
    main()
