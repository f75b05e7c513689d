"""SHACL validation of the graph (or of an entry merged with it) against shapes/*.ttl, with pyshacl."""

from dataclasses import dataclass

import pyshacl
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from .namespaces import compact
from .resources import resource_dir


@dataclass(frozen=True)
class Problem:
    severity: str  # "Violation" or "Warning"
    focus: str
    path: str
    message: str
    shape: str

    def line(self) -> str:
        where = f" {self.path}" if self.path else ""
        return f"{self.severity}: {self.focus}{where}: {self.message} [{self.shape}]"


def shapes_graph() -> Graph:
    graph = Graph()
    for path in sorted(resource_dir("shapes").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def validate(data: Graph) -> list[Problem]:
    """Every result of the shapes on the data graph (the ontology must be in it for class checks)."""
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes_graph(), advanced=True, inference="none",
                                    allow_warnings=True)
    problems = []
    for result in report.subjects(SH.resultSeverity, None):
        severity = str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
        path = report.value(result, SH.resultPath)
        # a SPARQL constraint is named by sh:sourceConstraint; core constraints by their property shape
        shape = report.value(result, SH.sourceConstraint) or report.value(result, SH.sourceShape)
        problems.append(Problem(severity, compact(str(report.value(result, SH.focusNode))),
                                compact(str(path)) if isinstance(path, URIRef) else "",
                                str(report.value(result, SH.resultMessage) or ""),
                                compact(str(shape))))
    return sorted(problems, key=lambda p: (p.severity != "Violation", p.focus, p.path))
