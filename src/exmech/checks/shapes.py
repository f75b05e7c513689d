"""SHACL validation of the graph (or of an entry merged with it) against shapes/*.ttl, with pyshacl."""

from dataclasses import dataclass
from functools import cache

import pyshacl
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH

from exmech.graph.namespaces import compact
from exmech.graph.resources import resource_dir


@dataclass(frozen=True)
class Problem:
    severity: str  # "Violation" or "Warning"
    focus: str  # the node, as a CURIE
    path: str  # the field (property), as a CURIE; "" when the problem is about the node itself
    message: str  # what is wrong and what is expected
    shape: str  # the shape (or exmech check: "vocabulary", "duplicate") that says so
    value: str = ""  # the offending value, when there is one
    label: str = ""  # the node's rdfs:label, when the entry gives one
    row: int | None = None  # spreadsheet row, for CSV/XLSX entries

    def line(self) -> str:
        where = f"row {self.row}: " if self.row else ""
        name = f"{self.focus} ({self.label})" if self.label else self.focus
        field = f" {self.path}" if self.path else ""
        got = f" (found: {self.value})" if self.value and self.value not in self.message else ""
        return f"{self.severity}: {where}{name}{field}: {self.message}{got} [{self.shape}]"


@cache
def _shapes() -> Graph:
    graph = Graph()
    for path in sorted(resource_dir("shapes").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def shapes_graph() -> Graph:
    """A fresh copy of the shapes (callers may change it)."""
    return _shapes() + Graph()


def _value(term) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal):
        return f'"{term}"' + (f"^^{compact(str(term.datatype))}" if term.datatype else "")
    return compact(str(term))


def report(data: Graph, scratch: bool = False) -> tuple[list[Problem], Graph]:
    """The problems the shapes find in the data graph, and pyshacl's SHACL validation report graph. A scratch
    graph (one the caller made for this check and drops afterwards) is validated in place, without pyshacl's
    copy of it."""
    _, graph, _ = pyshacl.validate(
        data, shacl_graph=_shapes(), advanced=True, inference="none", allow_warnings=True, inplace=scratch
    )
    problems = []
    for result in graph.subjects(SH.resultSeverity, None):
        severity = str(graph.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
        path = graph.value(result, SH.resultPath)
        # a SPARQL constraint is named by sh:sourceConstraint; core constraints by their property shape
        shape = graph.value(result, SH.sourceConstraint) or graph.value(result, SH.sourceShape)
        problems.append(
            Problem(
                severity,
                compact(str(graph.value(result, SH.focusNode))),
                compact(str(path)) if isinstance(path, URIRef) else "",
                str(graph.value(result, SH.resultMessage) or ""),
                compact(str(shape)),
                _value(graph.value(result, SH.value)),
            )
        )
    return sorted(problems, key=lambda p: (p.severity != "Violation", p.focus, p.path)), graph


def validate(data: Graph) -> list[Problem]:
    """Every result of the shapes on the data graph (the ontology must be in it for class checks)."""
    return report(data)[0]
