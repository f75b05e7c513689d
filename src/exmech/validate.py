"""Checking one entry before it is added: SHACL shapes, the controlled vocabularies and the stored graph.

The cost of checking an entry does not depend on the size of the store: the shapes run over the ontology, the
vocabularies and the entry only; the store is consulted through an index of its identifiers (DOI, PMID, registry).
"""

import difflib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from .load import parse_file
from .namespaces import BIBO, EXM, INSTR, MECH, OUTC, compact
from .resources import knowledge_base_files, ontology_files
from .shapes import Problem
from .shapes import validate as shacl_validate

VOCAB_LINKS = {EXM.proposedMechanism: MECH, EXM.mediator: MECH, EXM.ofConstruct: None, EXM.forOutcome: OUTC,
               EXM.outcome: OUTC, EXM.usesInstrument: INSTR, EXM.mediatorInstrument: INSTR, EXM.outcomeInstrument: INSTR}


@cache
def _ontology() -> Graph:
    graph = Graph()
    for path in ontology_files():
        parse_file(graph, path)
    return graph


def base_graph() -> Graph:
    """A fresh copy of ontology + vocabularies, to which an entry is added for checking."""
    return _ontology() + Graph()


def identifier_index(store: Graph) -> dict[str, URIRef]:
    """Every DOI, PMID and trial registration in the store, lower-cased, with the node that carries it."""
    index = {}
    for prop in (BIBO.doi, BIBO.pmid, EXM.trialRegistration):
        for node, value in store.subject_objects(prop):
            index[f"{compact(str(prop))} {str(value).lower()}"] = node
    return index


def store_index(kb_dir: Path | None = None) -> dict[str, URIRef]:
    graph = Graph()
    for path in knowledge_base_files(kb_dir):
        parse_file(graph, path)
    return identifier_index(graph)


def _names(entry: Graph, node) -> str:
    label = entry.value(node, RDFS.label)
    return f"{compact(str(node))} ({label})" if label else compact(str(node))


def _vocabulary_problems(entry: Graph, ontology: Graph) -> list[Problem]:
    problems = []
    defined = set(ontology.subjects(RDF.type, None))
    for prop, namespace in VOCAB_LINKS.items():
        for node, value in entry.subject_objects(prop):
            if not isinstance(value, URIRef) or value in defined or (value, RDF.type, None) in entry:
                continue
            spaces = [namespace] if namespace else [MECH, OUTC]
            candidates = [str(t)[len(str(ns)):] for ns in spaces for t in defined if str(t).startswith(str(ns))]
            local = str(value).rsplit("/", 1)[-1]
            near = difflib.get_close_matches(local, candidates, n=3, cutoff=0.5)
            hint = f"; nearest valid names: {', '.join(near)}" if near else ""
            problems.append(Problem("Violation", _names(entry, node), compact(str(prop)),
                                    f"{compact(str(value))} is not in the controlled vocabulary{hint}", "vocabulary"))
    for node, cls in entry.subject_objects(RDF.type):
        if str(cls).startswith(str(EXM)) and (cls, RDF.type, None) not in ontology:
            near = difflib.get_close_matches(str(cls)[len(str(EXM)):],
                                             [str(c)[len(str(EXM)):] for c in ontology.subjects(RDF.type, None)
                                              if str(c).startswith(str(EXM))], n=3, cutoff=0.5)
            hint = f"; nearest valid names: {', '.join(near)}" if near else ""
            problems.append(Problem("Violation", _names(entry, node), "rdf:type",
                                    f"{compact(str(cls))} is not a class of the ontology{hint}", "vocabulary"))
    return problems


def _duplicate_problems(entry: Graph, index: dict[str, URIRef]) -> list[Problem]:
    problems = []
    for key, node in identifier_index(entry).items():
        stored = index.get(key)
        if stored is not None and stored != node:
            prop, value = key.split(" ", 1)
            problems.append(Problem("Violation", _names(entry, node), prop,
                                    f"{value} is already in the knowledge base on {compact(str(stored))}: a duplicate",
                                    "duplicate"))
    return problems


def validate_entry(entry: Graph, index: dict[str, URIRef] | None = None) -> list[Problem]:
    """All problems of one entry: vocabulary, duplicates against the store index, then the SHACL shapes."""
    ontology = _ontology()
    problems = _vocabulary_problems(entry, ontology)
    problems += _duplicate_problems(entry, index or {})
    data = base_graph()
    for triple in entry:
        data.add(triple)
    covered = {(p.focus.split(" ")[0], p.path) for p in problems}
    # a field the vocabulary check already explains (with the nearest names) is not reported twice
    problems += [p for p in shacl_validate(data) if (p.focus, p.path) not in covered]
    return sorted(set(problems), key=lambda p: (p.severity != "Violation", p.focus, p.path, p.message))


def with_rows(problems: list[Problem], entry: Graph) -> list[Problem]:
    """For CSV entries, prefix each problem's entry with its spreadsheet row."""
    rows = getattr(entry, "entry_rows", None)
    if not rows:
        return problems
    out = []
    for p in problems:
        slug = p.focus.split(" ", 1)[0].removeprefix("kb:")
        row = next((r for s, r in rows.items() if slug == s or slug.startswith(f"{s}-")), None)
        out.append(Problem(p.severity, f"row {row}: {p.focus}" if row else p.focus, p.path, p.message, p.shape))
    return out

