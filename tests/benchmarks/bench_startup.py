"""Benchmark (not a test): the start-up of `exmech query` on the shipped graph, and the stores at that size.

    .venv/bin/python tests/benchmarks/bench_startup.py [--runs 5]

Each line is a fresh process (median wall and CPU time of --runs, and its peak RSS; on a shared machine the
CPU time is the steadier figure), measured in the same run:
  python -c pass                              the interpreter alone (anchor)
  exmech --help                               typer and every command module imported (anchor)
  exmech query review-summary                 the default: the cached Oxigraph build, warm (exmech.stores.cached)
  ... first run after a source change         the same with an empty cache folder: the build is made first
  ... --store memory                          rdflib in memory: parse + rules in every command
  ... --store oxigraph:PATH                   an on-disk store the user named, already filled
The cache goes to a temporary folder ($EXMECH_CACHE_DIR), never to the user's own.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(argv: list[str], env: dict) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds (user + system), peak RSS MiB) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    exmech = [sys.executable, "-m", "exmech"]
    query = [*exmech, "query", "review-summary"]
    with tempfile.TemporaryDirectory(prefix="exmech-bench-startup-") as tmp:
        env = os.environ | {"EXMECH_CACHE_DIR": str(Path(tmp) / "cache")}
        store = f"oxigraph:{Path(tmp) / 'ox'}"
        run([*query, "--store", store], env)  # fill the named store once
        run(query, env)  # and the cached build
        cases = [
            ("python -c pass", [sys.executable, "-c", "pass"], False),
            ("exmech --help", [*exmech, "--help"], False),
            ("exmech query review-summary (cached build)", query, False),
            ("  first run after a source change", query, True),
            ("  --store memory (rdflib)", [*query, "--store", "memory"], False),
            ("  --store oxigraph:PATH (filled)", [*query, "--store", store], False),
        ]
        print(
            f"{'command':<46} {'wall s':>8} {'CPU s':>8} {'peak MiB':>9}   (median of {args.runs})",
            flush=True,
        )
        for label, argv, cold in cases:
            walls, cpus, peak = [], [], 0.0
            for i in range(args.runs):
                case_env = env | {"EXMECH_CACHE_DIR": str(Path(tmp) / f"cold{i}")} if cold else env
                wall, cpu, rss = run(argv, case_env)
                walls.append(wall)
                cpus.append(cpu)
                peak = max(peak, rss)
            wall, cpu = statistics.median(walls), statistics.median(cpus)
            print(f"{label:<46} {wall:>8.3f} {cpu:>8.3f} {peak:>9.0f}", flush=True)


if __name__ == "__main__":
    main()
