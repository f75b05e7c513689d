"""The stores behind `exmech query --store` and `exmech serve`: rdflib in memory and an on-disk Oxigraph
store, filled and reasoned over by Oxigraph itself, give the same answers to every packaged query; parameters
are bound as checked RDF terms, so hostile values cannot change a query."""

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef
from typer.testing import CliRunner

from conftest import SHARED_STORES
from exmech.cli import app
from exmech.graph.catalogue import catalogue
from exmech.graph.load import SourceError
from exmech.stores import OxigraphStore, StoreError, inline_bindings

runner = CliRunner()
QUERIES = sorted(catalogue())
FIXTURE_KB = Path(__file__).parent / "fixtures" / "kb"
PARAMETERISED = [
    ("mechanisms-for-exercise-type", {"exerciseType": "exm:WalkingExercise"}),
    ("mechanisms-for-exercise-type", {"exerciseType": "exm:MotorControlExercise"}),
    ("paths", {"mechanism": "mech:self-efficacy"}),
    ("paths", {"minRank": "3"}),
    ("paths", {"outcomeDomain": "outc:pain-intensity", "exerciseType": "exm:AerobicExercise"}),
    # the exercise type and chronicity tests sit in an OPTIONAL group: Oxigraph must see the outer binding there
    ("evidence-summary", {"exerciseType": "exm:YogaExercise"}),
    ("evidence-summary", {"exerciseType": "exm:AerobicExercise", "chronicOnly": "true"}),
    ("evidence-summary-by-theme", {"exerciseType": "exm:MotorControlExercise", "chronicOnly": "true"}),
]


def norm(term) -> str:
    """A cell compared across stores: numbers by value, GROUP_CONCAT lists as sets (order undefined)."""
    if term is None:
        return ""
    text = str(term)
    try:
        return str(Decimal(text).normalize())
    except InvalidOperation:
        return ";".join(sorted(text.split("; "))) if "; " in text else " ".join(sorted(text.split(" ")))


_ANSWERED: dict[tuple, list[tuple]] = {}  # the shared embedded store's rows, by query and parameters


def answers(store, name, given=None, ordered=False):
    """The rows as normalised tuples: sorted, or in the store's order (for a query whose ORDER BY is total).
    The shared embedded store (conftest.memory, never changed) answers each query and parameters once per test
    process: the Oxigraph, Virtuoso, Jena and pushed-graph comparisons all compare against it."""
    key = (name, tuple(sorted((given or {}).items())))
    shared = any(store is s for s in SHARED_STORES)
    if not shared or key not in _ANSWERED:
        q = catalogue()[name]
        rows = [tuple(norm(t) for t in row) for row in store.select(q.text, q.bindings(given or {})).rows]
        if not shared:
            return rows if ordered else sorted(rows)
        _ANSWERED[key] = rows
    rows = list(_ANSWERED[key])
    return rows if ordered else sorted(rows)


def is_ordered(name: str) -> bool:
    return re.search(r"^ORDER BY\b", catalogue()[name].text, re.MULTILINE) is not None


@pytest.fixture(scope="module")
def oxigraph_store(tmp_path_factory):
    return OxigraphStore(tmp_path_factory.mktemp("ox") / "store")


@pytest.mark.parametrize("name", QUERIES)
def test_oxigraph_store_agrees_with_memory(name, memory, oxigraph_store):
    """Same rows, and for a query with ORDER BY the same order (its ORDER BY must leave no ties)."""
    ordered = is_ordered(name)
    assert answers(oxigraph_store, name, ordered=ordered) == answers(memory, name, ordered=ordered)


@pytest.mark.parametrize("name, given", PARAMETERISED)
def test_bound_parameters_agree(name, given, memory, oxigraph_store):
    expected = answers(memory, name, given)
    assert answers(oxigraph_store, name, given) == expected
    assert expected != answers(memory, name)  # the parameter did narrow the answer


def test_oxigraph_derives_what_rdflib_derives(memory, oxigraph_store):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert int(oxigraph_store.run(count).rows[0][0]) == len(memory.graph)


@pytest.mark.parametrize(
    "value",
    [
        URIRef("https://w3id.org/exmech/kb/x> } ?s ?p ?o { <urn:a"),
        URIRef("urn:a b"),
        Literal("x", datatype=URIRef("urn:x> } ?s ?p ?o {")),
        BNode("b1"),
    ],
)
def test_unsafe_terms_are_refused(value):
    with pytest.raises(StoreError, match="cannot bind"):
        inline_bindings("SELECT ?s WHERE { ?s ?p ?o }", {"p": value})
    with pytest.raises(StoreError, match="not a SPARQL variable"):
        inline_bindings("SELECT ?s WHERE { ?s ?p ?o }", {"p) { (1": Literal(1)})


def test_hostile_text_stays_a_literal(memory, oxigraph_store):
    hostile = '" } } UNION { ?study ?p ?o } #\n\\'
    q = catalogue()["mechanisms-for-exercise-type"]
    for store in (memory, oxigraph_store):
        assert store.select(q.text, {"exerciseType": Literal(hostile)}).rows == []


def test_query_command_on_an_oxigraph_store(tmp_path):
    spec = f"oxigraph:{tmp_path / 'ox'}"
    result = runner.invoke(
        app,
        [
            "query",
            "mechanisms-for-exercise-type",
            "-p",
            "exerciseType=exm:WalkingExercise",
            "--store",
            spec,
            "-f",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    memory = runner.invoke(
        app, ["query", "mechanisms-for-exercise-type", "-p", "exerciseType=exm:WalkingExercise", "-f", "csv"]
    )
    assert sorted(result.output.splitlines()) == sorted(memory.output.splitlines())
    # a knowledge-base folder given explicitly refills the store with that folder
    fixture = runner.invoke(
        app, ["query", "studies-of-exercise-type", "--store", spec, "--kb", str(FIXTURE_KB), "-f", "csv"]
    )
    assert (
        fixture.exit_code == 0
        and fixture.output != runner.invoke(app, ["query", "studies-of-exercise-type", "-f", "csv"]).output
    )


def test_bad_store_specs_exit_2(tmp_path):
    for spec in ("postgres:db", "oxigraph:"):
        result = runner.invoke(app, ["query", "review-summary", "--store", spec])
        assert result.exit_code == 2 and "use memory or oxigraph:PATH" in result.output
    result = runner.invoke(app, ["query", "review-summary", "--endpoint", "file:///etc/passwd"])
    assert result.exit_code == 2 and "http(s)" in result.output


def test_bad_source_file_leaves_no_half_filled_store(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix exm: <https://w3id.org/exmech/ontology/> .\nexm:a exm:b exm:c .\nexm:a exm:b \n", "utf-8"
    )
    good = tmp_path / "good.ttl"
    good.write_text("<urn:x:a> <urn:x:b> <urn:x:c> .\n", "utf-8")
    with pytest.raises(SourceError, match="bad.ttl"):
        OxigraphStore(tmp_path / "ox", [good, bad])
    assert OxigraphStore(tmp_path / "ox", read_only=True).is_empty()


def same_paths(found) -> list:
    """Paths compared across stores: order of equally strong paths and of their studies is undefined."""
    return sorted((p.iri, p.status, tuple(sorted(p.evidence, key=repr))) for p in found)


@pytest.mark.parametrize(
    "given",
    [
        {},
        {"intervention": "aerobic", "outcome": "pain intensity"},
        {"mechanism": "self-efficacy"},
        {"theme": "psychosocial", "min_evidence": "tested"},
    ],
)
def test_paths_api_agrees_across_stores(given, memory, oxigraph_store):
    from exmech.evidence.paths import find_paths

    expected = find_paths(memory.graph, **given)
    assert expected or given.get("min_evidence")  # the shipped graph has paths for these filters
    assert same_paths(find_paths(oxigraph_store, **given)) == same_paths(expected)


def test_paths_command_on_an_oxigraph_store(tmp_path):
    args = ["paths", "--mechanism", "self-efficacy", "-f", "csv"]
    on_disk = runner.invoke(app, [*args, "--store", f"oxigraph:{tmp_path / 'ox'}"])
    assert on_disk.exit_code == 0, on_disk.output
    assert sorted(on_disk.output.splitlines()) == sorted(runner.invoke(app, args).output.splitlines())
    unknown = runner.invoke(
        app, ["paths", "--mechanism", "telepathy", "--store", f"oxigraph:{tmp_path / 'ox'}"]
    )
    assert unknown.exit_code == 2 and "mech:self-efficacy" in unknown.output


def _outer_select(text: str) -> tuple[str, str]:
    """The outermost SELECT clause's variables and its ORDER BY clause (comments removed)."""
    body = "\n".join(
        line.split("#", 1)[0] if not line.lstrip().startswith("#") else "" for line in text.splitlines()
    )
    select = re.search(r"SELECT(.*?)WHERE", body, re.S)
    order = re.search(r"^ORDER BY(.*)$", body, re.M)
    return (select.group(1) if select else ""), (order.group(1) if order else "")


# the outer query's GROUP BY starts a line; a sub-SELECT's (indented) groups only its own rows
@pytest.mark.parametrize(
    "name",
    [n for n in QUERIES if re.search(r"^GROUP BY", catalogue()[n].text, re.MULTILINE) and is_ordered(n)],
)
def test_a_grouped_query_orders_only_by_what_it_projects_or_by_an_aggregate(name):
    """rdflib silently ignores ORDER BY ?v when ?v is grouped but not projected (Oxigraph honours it), so the
    embedded store's order would be the graph's insertion order: order by MIN(?v) instead."""
    select, order = _outer_select(catalogue()[name].text)
    projected = set(re.findall(r"\?(\w+)", select))
    inside_aggregate = set(
        re.findall(r"\b(?:MIN|MAX|SAMPLE|COUNT|SUM|AVG)\s*\(\s*(?:DISTINCT\s+)?\?(\w+)", order)
    )
    bare = set(re.findall(r"\?(\w+)", order)) - projected - inside_aggregate
    assert not bare, f"{name}: ORDER BY names {sorted(bare)}, neither projected nor inside an aggregate"
