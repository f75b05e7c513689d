"""The SQLite side of the knowledge-base index (exmech.entries.kb_index): its schema, the look-up indexes a cold
build makes after its rows, one transaction, and the lock that keeps other processes out while the file is made."""

import sqlite3
from contextlib import nullcontext
from pathlib import Path

from filelock import FileLock

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (root TEXT NOT NULL, scan TEXT);
CREATE TABLE IF NOT EXISTS files (rel TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER, sha256 TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ids (key TEXT NOT NULL, node TEXT NOT NULL, rel TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS roots (root TEXT NOT NULL, rel TEXT NOT NULL);
"""
INDEXES = {
    "ids_key": "ids (key)",
    "ids_rel": "ids (rel)",
    "roots_root": "roots (root)",
    "roots_rel": "roots (rel)",
}
SCHEMA += "".join(f"CREATE INDEX IF NOT EXISTS {name} ON {on};\n" for name, on in INDEXES.items())
BULK_FROM = 1000  # files recorded into an empty index: its look-up indexes are built after the rows (0.5 s less at 100k)


class Commit:
    """Commit the open transaction on success, roll it back on an error."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        return self.db

    def __exit__(self, kind, value, trace):
        self.db.execute("ROLLBACK" if kind else "COMMIT")
        return False


def held(cache: Path) -> FileLock | nullcontext:
    """The index file's lock (filelock) while it is opened, made or refreshed; none where it cannot be made."""
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        Path(f"{cache}.lock").touch()
    except OSError:
        return nullcontext()
    return FileLock(f"{cache}.lock", thread_local=False)


def remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass  # in a folder that is not one, or not writable: the index is then kept in memory
