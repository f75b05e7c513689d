"""What a term page shows, as plain data for its template: links with labels, values as people read them.

A value is a dict with a `kind`: "link" (href, text, title), "text" (text, lang), "list" (members: an RDF
collection) or "node" (rows: a blank node's own statements, nested).
"""

import re

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, NamespaceManager
from rdflib.term import Identifier

from exmech.graph.namespaces import BASE, BIBO, EXM

REGISTRIES = (  # a trial registration's ID -> its public record
    (re.compile(r"NCT[0-9]{8}"), "https://clinicaltrials.gov/study/{}"),
    (re.compile(r"ISRCTN[0-9]{8}"), "https://www.isrctn.com/{}"),
    (re.compile(r"ACTRN[0-9]{14}"), "https://www.anzctr.org.au/{}.aspx"),
    (re.compile(r"DRKS[0-9]{8}"), "https://drks.de/search/en/trial/{}"),
    (re.compile(r"TCTR[0-9]{11}"), "https://www.thaiclinicaltrials.org/show/{}"),
)
DOI = re.compile(r"10\.[0-9]{4,9}/\S+")
PMID = re.compile(r"[0-9]{1,9}")
MAX_DEPTH = 8  # nested blank nodes shown at most this deep (a blank-node cycle cannot loop)
HEADINGS = {  # what a page lists about its term, by the term's kind and the evidence's role
    "mechanism": {
        "proposed": "Trials that proposed it",
        "measured": "Trials that measured it",
        "tested": "Mediation analyses that tested it",
    },
    "study": {
        "proposed": "Mechanisms its authors proposed",
        "measured": "Mechanisms it measured",
        "tested": "Mechanisms tested as mediators of its effects",
    },
}
OTHER = {"mechanism": "trial", "study": "mechanism"}


def literal_href(predicate, value: str) -> str | None:
    """The public page of a DOI, PubMed ID or trial registration, if the value is one."""
    if predicate == BIBO.doi and DOI.fullmatch(value):
        return f"https://doi.org/{value}"
    if predicate == BIBO.pmid and PMID.fullmatch(value):
        return f"https://pubmed.ncbi.nlm.nih.gov/{value}/"
    if predicate == EXM.trialRegistration:
        for pattern, url in REGISTRIES:
            if pattern.fullmatch(value):
                return url.format(value)
    return None


LABEL_PROPERTIES = ((RDFS.label, 0), (SKOS.prefLabel, 0), (DCTERMS.title, 1))  # (property, priority)


def _rank(found: tuple[int, Literal]) -> tuple:
    """Labels before titles; English first, then no language, then any other; then the text (deterministic)."""
    priority, label = found
    lang = label.language or ""
    return (priority, 0 if lang.startswith("en") else 1 if not lang else 2, lang, str(label))


class Labels:
    """The labels a page knows, by IRI; each term shown by its best label, else its prefixed name."""

    def __init__(self, found: dict):
        self.found = found

    def add_graph(self, graph: Graph) -> None:
        for prop, priority in LABEL_PROPERTIES:
            for subject, label in graph.subject_objects(prop):
                known = self.found.setdefault(subject, [])
                if isinstance(label, Literal) and (priority, label) not in known:
                    known.append((priority, label))

    def best(self, term) -> str | None:
        labels = self.found.get(term)
        return str(min(labels, key=_rank)[1]) if labels else None

    def link(self, term: Identifier, nm: NamespaceManager) -> dict:
        iri = str(term)
        href = "/" + iri[len(BASE) :] if iri.startswith(BASE) else iri
        name = term.n3(nm).removeprefix("<").removesuffix(">")
        return {"kind": "link", "href": href, "text": self.best(term) or name, "title": name}


def label_of(term: URIRef, labels: Labels, nm: NamespaceManager) -> str:
    return labels.best(term) or term.n3(nm).removeprefix("<").removesuffix(">")


def value(term, predicate, graph: Graph, labels: Labels, depth: int = 0) -> dict:
    nm = graph.namespace_manager
    if isinstance(term, URIRef):
        return labels.link(term, nm)
    if isinstance(term, Literal):
        href = literal_href(predicate, str(term))
        if href:
            return {"kind": "link", "href": href, "text": str(term), "title": href}
        return {"kind": "text", "text": str(term), "lang": term.language or ""}
    if depth >= MAX_DEPTH:
        return {"kind": "text", "text": "[...]", "lang": ""}
    if (term, RDF.first, None) in graph:
        items = list(Collection(graph, term))
        return {"kind": "list", "members": [value(i, None, graph, labels, depth + 1) for i in items]}
    return {"kind": "node", "rows": statements(term, graph, labels, depth=depth + 1)}


def statements(subject, graph: Graph, labels: Labels, skip=frozenset(), depth: int = 0) -> list[dict]:
    """The subject's statements grouped by predicate, predicates and values in a stable order."""
    rows = []
    for predicate in sorted(
        (p for p in set(graph.predicates(subject)) - set(skip) if isinstance(p, URIRef)), key=str
    ):
        objects = sorted(graph.objects(subject, predicate), key=lambda o: (isinstance(o, BNode), o))
        rows.append(
            {
                "predicate": labels.link(predicate, graph.namespace_manager),
                "objects": [value(o, predicate, graph, labels, depth) for o in objects],
            }
        )
    return rows


def incoming_rows(rows, labels: Labels, nm: NamespaceManager) -> dict:
    """What points at the term: (subject, predicate) links, or the message of a query that did not answer."""
    if isinstance(rows, str):
        return {"error": rows, "rows": []}
    shown = [
        {"subject": labels.link(r["s"], nm), "predicate": labels.link(r["p"], nm)}
        for r in rows
        if isinstance(r.get("s"), URIRef)
    ]
    return {"error": "", "rows": shown, "blank": sum(1 for r in rows if isinstance(r.get("s"), BNode))}


def _effect(row: dict) -> str:
    """An indirect effect as read: "-0.37 (-0.66 to -0.22)", a CI alone "(-1.64 to -0.3)", or the estimate."""
    estimate, lo, hi = row.get("estimate"), row.get("lo"), row.get("hi")
    interval = f"({lo} to {hi})" if lo is not None and hi is not None else ""
    return " ".join(part for part in (str(estimate) if estimate is not None else "", interval) if part)


def evidence_rows(rows, labels: Labels, nm: NamespaceManager, kind: str) -> dict | None:
    """For a mechanism, each trial that proposed, measured or tested it; for a study, each mechanism it
    proposed, measured or tested; tested ones with their analysis and indirect effect. None: nothing to show."""
    if isinstance(rows, str):
        return {"error": rows, "groups": [], "other": OTHER[kind]}
    if kind == "study" and not rows:
        return None
    groups: dict[str, list[dict]] = {role: [] for role in HEADINGS[kind]}
    seen = set()
    for r in rows or []:
        key = (r["role"], r["other"], r.get("analysis"), _effect(r))
        if key in seen:
            continue
        seen.add(key)
        groups[str(r["role"])].append(
            {
                "other": labels.link(r["other"], nm),
                "analysis": labels.link(r["analysis"], nm) if isinstance(r.get("analysis"), URIRef) else None,
                "outcome": labels.link(r["outcome"], nm) if isinstance(r.get("outcome"), URIRef) else None,
                "status": label_of(r["status"], labels, nm) if isinstance(r.get("status"), URIRef) else "",
                "effect": _effect(r),
            }
        )
    return {"error": "", "groups": [(HEADINGS[kind][k], v) for k, v in groups.items()], "other": OTHER[kind]}
