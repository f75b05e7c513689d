"""Run from an installed wheel, exmech never writes inside its own package: add and release --record-terms refuse."""

import os
import subprocess
import sys

import pytest

from conftest import TESTS

ROOT = TESTS.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The project built as a wheel (hatchling, as pip would) and unpacked into a folder of its own."""
    work = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if build.returncode != 0:
        pytest.skip(
            f"the wheel could not be built here (pip wheel needs hatchling from PyPI): {build.stderr[-300:]}"
        )
    wheel = next(work.glob("exmech-*.whl"))
    site = work / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
        check=True,
        timeout=600,
    )
    return site


def _digest(folder):
    return sorted(
        (p.relative_to(folder).as_posix(), p.read_bytes()) for p in folder.rglob("*") if p.is_file()
    )


def _run(site, *argv, cwd):
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-m", "exmech", *argv], capture_output=True, text=True, env=env, cwd=cwd, timeout=600
    )


def test_add_without_kb_refuses_to_write_into_the_installed_package(installed, tmp_path):
    package = installed / "exmech"
    assert (package / "_data" / "ontology" / "kb").is_dir()
    before = _digest(package / "_data")
    run = _run(installed, "add", str(TESTS / "examples" / "valid" / "Study-minimal.ttl"), cwd=tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "installed package" in run.stderr and "Traceback" not in run.stderr
    assert _digest(package / "_data") == before


def test_add_with_kb_writes_only_there(installed, tmp_path):
    kb = tmp_path / "kb"
    kb.mkdir()
    run = _run(
        installed,
        "add",
        str(TESTS / "examples" / "valid" / "Study-minimal.ttl"),
        "--kb",
        str(kb),
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert list((kb / "studies").glob("*.ttl"))


def test_release_record_terms_refuses_from_an_installed_package(installed, tmp_path):
    before = _digest(installed / "exmech" / "_data")
    run = _run(installed, "release", "-o", str(tmp_path / "dist"), "--record-terms", cwd=tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "--record-terms" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "dist").exists(), "refused before writing anything"
    assert _digest(installed / "exmech" / "_data") == before


def test_a_symlink_planted_in_the_knowledge_base_is_refused_by_every_loading_command(tmp_path):
    kb = tmp_path / "kb"
    (kb / "studies").mkdir(parents=True)
    (kb / "studies" / "evil.ttl").symlink_to("/etc/passwd")
    for argv in (["build", "-o", str(tmp_path / "b"), "--kb", str(kb)], ["stats", "--kb", str(kb)]):
        run = subprocess.run(
            [sys.executable, "-m", "exmech", *argv], capture_output=True, text=True, timeout=300
        )
        assert run.returncode == 2, run.stdout + run.stderr
        assert "symbolic link" in run.stderr and "root:" not in run.stdout + run.stderr
