"""Intervention -> mediator -> outcome paths as typed records, read with the packaged query queries/paths.rq.

The paths themselves and their evidence statuses are derived at load by queries/rules/path-*construct.rq;
this module only binds the user's filters, runs the query and groups its rows (one per path, study and
analysis).
"""

import re
from dataclasses import asdict, dataclass
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from .catalogue import QueryError, resolve
from .namespaces import EXM, bind_prefixes, compact

STATUSES = ("proposed", "measured", "tested", "supported")  # weakest to strongest; exm:rank 1..4


@dataclass(frozen=True)
class Evidence:
    """What one study gives for a path; with a mediation analysis, its indirect effect."""

    study: str
    status: str
    analysis: str | None = None
    indirect: float | None = None
    ci_lower: float | None = None
    ci_upper: float | None = None
    proportion_mediated: float | None = None


@dataclass(frozen=True)
class Path:
    """exercise type -> mechanism -> outcome: strongest status and the evidence of each study (CURIEs)."""

    iri: str
    exercise_type: str
    mechanism: str
    theme: str
    outcome: str
    status: str
    evidence: tuple[Evidence, ...]

    @property
    def studies(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.study for e in self.evidence))

    @property
    def analyses(self) -> tuple[Evidence, ...]:
        """The evidence lines that are mediation analyses (tested or supported)."""
        return tuple(e for e in self.evidence if e.analysis)

    def as_dict(self) -> dict:
        return asdict(self) | {"studies": list(self.studies)}


# what a user may name for each filter: the class or type of the candidate terms, and the query parameter
_KINDS = {
    "intervention": ("exercise type", "exerciseType"),
    "mechanism": ("mechanism", "mechanism"),
    "theme": ("theme", "theme"),
    "outcome": ("outcome", "outcomeDomain"),
}


def _candidates(graph: Graph, kind: str) -> list[URIRef]:
    if kind == "intervention":
        return sorted(
            s
            for s in graph.transitive_subjects(RDFS.subClassOf, EXM.ExerciseIntervention)
            if isinstance(s, URIRef)
        )
    cls = {"mechanism": EXM.Mechanism, "theme": EXM.MechanismTheme, "outcome": EXM.OutcomeDomain}[kind]
    return sorted(s for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef))


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def resolve_term(graph: Graph, kind: str, value: str) -> URIRef:
    """A user's name for a term (CURIE, <IRI>, local name or label; 'aerobic' = exm:AerobicExercise)."""
    what = _KINDS[kind][0]
    candidates = _candidates(graph, kind)
    wanted = _key(value.strip("<>"))
    for term in candidates:
        local = str(term).rsplit("/", 1)[1]
        label = str(graph.value(term, RDFS.label) or "")
        names = {str(term), compact(str(term)), local, label}
        names |= {n.removesuffix("Exercise").removesuffix(" exercise") for n in (local, label)}
        if wanted in {_key(n) for n in names if n}:
            return term
    known = ", ".join(compact(str(t)) for t in candidates)
    raise QueryError(f"unknown {what} {value!r}; known: {known}")


def _number(term) -> float | None:
    value = term.toPython() if isinstance(term, Literal) else None
    return float(value) if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool) else None


def _status(term) -> str:
    return str(term).rsplit("/", 1)[1].lower()


def find_paths(
    graph: Graph,
    intervention: str | None = None,
    mechanism: str | None = None,
    theme: str | None = None,
    outcome: str | None = None,
    min_evidence: str = "proposed",
) -> list[Path]:
    """Every path matching the filters, strongest evidence first; exercise types and outcomes roll up."""
    if min_evidence not in STATUSES:
        raise QueryError(f"minimum evidence {min_evidence!r}: choose one of {', '.join(STATUSES)}")
    query = resolve("paths")
    params = {"minRank": str(STATUSES.index(min_evidence) + 1)}
    given = {"intervention": intervention, "mechanism": mechanism, "theme": theme, "outcome": outcome}
    for kind, value in given.items():
        if value is not None:
            params[_KINDS[kind][1]] = f"<{resolve_term(graph, kind, value)}>"
    rows: dict[str, list] = {}
    for row in graph.query(query.text, initBindings=query.bindings(params)):
        rows.setdefault(str(row.path), []).append(row)
    paths = []
    for iri, group in rows.items():
        first = group[0]
        evidence = tuple(
            Evidence(
                compact(str(r.study)),
                _status(r.studyStatus),
                compact(str(r.analysis)) if r.analysis else None,
                _number(r.indirect),
                _number(r.ciLower),
                _number(r.ciUpper),
                _number(r.proportionMediated),
            )
            for r in group
        )
        paths.append(
            Path(
                compact(iri),
                compact(str(first.type)),
                compact(str(first.mechanism)),
                compact(str(first.theme)),
                compact(str(first.outcome)),
                _status(first.status),
                evidence,
            )
        )
    return paths


def paths_graph(graph: Graph, paths: list[Path]) -> Graph:
    """The derived exm:Path and exm:PathEvidence nodes of the given paths, as in the graph (for Turtle)."""
    from .namespaces import expand

    out = bind_prefixes(Graph())
    for p in paths:
        node = URIRef(expand(p.iri) or p.iri)
        for triple in graph.triples((node, None, None)):
            out.add(triple)
        for evidence in graph.objects(node, EXM.hasEvidence):
            for triple in graph.triples((evidence, None, None)):
                out.add(triple)
    return out


def evidence_text(e: Evidence) -> str:
    """'-0.5 (95% CI -0.9 to -0.1), 36% mediated' for an analysis; '' otherwise."""
    if not e.analysis:
        return ""
    parts = []
    if e.indirect is not None or e.ci_lower is not None:
        estimate = f"{e.indirect:g}" if e.indirect is not None else "estimate not reported"
        ci = (
            f" (CI {e.ci_lower:g} to {e.ci_upper:g})"
            if e.ci_lower is not None and e.ci_upper is not None
            else ""
        )
        parts.append(f"indirect {estimate}{ci}")
    else:
        parts.append("indirect effect not reported")
    if e.proportion_mediated is not None:
        parts.append(f"{e.proportion_mediated:.0%} mediated")
    return ", ".join(parts)
