"""Intervention -> mediator -> outcome paths, as typed records: the API over the packaged query queries/paths.rq."""

from dataclasses import dataclass, field
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from .catalogue import QueryError, resolve
from .namespaces import EXM, KB, MECH, OUTC, THEME, bind_prefixes, compact

STATUSES = {"proposed": 1, "measured": 2, "tested": 3, "supported": 4}
STATUS_NAMES = {v: k for k, v in STATUSES.items()}


@dataclass(frozen=True)
class Path:
    exercise_type: str
    mechanism: str
    theme: str
    outcome: str
    status: str
    studies: tuple[str, ...] = field(default_factory=tuple)
    indirect: float | None = None
    ci_lower: float | None = None
    ci_upper: float | None = None
    proportion_mediated: float | None = None

    def as_dict(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


def _term(graph: Graph, value: str | None, namespace, kind: str) -> str | None:
    """Resolve a user's name (CURIE, IRI, local name or label) to a term of the graph; refuse unknown names."""
    if value is None:
        return None
    if value.startswith("<") or ":" in value:
        return value
    for candidate in (namespace[value], namespace[value[:1].upper() + value[1:]],
                      namespace[value[:1].upper() + value[1:] + "Exercise"]):
        if (candidate, None, None) in graph:
            return f"<{candidate}>"
    for s in graph.subjects(RDFS.label, None):
        if str(graph.value(s, RDFS.label)).lower() == value.lower() and str(s).startswith(str(namespace)):
            return f"<{s}>"
    raise QueryError(f"unknown {kind} {value!r}")


def _float(term) -> float | None:
    return float(term) if isinstance(term, Literal) and isinstance(term.toPython(), (int, float, Decimal)) else None


def find_paths(graph: Graph, intervention: str | None = None, mechanism: str | None = None, theme: str | None = None,
               outcome: str | None = None, min_evidence: str = "proposed") -> list[Path]:
    """Every matching path; exercise types roll up through the taxonomy (aerobic includes walking)."""
    if min_evidence not in STATUSES:
        raise QueryError(f"min evidence {min_evidence!r}: choose one of {', '.join(STATUSES)}")
    query = resolve("paths")
    params = {"minRank": str(STATUSES[min_evidence])}
    for name, value, ns, kind in (("exerciseType", intervention, EXM, "exercise type"), ("mechanism", mechanism, MECH, "mechanism"),
                                  ("theme", theme, THEME, "theme"), ("outcome", outcome, OUTC, "outcome")):
        resolved = _term(graph, value, ns, kind)
        if resolved:
            params[name] = resolved
    result = graph.query(query.text, initBindings=query.bindings(params))
    return [Path(compact(str(r.type)), compact(str(r.mechanism)), compact(str(r.theme)), compact(str(r.outcome)),
                 STATUS_NAMES[int(r.strongestRank)], tuple(compact(s) for s in str(r.studies).split()),
                 _float(r.indirect), _float(r.ciLower), _float(r.ciUpper), _float(r.proportionMediated))
            for r in result]


def paths_graph(paths: list[Path]) -> Graph:
    """The paths as exm:Path nodes, for Turtle output."""
    from .namespaces import expand

    g = bind_prefixes(Graph())
    for i, p in enumerate(paths, start=1):
        node = KB[f"path-{i}"]
        g.add((node, RDF.type, EXM.Path))
        g.add((node, EXM.pathExerciseType, URIRef(expand(p.exercise_type))))
        g.add((node, EXM.pathMechanism, URIRef(expand(p.mechanism))))
        g.add((node, EXM.pathOutcome, URIRef(expand(p.outcome))))
        g.add((node, EXM.evidenceStatus, EXM[p.status.capitalize()]))
        g.add((node, EXM.pathStudyCount, Literal(len(p.studies))))
        for s in p.studies:
            g.add((node, EXM.pathStudy, URIRef(expand(s))))
    return g
