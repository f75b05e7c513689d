"""Benchmark (not a test): exmech's on-disk Oxigraph store beside the engine's own speed on the same file.

For each size (--studies 10000 100000 1000000) the synthetic graph (exmech.synthetic) is written once to a temporary
N-Triples file; then each step runs in a child process of its own, so its time and peak memory (the child's
ru_maxrss, read with os.wait4) are its own:

  parse      anchor: pyoxigraph.parse over the file, every triple read
  bulk_load  anchor: pyoxigraph Store.bulk_load of the ontology files and the file into a fresh store
  fill       exmech: OxigraphStore(...) filling a fresh store (the same bulk load, then the rules: load + derive)
  derive     exmech: OxigraphStore.derive alone, on a copy of the bulk_load anchor's store
  add        exmech: one trial file added beside the sources of the filled store, which is then opened again
             (its freshness check and the update in place), beside a full refill (--no-add leaves it out)
  queries    every packaged query on the filled store, each in a child process under --query-timeout

Each figure is printed beside its anchor with the ratio; --repeat N runs the anchor and the fill N times in turn and
shows the run of median time of each. A watchdog thread polls each child's VmRSS and kills it
above --max-rss-gib (default 6), so a large size cannot take the machine's memory from other work.

    .venv/bin/python tests/benchmarks/bench_scale.py --studies 10000 100000
    .venv/bin/python tests/benchmarks/bench_scale.py --studies 1000000 --query-timeout 120
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

MIB = 1024 * 1024


def child_parse(nt: Path) -> dict:
    import pyoxigraph as ox

    return {"triples": sum(1 for _ in ox.parse(path=str(nt), format=ox.RdfFormat.N_TRIPLES))}


def child_bulk_load(nt: Path, folder: Path) -> dict:
    import pyoxigraph as ox

    from exmech.graph.resources import ontology_files

    store = ox.Store(str(folder))
    for path in [*ontology_files(), nt]:
        fmt = ox.RdfFormat.N_TRIPLES if path.suffix == ".nt" else ox.RdfFormat.TURTLE
        store.bulk_load(path=str(path), format=fmt, base_iri=path.resolve().as_uri())
    store.flush()
    return {"triples": len(store)}


def child_fill(nt: Path, folder: Path) -> dict:
    from exmech.graph.resources import ontology_files
    from exmech.stores import OxigraphStore

    return {"triples": OxigraphStore(folder, [*ontology_files(), nt], reload=True).count()}


def child_derive(folder: Path, nt: Path) -> dict:
    """OxigraphStore.derive's one stratified pass, rule by rule (the same calls), timing each rule and counting
    what it added; each rule in the form fill gives it for these source files (oxigraph_derive.is_large)."""
    from exmech.graph.resources import ontology_files
    from exmech.stores import OxigraphStore
    from exmech.stores.oxigraph_derive import add_rule_output, is_large, rule_files

    store = OxigraphStore(folder, read_only=True)  # no files given: no freshness check, a bare store
    store.read_only = False
    start, rules = len(store.store), []
    with tempfile.TemporaryDirectory(prefix="exmech-derive-") as scratch:
        for path in rule_files(large=is_large([nt, *ontology_files()])):
            before, began = len(store.store), time.perf_counter()
            add_rule_output(store.store, path.read_text(encoding="utf-8"), Path(scratch) / "rule.nt")
            rules.append([path.stem, time.perf_counter() - began, len(store.store) - before])
    return {"derived": len(store.store) - start, "rules": rules}


def child_query(folder: Path, name: str) -> dict:
    from exmech.graph.catalogue import catalogue
    from exmech.stores import OxigraphStore
    from exmech.stores.rows import inline_bindings

    query = catalogue()[str(name)]  # a name with a slash (qc/...) arrives as a Path
    answer = OxigraphStore(folder, read_only=True).run(inline_bindings(query.text, query.bindings({})))
    return {"rows": answer if isinstance(answer, bool) else len(answer)}


def new_trial(nt: Path) -> Path:
    """One synthetic trial beside the synthetic graph, numbered past any in it (a new node, as `exmech add` writes)."""
    import random

    from exmech.synthetic import study_triples

    trial = nt.with_name("added-trial.nt")
    lines = (" ".join(term.n3() for term in t) + " .\n" for t in study_triples(10**9, random.Random(2)))
    trial.write_text("".join(lines), encoding="utf-8")
    return trial


def child_add(nt: Path, folder: Path) -> dict:
    """Open the filled store with one trial added to its sources: the freshness check and the update in place."""
    from exmech.graph.resources import ontology_files
    from exmech.stores import OxigraphStore

    trial, start = new_trial(nt), time.perf_counter()
    store = OxigraphStore(folder, [*ontology_files(), nt, trial])
    inner = time.perf_counter() - start
    in_place = store.run("ASK { <urn:bench:marker> <urn:bench:p> <urn:bench:o> }")
    return {"inner_s": round(inner, 3), "updated_in_place": in_place}


def child_refill(nt: Path, folder: Path) -> dict:
    """The filled store refilled from scratch (the cost of any change that is not local); then a marker that only
    an update in place keeps."""
    from exmech.graph.resources import ontology_files
    from exmech.stores import OxigraphStore

    start = time.perf_counter()
    store = OxigraphStore(folder, [*ontology_files(), nt], reload=True)
    inner = time.perf_counter() - start
    store.update("INSERT DATA { <urn:bench:marker> <urn:bench:p> <urn:bench:o> }")
    return {"inner_s": round(inner, 3)}


CHILDREN = {"parse": child_parse, "bulk_load": child_bulk_load, "fill": child_fill, "derive": child_derive}
CHILDREN |= {"query": child_query, "add": child_add, "refill": child_refill}


def vm_rss(pid: int | str, field: str = "VmRSS") -> int:
    """A memory figure of a process from /proc (VmRSS, or VmHWM: its peak), in bytes; 0 where there is none."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run_child(
    step: str, args: list[str], max_rss: int, timeout: float | None = None, script: str = __file__
) -> dict:
    """Run one step in a child process (`script --child step args`, this file by default); return its figures
    with wall seconds and peak RSS (MiB)."""
    cmd = [sys.executable, script, "--child", step, *args]
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    killed: list[str] = []
    done = threading.Event()  # set once os.wait4 has reaped the child (poll() here would race with it)

    def watch() -> None:
        while not done.is_set():
            if vm_rss(child.pid) > max_rss:
                killed.append(f"killed above {max_rss / MIB / 1024:.1f} GiB RSS")
                child.kill()
            elif timeout and time.perf_counter() - start > timeout:
                killed.append(f"killed after {timeout:.0f} s")
                child.kill()
            time.sleep(0.2)

    watchdog = threading.Thread(target=watch, daemon=True)
    watchdog.start()
    out = child.stdout.read() if child.stdout else ""
    _, status, usage = os.wait4(child.pid, 0)
    done.set()
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    watchdog.join()
    figures = {"s": seconds, "peak_mib": usage.ru_maxrss / 1024}
    if killed or child.returncode != 0:
        return figures | {"error": killed[0] if killed else f"exit {child.returncode}"}
    return figures | json.loads(out.strip().splitlines()[-1])


def row(label: str, figures: dict, anchor: dict | None = None, anchor_label: str = "") -> None:
    cells = f"{label:<28} {figures['s']:>9.2f} s {figures['peak_mib']:>8.0f} MiB"
    if "error" in figures:
        cells += f"  {figures['error']}"
    elif anchor and "error" not in anchor:
        cells += (
            f"   vs {anchor_label:<10} {anchor['s']:>8.2f} s {anchor['peak_mib']:>7.0f} MiB"
            f"   time {figures['s'] / anchor['s']:.2f}x  memory {figures['peak_mib'] / anchor['peak_mib']:.2f}x"
        )
    extra = {k: v for k, v in figures.items() if k not in ("s", "peak_mib", "error")}
    print(cells + (f"   {extra}" if extra else ""), flush=True)


def measure_size(studies: int, opts: argparse.Namespace) -> None:
    from exmech.graph.catalogue import catalogue
    from exmech.synthetic import write_ntriples

    max_rss = int(opts.max_rss_gib * 1024 * MIB)
    with tempfile.TemporaryDirectory(prefix=f"exmech-scale-{studies}-", dir=opts.tmp) as tmp:
        folder = Path(tmp)
        nt = folder / "synthetic.nt"
        start = time.perf_counter()
        triples = write_ntriples(studies, nt)
        print(
            f"\n{studies} studies: {triples} triples written in {time.perf_counter() - start:.1f} s",
            flush=True,
        )
        parse = run_child("parse", [str(nt)], max_rss)
        row("anchor pyoxigraph.parse", parse)
        bulk, fill = median_pair(nt, folder, max_rss, opts.repeat)
        row("anchor Store.bulk_load", bulk)
        row("exmech fill (load + derive)", fill, bulk, "bulk_load")
        if "error" not in bulk and opts.derive_alone:
            shutil.copytree(folder / "anchor", folder / "derived")
            derive = run_child("derive", [str(folder / "derived"), str(nt)], max_rss)
            rules = derive.pop("rules", [])
            row("exmech derive alone", derive, bulk, "bulk_load")
            for name, seconds, added in rules:
                print(f"  rule {name:<34} {seconds:>9.2f} s {added:>10} triples added", flush=True)
            shutil.rmtree(folder / "derived")
        if "error" in fill:
            return
        if opts.add:
            measure_add(nt, folder, max_rss)
        for name in sorted(catalogue()) if opts.queries else []:
            if name not in opts.skip:
                answer = run_child("query", [str(folder / "filled"), name], max_rss, opts.query_timeout)
                row(f"query {name}", answer)


def median_pair(nt: Path, folder: Path, max_rss: int, repeat: int) -> tuple[dict, dict]:
    """The bulk_load anchor and the fill, run in turn `repeat` times, each into a fresh folder; the run of median
    time of each (the machine is shared: one run of each can land in a busy moment)."""
    bulks, fills = [], []
    for _ in range(repeat):
        for step, runs in (("bulk_load", bulks), ("fill", fills)):
            target = folder / ("anchor" if step == "bulk_load" else "filled")
            shutil.rmtree(target, ignore_errors=True)
            runs.append(run_child(step, [str(nt), str(target)], max_rss))
    if repeat > 1:
        print(
            f"  {repeat} runs each, seconds: bulk_load {[round(r['s'], 2) for r in bulks]}"
            f" fill {[round(r['s'], 2) for r in fills]}",
            flush=True,
        )
    return tuple(sorted(runs, key=lambda r: r["s"])[len(runs) // 2] for runs in (bulks, fills))  # type: ignore[return-value]


def measure_add(nt: Path, folder: Path, max_rss: int) -> None:
    """One trial added beside the sources of a filled store: the incremental update beside a full refill."""
    refill = run_child("refill", [str(nt), str(folder / "filled")], max_rss)
    add = run_child("add", [str(nt), str(folder / "filled")], max_rss)
    row("exmech add one trial", add, refill, "refill")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--studies", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--max-rss-gib", type=float, default=6.0, help="kill a step whose RSS passes this")
    parser.add_argument(
        "--query-timeout", type=float, default=60.0, help="seconds each packaged query may take"
    )
    parser.add_argument(
        "--skip", nargs="*", default=[], metavar="QUERY", help="packaged queries to leave out"
    )
    parser.add_argument("--repeat", type=int, default=1, help="anchor and fill runs (the median is shown)")
    parser.add_argument("--no-queries", dest="queries", action="store_false", help="leave out the queries")
    parser.add_argument("--no-add", dest="add", action="store_false", help="leave out the incremental add")
    parser.add_argument(
        "--no-derive-alone", dest="derive_alone", action="store_false", help="leave out derive alone"
    )
    parser.add_argument("--tmp", type=Path, default=None, help="folder for the temporary files and stores")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        step, *rest = opts.child
        print(json.dumps(CHILDREN[step](*[Path(a) if "/" in a else a for a in rest])))
        return
    print(
        f"scale benchmark: each step in its own child process; watchdog at {opts.max_rss_gib} GiB RSS",
        flush=True,
    )
    for studies in opts.studies:
        measure_size(studies, opts)


if __name__ == "__main__":
    main()
