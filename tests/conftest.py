"""Shared fixtures: the shipped graph is loaded once per test session."""

import os
import shutil
from pathlib import Path

import pytest

from exmech.kg import KnowledgeGraph
from exmech.stores import MemoryStore, open_store

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"

# typer draws errors in a box as wide as the terminal (80 columns without one): a long temporary path (pytest-xdist
# workers' are longer) would be wrapped inside the box, and a test looking for it would not find it
os.environ.setdefault("COLUMNS", "200")


@pytest.fixture(scope="session")
def kg() -> KnowledgeGraph:
    """The shipped knowledge graph: ontology + vocabularies + knowledge base + derived facts."""
    return KnowledgeGraph.load()


SHARED_STORES: list[
    MemoryStore
] = []  # the stores no test changes: their answers may be reused (test_stores.answers)


@pytest.fixture(scope="session")
def memory() -> MemoryStore:
    """The shipped graph in the embedded store, loaded once per test process. Tests only read it."""
    store = open_store("memory")
    SHARED_STORES.append(store)
    return store


@pytest.fixture(scope="session")
def fixture_kg() -> KnowledgeGraph:
    """A small hand-made fixture graph (tests/fixtures/kb), not the shipped knowledge base."""
    return KnowledgeGraph.load(kb_dir=FIXTURES / "kb")


@pytest.fixture(scope="session")
def paths_kg() -> KnowledgeGraph:
    """The paths fixture (tests/fixtures/paths-kb): made-up trials whose paths, statuses and effects are known."""
    return KnowledgeGraph.load(kb_dir=FIXTURES / "paths-kb")


@pytest.fixture(scope="session")
def joint_kg(tmp_path_factory) -> KnowledgeGraph:
    """The paths fixture plus two made-up joint analyses (tests/fixtures/joint/joint.ttl)."""
    kb = tmp_path_factory.mktemp("joint") / "kb"
    shutil.copytree(FIXTURES / "paths-kb", kb)
    shutil.copy(FIXTURES / "joint" / "joint.ttl", kb / "joint.ttl")
    return KnowledgeGraph.load(kb_dir=kb)


def pytest_collection_modifyitems(session, config, items):
    """Files with a test marked slow run first (each file whole, in its own order): pytest-xdist's loadfile hands
    files to workers in collection order, so a long file left to the end would keep one core busy while the other
    waits. Every worker computes the same order, as xdist requires."""
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(
        key=lambda item: item.path not in slow_files
    )  # a stable sort: the order within each group is kept
