"""What checking an entry needs from the stored knowledge base, without loading all of it.

Per stored Turtle file the index keeps its DOIs, PMIDs and trial registrations and the slug roots of the nodes it
describes (kb:hall2011-int1 -> "hall2011"). The index is cached per knowledge-base folder in the user's cache
folder (never inside the knowledge base) and refreshed file by file when a file's size or mtime changes. Checking
an entry then costs one directory scan plus a parse of the few stored files whose nodes the entry names, however
large the store is.
"""

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs
from rdflib import BNode, Graph, Literal

from exmech.graph.load import parse_file
from exmech.graph.namespaces import BIBO, EXM, KB, compact
from exmech.graph.resources import resource_dir

CACHE_VERSION = 1
IDENTIFIERS = (BIBO.doi, BIBO.pmid, EXM.trialRegistration)


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


def cache_dir() -> Path:
    """exmech's cache folder: $EXMECH_CACHE_DIR if set, else the user cache folder of the platform (platformdirs)."""
    return Path(os.environ.get("EXMECH_CACHE_DIR") or platformdirs.user_cache_dir("exmech", appauthor=False))


def kb_key(kb_dir: Path) -> str:
    """A short name for a knowledge-base folder, from its resolved path: its cache and lock files are named by it."""
    return hashlib.sha256(str(kb_dir.resolve()).encode()).hexdigest()[:16]


@dataclass
class KbIndex:
    """Identifiers of the stored entries and which files describe which slug roots."""

    root: Path | None = None
    files: dict[str, dict] = field(default_factory=dict)  # relative path -> {mtime_ns, size, ids, roots}
    _parsed: dict[str, Graph] = field(default_factory=dict, repr=False)
    _keys: dict | None = field(default=None, repr=False)
    _roots: dict | None = field(default=None, repr=False)

    # -- building --------------------------------------------------------------------------------------------
    @classmethod
    def load(cls, kb_dir: Path | None = None) -> "KbIndex":
        """The index of a knowledge-base folder (default: the shipped one), refreshed against the files on disk."""
        root = (kb_dir or resource_dir("ontology") / "kb").resolve()
        cache = cache_dir() / f"index-{kb_key(root)}.json"
        try:
            stored = json.loads(cache.read_text(encoding="utf-8"))
            old = (
                stored["files"]
                if stored.get("version") == CACHE_VERSION and stored.get("root") == str(root)
                else {}
            )
        except (OSError, ValueError, KeyError):
            old = {}
        index, changed = cls(root), False
        for rel, (mtime_ns, size) in _scan(root).items():
            record = old.get(rel)
            if not record or record["mtime_ns"] != mtime_ns or record["size"] != size:
                record, changed = index._record(root / rel, mtime_ns, size), True
            index.files[rel] = record
        if changed or len(old) != len(index.files):
            index._save(cache)
        return index

    def _record(self, path: Path, mtime_ns: int, size: int) -> dict:
        graph = Graph()
        parse_file(graph, path)
        self._parsed[path.relative_to(self._folder()).as_posix()] = graph
        return {
            "mtime_ns": mtime_ns,
            "size": size,
            "ids": identifier_keys(graph),
            "roots": sorted(_roots(graph)),
        }

    def _save(self, cache: Path) -> None:
        """Write the cache atomically; a read-only cache folder only costs speed next time."""
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=cache.parent, prefix=".index-", suffix=".tmp")
        except OSError:
            return
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump({"version": CACHE_VERSION, "root": str(self.root), "files": self.files}, out)
            os.replace(tmp, cache)
        except OSError:
            Path(tmp).unlink(missing_ok=True)

    def note(self, rel: str, graph: Graph) -> None:
        """Record an entry just written (so a second file in the same `exmech add` sees its identifiers)."""
        self.files[rel] = {
            "mtime_ns": 0,
            "size": -1,
            "ids": identifier_keys(graph),
            "roots": sorted(_roots(graph)),
        }
        self._parsed[rel] = graph
        self._keys = self._roots = None

    def _folder(self) -> Path:
        if self.root is None:
            raise ValueError("this index has no knowledge-base folder")
        return self.root

    # -- asking --------------------------------------------------------------------------------------------
    def _inverted(self) -> tuple[dict, dict]:
        if self._keys is None or self._roots is None:
            keys: dict = {}
            roots: dict = {}
            for rel, record in self.files.items():
                for key, node in record["ids"].items():
                    keys.setdefault(key, (node, rel))
                for root in record["roots"]:
                    roots.setdefault(root, []).append(rel)
            self._keys, self._roots = keys, roots
        return self._keys, self._roots

    def identifier(self, key: str) -> tuple[str, str] | None:
        """(node IRI, file) of a stored identifier key such as 'bibo:doi 10.x/y', or None."""
        return self._inverted()[0].get(key)

    def graph_of(self, rel: str) -> Graph:
        if rel not in self._parsed:
            graph = Graph()
            parse_file(graph, self._folder() / rel)
            self._parsed[rel] = graph
        return self._parsed[rel]

    def files_for(self, node) -> list[str]:
        """The stored files that describe nodes of the same entry as `node` (by slug root)."""
        return self._inverted()[1].get(slug_root(node) or "", [])

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
