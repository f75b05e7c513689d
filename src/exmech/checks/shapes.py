"""SHACL validation of the graph (or of an entry merged with it) against shapes/*.ttl, with pyshacl.

pyshacl runs each SPARQL constraint's text through rdflib once per focus node, and rdflib parses the text anew
every time (pyparsing; 30 ms a text, most of the time of checking a small entry). The data graph is handed to
pyshacl wrapped so that each text is parsed once per process and the parsed query reused with the focus node
bound (rdflib's prepared queries). The shapes have no SHACL rules, so validation never writes to the data graph
and it is validated where it is, without pyshacl's copy of it."""

from dataclasses import dataclass
from functools import cache, lru_cache

import pyshacl
from pyshacl.graph_abstraction import RdfLibDataGraph
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query

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


@cache
def _has_rules() -> bool:
    """Whether a shape holds a SHACL rule (which would add triples to the graph it runs on)."""
    return any(_shapes().triples((None, SH.rule, None)))


@lru_cache(maxsize=256)
def _prepared(text: str) -> Query:
    return prepareQuery(text)


class _PreparedQueries(RdfLibDataGraph):
    """The data graph as pyshacl sees it, each SPARQL text without prefixes given apart parsed once."""

    def query(self, query_object, processor="sparql", result="sparql", initNs=None, initBindings=None, **kw):  # noqa: N803
        if isinstance(query_object, str) and not initNs:
            query_object = _prepared(query_object)
        return super().query(query_object, processor, result, initNs, initBindings, **kw)


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
    graph (one the caller made for this check and drops afterwards) is validated in place, as is any graph while
    the shapes hold no rule."""
    _, graph, _ = pyshacl.validate(
        _PreparedQueries(data.store, data),
        shacl_graph=_shapes(),
        advanced=True,
        inference="none",
        allow_warnings=True,
        inplace=scratch or not _has_rules(),
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
