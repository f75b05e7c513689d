"""What an on-disk store was filled from, file by file: each source file's size, times, inode and SHA-256, kept in
an SQLite file inside the store folder.

A freshness check then reads the files' stat only and hashes just those whose stat changed since they were recorded
(as git's index does), and tells which files were added, changed or removed since the store was filled. A file whose
modification or change time is within RACY_NS of the moment the record was written is hashed again (it could have
been changed again in the same clock tick without changing its stat)."""

import os
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from exmech.graph.load import file_sha256

RACY_NS = 2_000_000_000
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INT, mtime_ns INT, ctime_ns INT, ino INT, sha TEXT)",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)",
)


def stat_key(path: Path) -> tuple[int, int, int, int]:
    st = os.stat(path)
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


@dataclass
class Sources:
    """The current files compared with the record: every file's SHA-256, and what changed since it was written."""

    shas: dict[str, str]
    stats: dict[str, tuple[int, int, int, int]]
    added: list[Path] = field(default_factory=list)
    changed: list[Path] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    rehashed: list[str] = field(default_factory=list)

    @property
    def only_added(self) -> bool:
        return not self.changed and not self.removed


class SourceRecord:
    NAME = "exmech-sources.sqlite"

    def __init__(self, folder: Path, read_only: bool = False):
        self.path, self.read_only = Path(folder) / self.NAME, read_only

    def _connect(self) -> sqlite3.Connection:
        if self.read_only:
            return sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
        connection = sqlite3.connect(self.path)
        for statement in SCHEMA:
            connection.execute(statement)
        return connection

    def _rows(self) -> tuple[dict[str, tuple], int]:
        """The recorded files (path -> (size, mtime_ns, ctime_ns, ino, sha)) and when the record was written."""
        if not self.path.exists():
            return {}, 0
        try:
            with closing(self._connect()) as db:
                rows = {r[0]: tuple(r[1:]) for r in db.execute("SELECT * FROM files")}
                written = db.execute("SELECT value FROM meta WHERE key = 'written_ns'").fetchone()
        except sqlite3.Error:
            return {}, 0  # an unreadable record: every file is hashed again and the store is refilled
        return rows, int(written[0]) if written else 0

    def compare(self, files: list[Path]) -> Sources:
        """Stat every file, hash those the record cannot vouch for, and say what changed since it was written."""
        recorded, written = self._rows()
        current = Sources({}, {})
        for path in files:
            name, key = str(path), stat_key(path)
            row = recorded.get(name)
            trusted = row is not None and tuple(row[:4]) == key and max(key[1], key[2]) < written - RACY_NS
            current.stats[name] = key
            current.shas[name] = row[4] if trusted and row else file_sha256(path)
            if not trusted:
                current.rehashed.append(name)
            if row is None:
                current.added.append(path)
            elif row[4] != current.shas[name]:
                current.changed.append(path)
        current.removed = sorted(set(recorded) - set(current.shas))
        return current

    def write(self, sources: Sources, names: list[str] | None = None, replace: bool = False) -> None:
        """Record these files (all of them, or only `names`); replace: forget every file recorded before."""
        names = list(sources.shas) if names is None else names
        rows = [(n, *sources.stats[n], sources.shas[n]) for n in names]
        with closing(self._connect()) as db, db:
            if replace:
                db.execute("DELETE FROM files")
            db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?)", rows)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('written_ns', ?)", (str(time.time_ns()),))

    def forget(self) -> None:
        self.path.unlink(missing_ok=True)
