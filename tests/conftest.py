"""Shared fixtures: the shipped graph is loaded once per test session."""

from pathlib import Path

import pytest

from exmech.kg import KnowledgeGraph

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"


@pytest.fixture(scope="session")
def kg() -> KnowledgeGraph:
    """The shipped knowledge graph: ontology + vocabularies + knowledge base + derived facts."""
    return KnowledgeGraph.load()


@pytest.fixture(scope="session")
def fixture_kg() -> KnowledgeGraph:
    """A small hand-made fixture graph (tests/fixtures/kb), not the shipped knowledge base."""
    return KnowledgeGraph.load(kb_dir=FIXTURES / "kb")


@pytest.fixture(scope="session")
def paths_kg() -> KnowledgeGraph:
    """The paths fixture (tests/fixtures/paths-kb): made-up trials whose paths, statuses and effects are known."""
    return KnowledgeGraph.load(kb_dir=FIXTURES / "paths-kb")
