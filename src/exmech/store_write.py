"""Adding a valid entry to the knowledge-base folder: all or nothing, under a lock, idempotent.

An entry is written as <kb>/studies/<slug>.ttl (or <kb>/mediation/<slug>.ttl when it holds no trial) through a
temporary file and os.replace, so a reader sees the old file or the new one, never half of one. An exclusive
flock on <kb>/.exmech.lock serialises concurrent adds. Adding an entry isomorphic to the stored one changes nothing.
"""

import fcntl
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from .namespaces import EXM, KB, bind_prefixes


class AddError(RuntimeError):
    """The entry cannot be stored (for example a different entry already uses its file name)."""


@dataclass
class Added:
    path: Path
    changed: bool


@contextmanager
def locked(kb_dir: Path):
    kb_dir.mkdir(parents=True, exist_ok=True)
    with open(kb_dir / ".exmech.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def target_path(entry: Graph, kb_dir: Path) -> Path:
    trials = sorted(str(s) for s in entry.subjects(RDF.type, EXM.RandomisedControlledTrial))
    subjects = trials or sorted(str(s) for s in entry.subjects(RDF.type, EXM.MediationAnalysis))
    if not subjects:
        raise AddError(
            "the entry holds no exm:RandomisedControlledTrial or exm:MediationAnalysis to name its file by"
        )
    local = subjects[0].removeprefix(str(KB)) if subjects[0].startswith(str(KB)) else ""
    slug = local if trials else local.rsplit("-ma", 1)[0]
    if not slug or "/" in slug:
        raise AddError(f"entry node {subjects[0]} is not under {KB}; name trial nodes kb:<slug>")
    return kb_dir / ("studies" if trials else "mediation") / f"{slug}.ttl"


def write_entry(entry: Graph, kb_dir: Path) -> Added:
    """Store one validated entry under the lock; identical content is left untouched."""
    with locked(kb_dir):
        return write_locked(entry, kb_dir)


def write_locked(entry: Graph, kb_dir: Path) -> Added:
    """Store one validated entry; the caller holds locked(kb_dir) (so that it can validate under the same lock)."""
    target = target_path(entry, kb_dir)
    if target.exists():
        stored = Graph().parse(target, format="turtle")
        if isomorphic(stored, entry):
            return Added(target, changed=False)
        raise AddError(f"{target} already holds a different entry; edit that file or choose another slug")
    target.parent.mkdir(parents=True, exist_ok=True)
    text = bind_prefixes(entry + Graph()).serialize(format="turtle")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(f"# Entry added with `exmech add`.\n{text}")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Added(target, changed=True)
