"""Helpers shared by the entry tests (validate, add, formats, hostile input, properties)."""

import csv
import hashlib
import shutil
import socket
from pathlib import Path

import pytest

from exmech.entries.form import COLUMNS
from exmech.graph.resources import resource_dir

EXAMPLES = Path(__file__).parent / "examples"
VALID_TRIAL = EXAMPLES / "valid" / "Study-minimal.ttl"
STORED_MEDIATION = EXAMPLES / "valid" / "Mediation-of-stored-trial.ttl"

# a complete, valid spreadsheet row (made-up trial: DOI prefix 10.5555)
GOOD_ROW = {
    "slug": "rowex2021",
    "label": "Rowex 2021: yoga vs education",
    "title": "A made-up spreadsheet entry",
    "first_author": "Rowex A",
    "year": "2021",
    "journal": "Example Journal",
    "doi": "10.5555/rowex",
    "pmid": "5555555",
    "registration": "NCT05555555",
    "source": "https://doi.org/10.5555/rowex",
    "extraction": "AbstractOnly",
    "sample_size": "80",
    "min_pain_weeks": "12",
    "exercise_type": "YogaExercise",
    "exercise_label": "Hatha yoga",
    "sessions_per_week": "2",
    "session_minutes": "60",
    "weeks": "12",
    "supervision": "Supervised",
    "comparator_type": "HandsOffControl",
    "comparator_label": "Education booklet",
    "outcome": "disability",
    "outcome_instrument": "rmdq",
    "outcome_weeks": "12",
    "mechanism": "self-efficacy",
    "mechanism_location": "Discussion, paragraph 2",
    "mechanism_statement": "made-up paraphrase",
}


def copy_kb(tmp_path: Path) -> Path:
    """A private copy of the shipped knowledge base: tests never write to the real one."""
    target = tmp_path / "kb"
    shutil.copytree(resource_dir("ontology") / "kb", target)
    return target


def tree_digest(root: Path) -> str:
    """A digest of every file under root (names and bytes), to show that nothing changed."""
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def write_csv(path: Path, *rows: dict) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(COLUMNS))
        writer.writeheader()
        for row in rows:
            writer.writerow({c: "" for c in COLUMNS} | row)
    return path


# fixtures are named with name= so that a test module can import them without shadowing (ruff F811)
@pytest.fixture(name="kb")
def kb_fixture(tmp_path) -> Path:
    return copy_kb(tmp_path)


@pytest.fixture(name="private_cache", autouse=True)
def private_cache_fixture(tmp_path, monkeypatch):
    """Each test gets its own index cache folder, so no test depends on another's cache."""
    monkeypatch.setenv("EXMECH_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(name="no_network")
def no_network_fixture(monkeypatch):
    """Any attempt to resolve a host name or connect fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("exmech tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
