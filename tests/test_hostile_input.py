"""Hostile or broken entry files: each gets a clear error naming the file (exit 2), no network, no change to the store.

Malformed Turtle, Latin-1, 200-deep JSON, a remote @context, an RDF/XML entity bomb, truncated JSON, an unknown
extension, zip bombs, broken CSV and XLSX, IRIs holding a newline, NUL, backslash, space or a text-direction
override (in Turtle, JSON-LD and CSV), and a sparse 50 MB file.
"""

import io
import zipfile

import pytest
from typer.testing import CliRunner

from entry_helpers import (  # noqa: F401
    GOOD_ROW,
    VALID_TRIAL,
    kb_fixture,
    no_network_fixture,
    private_cache_fixture,
    tree_digest,
    write_csv,
)
from exmech.cli import app
from exmech.entries.form import COLUMNS

runner = CliRunner()
TRIAL = VALID_TRIAL.read_bytes()
RDF_NS = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'


def _zip_bomb() -> bytes:
    """A small .xlsx-shaped zip whose one member unpacks to 200 MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(200):
                member.write(chunk)
    return buffer.getvalue()


def _wide_csv() -> bytes:
    header = ",".join(COLUMNS).encode()
    return header + b"\nab2020," + b"x" * 200_000 + b"\n"


HOSTILE = {
    "malformed.ttl": (
        b'@prefix exm: <https://w3id.org/exmech/ontology/> .\nexm:x exm:y "unterminated .\n',
        "not valid turtle",
    ),
    "latin1.ttl": ("# caf\u00e9\n".encode("latin-1"), "not UTF-8"),
    "deep.jsonld": (b"[" * 200 + b"]" * 200, "nested"),
    "remote.jsonld": (b'{"@context": "http://example.org/ctx.jsonld", "@id": "urn:x"}', "not fetched"),
    "bomb.rdf": (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
        "entity expansion",
    ),
    "bad.json": (b'{"@context": "exmech", ', "invalid JSON"),
    "notes.txt": (b"hello", "unknown file type"),
    # JSON-LD 1.1 @import inside an inline context would make the parser fetch the URL
    "import.jsonld": (
        b'{"@context": {"@version": 1.1, "@import": "http://example.org/ctx.jsonld"}, "@id": "urn:x"}',
        "not fetched",
    ),
    # a remote context hidden in a node deep inside the graph, not at the top
    "nested-remote.jsonld": (
        b'{"@context": "exmech", "@graph": [{"id": "kb:a", "@context": "https://evil.example/c"}]}',
        "not fetched",
    ),
    "scoped-remote.jsonld": (
        b'{"@context": {"p": {"@id": "urn:p", "@context": "http://example.org/c"}}, "p": {}}',
        "not fetched",
    ),
    "very-deep.jsonld": (b"[" * 100_000 + b"]" * 100_000, "nested"),
    "utf16.ttl": ("@prefix exm: <https://w3id.org/exmech/ontology/> .".encode("utf-16"), "not UTF-8"),
    "binary.ttl": (bytes(range(256)) * 4, "not UTF-8"),
    "nul.ttl": (
        b"@prefix exm: <https://w3id.org/exmech/ontology/> .\nexm:a exm:b \x00 .\n",
        "not valid turtle",
    ),
    "external-entity.rdf": (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f'<rdf:RDF {RDF_NS}><rdf:Description rdf:about="urn:a"><rdf:value>&x;</rdf:value>'
        f"</rdf:Description></rdf:RDF>".encode(),
        "entity expansion",
    ),
    "bomb.xlsx": (_zip_bomb(), "zip bomb"),
    "not-a-zip.xlsx": (b"PK\x03\x04 this is not a workbook", "not a valid .xlsx"),
    "wide.csv": (_wide_csv(), "not valid CSV"),
    "ragged.csv": (",".join(COLUMNS).encode() + b"\nab2020" + b",x" * 40 + b"\n", "cells but only"),
    "empty.ttl": (b"# nothing here\n", "holds no triples"),
    # characters no IRI may hold: they broke Oxigraph loading and `build`'s N-Triples, or named files oddly
    "iri-newline.ttl": (
        TRIAL.replace(b"kb:ex-pop a", b"<https://w3id.org/exmech/kb/ex\\u000Apop> a"),
        "U+000A",
    ),
    "iri-nul.ttl": (TRIAL.replace(b"kb:ex-pop a", b"<https://w3id.org/exmech/kb/ex\\u0000pop> a"), "U+0000"),
    "iri-backslash.ttl": (
        TRIAL.replace(b"kb:ex-pop a", b"<https://w3id.org/exmech/kb/ex\\u005Cpop> a"),
        "U+005C",
    ),
    "iri-rtl.ttl": (
        TRIAL.replace(b"kb:ex-pop a", "<https://w3id.org/exmech/kb/ex\u202epop> a".encode()),
        "U+202E",
    ),
    "iri-newline.jsonld": (b'{"@context": "exmech", "@id": "kb:a\\nb", "rdfs:label": "x"}', "U+000A"),
    "iri-space.csv": (
        ",".join(COLUMNS).encode()
        + b"\nab2020,,t,,,,,,,https://doi.org/x y,,,,YogaExercise"
        + b"," * 13
        + b"\n",
        "U+0020",
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_is_refused_clearly_without_network_or_change(name, kb, tmp_path, no_network):
    content, message = HOSTILE[name]
    path = tmp_path / name
    path.write_bytes(content)
    digest = tree_digest(kb)
    for command in ("validate", "add"):
        result = runner.invoke(app, [command, str(path), "--kb", str(kb)])
        assert result.exit_code == 2, result.output
        assert message in result.output and name in result.output, result.output
    assert tree_digest(kb) == digest


@pytest.mark.parametrize("suffix", [".jsonld", ".csv", ".xlsx", ".rdf"])
def test_a_50_mb_file_of_any_format_is_refused_before_reading(tmp_path, suffix, no_network):
    path = tmp_path / f"huge{suffix}"
    with open(path, "wb") as f:
        f.truncate(50 * 1024 * 1024)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and "50.0 MB" in result.output and path.name in result.output


def test_one_bad_file_among_good_ones_is_named_and_nothing_is_added(kb, tmp_path):
    good = write_csv(tmp_path / "good.csv", GOOD_ROW)
    bad = tmp_path / "bad.jsonld"
    bad.write_text('{"@context": "http://example.org/ctx"}')
    digest = tree_digest(kb)
    result = runner.invoke(app, ["add", str(good), str(bad), "--kb", str(kb)])
    assert result.exit_code == 2 and "bad.jsonld" in result.output and tree_digest(kb) == digest


def test_a_missing_file_is_exit_2():
    result = runner.invoke(app, ["validate", "/nonexistent/entry.ttl"])
    assert result.exit_code == 2 and "entry.ttl" in result.output


def test_a_50_mb_file_is_refused_before_reading(tmp_path, no_network):
    path = tmp_path / "huge.ttl"
    with open(path, "wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: 50 MB on paper
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and "50.0 MB" in result.output
