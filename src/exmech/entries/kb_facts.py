"""What the knowledge-base index (exmech.entries.kb_index) reads from the folder: the facts of one stored file, many
files' facts at once (in worker processes for a cold build), the folder listing, and the folder's signature.

A file's facts are its identifier keys and the slug roots of the kb: nodes it describes, parsed by pyoxigraph when
installed (the `oxigraph` extra; ~25x faster than rdflib), else by rdflib. The signature is one stat per folder
(its mtime and its count of *.ttl names), no stat per file: a file added, deleted or renamed into place changes
it; a file rewritten in place does not (see KbIndex.refresh).
"""

import hashlib
import os
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path
from urllib.parse import quote_from_bytes

from rdflib import BNode, Graph, Literal

from exmech.graph.load import SourceError, parse_file
from exmech.graph.namespaces import BIBO, EXM, KB, compact

IDENTIFIERS = (BIBO.doi, BIBO.pmid, EXM.trialRegistration)
_NAMES = {str(p): compact(str(p)) for p in IDENTIFIERS}
RACY_NS = 2_000_000_000  # an mtime this close to a look may be followed by a same-size write in the same tick
PARALLEL_FROM = 2000  # files to parse before worker processes pay for their start-up
Facts = tuple[dict[str, str], set[str]]


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


def file_facts(path: Path, data: bytes) -> Facts:
    """The identifier keys and slug roots of one stored Turtle file (its bytes given; path absolute), parsed by
    pyoxigraph when installed, else by rdflib; a file that does not parse is a SourceError naming it."""
    if not _have_oxigraph():
        graph = Graph()
        parse_file(graph, path)
        return identifier_keys(graph), {r for s in set(graph.subjects()) if (r := slug_root(s))}
    return _oxigraph_facts(data, path.as_uri(), path)


def _have_oxigraph() -> bool:
    try:
        import pyoxigraph  # noqa: F401
    except ImportError:
        return False
    return True


def _oxigraph_facts(data: bytes, base: str, shown: object) -> Facts:
    import pyoxigraph as ox

    keys, roots, kb, last, value = {}, set(), str(KB), None, ""
    names = {ox.NamedNode(iri): name for iri, name in _NAMES.items()}
    try:
        for t in ox.parse(data, ox.RdfFormat.TURTLE, base_iri=base):
            subject = t.subject
            if subject != last:  # triples come grouped by subject: its root is looked at once
                last = subject
                if isinstance(subject, ox.NamedNode):
                    value = subject.value
                    if value.startswith(kb) and (root := value[len(kb) :].split("-", 1)[0]):
                        roots.add(root)
                else:
                    value = str(subject)
            if (name := names.get(t.predicate)) is not None:
                keys[f"{name} {t.object.value.strip().lower()}"] = value
    except SyntaxError as exc:
        raise SourceError(f"{shown}: {exc}") from exc
    return keys, roots


def read_facts(folder: Path, rel: str) -> tuple[bytes, Facts]:
    path = folder / rel
    data = path.read_bytes()
    return data, file_facts(path, data)


def _chunk_facts(folder: str, rels: list[str]) -> list[tuple[str, Facts]]:
    """The facts of these files of folder (absolute), in a worker; with pyoxigraph each file's base IRI is
    written as Path.as_uri() writes it, without a Path per file (0.5 s of CPU at 100k files)."""
    if not _have_oxigraph():
        return [(rel, read_facts(Path(folder), rel)[1]) for rel in rels]
    base, done = Path(folder).as_uri() + "/", []
    for rel in rels:
        full = os.path.join(folder, rel)
        with open(full, "rb") as file:
            data = file.read()
        done.append((rel, _oxigraph_facts(data, base + quote_from_bytes(os.fsencode(rel)), full)))
    return done


def facts_in_batches(folder: Path, rels: list[str]) -> Iterator[list[tuple[str, Facts]]]:
    """The facts of many files of folder (absolute), a batch at a time, in the order of rels: from PARALLEL_FROM
    files on, parsed in one forked worker process per core (up to 4; results are small: a few keys per file), so
    the caller records one batch while the workers parse the next; serially where fork is not available (a
    spawned worker would re-import the caller's main module)."""
    workers = min(os.cpu_count() or 1, 4)
    if len(rels) < PARALLEL_FROM or workers < 2 or "fork" not in get_all_start_methods():
        yield [(rel, read_facts(folder, rel)[1]) for rel in rels]
        return
    size = max(200, len(rels) // (workers * 8))
    chunks = [rels[i : i + size] for i in range(0, len(rels), size)]
    with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
        yield from pool.map(_chunk_facts, [str(folder)] * len(chunks), chunks)


def scan(root: Path) -> dict[str, tuple[int, int]]:
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


def signature(root: Path) -> str | None:
    """A digest of every folder under root (its path, mtime and count of *.ttl names): one stat per folder, none
    per file. None when a folder's mtime is too recent to trust (a change in the same tick would not move it)."""
    rows, stack, now = [], [("", str(root))], time.time_ns()
    while stack:
        prefix, folder = stack.pop()
        mtime, count = os.stat(folder).st_mtime_ns, 0
        if now - mtime < RACY_NS:
            return None
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((f"{prefix}{entry.name}/", entry.path))
                elif entry.name.endswith(".ttl"):
                    count += 1
        rows.append((prefix, mtime, count))
    return hashlib.sha256(repr(sorted(rows)).encode()).hexdigest()
