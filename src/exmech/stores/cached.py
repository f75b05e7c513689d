"""The cached build of the merged graph, which `exmech query` reads by default: an on-disk Oxigraph store in the
user cache folder (exmech.graph.resources.cache_dir), never in the package or the checkout.

One folder per exmech version and source digest (exmech.graph.load.source_digest: the ontology, vocabularies,
knowledge-base files and rules): the first command after a source changed builds it (parse + rules, as
`--store oxigraph:PATH` does) in a private temporary folder and renames it into place, so concurrent commands
never see half a build and never need a lock; later commands only hash the sources and open it read-only. A
change to any source file gives a new digest and so a fresh build: never a stale answer. Without pyoxigraph
(the `oxigraph` extra), or with an unwritable cache folder, the graph is built in rdflib's memory as before.
"""

import os
import shutil
import tempfile
from pathlib import Path

from exmech import __version__
from exmech.graph.load import load_graph, source_digest
from exmech.graph.resources import cache_dir, knowledge_base_files, ontology_files
from exmech.stores.memory import MemoryStore
from exmech.stores.oxigraph import OxigraphStore


def build_folder(files: list[Path]) -> Path:
    """Where the cached build of these source files lives."""
    return cache_dir() / "graphs" / f"{__version__}-{source_digest(files)[:32]}"


def cached_store(kb_dir: Path | None = None) -> OxigraphStore | MemoryStore:
    """The merged graph of the shipped (or kb_dir's) sources, from the cache, built first when missing."""
    files = [*ontology_files(), *knowledge_base_files(kb_dir)]
    try:
        import pyoxigraph  # noqa: F401  (the oxigraph extra)
    except ImportError:
        return MemoryStore(load_graph(kb_dir), files)
    folder = build_folder(files)
    if not (folder / OxigraphStore.SOURCES).is_file():
        try:
            _build(folder, files)
        except OSError:  # an unwritable or full cache folder only costs speed
            return MemoryStore(load_graph(kb_dir), files)
        _prune(folder)
    return OxigraphStore(folder, read_only=True)


KEEP = 4  # cached builds kept: the newest ones (another kb folder, an earlier checkout), the rest removed


def _prune(current: Path) -> None:
    """Remove all but the KEEP most recently built graphs, never the one just built (the cache stays bounded)."""
    builds = [
        p for p in current.parent.iterdir() if p.is_dir() and not p.name.startswith(".") and p != current
    ]
    builds.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in builds[KEEP - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


def _build(folder: Path, files: list[Path]) -> None:
    """Fill a store in a private folder beside the target, then rename it into place (atomic); a concurrent
    command that won the race keeps its build and ours is removed."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        store = OxigraphStore(tmp, files, reload=True)
        store.close()
        os.rename(tmp, folder)
    except OSError:
        if not (folder / OxigraphStore.SOURCES).is_file():
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
