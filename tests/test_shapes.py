"""SHACL shapes: the shipped knowledge base conforms; each invalid example fires exactly the shape it names."""

from pathlib import Path

import pytest
from rdflib.namespace import RDF, SH

from exmech.load import load_graph
from exmech.namespaces import expand
from exmech.shapes import shapes_graph, validate

EXAMPLES = Path(__file__).parent / "examples"


def _violations(path: Path, tmp_path: Path) -> set[str]:
    graph = load_graph(kb_dir=tmp_path, extra=[path])  # ontology + vocabularies + this entry only
    return {p.shape for p in validate(graph) if p.severity == "Violation"}


def test_shipped_knowledge_base_has_no_violation(kg):
    violations = [p.line() for p in validate(kg.graph) if p.severity == "Violation"]
    assert violations == []


@pytest.mark.parametrize("path", sorted((EXAMPLES / "valid").glob("*.ttl")), ids=lambda p: p.stem)
def test_valid_example_conforms(path, tmp_path):
    assert _violations(path, tmp_path) == set()


@pytest.mark.parametrize("path", sorted((EXAMPLES / "invalid").glob("*.ttl")), ids=lambda p: p.stem)
def test_invalid_example_fires_exactly_its_shape(path, tmp_path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name} must open with '# expect: <shape> - <why it fails>'"
    expected = first.removeprefix("# expect: ").split(" - ")[0].strip()
    assert expand(expected), f"{expected} is not a CURIE with a known prefix"
    assert _violations(path, tmp_path) == {expected}


def test_every_shape_is_named_and_has_a_message():
    shapes = shapes_graph()
    for kind in (SH.NodeShape, SH.PropertyShape, SH.SPARQLConstraint):
        for shape in shapes.subjects(RDF.type, kind):
            assert str(shape).startswith("https://w3id.org/exmech/shapes/"), f"blank or foreign shape {shape}"
            if kind != SH.NodeShape:
                assert shapes.value(shape, SH.message), f"{shape} has no sh:message"


def test_a_pmid_only_publication_is_a_warning_not_a_violation(tmp_path):
    text = (EXAMPLES / "valid" / "Study-minimal.ttl").read_text().replace('bibo:doi "10.5555/example"', 'bibo:pmid "5555"')
    entry = tmp_path / "entry.ttl"
    entry.write_text(text)
    (tmp_path / "kb").mkdir()
    problems = validate(load_graph(kb_dir=tmp_path / "kb", extra=[entry]))
    assert [p.severity for p in problems] == ["Warning"]
    assert problems[0].shape == "shp:PublicationShape-doiWarning"
