"""One JSON-LD context and one prefix map: the shipped context is the source of both (issue: one source per fact)."""

import json

from rdflib import Graph
from rdflib.compare import isomorphic

from conftest import TESTS
from exmech.graph.build import jsonld_context, write_graph
from exmech.graph.namespaces import PREFIXES, bind_prefixes
from exmech.graph.resources import resource_dir
from exmech.release.bundle import sssom

SHIPPED = resource_dir("ontology") / "context.jsonld"


def test_every_prefix_of_the_map_is_in_the_shipped_context_and_nowhere_else_defined():
    context = json.loads(SHIPPED.read_text(encoding="utf-8"))["@context"]
    assert {p: str(ns) for p, ns in PREFIXES.items()} == {
        k: v for k, v in context.items() if isinstance(v, str) and v.endswith(("/", "#")) and k[0] != "@"
    }
    assert jsonld_context() == context, "build, release and the server must use the shipped context"
    bound = dict(bind_prefixes(Graph()).namespaces())
    assert all(str(bound[p]) == str(ns) for p, ns in PREFIXES.items())


def test_the_merged_graph_round_trips_through_json_ld_with_the_one_context(kg, tmp_path):
    write_graph(kg.graph + Graph(), tmp_path)
    back = Graph().parse(tmp_path / "exmech.jsonld", format="json-ld")
    reference = Graph().parse(tmp_path / "exmech.ttl", format="turtle")
    assert len(back) == len(reference) > 1000
    assert isomorphic(back, reference)


def test_the_json_ld_example_expands_with_the_context_as_a_consumer_would_load_it(tmp_path):
    """A consumer inlines the released context.jsonld: the example entry gives the same triples as Turtle would."""
    example = json.loads((TESTS / "examples" / "valid" / "Study-jsonld.jsonld").read_text(encoding="utf-8"))
    inlined = example | {"@context": jsonld_context()}
    graph = Graph().parse(data=json.dumps(inlined), format="json-ld")
    assert len(graph) > 10
    assert not any(str(p).startswith("https://w3id.org/exmech/theme/") for p in graph.predicates())


def test_sssom_curie_map_declares_the_project_prefixes(kg):
    text = sssom(kg.graph, "2026-01-01")
    for prefix, ns in PREFIXES.items():
        assert f"#   {prefix}: {ns}" in text
