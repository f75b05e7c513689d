"""Benchmark (not a test): where a full derive in Oxigraph spends its time and memory, rule by rule.

The synthetic graph (exmech.synthetic) of --studies studies is written once to an N-Triples file in --workdir (kept
and reused) or a temporary folder. In one process the file and the ontology files are bulk-loaded into a fresh
on-disk store (the anchor: time and peak RSS), then each rule runs as a full derive runs it
(exmech.stores.oxigraph_derive.add_rule_output: its CONSTRUCT streamed to a file and bulk-loaded), in the stratified
order (with --large, in the forms a large store's fill uses: oxigraph_derive.LARGE_BYTES), each printed with its
time, its own peak RSS (the peak is reset before each rule through
/proc/self/clear_refs, where Linux allows it; otherwise the figure is the process's peak so far), the RSS after it
and the triples in the store. The last line puts the derive's total beside the bulk load.

    .venv/bin/python tests/benchmarks/bench_rules.py --studies 100000 --workdir /tmp/q100k
    .venv/bin/python tests/benchmarks/bench_rules.py --studies 100000 --workdir /tmp/q100k --large
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import MIB, vm_rss  # noqa: E402

from exmech.graph.resources import ontology_files
from exmech.stores.oxigraph_derive import add_rule_output, rdf_format, rule_files
from exmech.synthetic import write_ntriples


def status_mib(field: str) -> int:
    """VmHWM (peak) or VmRSS of this process, in MiB."""
    return vm_rss("self", field) // MIB


def reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--studies", type=int, default=100000)
    parser.add_argument(
        "--workdir", type=Path, default=None, help="keep the N-Triples file here and reuse it"
    )
    parser.add_argument("--large", action="store_true", help="the rules as fill runs them for a large store")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="exmech-rules-") as tmp:
        workdir = opts.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        nt = workdir / "synthetic.nt"
        if not nt.exists():
            write_ntriples(opts.studies, nt)
        store_dir = Path(tmp) / "store"
        store = ox.Store(str(store_dir))
        start = time.perf_counter()
        for path in [nt, *ontology_files()]:
            store.bulk_load(path=str(path), format=rdf_format(path), base_iri=Path(path).resolve().as_uri())
        load = time.perf_counter() - start
        print(f"{opts.studies} studies, {len(store)} triples loaded")
        print(f"{'anchor: bulk_load':<46} {load:7.1f} s  peak {status_mib('VmHWM'):6} MiB")
        exact = True
        derive = 0.0
        for rule in rule_files(large=opts.large):
            exact = reset_peak() and exact
            start = time.perf_counter()
            add_rule_output(store, rule.read_text(encoding="utf-8"), Path(tmp) / "rule.nt")
            took = time.perf_counter() - start
            derive += took
            name = f"{rule.parent.name}/{rule.name}"
            print(
                f"{name:<46} {took:7.1f} s  peak {status_mib('VmHWM'):6} MiB  after {status_mib('VmRSS'):6} MiB"
                f"  triples {len(store)}",
                flush=True,
            )
        print(f"{'derive, every rule':<46} {derive:7.1f} s  = {derive / load:.2f}x the bulk load")
        if not exact:
            print("(peaks are the process's so far: /proc/self/clear_refs could not be written)")


if __name__ == "__main__":
    main()
