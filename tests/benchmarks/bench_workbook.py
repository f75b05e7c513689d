"""Benchmark (not a test): a review-sized workbook (110 trials, as in Wun et al. 2021) validated and added.

    PYTHONPATH=src .venv/bin/python tests/benchmarks/bench_workbook.py [--trials 110] [--format xlsx|csv]

The workbook is built through the round trip from the shipped trials (the first N files of ontology/kb/studies,
each written out with graph_to_sheets, all in one workbook), in a temporary folder deleted afterwards. It prints:
  write s       graph_to_sheets + writing the workbook
  validate s    `exmech validate WORKBOOK --kb EMPTY` in a fresh process (read, vocabulary, types, SHACL)
  add s         `exmech add WORKBOOK --kb EMPTY` in a fresh process (validate, lock, write)
  targets       the issue's: validate under 10 s, add under 20 s on the 2-core machine
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rdflib import Graph

from exmech.entries.workbook import graph_to_sheets
from exmech.entries.workbook_files import write_workbook
from exmech.graph.resources import resource_dir


def build(trials: int, out: Path) -> int:
    files = sorted((resource_dir("ontology") / "kb" / "studies").glob("*.ttl"))[:trials]
    graph = Graph()
    for path in files:
        graph.parse(path, format="turtle")
    write_workbook(graph_to_sheets(graph), out)
    return len(files)


def timed(argv: list[str], env: dict) -> tuple[float, int, str]:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600)
    return time.perf_counter() - start, done.returncode, done.stdout[-400:] + done.stderr[-400:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=110)
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        book = root / ("trials.xlsx" if args.format == "xlsx" else "trials")
        start = time.perf_counter()
        count = build(args.trials, book)
        write = time.perf_counter() - start
        kb = root / "kb"
        kb.mkdir()
        env = os.environ | {"EXMECH_CACHE_DIR": str(root / "cache")}
        exe = [sys.executable, "-m", "exmech"]
        validate, code_v, out_v = timed([*exe, "validate", str(book), "--kb", str(kb)], env)
        add, code_a, out_a = timed([*exe, "add", str(book), "--kb", str(kb)], env)
        print(f"trials        {count} ({args.format})")
        print(f"write s       {write:.2f}")
        print(f"validate s    {validate:.2f}  (exit {code_v})")
        print(f"add s         {add:.2f}  (exit {code_a})")
        print(f"targets       validate < 10 s: {validate < 10}; add < 20 s: {add < 20}")
        if code_v or code_a:
            print(out_v, out_a, sep="\n")


if __name__ == "__main__":
    main()
