"""What checking an entry needs from the stored knowledge base, without loading all of it.

Per stored Turtle file the index keeps its DOIs, PMIDs and trial registrations and the slug roots of the nodes it
describes (kb:hall2011-int1 -> "hall2011"). The index is one SQLite file per knowledge-base folder in the user's
cache folder (never inside the knowledge base), keyed by each file's path, mtime and size; a file whose mtime was
too recent to trust when it was recorded also keeps its SHA-256, checked on the next load. Loading the index first
compares the folder signature (kb_facts.signature: one stat per folder, a listing without a stat per file); when
it is the recorded one nothing more is read. Else every file is stat-ed, only added or changed files are parsed
(pyoxigraph when installed, else rdflib; many at once in worker processes) and deleted files are dropped. A file
rewritten in place keeps the folder signature: a look-up that returns it stats it and re-reads it when changed;
KbIndex.load(rescan=True) checks every file. `exmech add` records the file it wrote (KbIndex.note) in an SQLite
transaction, so the next command parses nothing. A damaged index file is rebuilt. Look-ups (an identifier, the
files of a slug root) are SQL queries, so nothing is held per stored file.
"""

import hashlib
import os
import sqlite3
import time
from contextlib import closing
from pathlib import Path

from rdflib import Graph

from exmech.entries.kb_facts import (
    IDENTIFIERS,
    RACY_NS,
    Facts,
    facts_in_batches,
    file_facts,
    identifier_keys,
    read_facts,
    scan,
    signature,
    slug_root,
)
from exmech.entries.kb_sqlite import BULK_FROM, INDEXES, SCHEMA, Commit, held, remove
from exmech.graph.load import parse_file
from exmech.graph.resources import cache_dir, resource_dir

__all__ = ["IDENTIFIERS", "KbIndex", "file_facts", "identifier_keys", "kb_key", "slug_root"]
CACHE_VERSION = 4


def kb_key(kb_dir: Path) -> str:
    """A short name for a knowledge-base folder, from its resolved path: its cache and lock files are named by it."""
    return hashlib.sha256(str(kb_dir.resolve()).encode()).hexdigest()[:16]


class KbIndex:
    """Identifiers of the stored entries and which files describe which slug roots, in SQLite."""

    def __init__(self, root: Path | None = None, files: dict[str, dict] | None = None, db: str = ":memory:"):
        """An index over root's files in the SQLite file db (KbIndex.load opens one), or, with `files`
        ({name: {"ids": {key: node}, "roots": [...]}}), an index of those records held in memory."""
        self.root = root
        self._db = sqlite3.connect(db, timeout=30, isolation_level=None)
        self._db.executescript(SCHEMA)
        self._parsed: dict[
            str, Graph | None
        ] = {}  # files read in this process -> their graph, once asked for
        for rel, record in (files or {}).items():
            self._replace(rel, (0, -1, None), record["ids"], set(record["roots"]))

    # -- building --------------------------------------------------------------------------------------------
    @classmethod
    def load(cls, kb_dir: Path | None = None, rescan: bool = False) -> "KbIndex":
        """The index of a knowledge-base folder (default: the shipped one), refreshed against the files on disk
        (rescan: stat every file even when the folder signature is unchanged)."""
        root = (kb_dir or resource_dir("ontology") / "kb").resolve()
        cache = cache_dir() / f"index-{kb_key(root)}.sqlite"
        with held(cache):  # another process never finds the file half made, nor has it removed under it
            index = cls._open(root, cache)
            index.refresh(rescan)
        return index

    @classmethod
    def _open(cls, root: Path, cache: Path) -> "KbIndex":
        """The index file for root; a damaged one, or one of another version or folder, is started afresh; an
        unwritable cache folder only costs speed (the index is then kept in memory)."""
        for attempt in range(2):
            try:
                cache.parent.mkdir(parents=True, exist_ok=True)
                index = cls(root, db=str(cache))
                stored = index._db.execute("SELECT root FROM meta").fetchall()
                version = index._db.execute("PRAGMA user_version").fetchone()[0]
                if stored == [(str(root),)] and version == CACHE_VERSION:
                    return index
                index._db.close()
                if attempt == 0:
                    remove(cache)
                    with closing(sqlite3.connect(cache)) as fresh:
                        fresh.executescript(SCHEMA)
                        fresh.execute("INSERT INTO meta VALUES (?, NULL)", (str(root),))
                        fresh.execute(f"PRAGMA user_version = {CACHE_VERSION}")
                        fresh.commit()
            except (sqlite3.DatabaseError, OSError):
                if attempt == 0:
                    remove(cache)
        return cls(root)

    def refresh(self, rescan: bool = False) -> None:
        """Bring the index up to date with the folder, in one transaction. When the folder signature (one stat
        per folder, none per file) is the one recorded, nothing was added, deleted or renamed into place, and
        that is all (an in-place rewrite of a stored file is caught when a look-up returns that file, or by
        rescan=True). Else every file is stat-ed: added or changed ones are parsed (those parsed many at once
        recorded a batch at a time while the workers parse the next), deleted ones dropped."""
        folder = self._folder()
        sig = signature(folder)  # taken before the scan: a change after it moves the next signature
        if not rescan and sig is not None and self._db.execute("SELECT scan FROM meta").fetchone() == (sig,):
            return
        gone, work, pending, trusted = self._changes(folder)
        records = [(rel, stat, facts) for rel, stat, facts in work if facts is not None]
        empty = self._db.execute("SELECT 1 FROM files LIMIT 1").fetchone() is None
        bulk = empty and len(records) + len(pending) >= BULK_FROM  # look-up indexes made after the rows
        with self._transaction():
            self._db.execute("UPDATE meta SET scan = ?", (sig if trusted else None,))
            trust = [(rel,) for rel, _, facts in work if facts is None]
            self._db.executemany("UPDATE files SET sha256 = NULL WHERE rel = ?", trust)
            for name in INDEXES if bulk else ():
                self._db.execute(f"DROP INDEX {name}")
            self._write(gone, records, fresh=True)
            for batch in facts_in_batches(folder, list(pending)):
                self._write([], [(rel, (*pending[rel], None), facts) for rel, facts in batch], fresh=True)
            for name in INDEXES if bulk else ():
                self._db.execute(f"CREATE INDEX {name} ON {INDEXES[name]}")
        self._parsed.update(dict.fromkeys([*(rel for rel, _, _ in records), *pending], None))

    def _write(self, gone: list[str], records: list[tuple[str, tuple, Facts]], fresh: bool = False) -> None:
        """Drop the rows of the files gone and of those recorded, then record these, each table in one statement;
        fresh: `gone` already names every recorded file that had rows (a cold build deletes nothing)."""
        dropped = [(rel,) for rel in gone] + ([] if fresh else [(rel,) for rel, _, _ in records])
        for table in ("files", "ids", "roots"):
            self._db.executemany(f"DELETE FROM {table} WHERE rel = ?", dropped)
        self._db.executemany("INSERT INTO files VALUES (?, ?, ?, ?)", [(r, *stat) for r, stat, _ in records])
        self._db.executemany(
            "INSERT INTO ids VALUES (?, ?, ?)",
            [(k, node, r) for r, _, (ids, _) in records for k, node in sorted(ids.items())],
        )
        self._db.executemany(
            "INSERT INTO roots VALUES (?, ?)",
            [(root, r) for r, _, (_, roots) in records for root in sorted(roots)],
        )

    def _changes(self, folder: Path) -> tuple[list[str], list, dict[str, tuple[int, int]], bool]:
        """(files whose rows go, [(file, stat row, facts or None to trust its mtime)], files with a trusted mtime
        still to parse -> their stat, no racy file left)."""
        on_disk = scan(folder)
        stored = {rel: (m, s, d) for rel, m, s, d in self._db.execute("SELECT * FROM files")}
        gone = [rel for rel in stored if rel not in on_disk]  # and, below, the stored files that changed
        work: list[tuple[str, tuple[int, int, str | None], Facts | None]] = []
        now, pending, trusted = time.time_ns(), {}, True
        for rel, (mtime_ns, size) in on_disk.items():
            old = stored.get(rel, (None, None, None))
            same_stat = old[:2] == (mtime_ns, size)
            if same_stat and old[2] is None:
                continue  # recorded with a trusted mtime, unchanged since
            if now - mtime_ns >= RACY_NS and not same_stat:
                pending[rel] = (mtime_ns, size)  # parsed by refresh, many at once
                continue
            data = (folder / rel).read_bytes()
            digest, racy = hashlib.sha256(data).hexdigest(), now - mtime_ns < RACY_NS
            trusted = trusted and not racy
            if same_stat and old[2] == digest:  # recorded while racy; the bytes are the same
                if not racy:
                    work.append((rel, (mtime_ns, size, None), None))  # its mtime can be trusted from now on
                continue
            work.append((rel, (mtime_ns, size, digest if racy else None), file_facts(folder / rel, data)))
        gone += [rel for rel, _, facts in work if facts is not None and rel in stored]
        gone += [rel for rel in pending if rel in stored]
        return gone, work, pending, trusted

    def _fresh(self, rels: list[str]) -> bool:
        """Re-read those of these files that changed on disk since they were recorded (a rewrite in place leaves
        the folder signature alone); True when one had."""
        if self.root is None:
            return False
        changed = False
        for rel in rels:
            row = self._db.execute(
                "SELECT mtime_ns, size, sha256 FROM files WHERE rel = ?", (rel,)
            ).fetchone()
            try:
                info = os.stat(self.root / rel, follow_symlinks=False)
            except FileNotFoundError:
                info = None
            if info is not None and row == (info.st_mtime_ns, info.st_size, None):
                continue
            changed = True
            with self._transaction():
                self._drop(rel)
                if info is not None:
                    data, facts = read_facts(self.root, rel)
                    racy = time.time_ns() - info.st_mtime_ns < RACY_NS
                    digest = hashlib.sha256(data).hexdigest() if racy else None
                    self._replace(rel, (info.st_mtime_ns, info.st_size, digest), *facts)
            if info is None:
                self._parsed.pop(rel, None)
            else:
                self._parsed[rel] = None  # read in this process; its graph parsed when asked for
        return changed

    def note(self, rel: str, graph: Graph) -> None:
        """Record an entry just written by `exmech add` (the file as stored, so the next command parses nothing,
        and a second file in the same add sees its identifiers)."""
        path = self._folder() / rel
        data = path.read_bytes()
        info = path.stat()
        with self._transaction():
            digest = hashlib.sha256(data).hexdigest()
            self._replace(rel, (info.st_mtime_ns, info.st_size, digest), *file_facts(path, data))
        self._parsed[rel] = None

    def _replace(self, rel: str, stat: tuple, ids: dict[str, str], roots: set[str]) -> None:
        self._write([], [(rel, stat, (ids, roots))])

    def _drop(self, rel: str) -> None:
        self._write([rel], [])

    def _transaction(self):
        self._db.execute("BEGIN IMMEDIATE")
        return Commit(self._db)

    def _folder(self) -> Path:
        if self.root is None:
            raise ValueError("this index has no knowledge-base folder")
        return self.root

    # -- asking --------------------------------------------------------------------------------------------
    def identifier(self, key: str) -> tuple[str, str] | None:
        """(node IRI, file) of a stored identifier key such as 'bibo:doi 10.x/y', or None."""
        query = "SELECT node, rel FROM ids WHERE key = ? ORDER BY rel LIMIT 1"
        row = self._db.execute(query, (key,)).fetchone()
        if row and self._fresh([row[1]]):
            row = self._db.execute(query, (key,)).fetchone()
        return (row[0], row[1]) if row else None

    def graph_of(self, rel: str) -> Graph:
        graph = self._parsed.get(rel)
        if graph is None:
            graph = Graph()
            parse_file(graph, self._folder() / rel)
            self._parsed[rel] = graph
        return graph

    def files_for(self, node) -> list[str]:
        """The stored files that describe nodes of the same entry as `node` (by slug root)."""
        query, root = "SELECT rel FROM roots WHERE root = ? ORDER BY rel", (slug_root(node) or "",)
        rels = [rel for (rel,) in self._db.execute(query, root)]
        if self._fresh(rels):
            rels = [rel for (rel,) in self._db.execute(query, root)]
        return rels

    def describe(self, nodes) -> dict:
        """node -> (file, stored triples with that subject), for the nodes the store describes."""
        found = {}
        for node in nodes:
            for rel in self.files_for(node):
                triples = list(self.graph_of(rel).triples((node, None, None)))
                if triples:
                    found[node] = (rel, triples)
                    break
        return found
