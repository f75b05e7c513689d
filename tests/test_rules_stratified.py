"""The rules are stratified by name: one pass reaches the fixpoint, so a second pass adds nothing, on every store."""

import pytest

from conftest import FIXTURES
from exmech.graph.load import load_graph
from exmech.graph.resources import knowledge_base_files, ontology_files
from exmech.stores import MemoryStore, OxigraphStore


@pytest.mark.parametrize("kb", [None, FIXTURES / "kb", FIXTURES / "paths-kb"], ids=["shipped", "cq", "paths"])
def test_a_second_pass_of_the_rules_adds_nothing(kb, tmp_path):
    memory = MemoryStore(load_graph(kb))
    assert memory.derive() == 0
    oxigraph = OxigraphStore(tmp_path / "ox", [*ontology_files(), *knowledge_base_files(kb)])
    assert oxigraph.derive() == 0
    assert oxigraph.count() == memory.count()
