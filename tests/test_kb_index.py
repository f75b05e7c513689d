"""The validate/add index of the stored knowledge base (exmech.entries.kb_index): one SQLite file in the cache
folder, kept fresh file by file (added, changed and deleted files), rebuilt when damaged, fed by `exmech add`."""

import os
import time

import pytest
from rdflib import Graph
from typer.testing import CliRunner

from entry_helpers import VALID_TRIAL, kb_fixture, no_network_fixture, private_cache_fixture  # noqa: F401
from exmech.cli import app
from exmech.entries import kb_facts
from exmech.entries.kb_facts import facts_in_batches
from exmech.entries.kb_index import KbIndex, identifier_keys, kb_key, slug_root
from exmech.entries.read import read_entry
from exmech.entries.validate import validate_entry
from exmech.graph.load import SourceError
from exmech.graph.namespaces import KB
from exmech.graph.resources import cache_dir

COSTA_DOI = "bibo:doi 10.2522/ptj.20090218"


def _duplicates(entry_path, kb) -> list[str]:
    return [
        p.message for p in validate_entry(read_entry(entry_path), KbIndex.load(kb)) if p.shape == "duplicate"
    ]


def _entry_with_doi(tmp_path, doi: str):
    """The minimal valid trial under a new slug, its publication carrying this DOI."""
    text = VALID_TRIAL.read_text(encoding="utf-8").replace("kb:ex", "kb:newtrial2030")
    path = tmp_path / "entry.ttl"
    path.write_text(text.replace('bibo:doi "10.5555/example"', f'bibo:doi "{doi}"'), encoding="utf-8")
    return path


def test_an_added_file_is_seen_by_the_next_validate(kb, tmp_path):
    entry = _entry_with_doi(tmp_path, "10.5555/added.2030")
    assert _duplicates(entry, kb) == []
    stored = (kb / "studies" / "costa2009.ttl").read_text(encoding="utf-8")
    (kb / "studies" / "other2031.ttl").write_text(
        stored.replace("kb:costa2009", "kb:other2031").replace("10.2522/ptj.20090218", "10.5555/added.2030"),
        encoding="utf-8",
    )
    [message] = _duplicates(entry, kb)
    assert "10.5555/added.2030" in message and "studies/other2031.ttl" in message


def test_a_deleted_file_is_forgotten_and_a_changed_one_reread(kb, tmp_path):
    entry = _entry_with_doi(tmp_path, "10.2522/ptj.20090218")
    assert "studies/costa2009.ttl" in " ".join(_duplicates(entry, kb))
    path = kb / "studies" / "costa2009.ttl"
    text = path.read_text(encoding="utf-8")
    path.unlink()
    assert _duplicates(entry, kb) == [] and KbIndex.load(kb).identifier(COSTA_DOI) is None
    path.write_text(
        text.replace('doi "10.2522/ptj.20090218"', 'doi "10.2522/PTJ.20090218 "'), encoding="utf-8"
    )
    assert (
        KbIndex.load(kb).identifier(COSTA_DOI)[1] == "studies/costa2009.ttl"
    )  # keys are trimmed, lower-cased
    os.utime(
        path, ns=(1, 1)
    )  # an old mtime, as after a copy: a changed file of the same size is still reread
    path.write_text(
        text.replace('doi "10.2522/ptj.20090218"', 'doi "10.2522/ptj.20090219"'), encoding="utf-8"
    )
    os.utime(path, ns=(1, 1))
    index = KbIndex.load(kb)
    assert index.identifier(COSTA_DOI) is None and index.identifier(COSTA_DOI[:-1] + "9") is not None


def test_a_damaged_index_file_is_rebuilt_without_an_error(kb):
    expected = KbIndex.load(kb).identifier(COSTA_DOI)
    cache = cache_dir() / f"index-{kb_key(kb)}.sqlite"
    assert cache.is_file()
    for damage in (b"not a database at all" * 100, cache.read_bytes()[:2000], b""):
        cache.write_bytes(damage)
        index = KbIndex.load(kb)
        assert index.identifier(COSTA_DOI) == expected
        assert index.files_for("https://w3id.org/exmech/kb/costa2009-pub") == ["studies/costa2009.ttl"]


def test_an_index_of_an_unwritable_cache_folder_still_answers(kb, tmp_path, monkeypatch):
    monkeypatch.setenv("EXMECH_CACHE_DIR", str(tmp_path / "file-not-folder"))
    (tmp_path / "file-not-folder").write_text("x", encoding="utf-8")
    assert KbIndex.load(kb).identifier(COSTA_DOI)[1] == "studies/costa2009.ttl"


def test_exmech_add_records_the_file_it_wrote_so_the_next_load_parses_nothing(kb, tmp_path):
    entry = _entry_with_doi(tmp_path, "10.5555/recorded.2030")
    KbIndex.load(kb)
    result = CliRunner().invoke(app, ["add", str(entry), "--kb", str(kb)])
    assert result.exit_code == 0, result.output
    index = KbIndex.load(kb)
    assert index._parsed == {}
    assert index.identifier("bibo:doi 10.5555/recorded.2030")[1] == "studies/newtrial2030.ttl"


# -- the index against a fresh parse ------------------------------------------------------------------------------
def _fresh_parse(kb) -> tuple[set, set]:
    """(identifier rows, root rows) of every stored file, parsed now by rdflib, as the index should hold them."""
    ids, roots = set(), set()
    for path in sorted(kb.rglob("*.ttl")):
        rel, graph = path.relative_to(kb).as_posix(), Graph().parse(path, format="turtle")
        ids |= {(key, node, rel) for key, node in identifier_keys(graph).items()}
        roots |= {(root, rel) for s in set(graph.subjects()) if (root := slug_root(s))}
    return ids, roots


def _held(index: KbIndex) -> tuple[set, set]:
    return set(index._db.execute("SELECT * FROM ids")), set(index._db.execute("SELECT * FROM roots"))


def _age(kb) -> None:
    """Every file and folder of kb dated a minute ago, as a stored knowledge base is (no racy mtime)."""
    old = time.time_ns() - 60_000_000_000
    for path in [*kb.rglob("*"), kb]:
        os.utime(path, ns=(old, old))


def _same_as_a_fresh_parse(kb, **load) -> KbIndex:
    index = KbIndex.load(kb, **load)
    ids, roots = _fresh_parse(kb)
    assert ids and roots and _held(index) == (ids, roots)
    for key in {k for k, _, _ in ids}:
        assert index.identifier(key) in {(n, r) for k, n, r in ids if k == key}
    for root, _ in roots:
        assert index.files_for(f"{KB}{root}-x") == sorted({r for o, r in roots if o == root})
    return index


def test_the_index_answers_as_a_fresh_parse_after_add_edit_and_damage(kb, tmp_path):
    _age(kb)
    _same_as_a_fresh_parse(kb)
    _same_as_a_fresh_parse(kb)  # warm: the folder signature matched
    entry = _entry_with_doi(tmp_path, "10.5555/fresh.2030")
    result = CliRunner().invoke(app, ["add", str(entry), "--kb", str(kb)])
    assert result.exit_code == 0, result.output
    index = _same_as_a_fresh_parse(kb)
    assert index.identifier("bibo:doi 10.5555/fresh.2030")[1] == "studies/newtrial2030.ttl"
    _age(kb)
    path = kb / "studies" / "costa2009.ttl"
    tmp = path.with_name(".costa2009.tmp")  # an edit written by rename, as git and most editors do
    tmp.write_text(path.read_text(encoding="utf-8").replace("10.2522/ptj.20090218", "10.5555/moved"), "utf-8")
    os.replace(tmp, path)
    index = _same_as_a_fresh_parse(kb)
    assert index.identifier(COSTA_DOI) is None and index.identifier("bibo:doi 10.5555/moved") is not None
    cache = cache_dir() / f"index-{kb_key(kb)}.sqlite"
    cache.write_bytes(cache.read_bytes()[:3000])
    _same_as_a_fresh_parse(kb)


def test_a_file_rewritten_in_place_is_reread_when_a_look_up_returns_it(kb):
    _age(kb)
    KbIndex.load(kb)
    path = kb / "studies" / "costa2009.ttl"
    folder_mtime = (kb / "studies").stat().st_mtime_ns
    with open(path, "r+", encoding="utf-8") as handle:  # truncate and write: the folder's mtime is not moved
        text = handle.read()
        handle.seek(0)
        handle.truncate()
        handle.write(text.replace("10.2522/ptj.20090218", "10.5555/in.place"))
    assert (kb / "studies").stat().st_mtime_ns == folder_mtime
    index = KbIndex.load(kb)
    assert index.identifier(COSTA_DOI) is None  # the row found named costa2009.ttl, which was re-read
    assert index.identifier("bibo:doi 10.5555/in.place")[1] == "studies/costa2009.ttl"
    _same_as_a_fresh_parse(kb, rescan=True)


def test_a_stored_file_that_does_not_parse_is_named(kb):
    (kb / "studies" / "broken2030.ttl").write_text("kb:broken2030 a .", encoding="utf-8")
    with pytest.raises(SourceError, match="broken2030.ttl"):
        KbIndex.load(kb)


def many_facts(folder, rels) -> dict:
    return {rel: facts for batch in facts_in_batches(folder, rels) for rel, facts in batch}


def test_many_files_parsed_in_worker_processes_give_the_serial_facts(kb, monkeypatch):
    rels = sorted(p.relative_to(kb).as_posix() for p in kb.rglob("*.ttl"))
    serial = many_facts(kb.resolve(), rels)
    monkeypatch.setattr(kb_facts, "PARALLEL_FROM", 1)
    assert many_facts(kb.resolve(), rels) == serial and len(serial) == len(rels)


def test_processes_building_one_index_at_once_all_see_every_identifier(kb, tmp_path):
    """Four commands start at once on a folder with no index yet: each finds every stored identifier, once (the
    index file is made and refreshed under its lock, never removed or filled twice under another's feet)."""
    import subprocess
    import sys

    count = (
        "import sys; from exmech.entries.kb_index import KbIndex; from pathlib import Path; "
        "i = KbIndex.load(Path(sys.argv[1])); "
        "print(i._db.execute('SELECT COUNT(*), COUNT(DISTINCT key || rel) FROM ids').fetchone())"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", count, str(kb)], stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    seen = [p.communicate(timeout=120)[0].strip() for p in procs]
    fresh = KbIndex(kb.resolve())  # held in memory, built here alone
    fresh.refresh(rescan=True)
    want = str(fresh._db.execute("SELECT COUNT(*), COUNT(DISTINCT key || rel) FROM ids").fetchone())
    assert all(p.returncode == 0 for p in procs) and seen == [want] * 4, (seen, want)
    total, distinct = fresh._db.execute("SELECT COUNT(*), COUNT(DISTINCT key || rel) FROM ids").fetchone()
    assert total == distinct > 0


def test_a_cold_build_that_makes_its_look_up_indexes_last_records_the_same_rows(kb, tmp_path, monkeypatch):
    """A cold build of BULK_FROM files or more drops the SQLite look-up indexes and makes them after the rows;
    it records what a build that keeps them does, the indexes exist afterwards, and look-ups answer."""
    import sqlite3

    from exmech.entries import kb_index

    def build(bulk_from: int, cache: str) -> tuple[list, list, list, list]:
        monkeypatch.setattr(kb_index, "BULK_FROM", bulk_from)
        monkeypatch.setenv("EXMECH_CACHE_DIR", str(tmp_path / cache))
        index = KbIndex.load(kb)
        assert index.identifier(COSTA_DOI) is not None
        index._db.close()
        with sqlite3.connect(next((tmp_path / cache).glob("index-*.sqlite"))) as db:
            rows = [
                db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in ("files", "ids", "roots")
            ]
            names = db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            ).fetchall()
        return [*rows, sorted(names)]

    kept, bulk = build(10**9, "kept"), build(1, "bulk")
    assert bulk == kept and len(kept[1]) > 100
    assert kept[3] == sorted((name,) for name in kb_index.INDEXES)
