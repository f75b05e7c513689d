"""Portable queries: every packaged query, pasted unmodified into another SPARQL 1.1 engine (pyoxigraph, not rdflib)
over the built graph (`exmech build`'s N-Triples), answers as exmech does with its default parameters; the defaults
are written into the text (COALESCE of the parameter), exmech's binding still overrides them (as rdflib initBindings
and as the VALUES block endpoints get), and percents are decimal divisions rounded to integers on every engine."""

import re
from decimal import ROUND_HALF_UP, Decimal

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from exmech.graph.build import write_graph
from exmech.graph.catalogue import catalogue, parse_term
from exmech.graph.load import load_graph
from exmech.stores import MemoryStore, inline_bindings

XSD = "http://www.w3.org/2001/XMLSchema#"  # a str: rdflib's XSD namespace object trips pytest's collector
SELECTS = sorted(n for n, q in catalogue().items() if q.form == "SELECT")
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float")}
# one value per defaulted parameter, other than its default: the binding must override the written-in default
OVERRIDES = [
    ("paths", {"minRank": "3"}),
    ("paths", {"exerciseType": "exm:AerobicExercise", "chronicOnly": "true"}),
    ("paths-summary", {"minRank": "4", "exerciseType": "exm:MotorControlExercise"}),
    ("paths-summary", {"chronicOnly": "true"}),
    ("instruments-for-construct", {"construct": "outc:disability"}),
    ("mechanisms-for-exercise-type", {"exerciseType": "exm:YogaExercise"}),
    ("studies-of-exercise-type", {"exerciseType": "exm:PilatesExercise"}),
    ("exercise-type-rollup", {"chronicOnly": "true"}),
    ("theme-mentions-in-graph", {"chronicOnly": "true"}),
    ("evidence-summary", {"chronicOnly": "true"}),
    ("review-summary", {"review": "kb:no-such-review"}),
    ("review-theme-table", {"review": "kb:no-such-review"}),
    ("review-mechanism-names", {"review": "kb:no-such-review"}),
    ("review-stated-themes", {"review": "kb:no-such-review"}),
]


def cell(value: str, datatype: str | None, language: str | None) -> str:
    """One cell the same way for both engines: numbers by value and type (Oxigraph stores 2.0 as 2), plain
    literals as xsd:string (RDF 1.1), GROUP_CONCAT lists as sets (their order is undefined)."""
    if language:
        return f"{value}@{language}"
    datatype = datatype or XSD + "string"
    if datatype in NUMERIC:
        return f"{Decimal(value).normalize()}^^{datatype}"
    return "; ".join(sorted(value.split("; "))) + f"^^{datatype}"


def rdflib_cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal):
        return cell(str(term), str(term.datatype) if term.datatype else None, term.language)
    return f"<{term}>"


def oxigraph_cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return cell(term.value, term.datatype.value, term.language)
    return f"<{term.value}>"


def ordered(name: str) -> bool:
    return re.search(r"^ORDER BY\b", catalogue()[name].text, re.MULTILINE) is not None


def rows(name: str, found: list[tuple]) -> list[tuple]:
    """In the engine's order for a query with ORDER BY (the packaged ORDER BYs leave no ties), else sorted."""
    return found if ordered(name) else sorted(found)


@pytest.fixture(scope="module")
def pasted(tmp_path_factory):
    """Another engine over the built graph: the N-Triples `exmech build` writes, loaded into pyoxigraph."""
    out = tmp_path_factory.mktemp("build")
    write_graph(load_graph(), out)
    store = ox.Store()
    store.bulk_load(path=str(out / "exmech.nt"), format=ox.RdfFormat.N_TRIPLES)
    return store


def on_oxigraph(store: ox.Store, text: str) -> list[tuple]:
    result = store.query(text)
    names = [v.value for v in result.variables]
    return [tuple(oxigraph_cell(solution[n]) for n in names) for solution in result]


def by_exmech(memory: MemoryStore, name: str, given: dict | None = None) -> list[tuple]:
    q = catalogue()[name]
    return [tuple(rdflib_cell(t) for t in r) for r in memory.select(q.text, q.bindings(given or {})).rows]


@pytest.mark.parametrize("name", SELECTS)
def test_pasted_text_answers_as_exmech_with_its_defaults(name, memory, pasted):
    """On pyoxigraph, and on rdflib with nothing bound (the text run from the query page of `exmech serve`)."""
    expected = rows(name, by_exmech(memory, name))
    text = catalogue()[name].text
    assert rows(name, on_oxigraph(pasted, text)) == expected
    assert rows(name, [tuple(rdflib_cell(t) for t in r) for r in memory.select(text).rows]) == expected


def test_the_comparison_sees_the_rows_that_matter(memory):
    """Not vacuous: the queries the defaults change most return rows on the shipped graph."""
    for name in ("paths", "paths-summary", "instruments-for-construct", "mechanisms-for-exercise-type"):
        assert by_exmech(memory, name), name


@pytest.mark.parametrize("name, given", OVERRIDES, ids=[f"{n}:{','.join(g)}" for n, g in OVERRIDES])
def test_a_bound_parameter_overrides_the_written_in_default(name, given, memory, pasted):
    """rdflib's initBindings (exmech's memory store), the VALUES block (Oxigraph and endpoints) run by rdflib and
    the same VALUES text run by pyoxigraph give one answer, and not the default one."""
    q = catalogue()[name]
    bound = by_exmech(memory, name, given)
    as_values = inline_bindings(q.text, q.bindings(given))
    assert rows(name, [tuple(rdflib_cell(t) for t in r) for r in memory.select(as_values).rows]) == rows(
        name, bound
    )
    assert rows(name, on_oxigraph(pasted, as_values)) == rows(name, bound)
    assert bound != by_exmech(memory, name)


@pytest.mark.parametrize("name", sorted(n for n, q in catalogue().items() if q.parameters))
def test_every_default_is_written_into_the_query_and_the_parameter_is_read_nowhere_else(name):
    """A defaulted ?p is only read as COALESCE(?p, default) or COALESCE(STR(?p), "default"), with the header's
    default; then a tool that binds nothing gets the default, and one that binds ?p gets its value."""
    q = catalogue()[name]
    body = "\n".join(line.split("#")[0] for line in q.text.splitlines() if not line.startswith("#"))
    for p in q.parameters.values():
        if p.default is None:
            continue
        uses = len(re.findall(rf"\?{p.name}\b", body))
        written = re.findall(rf"COALESCE\((?:\?{p.name}|STR\(\?{p.name}\)),\s*([^)]+)\)", body)
        assert written and uses == len(written), f"{name}: ?{p.name} is read outside COALESCE"
        for default in written:
            assert _term(default.strip(), body) == parse_term(p.default), (
                f"{name}: ?{p.name} default {default}"
            )


def _term(text: str, body: str):
    """A default as written in the query: "string", a number, or prefix:local (by the query's own PREFIX lines)."""
    if text.startswith('"'):
        return Literal(text.strip('"'))
    if re.fullmatch(r"[+-]?\d+", text):
        return Literal(int(text))
    prefix, local = text.split(":", 1)
    namespace = re.search(rf"PREFIX {prefix}:\s*<([^>]+)>", body, re.IGNORECASE)
    assert namespace, f"no PREFIX {prefix}: for the default {text}"
    return URIRef(namespace.group(1) + local)


@pytest.mark.parametrize(
    "name, part, whole, percent",
    [
        ("review-theme-table", "mentions", "total", "computedPercent"),
        ("review-summary", "noMechanism", "included", "percentNoMechanism"),
    ],
)
def test_percents_are_decimal_divisions_rounded_to_integers_on_both_engines(
    name, part, whole, percent, pasted
):
    """105 of 241 is 43.57...: 44, not the 43 of an integer division, typed xsd:integer on both engines."""
    result = pasted.query(catalogue()[name].text)
    found = [{v.value: s[v.value] for v in result.variables} for s in result]
    assert found
    for r in (
        found
    ):  # rdflib gives the same cells, typed alike (test_pasted_text_answers_as_exmech_with_its_defaults)
        exact = Decimal(100) * Decimal(r[part].value) / Decimal(r[whole].value)
        assert r[percent].datatype.value == XSD + "integer"
        assert int(r[percent].value) == int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert any(Decimal(r[part].value) * 100 % Decimal(r[whole].value) for r in found), (
        "no row tests the rounding"
    )


@pytest.mark.parametrize("name", sorted(n for n in SELECTS if not n.startswith("qc/")))
def test_counts_of_optional_values_are_bound_to_zero(name):
    """Comunica leaves a COUNT of only unbound values unbound: a query counting what an OPTIONAL found COALESCEs
    every count to 0. (Not the queries whose counted values are never unbound: rdflib gives an empty GROUP BY one
    all-zero row when the count is COALESCEd.)"""
    text = catalogue()[name].text
    head, _, body = text.partition("WHERE")
    required = _without_optionals(body)
    for before, variable in re.findall(r"(\S*)COUNT\(\s*(?:DISTINCT\s+)?\?(\w+)", head):
        if not re.search(rf"\?{variable}\b", required):  # bound only inside an OPTIONAL: may be unbound
            assert before.endswith("COALESCE("), f"{name}: COUNT(?{variable}) may be left unbound"


def _without_optionals(text: str) -> str:
    """The text with every OPTIONAL { ... } group (nested braces included) cut out."""
    out, i = [], 0
    for match in re.finditer(r"OPTIONAL\s*\{", text):
        if match.start() < i:
            continue  # inside a group already cut
        out.append(text[i : match.start()])
        depth, j = 1, match.end()
        while depth and j < len(text):
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
        i = j
    return "".join(out) + text[i:]
