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


def _ontology():
    from exmech.graph.load import parse_file
    from exmech.graph.resources import ontology_files

    graph = Graph()
    for path in ontology_files():
        parse_file(graph, path)
    return graph


def test_every_property_the_shapes_check_has_a_context_term_of_the_right_type():
    """A JSON-LD entry can write every field the shapes know with a plain key (no {"@id": ...} needed for links)."""
    from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

    from exmech.graph.namespaces import EXM, compact

    context = json.loads(SHIPPED.read_text(encoding="utf-8"))["@context"]
    terms = {(v if isinstance(v, str) else v["@id"]): v for k, v in context.items() if k[0] != "@"}
    shapes = Graph().parse(resource_dir("shapes") / "exmech-shapes.ttl")
    ontology = _ontology()
    checked = sorted({p for p in shapes.objects(None, SH.path) if str(p).startswith(str(EXM))})
    assert len(checked) > 30
    for prop in checked:
        curie = compact(str(prop))
        assert curie in terms, f"no context term for {curie}"
        declared = terms[curie].get("@type") if isinstance(terms[curie], dict) else None
        if ontology.value(prop, RDF.type) == OWL.ObjectProperty:
            assert declared in ("@id", "@vocab"), (
                f"{curie} links to a node: its term needs @type @id or @vocab"
            )
        else:
            range_ = ontology.value(prop, RDFS.range)
            expected = None if range_ in (None, XSD.string) else compact(str(range_))
            assert declared == expected, f"{curie}: term type {declared}, ontology range {expected}"


def test_a_json_ld_mediation_analysis_with_plain_keys_reads_as_the_turtle_one(tmp_path):
    from exmech.entries.read import read_entry

    entry = {
        "@context": "https://w3id.org/exmech/context.jsonld",
        "id": "kb:exmed2024-ma1",
        "type": "MediationAnalysis",
        "label": "Exmed 2024: tai chi, fear avoidance -> disability",
        "analysesStudy": "kb:hall2011",
        "intervention": "kb:hall2011-int1",
        "comparator": "kb:hall2011-int2",
        "mediator": "mech:fear-avoidance",
        "mediatorTimePointWeeks": 10,
        "outcome": "outc:disability",
        "outcomeTimePointWeeks": 10,
        "proportionMediated": 0.1,
        "sourceLocation": "Table 2",
        "derivedFrom": "https://doi.org/10.5555/exmed",
    }
    path = tmp_path / "ma.jsonld"
    path.write_text(json.dumps(entry), encoding="utf-8")
    from exmech.entries.kb_write import same_entry

    assert same_entry(
        read_entry(path), read_entry(TESTS / "examples" / "valid" / "Mediation-of-stored-trial.ttl")
    )
