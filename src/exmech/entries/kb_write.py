"""Adding a valid entry to the knowledge-base folder: all or nothing, under a lock, idempotent.

An entry is written as <kb>/studies/<slug>.ttl (or <kb>/mediation/<slug>.ttl when it holds no trial) through a
temporary file and os.replace, so a reader sees the old file or the new one, never half of one. An exclusive
lock (filelock) on a file in the user cache folder, named by the kb folder's resolved path, serialises concurrent
adds and leaves nothing in the checkout. Adding an entry that says the same as the stored one (literals compared by
value: "8"^^xsd:decimal is "8.0") changes nothing. A new file gets the permission bits of the files beside it.
The file name comes only from the slug rule; a symlink at the target or its folder is never written through or
read; temporary files are removed on every failure, and those a killed earlier run left are removed at the next add.
"""

import errno
import os
import re
import stat
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import platformdirs
from filelock import FileLock
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, XSD

from exmech.entries.entry_graph import origins
from exmech.entries.kb_index import kb_key
from exmech.entries.provenance import without_additions
from exmech.errors import InputError
from exmech.graph.iri_rules import SLUG_RULE, is_slug
from exmech.graph.namespaces import EXM, KB, bind_prefixes

FOLDERS = ("studies", "mediation")
_STALE = re.compile(r"\.[a-z0-9-]{1,64}-[A-Za-z0-9_]{6,}\.tmp")  # names tempfile.mkstemp gives below


class AddError(RuntimeError):
    """The entry cannot be stored (for example a different entry already uses its file name)."""


class KbFolderError(InputError, OSError):
    """The knowledge-base folder cannot be written (read-only, full, a symlink in the way): exit 2."""


@dataclass
class Added:
    path: Path
    changed: bool


def lock_path(kb_dir: Path) -> Path:
    """The lock file of a knowledge-base folder: in the user cache folder of the platform, never inside the
    checkout. Not under $EXMECH_CACHE_DIR: two adds with different index caches must still exclude each other."""
    return (
        Path(platformdirs.user_cache_dir("exmech", appauthor=False)) / "locks" / f"kb-{kb_key(kb_dir)}.lock"
    )


@contextmanager
def locked(kb_dir: Path):
    """Hold the exclusive lock of a knowledge-base folder (one add at a time, across processes)."""
    try:
        kb_dir.mkdir(parents=True, exist_ok=True)
        path = lock_path(kb_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(path, thread_local=False)
        lock.acquire()
    except OSError as exc:
        raise KbFolderError(f"{kb_dir}: cannot lock the knowledge base: {exc.strerror or exc}") from exc
    try:
        yield
    finally:
        lock.release()


def main_node(entry: Graph) -> URIRef:
    """The node an entry is named by: its trial, else its first mediation analysis."""
    trials = sorted(str(s) for s in entry.subjects(RDF.type, EXM.RandomisedControlledTrial))
    subjects = trials or sorted(str(s) for s in entry.subjects(RDF.type, EXM.MediationAnalysis))
    if not subjects:
        raise AddError(
            "the entry holds no exm:RandomisedControlledTrial or exm:MediationAnalysis to name its file by"
        )
    return URIRef(subjects[0])


def target_path(entry: Graph, kb_dir: Path) -> Path:
    main = str(main_node(entry))
    trial = (URIRef(main), RDF.type, EXM.RandomisedControlledTrial) in entry
    local = main.removeprefix(str(KB)) if main.startswith(str(KB)) else ""
    slug = local if trial else local.rsplit("-ma", 1)[0]
    if not is_slug(slug):
        raise AddError(
            f"entry node <{main}> does not name a file by the slug rule: kb: followed by {SLUG_RULE}"
        )
    return kb_dir / ("studies" if trial else "mediation") / f"{slug}.ttl"


_NUMERIC = {XSD.integer, XSD.int, XSD.long, XSD.nonNegativeInteger, XSD.positiveInteger, XSD.decimal}


def canonical(term):
    """A literal in a canonical form, so literals compare by value: integers and decimals (XSD derives one from
    the other) as a canonical decimal ("8", "08" and "8.0" alike), doubles and dates by their value; other terms,
    and literals whose text is not a valid value of their datatype, unchanged."""
    if not isinstance(term, Literal) or term.datatype is None or term.value is None:
        return term
    value = term.value
    if term.datatype in _NUMERIC and not isinstance(value, bool):
        number = Decimal(str(value))
        if (
            not number.is_finite() or abs(number.adjusted()) > 400
        ):  # no value of an entry; never expand 1E+999999
            return term
        text = f"{int(number)}.0" if number == number.to_integral_value() else format(number.normalize(), "f")
        return Literal(text, datatype=XSD.decimal)
    if term.datatype in (XSD.double, XSD.float):
        return Literal(repr(float(value)), datatype=term.datatype)
    if term.datatype in (XSD.date, XSD.dateTime) and hasattr(value, "isoformat"):
        return Literal(value.isoformat(), datatype=term.datatype)
    return term


def canonical_graph(graph: Graph) -> Graph:
    out = Graph()
    for s, p, o in graph:
        out.add((s, p, canonical(o)))
    return out


def same_entry(stored: Graph, entry: Graph) -> bool:
    """Do two graphs say the same, literals compared by value? Set equality when neither has a blank node (entries
    seldom do), which is linear; rdflib's isomorphism test, far slower on large graphs, only otherwise."""
    stored, entry = without_additions(stored), without_additions(entry)
    if len(stored) != len(entry):
        return False
    left, right = canonical_graph(stored), canonical_graph(entry)
    if not any(isinstance(t, BNode) for g in (left, right) for triple in g for t in triple):
        return set(left) == set(right)
    return isomorphic(left, right)


def sibling_mode(folder: Path) -> int:
    """The permission bits for a new file in folder: those of a Turtle file already there (the shipped files are
    0644), else the folder's own less its execute bits."""
    try:
        for name in sorted(os.listdir(folder)):
            mode = (folder / name).lstat().st_mode
            if name.endswith(".ttl") and stat.S_ISREG(mode):
                return stat.S_IMODE(mode)
        return stat.S_IMODE(folder.stat().st_mode) & 0o666
    except OSError:
        return 0o644


def remove_stale(kb_dir: Path) -> list[Path]:
    """Temporary files a crashed or killed earlier add left behind; call under the lock (no add is writing)."""
    removed = []
    for folder in FOLDERS:
        try:
            names = os.listdir(kb_dir / folder)
        except OSError:
            continue
        for name in sorted(names):
            path = kb_dir / folder / name
            if _STALE.fullmatch(name) and stat.S_ISREG(path.lstat().st_mode):
                try:
                    path.unlink()
                    removed.append(path)
                except OSError:
                    pass  # a read-only store: the next write reports it
    return removed


def write_entry(entry: Graph, kb_dir: Path) -> Added:
    """Store one validated entry under the lock; identical content is left untouched."""
    with locked(kb_dir):
        return write_locked(entry, kb_dir)


def _no_symlink(path: Path) -> bool:
    """Does path exist (as a regular file)? Refuse a symlink or anything else in its place."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return False
    if stat.S_ISLNK(mode) or not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise KbFolderError(f"{path} is a symlink or special file; refusing to read or write through it")
    return True


def _stored(target: Path) -> Graph:
    """The stored entry, opened without following a symlink planted after the check."""
    try:
        fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, encoding="utf-8") as handle:
            return Graph().parse(data=handle.read(), format="turtle")
    except OSError as exc:
        raise KbFolderError(f"{target}: cannot read the stored entry: {exc.strerror}") from exc
    except Exception as exc:  # a damaged stored file: say so, never echo its content
        raise AddError(f"{target} already exists and is not a readable entry; fix or remove it") from exc


def _opening(source: str) -> str:
    day = datetime.now(timezone.utc).date().isoformat()
    origin = f" from {source.replace(chr(10), ' ')}" if source else ""
    return f"# Entry added with `exmech add`{origin} on {day}.\n"


def write_locked(entry: Graph, kb_dir: Path, record: Graph | None = None, source: str = "") -> Added:
    """Store one validated entry (with `record`, the provenance of the addition; `source`, the entry file's name,
    goes in the file's opening comment with the date); the caller holds locked(kb_dir)."""
    target = target_path(entry, kb_dir)
    _no_symlink(kb_dir)
    _no_symlink(target.parent)
    if _no_symlink(target):
        if same_entry(_stored(target), entry):
            return Added(target, changed=False)
        raise AddError(f"{target} already holds a different entry; edit that file or choose another slug")
    text = bind_prefixes(entry + (record or Graph())).serialize(format="turtle")
    notes = "".join(f"{line}\n" for line in origins(entry).entry_comments)
    tmp = None
    try:
        target.parent.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".tmp", dir=target.parent)
        os.chmod(tmp, sibling_mode(target.parent))
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(f"{_opening(source)}{notes}{text}")
            out.flush()
            os.fsync(out.fileno())
        _no_symlink(target)
        os.replace(tmp, target)
    except OSError as exc:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, KbFolderError):
            raise
        why = "the disk is full" if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT) else exc.strerror
        raise KbFolderError(f"{target}: cannot write the entry: {why}; nothing was stored") from exc
    except BaseException:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise
    return Added(target, changed=True)
