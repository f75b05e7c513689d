"""Benchmark (not a test): the validate/add index of the stored knowledge base (exmech.entries.kb_index) at 10k
and 100k stored trial files, beside its anchors measured in the same run.

    .venv/bin/python tests/benchmarks/bench_kb_index.py [--sizes 10000 100000] [--workdir DIR]

For each size it writes a throw-away knowledge-base folder (one Turtle file per synthetic study, as
bench_validate.py does; in a temporary folder, or --workdir to keep and reuse it) and prints:
  cold s      KbIndex.load with no index file: every stored file parsed and recorded
  warm s      KbIndex.load as every later `exmech validate` / `exmech add` pays it (median of 3)
  1 changed s KbIndex.load after one stored file was rewritten
  parse s     anchor: pyoxigraph parsing every stored file (read, parse, iterate the triples), nothing recorded
  scan s      anchor: listing the folder and stat-ing every file (os.scandir), nothing compared
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from exmech.entries.kb_index import KbIndex, _scan

sys.path.insert(0, str(Path(__file__).parent))
from bench_validate import write_store  # noqa: E402  (the same synthetic folder as the validate benchmark)


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def parse_all(kb: Path) -> int:
    count = 0
    for rel in _scan(kb):
        path = kb / rel
        for _ in ox.parse(path.read_bytes(), ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()):
            count += 1
    return count


def measure(n: int, root: Path) -> str:
    kb, cache = root / f"kb-{n}", root / f"cache-{n}"
    if not kb.is_dir():
        write_store(n, kb)
    os.environ["EXMECH_CACHE_DIR"] = str(cache)
    for old in cache.glob("index-*"):
        old.unlink()
    cold = timed(lambda: KbIndex.load(kb))
    warm = statistics.median(timed(lambda: KbIndex.load(kb)) for _ in range(3))
    one = kb / "studies" / "synth7.ttl"
    one.write_text(one.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    changed = timed(lambda: KbIndex.load(kb))
    parse = timed(lambda: parse_all(kb))
    scan = statistics.median(timed(lambda: _scan(kb)) for _ in range(3))
    return f"{n:>8} {cold:>8.2f} {warm:>8.3f} {changed:>12.3f} {parse:>8.2f} {scan:>8.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--workdir", type=Path, help="keep the synthetic folders here and reuse them")
    args = parser.parse_args()
    print(
        f"{'files':>8} {'cold s':>8} {'warm s':>8} {'1 changed s':>12} {'parse s':>8} {'scan s':>8}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="exmech-bench-index-") as tmp:
        root = args.workdir or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        for n in args.sizes:
            print(measure(n, root), flush=True)


if __name__ == "__main__":
    main()
