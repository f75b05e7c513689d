"""An on-disk store is never silently stale: it is refilled when the knowledge base changes, or refused read-only."""

import shutil

import pytest

from exmech.graph.resources import resource_dir
from exmech.stores import OxigraphStore, StoreError, open_store

COUNT = "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a <https://w3id.org/exmech/ontology/RandomisedControlledTrial> }"


def trials(store) -> int:
    return int(store.run(COUNT).rows[0][0])


def test_the_store_refills_after_a_trial_is_added_and_read_only_use_refuses_when_stale(tmp_path):
    kb = tmp_path / "kb"
    shutil.copytree(resource_dir("ontology") / "kb", kb)
    spec = f"oxigraph:{tmp_path / 'ox'}"
    before = trials(open_store(spec, kb_dir=kb))
    fresh = trials(open_store(f"oxigraph-read-only:{tmp_path / 'ox'}", kb_dir=kb))
    assert fresh == before > 40

    source = (kb / "studies" / "costa2009.ttl").read_text(encoding="utf-8")
    (kb / "studies" / "costa2009copy.ttl").write_text(
        source.replace("kb:costa2009", "kb:costa2009copy").replace("ACTRN", "X-ACTRN"), encoding="utf-8"
    )
    with pytest.raises(StoreError, match="stale"):
        open_store(f"oxigraph-read-only:{tmp_path / 'ox'}", kb_dir=kb)
    assert trials(open_store(spec, kb_dir=kb)) == before + 1  # refilled, not stale
    assert trials(open_store(f"oxigraph-read-only:{tmp_path / 'ox'}", kb_dir=kb)) == before + 1


def test_an_unchanged_knowledge_base_is_not_reloaded(tmp_path):
    store = OxigraphStore(tmp_path / "ox")
    recorded = store.recorded_digest()
    assert recorded is not None
    store.store.update("INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }")  # a marker a refill would remove
    store.close()
    again = OxigraphStore(tmp_path / "ox")
    assert again.run("ASK { <urn:x:a> <urn:x:b> <urn:x:c> }") is True
    assert again.recorded_digest() == recorded


def test_a_store_filled_by_another_tool_is_refused_read_only(tmp_path):
    with pytest.raises(StoreError, match="stale"):
        open_store(f"oxigraph-read-only:{tmp_path / 'never-filled'}")


def test_the_embedded_store_is_never_stale_and_never_shared(tmp_path):
    """load_graph copies an earlier build of unchanged sources: each caller gets its own graph, and a changed
    file is parsed again (the copy is keyed by the sources' digest, not by their names)."""
    kb = tmp_path / "kb"
    shutil.copytree(resource_dir("ontology") / "kb", kb)
    first = open_store("memory", kb_dir=kb)
    before = trials(first)
    first.update("INSERT DATA { <urn:x:t> a <https://w3id.org/exmech/ontology/RandomisedControlledTrial> }")
    assert trials(first) == before + 1
    assert trials(open_store("memory", kb_dir=kb)) == before  # the change above stayed in its own graph

    with (kb / "studies" / "costa2009.ttl").open("a", encoding="utf-8") as changed:  # same name, new content
        changed.write("\nkb:costa2009b a exm:RandomisedControlledTrial .\n")
    assert trials(open_store("memory", kb_dir=kb)) == before + 1
