"""Adding a trial to a filled on-disk store updates it in place (no refill), and whatever changed, the store then
holds exactly what a fresh build from the same files holds: no stale source or derived triple is left behind."""

import shutil

import pytest
from rdflib import BNode, Literal

from exmech.graph.resources import knowledge_base_files, ontology_files, resource_dir
from exmech.stores import OxigraphStore

ALL = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
MARKER = "<urn:x:marker> <urn:x:b> <urn:x:c>"  # a refill removes it; an update in place keeps it
PATH_COUNT = (
    "SELECT ?n WHERE { <https://w3id.org/exmech/kb/path/MotorControlExercise/motor-control/pain-intensity> "
    "<https://w3id.org/exmech/ontology/pathStudyCount> ?n }"
)


def by_value(term):
    return (term.value, term.datatype, term.language) if isinstance(term, Literal) else term


def content(store: OxigraphStore) -> tuple[set, int]:
    graph = store.run(ALL)
    ground = {tuple(map(by_value, t)) for t in graph if not any(isinstance(x, BNode) for x in t)}
    return ground, len(graph)


def files(kb):
    return [*ontology_files(), *knowledge_base_files(kb)]


def reopened(tmp_path, kb) -> OxigraphStore:
    return OxigraphStore(tmp_path / "ox", files(kb))


def fresh(tmp_path, kb, name: str) -> OxigraphStore:
    return OxigraphStore(tmp_path / name, files(kb), reload=True)


@pytest.fixture
def filled(tmp_path):
    kb = tmp_path / "kb"
    shutil.copytree(resource_dir("ontology") / "kb", kb)
    store = reopened(tmp_path, kb)
    store.update(f"INSERT DATA {{ {MARKER} }}")
    store.close()
    return kb


def copy_trial(kb, name: str = "costa2009copy") -> None:
    source = (kb / "studies" / "costa2009.ttl").read_text(encoding="utf-8")
    (kb / "studies" / f"{name}.ttl").write_text(
        source.replace("kb:costa2009", f"kb:{name}").replace("ACTRN", "X-ACTRN"), encoding="utf-8"
    )


def count(store) -> int:
    return int(store.run(PATH_COUNT).rows[0][0])


def test_an_added_trial_is_added_in_place_and_the_store_answers_as_a_fresh_build(filled, tmp_path):
    studies_before = count(reopened(tmp_path, filled))
    copy_trial(filled)
    store = reopened(tmp_path, filled)
    assert store.run(f"ASK {{ {MARKER} }}") is True  # updated in place, not refilled
    assert count(store) == studies_before + 1  # the shared path's aggregate follows the new trial
    store.update(f"DELETE DATA {{ {MARKER} }}")
    assert content(store) == content(fresh(tmp_path, filled, "fresh"))
    assert store.recorded_digest() == fresh(tmp_path, filled, "fresh2").recorded_digest()
    store.close()
    assert OxigraphStore(tmp_path / "ox", files(filled), read_only=True).count() == store.count()


def test_a_changed_or_removed_trial_leaves_nothing_stale(filled, tmp_path):
    copy_trial(filled)
    reopened(tmp_path, filled).close()
    trial = filled / "studies" / "costa2009copy.ttl"
    trial.write_text(trial.read_text(encoding="utf-8").replace("mech:motor-control", "mech:self-efficacy"))
    assert content(reopened(tmp_path, filled)) == content(fresh(tmp_path, filled, "changed"))
    trial.unlink()
    assert content(reopened(tmp_path, filled)) == content(fresh(tmp_path, filled, "removed"))


def test_a_file_that_describes_a_stored_node_makes_the_store_refill(filled, tmp_path):
    (filled / "studies" / "extra.ttl").write_text(
        "@prefix exm: <https://w3id.org/exmech/ontology/> .\n@prefix kb: <https://w3id.org/exmech/kb/> .\n"
        "kb:extra-m9 a exm:OutcomeMeasurement ; exm:inStudy kb:costa2009 ;"
        " exm:ofConstruct <https://w3id.org/exmech/mechanism/self-efficacy> .\n",
        encoding="utf-8",
    )
    store = reopened(tmp_path, filled)
    assert store.run(f"ASK {{ {MARKER} }}") is False  # refilled: a measurement of a stored trial is not local
    assert content(store) == content(fresh(tmp_path, filled, "fresh"))
