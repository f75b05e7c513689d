"""Benchmark (not a test): checking one entry against stores of 1k, 10k and 100k synthetic studies, beside pyshacl
run naively over the whole store plus the entry.

    .venv/bin/python tests/benchmarks/bench_validate.py [--sizes 1000 10000 100000] [--naive-timeout 600]

For each size it writes a throw-away knowledge-base folder (one Turtle file per synthetic study, in a temporary
folder that is deleted afterwards) and prints:
  cold index s   first KbIndex.load: parses every stored file once (then cached)
  warm index s   KbIndex.load as every later `exmech validate` / `exmech add` pays it: scan + cache
  trial s        median time to check a trial entry (tests/examples/valid/Claim-sourced.ttl) with the index
  mediation s    the same for a mediation-only entry naming a stored trial (whose file is read for the slice)
  naive s        pyshacl over ontology + the whole store + the entry, in a subprocess cut at --naive-timeout
  ratio          naive / trial
The synthetic studies come from exmech.synthetic; only for this folder their nodes are renamed from the
synthetic namespace into kb: (so that slice look-ups happen as for real entries); each still says exm:synthetic
true and nothing is written outside the temporary folder.
"""

import argparse
import multiprocessing as mp
import os
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from rdflib import Graph, URIRef

from exmech.checks.shapes import validate as shacl_validate
from exmech.entries.kb_index import KbIndex
from exmech.entries.read import read_entry
from exmech.entries.validate import base_graph, validate_entry
from exmech.graph.namespaces import KB
from exmech.synthetic import SYNTHETIC, triples

TRIAL = Path(__file__).resolve().parents[1] / "examples" / "valid" / "Claim-sourced.ttl"
MEDIATION = """@prefix exm: <https://w3id.org/exmech/ontology/> . @prefix kb: <https://w3id.org/exmech/kb/> .
@prefix mech: <https://w3id.org/exmech/mechanism/> . @prefix outc: <https://w3id.org/exmech/outcome/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
kb:benchma2024-ma1 a exm:MediationAnalysis ; exm:analysesStudy kb:synth7 ; exm:intervention kb:synth7-int1 ;
    exm:mediator mech:self-efficacy ; exm:outcome outc:disability ; exm:mediatorTimePointWeeks 6 ;
    exm:outcomeTimePointWeeks 12 ; exm:proportionMediated 0.2 ; exm:sourceLocation "Table 2" ;
    prov:wasDerivedFrom <https://doi.org/10.5555/bench> .
"""


def _rename(term):
    if isinstance(term, URIRef) and str(term).startswith(f"{SYNTHETIC}study"):
        return URIRef(str(KB) + "synth" + str(term)[len(SYNTHETIC) + len("study") :])
    return term


def write_store(n: int, folder: Path) -> None:
    by_study = defaultdict(list)
    for t in triples(n):
        s = _rename(t[0])
        by_study[str(s)[len(str(KB)) :].split("-", 1)[0]].append(
            " ".join(x.n3() for x in (s, t[1], _rename(t[2])))
        )
    studies = folder / "studies"
    studies.mkdir(parents=True)
    for slug, lines in by_study.items():
        (studies / f"{slug}.ttl").write_text(" .\n".join(lines) + " .\n", encoding="utf-8")


def store_graph(n: int) -> Graph:
    g = Graph()
    for t in triples(n):
        g.add(t)
    return g


def naive(n: int, queue) -> None:
    data = base_graph() + store_graph(n) + read_entry(TRIAL)
    start = time.perf_counter()
    shacl_validate(data)
    queue.put(time.perf_counter() - start)


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--naive-timeout", type=float, default=600)
    args = ap.parse_args()
    trial = read_entry(TRIAL)
    mediation = Graph().parse(data=MEDIATION, format="turtle")
    print(
        f"{'studies':>8} {'cold index s':>12} {'warm index s':>12} {'trial s':>8} {'mediation s':>11} "
        f"{'naive s':>8} {'ratio':>6}",
        flush=True,
    )
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["EXMECH_CACHE_DIR"] = str(Path(tmp) / "cache")
            kb = Path(tmp) / "kb"
            write_store(n, kb)
            t0 = time.perf_counter()
            KbIndex.load(kb)
            cold = time.perf_counter() - t0
            warm = median_time(lambda kb=kb: KbIndex.load(kb), 3)
            index = KbIndex.load(kb)
            problems = validate_entry(mediation, index)
            assert not [p for p in problems if p.severity == "Violation"], problems
            per_trial = median_time(lambda index=index: validate_entry(trial, index), args.repeats)

            def check_mediation(index=index):
                index._parsed.clear()  # the stored trial's file is read again each time, as in a fresh process
                validate_entry(mediation, index)

            per_mediation = median_time(check_mediation, args.repeats)
        queue = mp.Queue()
        proc = mp.Process(target=naive, args=(n, queue))
        proc.start()
        proc.join(args.naive_timeout)
        if proc.is_alive():
            proc.terminate()
            naive_s, ratio = f">{args.naive_timeout:.0f}", f">{args.naive_timeout / per_trial:.0f}"
        else:
            value = queue.get()
            naive_s, ratio = f"{value:.2f}", f"{value / per_trial:.0f}"
        print(
            f"{n:>8} {cold:>12.2f} {warm:>12.3f} {per_trial:>8.3f} {per_mediation:>11.3f} {naive_s:>8} {ratio:>6}",
            flush=True,
        )


if __name__ == "__main__":
    main()
