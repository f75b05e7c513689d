"""Checking the whole graph, on any store: the quality queries (queries/qc/*-violation.rq must return no rows), the
SHACL shapes, and the consistency checks (OWL RL always; HermiT where Java runs).

The quality queries run inside the store; on the embedded store, in an in-memory Oxigraph copy of its graph when
pyoxigraph is installed (the `oxigraph` extra; rdflib's own evaluation otherwise). The shapes and the reasoners
need the graph in memory: on the embedded store they read it directly; on another store the graph is fetched once
(CONSTRUCT) when it holds at most MAX_FETCHED triples, and otherwise those steps are reported as not run, with the
reason.
"""

import contextlib
from dataclasses import asdict, dataclass, field

from rdflib import Graph

from exmech.checks.consistency import Verdict
from exmech.checks.consistency import check as check_consistency
from exmech.checks.shapes import Problem
from exmech.checks.shapes import validate as validate_shapes
from exmech.errors import MissingExtra
from exmech.graph.catalogue import catalogue
from exmech.stores import MemoryStore
from exmech.stores.base import Store, as_store
from exmech.stores.oxigraph import OxigraphCopy

MAX_FETCHED = 2_000_000
ALL_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


@dataclass
class CheckReport:
    qc_total: int
    qc_failures: dict[str, list[list[str]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    not_run: list[str] = field(default_factory=list)

    @property
    def violations(self) -> int:
        return (
            sum(len(rows) for rows in self.qc_failures.values())
            + sum(p.severity == "Violation" for p in self.problems)
            + sum(v.consistent is False for v in self.verdicts)
        )

    @property
    def warnings(self) -> int:
        return sum(p.severity == "Warning" for p in self.problems)

    def conforms(self, fail_on: str = "violation") -> bool:
        return self.violations == 0 and (fail_on != "warning" or self.warnings == 0)

    def as_dict(self) -> dict:
        return {
            "summary": {
                "qualityChecks": self.qc_total,
                "qualityChecksFailing": len(self.qc_failures),
                "violations": self.violations,
                "warnings": self.warnings,
                "notRun": self.not_run,
            },
            "qualityChecks": self.qc_failures,
            "shapes": [asdict(p) for p in self.problems],
            "consistency": [asdict(v) for v in self.verdicts],
        }


def quality_failures(store: "Store | OxigraphCopy") -> dict[str, list[list[str]]]:
    """Every qc/*-violation.rq that found rows, with its rows as text."""
    found = {}
    for name, query in catalogue().items():
        if name.startswith("qc/"):
            rows = store.select(query.text).rows
            if rows:
                found[name] = [["" if t is None else str(t) for t in row] for row in rows]
    return found


def _engine(store: Store) -> "Store | OxigraphCopy":
    """Where the quality queries run: the store itself, or for the embedded store an Oxigraph copy of its graph."""
    if isinstance(store, MemoryStore):
        with contextlib.suppress(MissingExtra):
            return OxigraphCopy(store.graph)
    return store


def _in_memory(store: Store) -> tuple[Graph | None, str]:
    if isinstance(store, MemoryStore):
        return store.graph, ""
    size = store.count()
    if size > MAX_FETCHED:
        return None, f"{size} triples is more than the {MAX_FETCHED} fetched for SHACL and OWL checks"
    return store.construct(ALL_TRIPLES), ""


def run_checks(source, hermit: bool = True, progress=lambda step: None) -> CheckReport:
    """All checks on an rdflib Graph or any store; progress(step) is told as each step starts."""
    store = as_store(source)
    progress("quality checks")
    report = CheckReport(sum(1 for n in catalogue() if n.startswith("qc/")), quality_failures(_engine(store)))
    graph, why = _in_memory(store)
    if graph is None:
        report.not_run += [f"SHACL shapes: {why}", f"consistency: {why}"]
        return report
    progress("SHACL shapes")
    report.problems = validate_shapes(graph)
    progress("OWL RL closure" + (" and HermiT" if hermit else ""))
    report.verdicts = check_consistency(graph, use_hermit=hermit)
    return report
