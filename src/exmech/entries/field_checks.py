"""Field checks an entry gets before the shapes: controlled names (with hints) and the type of each value.

A value of the wrong type ("3 months" where a number of weeks goes, "Oct 2016" where a year goes) is reported as a
type error, naming the field and what it expects; range checks (12 weeks or more, a year after 1900) are the shapes'
and are not repeated for a value that is not even of the right type.
"""

import re
from functools import cache

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, XSD

from exmech.checks.shapes import Problem, shapes_graph
from exmech.entries.hints import Candidate, candidates, hint
from exmech.entries.time_points import weeks_hint
from exmech.graph.load import parse_file
from exmech.graph.namespaces import EXM, INSTR, MECH, OUTC, THEME, compact
from exmech.graph.resources import ontology_files

# links whose object must be a term of a controlled vocabulary (None: a mechanism or an outcome domain)
VOCAB_LINKS = {
    EXM.proposedMechanism: MECH,
    EXM.mediator: MECH,
    EXM.ofConstruct: None,
    EXM.hasMember: None,
    EXM.forOutcome: OUTC,
    EXM.outcome: OUTC,
    EXM.usesInstrument: INSTR,
    EXM.mediatorInstrument: INSTR,
    EXM.outcomeInstrument: INSTR,
    EXM.inTheme: THEME,
    EXM.theme: THEME,
}
_YEAR = re.compile(r"-?[0-9]{4}(Z|[+-][0-9]{2}:[0-9]{2})?")
_PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)
_NUMBERS = {XSD.decimal, XSD.integer, XSD.double, XSD.float, XSD.nonNegativeInteger, XSD.positiveInteger}
# what a value of each datatype looks like, for the message
EXPECTED = {
    XSD.decimal: "a number (digits, '.' for decimals, e.g. 12 or 0.35)",
    XSD.integer: "a whole number (digits, e.g. 80)",
    XSD.gYear: "a year (4 digits, e.g. 2016)",
    XSD.boolean: "true or false",
    XSD.date: "a date (YYYY-MM-DD)",
}


@cache
def ontology_graph() -> Graph:
    graph = Graph()
    for path in ontology_files():
        parse_file(graph, path)
    return graph


@cache
def defined_terms() -> frozenset:
    return frozenset(ontology_graph().subjects(RDF.type, None))


@cache
def _choices(kind: str) -> list[Candidate]:
    graph, defined = ontology_graph(), defined_terms()
    if kind == "class":
        return candidates(graph, [URIRef(str(c)) for c in graph.subjects(RDF.type, OWL.Class)], str(EXM))
    if kind == "property":
        props = [t for t in defined if graph.value(t, RDF.type) in _PROPERTY_TYPES]
        return candidates(graph, props, str(EXM))
    spaces = [MECH, OUTC] if kind == "construct" else [URIRef(kind)]
    return [c for ns in spaces for c in candidates(graph, defined, str(ns))]


def _local(term) -> str:
    return str(term).rsplit("/", 1)[-1]


def vocabulary_problems(entry: Graph) -> list[Problem]:
    """Terms the entry uses that the ontology or a vocabulary does not define, with the nearest valid names."""
    defined, problems = defined_terms(), []
    for prop, namespace in VOCAB_LINKS.items():
        for node, value in entry.subject_objects(prop):
            if isinstance(value, URIRef) and value not in defined:
                choices = _choices(str(namespace) if namespace else "construct")
                message = (
                    f"{compact(str(value))} is not in the controlled vocabulary{hint(_local(value), choices)}"
                )
                problems.append(
                    Problem(
                        "Violation",
                        compact(str(node)),
                        compact(str(prop)),
                        message,
                        "vocabulary",
                        value=compact(str(value)),
                    )
                )
    for node, cls in entry.subject_objects(RDF.type):
        if str(cls).startswith(str(EXM)) and cls not in defined:
            message = (
                f"{compact(str(cls))} is not a class of the ontology{hint(_local(cls), _choices('class'))}"
            )
            problems.append(
                Problem(
                    "Violation",
                    compact(str(node)),
                    "rdf:type",
                    message,
                    "vocabulary",
                    value=compact(str(cls)),
                )
            )
    for used in sorted(set(entry.predicates()), key=str):
        if str(used).startswith(str(EXM)) and used not in defined:
            for node in sorted(set(entry.subjects(used, None)), key=str)[:1]:
                message = f"{compact(str(used))} is not a property of the ontology{hint(_local(used), _choices('property'))}"
                problems.append(
                    Problem("Violation", compact(str(node)), compact(str(used)), message, "vocabulary")
                )
    return problems


def _expected_type(prop) -> URIRef | None:
    """The datatype a property's values must have: its rdfs:range (the year of publication: an xsd:gYear)."""
    if prop == DCTERMS.issued:
        return XSD.gYear
    graph = ontology_graph()
    if graph.value(prop, RDF.type) != OWL.DatatypeProperty:
        return None
    rng = graph.value(prop, RDFS.range)
    return rng if rng in EXPECTED else None


def _wrong_type(value, expected: URIRef) -> bool:
    if not isinstance(value, Literal):
        return True
    if expected in _NUMBERS:
        ok = value.datatype in _NUMBERS and value.value is not None and not isinstance(value.value, bool)
        return not ok or (
            expected == XSD.integer and value.datatype not in (XSD.integer, XSD.nonNegativeInteger)
        )
    if expected == XSD.gYear:  # rdflib gives no value for a gYear: check its lexical form
        return value.datatype == XSD.gYear and not _YEAR.fullmatch(str(value))
    return value.datatype != expected or value.value is None


@cache
def _typed_by_shapes() -> frozenset:
    """Properties a shape already checks the datatype of (sh:datatype): their own messages say what is wrong."""
    shapes = shapes_graph()
    return frozenset(shapes.value(s, SH.path) for s in shapes.subjects(SH.datatype, None))


def type_problems(entry: Graph) -> list[Problem]:
    """Values that are not of their field's type (text where a number goes, a malformed year), per field, for the
    fields whose shapes check only the range."""
    problems = []
    for prop in sorted(set(entry.predicates()), key=str):
        expected = _expected_type(prop)
        # a shape's sh:datatype reports text where a number goes; an ill-formed xsd:gYear ("Oct 2016") would
        # also be reported as out of range, so that one is checked here
        if expected is None or (prop in _typed_by_shapes() and expected != XSD.gYear):
            continue
        for node, value in sorted(entry.subject_objects(prop), key=str):
            if _wrong_type(value, expected):
                shown = f'"{value}"' if isinstance(value, Literal) else compact(str(value))
                label = ontology_graph().value(prop, RDFS.label)
                message = (
                    f"{shown} is not {EXPECTED[expected]}: a type error in {label or compact(str(prop))}"
                    + (
                        weeks_hint(str(value))
                        or "; write the value alone, in the field's unit (words or a "
                        "unit after it make it text)"
                    )
                )
                problems.append(
                    Problem(
                        "Violation", compact(str(node)), compact(str(prop)), message, "type", value=str(value)
                    )
                )
    return problems
