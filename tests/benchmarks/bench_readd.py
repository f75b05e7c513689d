"""Benchmark (not a test): validating, adding and re-adding one multi-trial entry of 100, 1,000 and 3,000 trials.

    PYTHONPATH=src .venv/bin/python tests/benchmarks/bench_readd.py [--sizes 100 1000 3000]

For each size it writes, in a temporary folder deleted afterwards, a copy of the shipped knowledge base and a CSV
entry of N made-up trials (the test row of tests/entry_helpers.py with slugs bench0..benchN-1 and DOIs under the
Crossref test prefix 10.5555), then runs `exmech` in a fresh process, as a user would, and prints per step the
wall time and the peak memory (max RSS) of that process:
  validate   exmech validate entry.csv --kb KB
  add        exmech add entry.csv --kb KB       (writes studies/bench0.ttl)
  re-add     exmech add entry.csv --kb KB       (the same entry again: must change nothing)
Nothing is written into ontology/kb.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from entry_helpers import GOOD_ROW, write_csv  # noqa: E402
from exmech.graph.resources import resource_dir  # noqa: E402


def entry(n: int, path: Path) -> Path:
    rows = [
        GOOD_ROW
        | {
            "slug": f"bench{i}",
            "label": f"Bench {i}: yoga vs education",
            "doi": f"10.5555/bench{i}",
            "pmid": str(9_000_000 + i),
            "registration": f"NCT{70_000_000 + i:08d}",
        }
        for i in range(n)
    ]
    return write_csv(path, *rows)


def run(args: list[str], env: dict) -> tuple[float, float, int]:
    """(seconds, peak RSS in MB, exit code) of one exmech process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "exmech", *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 3000])
    sizes = parser.parse_args().sizes
    print(f"{'trials':>7} {'step':>9} {'seconds':>8} {'peak MB':>8} {'exit':>4}", flush=True)
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            kb = folder / "kb"
            shutil.copytree(resource_dir("ontology") / "kb", kb)
            csv_path = entry(n, folder / "entry.csv")
            env = os.environ | {"EXMECH_CACHE_DIR": str(folder / "cache")}
            run(["validate", str(csv_path), "--kb", str(kb)], env)  # fills the store index cache once
            for step, command in (("validate", "validate"), ("add", "add"), ("re-add", "add")):
                seconds, peak, code = run([command, str(csv_path), "--kb", str(kb)], env)
                print(f"{n:>7} {step:>9} {seconds:>8.1f} {peak:>8.0f} {code:>4}", flush=True)
            stored = kb / "studies" / "bench0.ttl"
            assert stored.is_file(), "the add did not store the entry"


if __name__ == "__main__":
    main()
