"""Entries cannot make exmech fetch or open anything, name files only by the slug rule, and a store that cannot be
written (symlink at the target, read-only, full) gives a clear message and exit 2 with no partial or stray file."""

import resource
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from entry_helpers import (  # noqa: F401
    VALID_TRIAL,
    kb_fixture,
    no_network_fixture,
    private_cache_fixture,
    tree_digest,
)
from exmech.checks.consistency import check as check_consistency
from exmech.cli import app
from exmech.graph.load import load_graph

runner = CliRunner()
TRIAL = VALID_TRIAL.read_text(encoding="utf-8")
ONTOLOGY = "https://w3id.org/exmech/ontology"

# what an entry appends -> what the violation must say
REFUSED = {
    "import-ontology-iri": (f"<{ONTOLOGY}> owl:imports <http://127.0.0.1:9/o.owl> .", "owl:imports"),
    "import-ontology-slash": (f"<{ONTOLOGY}/> owl:imports <file:///dev/zero> .", "owl:imports"),
    "import-from-kb-node": ("kb:ex owl:imports <file:///etc/passwd> .", "may not import"),
    "shapes-graph": ("kb:ex sh:shapesGraph <http://127.0.0.1:9/s.ttl> .", "shacl#shapesGraph makes"),
    "mechanism-base": ('<https://w3id.org/exmech/mechanism> rdfs:label "x" .', "may not define"),
    "project-base": ('<https://w3id.org/exmech/> rdfs:label "x" .', "may not define"),
    "shapes-namespace": ('<https://w3id.org/exmech/shapes/x> rdfs:label "x" .', "may not define"),
    "slug-dots": ('<https://w3id.org/exmech/kb/ex...> rdfs:label "x" .', "slug rule"),
    "slug-upper": ('kb:Ex-note rdfs:label "x" .', "slug rule"),
    "slug-300": (f'kb:{"a" * 300} rdfs:label "x" .', "slug rule"),
    "slug-path": ('<https://w3id.org/exmech/kb/ex/../../x> rdfs:label "x" .', "slug rule"),
}
PREFIXES = "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n@prefix sh: <http://www.w3.org/ns/shacl#> .\n"


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_imports_closed_terms_and_off_slug_iris_are_violations(case, kb, tmp_path, no_network):
    extra, message = REFUSED[case]
    entry = tmp_path / f"{case}.ttl"
    entry.write_text(PREFIXES + TRIAL + extra + "\n", encoding="utf-8")
    digest = tree_digest(kb)
    for command in ("validate", "add"):
        result = runner.invoke(app, [command, str(entry), "--kb", str(kb)])
        assert result.exit_code == 1, result.output
        assert message in result.output and "Traceback" not in result.output, result.output
    assert tree_digest(kb) == digest


def test_rdfs_see_also_is_allowed(kb, tmp_path):
    entry = tmp_path / "see-also.ttl"
    entry.write_text(TRIAL + "kb:ex rdfs:seeAlso <https://example.org/protocol> .\n", encoding="utf-8")
    assert runner.invoke(app, ["validate", str(entry), "--kb", str(kb)]).exit_code == 0


def test_reasoners_follow_no_import_planted_in_a_kb_file(tmp_path):
    """A listener on 127.0.0.1 receives nothing and no planted file is opened, though a kb file imports both.

    On the small fixture knowledge base: what is tested is the import handling, not the size of the graph."""
    kb = tmp_path / "kb"
    shutil.copytree(Path(__file__).parent / "fixtures" / "kb", kb)
    (kb / "studies").mkdir(exist_ok=True)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.2)
    port, hits, stop = listener.getsockname()[1], [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                hits.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    planted = tmp_path / "planted.owl"
    planted.write_text("not an ontology", encoding="utf-8")
    (kb / "studies" / "planted.ttl").write_text(
        f"<{ONTOLOGY}> <http://www.w3.org/2002/07/owl#imports> <http://127.0.0.1:{port}/o.owl> , "
        f"<{planted.as_uri()}> , <file:///dev/zero> .\n",
        encoding="utf-8",
    )
    opened = []
    watched = {str(planted), "/dev/zero"}
    sys.addaudithook(lambda event, args: event == "open" and str(args[0]) in watched and opened.append(args))
    try:
        graph = load_graph(kb)
        verdicts = check_consistency(graph, use_hermit=True)
    finally:
        stop.set()
        thread.join()
        listener.close()
    assert not hits and not opened, (hits, opened)
    assert verdicts[0].consistent is True  # OWL RL always runs
    assert verdicts[1].consistent is not False, verdicts[1].messages  # HermiT ran, or said why not (no Java)


def test_a_symlink_at_the_target_is_refused_and_its_target_never_read(kb, tmp_path):
    link = kb / "studies" / "ex.ttl"
    link.symlink_to("/etc/passwd")
    result = runner.invoke(app, ["add", str(VALID_TRIAL), "--kb", str(kb)])
    assert result.exit_code == 2 and "symlink" in result.output, result.output
    assert "root:" not in result.output and "Traceback" not in result.output
    assert link.is_symlink() and not list(kb.rglob("*.tmp"))


def test_a_symlinked_studies_folder_is_refused(kb, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (kb / "studies").rename(tmp_path / "moved")
    (kb / "studies").symlink_to(elsewhere)
    result = runner.invoke(app, ["add", str(VALID_TRIAL), "--kb", str(kb)])
    assert result.exit_code == 2 and "symlink" in result.output, result.output
    assert not list(elsewhere.iterdir())


def test_stray_temporary_files_of_a_killed_add_are_removed_at_the_next(kb):
    stray = kb / "studies" / ".hall2012-a1b2c3d4.tmp"
    stray.write_text("half an entry", encoding="utf-8")
    result = runner.invoke(app, ["add", str(VALID_TRIAL), "--kb", str(kb)])
    assert result.exit_code == 0 and "removed" in result.output and str(stray) in result.output
    assert not stray.exists() and (kb / "studies" / "ex.ttl").is_file()


def _mount(path: Path, *options: str) -> None:
    try:
        subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(options), "tmpfs", str(path)], check=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip(
            "cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN); read-only/full store not tested"
        )


@pytest.fixture(name="small_fs")
def small_fs_fixture(tmp_path):
    mount = tmp_path / "mnt"
    mount.mkdir()
    _mount(mount, "size=4m")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _copy_kb(src: Path, dest: Path) -> Path:
    subprocess.run(["cp", "-a", str(src), str(dest)], check=True)
    return dest


def test_a_read_only_store_is_exit_2_and_unchanged(kb, small_fs):
    store = _copy_kb(kb, small_fs / "kb")
    subprocess.run(["mount", "-o", "remount,ro", str(small_fs)], check=True)
    digest = tree_digest(store)
    result = runner.invoke(app, ["add", str(VALID_TRIAL), "--kb", str(store)])
    assert result.exit_code == 2 and "Read-only" in result.output, result.output
    assert "Traceback" not in result.output and tree_digest(store) == digest


def test_a_full_disk_is_exit_2_with_no_partial_or_stray_file(kb, small_fs):
    store = _copy_kb(kb, small_fs / "kb")
    with open(small_fs / "filler", "wb", buffering=0) as filler:  # unbuffered: closing flushes nothing
        try:
            while True:
                filler.write(b"\0" * 65536)
        except OSError:
            pass
    digest = tree_digest(store)
    result = runner.invoke(app, ["add", str(VALID_TRIAL), "--kb", str(store)])
    assert result.exit_code == 2 and "disk is full" in result.output, result.output
    assert tree_digest(store) == digest and not list(store.rglob("*.tmp"))


def test_a_file_size_limit_mid_write_is_exit_2_with_no_stray_file(kb, tmp_path):
    """RLIMIT_FSIZE stops the write part-way, as a full disk would (Python ignores SIGXFSZ: write gets EFBIG)."""

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (600, 600))

    env = {
        "EXMECH_CACHE_DIR": str(tmp_path / "cache"),
        "PYTHONPATH": str(Path(__file__).parents[1] / "src"),
        "PYTHONDONTWRITEBYTECODE": "1",  # the limit would truncate the .pyc files it writes
    }
    digest = tree_digest(kb)
    result = subprocess.run(
        [sys.executable, "-m", "exmech", "add", str(VALID_TRIAL), "--kb", str(kb)],
        capture_output=True,
        text=True,
        preexec_fn=limit,
        env=env,
        timeout=300,
    )
    assert result.returncode == 2 and "disk is full" in result.stderr, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert tree_digest(kb) == digest and not list(kb.rglob("*.tmp"))


@pytest.mark.parametrize("suffix", [".ttl", ".jsonld"])
def test_a_decimal_with_a_huge_exponent_is_refused_before_parsing(tmp_path, suffix):
    """rdflib would write "1E+999999999"^^xsd:decimal out in full: a gigabyte from a 40-byte entry."""
    path = tmp_path / f"huge{suffix}"
    if suffix == ".ttl":
        text = VALID_TRIAL.read_text().replace(
            "exm:sampleSize 60", 'exm:sampleSize "1E+999999999"^^xsd:decimal'
        )
    else:
        text = '{"@context": "exmech", "id": "kb:x", "sampleSize": {"@value": "1E+999999999", "@type": "xsd:decimal"}}'
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and "exponent of 1000 or more" in result.output, result.output
