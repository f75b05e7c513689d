"""SHACL shapes: the shipped knowledge base conforms; each invalid example fires exactly the shape it names."""

from pathlib import Path

import pytest
from rdflib.namespace import RDF, SH

from exmech.checks.shapes import shapes_graph, validate
from exmech.entries.read import read_entry
from exmech.entries.validate import load_kb_index, validate_entry
from exmech.graph.load import load_graph
from exmech.graph.namespaces import expand

EXAMPLES = Path(__file__).parent / "examples"


def _violations(path: Path, tmp_path: Path) -> set[str]:
    """Violations of one example entry (any format), checked as `exmech validate` checks it."""
    return {p.shape for p in validate_entry(read_entry(path), load_kb_index()) if p.severity == "Violation"}


EXAMPLE_FILES = ("*.ttl", "*.csv", "*.jsonld")


def _examples(kind: str) -> list[Path]:
    return sorted(p for pattern in EXAMPLE_FILES for p in (EXAMPLES / kind).glob(pattern))


# the shipped knowledge base has no violation: tests/test_checks.py (one run of every check for that file)


@pytest.mark.parametrize("path", _examples("valid"), ids=lambda p: p.name)
def test_valid_example_conforms(path, tmp_path):
    assert _violations(path, tmp_path) == set()


@pytest.mark.parametrize("path", _examples("invalid"), ids=lambda p: p.name)
def test_invalid_example_fires_exactly_its_shape(path, tmp_path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name} must open with '# expect: <shape> - <why it fails>'"
    expected = first.removeprefix("# expect: ").split(" - ")[0].strip()
    assert expected == "vocabulary" or expand(expected), f"{expected} is not a CURIE with a known prefix"
    assert _violations(path, tmp_path) == {expected}


def test_every_shape_is_named_and_has_a_message():
    shapes = shapes_graph()
    for kind in (SH.NodeShape, SH.PropertyShape, SH.SPARQLConstraint):
        for shape in shapes.subjects(RDF.type, kind):
            assert str(shape).startswith("https://w3id.org/exmech/shapes/"), f"blank or foreign shape {shape}"
            if kind != SH.NodeShape:
                assert shapes.value(shape, SH.message), f"{shape} has no sh:message"


def test_a_pmid_only_publication_is_a_warning_not_a_violation(tmp_path):
    text = (
        (EXAMPLES / "valid" / "Study-minimal.ttl")
        .read_text()
        .replace('bibo:doi "10.5555/example"', 'bibo:pmid "5555"')
    )
    entry = tmp_path / "entry.ttl"
    entry.write_text(text)
    (tmp_path / "kb").mkdir()
    problems = validate(load_graph(kb_dir=tmp_path / "kb", extra=[entry]))
    assert [p.severity for p in problems] == ["Warning"]
    assert problems[0].shape == "shp:PublicationShape-doiWarning"


def test_examples_cover_the_entry_formats():
    names = [p.name for kind in ("valid", "invalid") for p in _examples(kind)]
    assert {n.rsplit(".", 1)[1] for n in names} == {"ttl", "csv", "jsonld"}


def test_at_least_30_example_entries():
    assert len(_examples("valid")) + len(_examples("invalid")) >= 30
    assert len(_examples("invalid")) >= 20
