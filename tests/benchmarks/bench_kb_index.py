"""Benchmark (not a test): the validate/add index of the stored knowledge base (exmech.entries.kb_index) at 10k
and 100k stored trial files, beside its anchors measured in the same run.

    .venv/bin/python tests/benchmarks/bench_kb_index.py [--sizes 10000 100000] [--workdir DIR]

For each size it writes a throw-away knowledge-base folder (one Turtle file per synthetic study, as
bench_validate.py does; in a temporary folder, or --workdir to keep and reuse it), waits until the newest file is
older than kb_facts.RACY_NS (as a stored knowledge base is), and prints:
  cold s       KbIndex.load with no index file: every stored file parsed (worker processes) and recorded
  cold cpu s   the CPU seconds of that cold load, its worker processes included (wall time on a shared machine
               depends on the other loads; the load average is printed first)
  warm s       KbIndex.load as every later `exmech validate` / `exmech add` pays it (median of 3): the folder
               signature matches, nothing else read
  rescan s     KbIndex.load(rescan=True): every file stat-ed and compared with its row (median of 3)
  1 replaced s KbIndex.load after one stored file was replaced by a rename (as `exmech add`, git and most
               editors write): the signature moved, so every file is stat-ed and the one file parsed
  parse s      anchor: pyoxigraph parsing every stored file in this process (read, parse, iterate the triples)
  scan s       anchor: listing the folder and stat-ing every file (os.scandir), nothing compared
  list s       anchor: listing the folder without a stat per file (os.scandir), what the signature costs
Targets (issue 13 goal 5): cold under 5 s and warm under 0.2 s at 100k stored files.
"""

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from exmech.entries.kb_facts import RACY_NS, scan
from exmech.entries.kb_index import KbIndex

sys.path.insert(0, str(Path(__file__).parent))
from bench_validate import write_store  # noqa: E402  (the same synthetic folder as the validate benchmark)

HEADS = ("cold s", "cold cpu s", "warm s", "rescan s", "1 replaced s", "parse s", "scan s", "list s")
WIDTHS = (8, 11, 8, 9, 13, 8, 8, 8)


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def parse_all(kb: Path) -> int:
    count, root = 0, kb.resolve()
    for rel in scan(root):
        path = root / rel
        for _ in ox.parse(path.read_bytes(), ox.RdfFormat.TURTLE, base_iri=path.as_uri()):
            count += 1
    return count


def list_all(kb: Path) -> int:
    count, stack = 0, [str(kb)]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.name.endswith(".ttl"):
                    count += 1
    return count


def measure(n: int, root: Path) -> str:
    kb, cache = root / f"kb-{n}", root / f"cache-{n}"
    if not kb.is_dir():
        write_store(n, kb)
    time.sleep(RACY_NS / 1e9 + 0.1)  # the newest file and folder mtimes are now old enough to trust
    os.environ["EXMECH_CACHE_DIR"] = str(cache)
    for old in cache.glob("index-*"):
        old.unlink()
    cpu = cpu_seconds()
    cold = timed(lambda: KbIndex.load(kb))
    cpu = cpu_seconds() - cpu
    warm = statistics.median(timed(lambda: KbIndex.load(kb)) for _ in range(3))
    rescan = statistics.median(timed(lambda: KbIndex.load(kb, rescan=True)) for _ in range(3))
    one, tmp = kb / "studies" / "synth7.ttl", kb / "studies" / ".synth7.tmp"
    tmp.write_text(one.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    os.replace(tmp, one)
    replaced = timed(lambda: KbIndex.load(kb))
    parse = timed(lambda: parse_all(kb))
    stat = statistics.median(timed(lambda: scan(kb)) for _ in range(3))
    listing = statistics.median(timed(lambda: list_all(kb)) for _ in range(3))
    figures = (cold, cpu, warm, rescan, replaced, parse, stat, listing)
    return f"{n:>8} " + " ".join(f"{f:>{w}.3f}" for f, w in zip(figures, WIDTHS, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--workdir", type=Path, help="keep the synthetic folders here and reuse them")
    args = parser.parse_args()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} cores, load average before the run: {load}", flush=True)
    print(f"{'files':>8} " + " ".join(f"{h:>{w}}" for h, w in zip(HEADS, WIDTHS, strict=True)), flush=True)
    with tempfile.TemporaryDirectory(prefix="exmech-bench-index-") as tmp:
        root = args.workdir or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        for n in args.sizes:
            print(measure(n, root), flush=True)


if __name__ == "__main__":
    main()
