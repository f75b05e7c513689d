"""Checking one entry before it is added: SHACL shapes, the ontology, the controlled vocabularies and the store.

The cost of checking an entry does not depend on the size of the store: the shapes run over the ontology, the
vocabularies, the entry and the stored descriptions of the few nodes the entry points to (for example the trial a
mediation analysis analyses); the rest of the store is consulted through its identifier index (DOI, PMID, registry).
"""

from dataclasses import replace
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from exmech.checks.shapes import Problem
from exmech.checks.shapes import report as shacl_report
from exmech.entries.entry_graph import origins
from exmech.entries.field_checks import ontology_graph, type_problems, vocabulary_problems
from exmech.entries.form import column_of
from exmech.entries.kb_index import IDENTIFIERS, KbIndex, identifier_keys
from exmech.entries.kb_write import AddError, same_entry, target_path
from exmech.entries.workbook import where
from exmech.graph.iri_rules import IMPORT_PREDICATES, SLUG_RULE, is_closed, is_slug, slug_of
from exmech.graph.namespaces import KB, SHAPES, compact, expand


def base_graph() -> Graph:
    """A fresh copy of ontology + vocabularies, to which an entry is added for checking."""
    return ontology_graph() + Graph()


def identifier_index(graph: Graph) -> dict[str, URIRef]:
    """Every DOI, PMID and trial registration in a graph, lower-cased, with the node that carries it."""
    return {key: URIRef(node) for key, node in identifier_keys(graph).items()}


def load_kb_index(kb_dir: Path | None = None) -> KbIndex:
    """The index of the stored knowledge base (default: the shipped one) that validation consults."""
    return KbIndex.load(kb_dir)


def _iri_problems(entry: Graph) -> list[Problem]:
    """Terms of closed namespaces the entry defines, kb: IRIs off the slug rule, and import-like statements."""
    problems = []
    for node in sorted({s for s in entry.subjects() if isinstance(s, URIRef)}):
        slug = slug_of(str(node))
        if is_closed(str(node)):
            message = (
                "an entry may not define or change terms of the ontology or its vocabularies; "
                "propose new terms to the curators (ontology/vocab/*.ttl)"
            )
        elif slug is not None and not is_slug(slug):
            message = (
                f"<{node}> breaks the slug rule: a knowledge-base IRI is kb: followed by {SLUG_RULE} "
                "(lowercase ascii letters, digits and '-', at most 64 characters)"
            )
        else:
            continue
        problems.append(Problem("Violation", compact(str(node)), "", message, "vocabulary"))
    for prop in sorted(IMPORT_PREDICATES):
        for subject, value in sorted(entry.subject_objects(prop), key=str):
            problems.append(
                Problem(
                    "Violation",
                    compact(str(subject)),
                    compact(str(prop)),
                    f"{compact(str(prop))} makes loaders and reasoners fetch or open what it names; an entry "
                    "may not import anything (cite sources with dcterms:source or rdfs:seeAlso)",
                    "vocabulary",
                    value=str(value),
                )
            )
    return problems


def _target(entry: Graph, index: KbIndex) -> str | None:
    if index.root is None:
        return None
    try:
        return target_path(entry, index.root).relative_to(index.root).as_posix()
    except AddError:
        return None


def _duplicate_problems(entry: Graph, index: KbIndex) -> list[Problem]:
    """Identifiers already stored on another node, and entry nodes a different stored entry already describes."""
    problems = []
    target = _target(entry, index)
    typed = {
        f"{compact(str(prop))} {str(value).strip().lower()}": str(value).strip()
        for prop in IDENTIFIERS
        for value in entry.objects(None, prop)
    }
    for key, node in identifier_keys(entry).items():
        stored = index.identifier(key)
        if stored is not None and stored[0] != node:
            prop, value = key.split(" ", 1)[0], typed.get(key, key.split(" ", 1)[1])  # as the entry wrote it
            problems.append(
                Problem(
                    "Violation",
                    compact(node),
                    prop,
                    f"{value} is already in the knowledge base on {compact(stored[0])} ({stored[1]}): "
                    "a duplicate",
                    "duplicate",
                    value=value,
                )
            )
    subjects = sorted(
        s for s in set(entry.subjects()) if isinstance(s, URIRef) and str(s).startswith(str(KB))
    )
    reported, same = set(), {}
    for node, (rel, _) in index.describe(subjects).items():
        if rel in reported:
            continue
        if rel == target and rel not in same:  # once per file, not once per node: linear in the entry
            same[rel] = same_entry(index.graph_of(rel), entry)
        if same.get(rel):
            continue
        reported.add(rel)
        problems.append(
            Problem(
                "Violation",
                compact(str(node)),
                "",
                f"{compact(str(node))} is already in the knowledge base as a different entry ({rel}); "
                "edit that file, or choose another slug",
                "duplicate",
            )
        )
    return problems


def _store_slice(entry: Graph, index: KbIndex) -> Graph:
    """The stored descriptions of the knowledge-base nodes the entry points to but does not describe."""
    described = set(entry.subjects())
    wanted = {
        o
        for o in entry.objects()
        if isinstance(o, URIRef) and str(o).startswith(str(KB)) and o not in described
    }
    piece = Graph()
    for _, (_, triples) in index.describe(sorted(wanted)).items():
        for triple in triples:
            piece.add(triple)
    return piece


def check_entry(entry: Graph, index: KbIndex | dict | None = None) -> tuple[list[Problem], Graph]:
    """All problems of one entry (vocabulary, duplicates, SHACL shapes) and the SHACL report graph."""
    if not isinstance(index, KbIndex):
        index = KbIndex(
            None, {"<memory>": {"ids": {k: str(v) for k, v in (index or {}).items()}, "roots": []}}
        )
    problems = vocabulary_problems(entry) + _iri_problems(entry) + type_problems(entry)
    problems += _duplicate_problems(entry, index)
    data = base_graph()
    for triple in _store_slice(entry, index):
        data.add(triple)
    for triple in entry:
        data.add(triple)
    shacl, report_graph = shacl_report(data, scratch=True)
    # only the entry's own nodes are reported; a field the vocabulary check already explains is not repeated
    own = {compact(str(s)) for s in entry.subjects()}
    covered = {(p.focus, p.path) for p in problems}
    # a node typed with an unknown class also fails every sh:class check that points at it: one report is enough
    untyped = {p.focus for p in problems if p.shape == "vocabulary" and p.path == "rdf:type"}
    problems += [
        p for p in shacl if p.focus in own and (p.focus, p.path) not in covered and p.value not in untyped
    ]
    labels = {compact(str(s)): str(o) for s, o in entry.subject_objects(RDFS.label)}
    problems = [replace(p, label=labels.get(p.focus, "")) for p in problems]
    return sorted(set(problems), key=_order), _own_report(report_graph, problems, own)


def duplicate_problems(entry: Graph, index: KbIndex) -> list[Problem]:
    """What a concurrent add can change after an entry was checked: stored identifiers and files (under the lock)."""
    return _duplicate_problems(entry, index)


def validate_entry(entry: Graph, index: KbIndex | dict | None = None) -> list[Problem]:
    """All problems of one entry: vocabulary, duplicates against the store index, then the SHACL shapes."""
    return check_entry(entry, index)[0]


def _order(p: Problem):
    return (p.severity != "Violation", p.row or 0, p.focus, p.path, p.message)


def _own_report(report_graph: Graph, problems: list[Problem], own: set[str]) -> Graph:
    """pyshacl's report graph, less results about stored nodes, plus the vocabulary and duplicate findings."""
    reports = list(report_graph.subjects(RDF.type, SH.ValidationReport))
    for result in list(report_graph.subjects(RDF.type, SH.ValidationResult)):
        if compact(str(report_graph.value(result, SH.focusNode))) not in own:
            for subject in [
                result,
                *(o for o in report_graph.objects(result, SH.resultPath) if isinstance(o, BNode)),
            ]:
                report_graph.remove((subject, None, None))
            report_graph.remove((None, SH.result, result))
    for i, p in enumerate(x for x in problems if x.shape in ("vocabulary", "duplicate")):
        node = URIRef(f"urn:exmech:check-result:{i}")
        for report in reports:
            report_graph.add((report, SH.result, node))
        report_graph.add((node, RDF.type, SH.ValidationResult))
        report_graph.add((node, SH.resultSeverity, SH.Violation))
        report_graph.add((node, SH.focusNode, URIRef(expand(p.focus) or p.focus)))
        if p.path:
            report_graph.add((node, SH.resultPath, URIRef(expand(p.path) or p.path)))
        report_graph.add((node, SH.sourceShape, SHAPES[f"{p.shape}-check"]))
        report_graph.add((node, SH.resultMessage, Literal(p.message)))
    for report in reports:
        report_graph.set((report, SH.conforms, Literal(not any(p.severity == "Violation" for p in problems))))
    return report_graph


def with_rows(problems: list[Problem], entry: Graph) -> list[Problem]:
    """For spreadsheet entries, give each problem the row of the trial its node belongs to; for workbook entries,
    the sheet, row, column and field of the node's cell."""
    if origins(entry).entry_cells:
        located = []
        for p in problems:
            prefix, row = where(entry, p.focus, p.path)
            located.append(replace(p, row=row, message=prefix + p.message))
        return sorted(located, key=_order)
    rows = origins(entry).entry_rows
    if not rows:
        return problems
    out = []
    for p in problems:  # a node kb:<slug>-<name> belongs to the row of <slug> (slugs hold no "-")
        slug = p.focus.removeprefix("kb:")
        column = column_of(p.focus, p.path)
        message = f"column {column}: {p.message}" if column else p.message
        out.append(replace(p, row=rows.get(slug, rows.get(slug.split("-", 1)[0])), message=message))
    return sorted(out, key=_order)


__all__ = [
    "Problem",
    "KbIndex",
    "base_graph",
    "check_entry",
    "duplicate_problems",
    "identifier_index",
    "load_kb_index",
    "validate_entry",
    "with_rows",
]
