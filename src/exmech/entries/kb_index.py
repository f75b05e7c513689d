"""What checking an entry needs from the stored knowledge base, without loading all of it.

Per stored Turtle file the index keeps its DOIs, PMIDs and trial registrations and the slug roots of the nodes it
describes (kb:hall2011-int1 -> "hall2011"). The index is one SQLite file per knowledge-base folder in the user's
cache folder (never inside the knowledge base), keyed by each file's path, mtime and size; a file whose mtime was
too recent to trust when it was recorded also keeps its SHA-256, checked on the next load. Loading the index costs
one directory scan and one read of those keys; only added or changed files are parsed (with pyoxigraph when it is
installed, a hundred times faster than rdflib, else with rdflib), and deleted files are dropped. `exmech add`
records the file it wrote (KbIndex.note), so the next command parses nothing. A damaged index file is rebuilt.
Look-ups (an identifier, the files of a slug root) are SQL queries, so nothing is held per stored file.
"""

import hashlib
import os
import sqlite3
import time
from contextlib import closing
from pathlib import Path

from rdflib import BNode, Graph, Literal

from exmech.graph.load import SourceError, parse_file
from exmech.graph.namespaces import BIBO, EXM, KB, compact
from exmech.graph.resources import cache_dir, resource_dir

CACHE_VERSION = 3
IDENTIFIERS = (BIBO.doi, BIBO.pmid, EXM.trialRegistration)
_NAMES = {str(p): compact(str(p)) for p in IDENTIFIERS}
RACY_NS = (
    2_000_000_000  # an mtime this close to the scan may be followed by a same-size write in the same tick
)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (root TEXT NOT NULL, scan TEXT);
CREATE TABLE IF NOT EXISTS files (rel TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER, sha256 TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ids (key TEXT NOT NULL, node TEXT NOT NULL, rel TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS roots (root TEXT NOT NULL, rel TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ids_key ON ids (key);
CREATE INDEX IF NOT EXISTS ids_rel ON ids (rel);
CREATE INDEX IF NOT EXISTS roots_root ON roots (root);
CREATE INDEX IF NOT EXISTS roots_rel ON roots (rel);
"""


def identifier_keys(graph: Graph) -> dict[str, str]:
    """Every DOI, PMID and trial registration in a graph as 'bibo:doi 10.x/y' (lower-cased) -> node IRI."""
    keys = {}
    for prop in IDENTIFIERS:
        for node, value in graph.subject_objects(prop):
            keys[f"{compact(str(prop))} {str(value).strip().lower()}"] = str(node)
    return keys


def slug_root(node) -> str | None:
    """kb:hall2011-int1 -> 'hall2011': the entry a knowledge-base node belongs to; None outside kb:."""
    text = str(node)
    if isinstance(node, (Literal, BNode)) or not text.startswith(str(KB)):
        return None
    return text[len(str(KB)) :].split("-", 1)[0] or None


def kb_key(kb_dir: Path) -> str:
    """A short name for a knowledge-base folder, from its resolved path: its cache and lock files are named by it."""
    return hashlib.sha256(str(kb_dir.resolve()).encode()).hexdigest()[:16]


def file_facts(path: Path, data: bytes) -> tuple[dict[str, str], set[str]]:
    """The identifier keys and slug roots of one stored Turtle file (its bytes given), parsed by pyoxigraph when
    installed (the `oxigraph` extra), else by rdflib; a file that does not parse is a SourceError naming it."""
    try:
        import pyoxigraph as ox
    except ImportError:
        graph = Graph()
        parse_file(graph, path)
        return identifier_keys(graph), _roots(graph)
    keys, roots, kb = {}, set(), str(KB)
    try:
        for t in ox.parse(data, ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()):
            subject = t.subject
            if not isinstance(subject, ox.NamedNode):
                if (name := _NAMES.get(t.predicate.value)) is not None:
                    keys[f"{name} {t.object.value.strip().lower()}"] = str(subject)
                continue
            if subject.value.startswith(kb) and (root := subject.value[len(kb) :].split("-", 1)[0]):
                roots.add(root)
            if (name := _NAMES.get(t.predicate.value)) is not None:
                keys[f"{name} {t.object.value.strip().lower()}"] = subject.value
    except SyntaxError as exc:
        raise SourceError(f"{path}: {exc}") from exc
    return keys, roots


class KbIndex:
    """Identifiers of the stored entries and which files describe which slug roots, in SQLite."""

    def __init__(self, root: Path | None = None, files: dict[str, dict] | None = None, db: str = ":memory:"):
        """An index over root's files in the SQLite file db (KbIndex.load opens one), or, with `files`
        ({name: {"ids": {key: node}, "roots": [...]}}), an index of those records held in memory."""
        self.root = root
        self._db = sqlite3.connect(db, timeout=30, isolation_level=None)
        self._db.executescript(_SCHEMA)
        self._parsed: dict[
            str, Graph | None
        ] = {}  # files read in this process -> their graph, once asked for
        for rel, record in (files or {}).items():
            self._replace(rel, (0, -1, None), record["ids"], set(record["roots"]))

    # -- building --------------------------------------------------------------------------------------------
    @classmethod
    def load(cls, kb_dir: Path | None = None) -> "KbIndex":
        """The index of a knowledge-base folder (default: the shipped one), refreshed against the files on disk."""
        root = (kb_dir or resource_dir("ontology") / "kb").resolve()
        index = cls._open(root, cache_dir() / f"index-{kb_key(root)}.sqlite")
        index.refresh()
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
                    _remove(cache)
                    with closing(sqlite3.connect(cache)) as fresh:
                        fresh.executescript(_SCHEMA)
                        fresh.execute("INSERT INTO meta VALUES (?, NULL)", (str(root),))
                        fresh.execute(f"PRAGMA user_version = {CACHE_VERSION}")
                        fresh.commit()
            except (sqlite3.DatabaseError, OSError):
                if attempt == 0:
                    _remove(cache)
        return cls(root)

    def refresh(self) -> None:
        """Parse the files added or changed since the index was written, drop the deleted ones, in one transaction."""
        folder = self._folder()
        on_disk = _scan(folder)
        # the whole listing (names, mtimes, sizes) as one digest: unchanged, and no racy file to check, is done
        scan = hashlib.sha256(repr(sorted(on_disk.items())).encode()).hexdigest()
        racy = self._db.execute("SELECT 1 FROM files WHERE sha256 IS NOT NULL LIMIT 1").fetchone()
        if racy is None and self._db.execute("SELECT scan FROM meta").fetchone() == (scan,):
            return
        stored = {rel: (m, s, d) for rel, m, s, d in self._db.execute("SELECT * FROM files")}
        gone = [rel for rel in stored if rel not in on_disk]
        now = time.time_ns()
        work: list[tuple[str, tuple[int, int, str | None], tuple[dict[str, str], set[str]] | None]] = []
        for rel, (mtime_ns, size) in on_disk.items():
            old = stored.get(rel, (None, None, None))
            same_stat = old[:2] == (mtime_ns, size)
            if same_stat and old[2] is None:
                continue  # recorded with a trusted mtime, unchanged since
            data = (folder / rel).read_bytes()
            digest, racy = hashlib.sha256(data).hexdigest(), now - mtime_ns < RACY_NS
            if same_stat and old[2] == digest:  # recorded while racy; the bytes are the same
                if not racy:
                    work.append((rel, (mtime_ns, size, None), None))  # its mtime can be trusted from now on
                continue
            work.append((rel, (mtime_ns, size, digest if racy else None), file_facts(folder / rel, data)))
            self._parsed[rel] = None
        with self._transaction():
            self._db.execute("UPDATE meta SET scan = ?", (scan,))
            for rel in gone:
                self._drop(rel)
            for rel, stat, facts in work:
                if facts is None:
                    self._db.execute("UPDATE files SET sha256 = NULL WHERE rel = ?", (rel,))
                else:
                    self._replace(rel, stat, *facts)

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
        self._drop(rel)
        self._db.execute("INSERT INTO files VALUES (?, ?, ?, ?)", (rel, *stat))
        self._db.executemany(
            "INSERT INTO ids VALUES (?, ?, ?)", [(k, n, rel) for k, n in sorted(ids.items())]
        )
        self._db.executemany("INSERT INTO roots VALUES (?, ?)", [(r, rel) for r in sorted(roots)])

    def _drop(self, rel: str) -> None:
        for table in ("files", "ids", "roots"):
            self._db.execute(f"DELETE FROM {table} WHERE rel = ?", (rel,))

    def _transaction(self):
        self._db.execute("BEGIN IMMEDIATE")
        return _Commit(self._db)

    def _folder(self) -> Path:
        if self.root is None:
            raise ValueError("this index has no knowledge-base folder")
        return self.root

    # -- asking --------------------------------------------------------------------------------------------
    def identifier(self, key: str) -> tuple[str, str] | None:
        """(node IRI, file) of a stored identifier key such as 'bibo:doi 10.x/y', or None."""
        row = self._db.execute(
            "SELECT node, rel FROM ids WHERE key = ? ORDER BY rel LIMIT 1", (key,)
        ).fetchone()
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
        rows = self._db.execute("SELECT rel FROM roots WHERE root = ? ORDER BY rel", (slug_root(node) or "",))
        return [rel for (rel,) in rows]

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


class _Commit:
    """Commit the open transaction on success, roll it back on an error."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        return self.db

    def __exit__(self, kind, value, trace):
        self.db.execute("ROLLBACK" if kind else "COMMIT")
        return False


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass  # in a folder that is not one, or not writable: the index is then kept in memory


def _scan(root: Path) -> dict[str, tuple[int, int]]:
    """Every *.ttl file under root (as knowledge_base_files finds them) -> (mtime_ns, size); os.scandir is the
    cheapest walk, which matters at 100k files. Symlinks are never followed: a link planted in the store is not read."""
    found, stack = {}, [("", str(root))]
    while stack:
        prefix, folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((f"{prefix}{entry.name}/", entry.path))
                elif entry.name.endswith(".ttl") and entry.is_file(follow_symlinks=False):
                    stat = entry.stat()
                    found[f"{prefix}{entry.name}"] = (stat.st_mtime_ns, stat.st_size)
    return found


def _roots(graph: Graph) -> set[str]:
    return {r for s in set(graph.subjects()) if (r := slug_root(s))}
