"""JSON-LD as a consumer's processor reads it: pyld (the JSON-LD reference processor for Python) expands the shipped
JSON-LD example and the built graph's JSON-LD with the released context (the shipped ontology/context.jsonld, which
`exmech release` copies byte for byte and `exmech serve` serves at /context.jsonld) and gives the same triples as
rdflib and as exmech's own reader. No network: pyld's document loader serves only that one file."""

import json

import pytest
from pyld import jsonld
from rdflib import Graph
from rdflib.compare import isomorphic

from conftest import TESTS
from exmech.entries.read import CONTEXT_IRI, read_entry
from exmech.graph.build import write_graph
from exmech.graph.load import load_graph
from exmech.graph.resources import resource_dir

CONTEXT_FILE = resource_dir("ontology") / "context.jsonld"
EXAMPLE = TESTS / "examples" / "valid" / "Study-jsonld.jsonld"


REFUSED: list[str] = []


def local_loader(url: str, options=None) -> dict:
    """Serves the released context at its IRI, refuses every other URL (nothing is ever fetched)."""
    if url != CONTEXT_IRI:
        REFUSED.append(url)
        raise ValueError(f"not fetched: {url}")
    return {"contextUrl": None, "documentUrl": url, "document": json.loads(CONTEXT_FILE.read_text("utf-8"))}


def by_pyld(document: dict) -> Graph:
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": local_loader})
    return Graph().parse(
        data=nquads, format="nt"
    )  # the default graph only: N-Quads lines without a graph are N-Triples


def test_the_example_entry_names_the_released_context_by_its_iri():
    assert json.loads(EXAMPLE.read_text("utf-8"))["@context"] == CONTEXT_IRI


def test_pyld_expands_the_example_entry_to_the_triples_rdflib_and_exmech_read():
    example = json.loads(EXAMPLE.read_text("utf-8"))
    expanded = by_pyld(example)
    inlined = example | {"@context": json.loads(CONTEXT_FILE.read_text("utf-8"))["@context"]}
    rdflib_graph = Graph().parse(data=json.dumps(inlined), format="json-ld")
    assert len(expanded) > 10
    assert isomorphic(expanded, rdflib_graph)
    assert isomorphic(expanded, read_entry(EXAMPLE))


def test_pyld_reads_the_built_json_ld_as_the_turtle_says(tmp_path):
    """`exmech build`'s exmech.jsonld (context inlined, compacted) holds what exmech.ttl holds, read by pyld."""
    write_graph(load_graph(), tmp_path)
    expanded = by_pyld(json.loads((tmp_path / "exmech.jsonld").read_text("utf-8")))
    turtle = Graph().parse(tmp_path / "exmech.ttl", format="turtle")
    assert len(expanded) == len(turtle) > 1000
    assert isomorphic(expanded, turtle)


def test_the_loader_refuses_any_other_context():
    other = "https://example.org/other.jsonld"
    with pytest.raises(jsonld.JsonLdError):
        by_pyld({"@context": other, "@id": "https://example.org/x", "https://example.org/p": "v"})
    assert REFUSED == [other]
