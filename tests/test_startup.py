"""`exmech query` starts fast: it imports only its own command's libraries and reads a cached build of the graph
(exmech.stores.cached) that follows its sources."""

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from entry_helpers import copy_kb
from exmech.cli import app

pytest.importorskip("pyoxigraph")
HEAVY = ("matplotlib", "pyshacl", "owlready2", "jinja2", "werkzeug", "statsmodels", "openpyxl")
RUN = (
    "import json, sys\nfrom exmech.cli import main\nsys.argv = ['exmech', 'query', 'review-summary', '-f', 'csv']\n"
    "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
    f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
)


def _query_in_subprocess(cache) -> subprocess.CompletedProcess:
    env = {"EXMECH_CACHE_DIR": str(cache), "PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path)}
    return subprocess.run([sys.executable, "-c", RUN], capture_output=True, text=True, timeout=300, env=env)


def test_the_query_path_imports_no_report_check_or_server_library(tmp_path):
    for _ in range(2):  # the first run builds the cache, the second only reads it: neither imports them
        done = _query_in_subprocess(tmp_path / "cache")
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert "percentNoMechanism" in lines[0] and "110" in done.stdout
        assert json.loads(lines[-1]) == []
    assert len(list((tmp_path / "cache" / "graphs").iterdir())) == 1


def _claims(kb, cache, store: list[str]) -> str:
    argv = ["query", "claims-with-evidence-status", "-f", "csv", "--kb", str(kb), *store]
    result = CliRunner().invoke(app, argv, env={"EXMECH_CACHE_DIR": str(cache)})
    assert result.exit_code == 0, result.output
    return result.output


def test_the_cached_build_changes_when_a_source_file_changes(tmp_path):
    kb, cache = copy_kb(tmp_path), tmp_path / "cache"
    before = _claims(kb, cache, [])
    assert before == _claims(kb, cache, ["--store", "memory"])
    builds = set((cache / "graphs").iterdir())
    assert len(builds) == 1 and _claims(kb, cache, []) == before  # read again, not rebuilt
    assert set((cache / "graphs").iterdir()) == builds
    study = kb / "studies" / "costa2009.ttl"
    assert "costa2009" in before
    study.unlink()
    after = _claims(kb, cache, [])
    assert after != before and "costa2009" not in after
    assert after == _claims(kb, cache, ["--store", "memory"])
    assert len(set((cache / "graphs").iterdir()) - builds) == 1


def test_the_cache_keeps_only_the_newest_builds(tmp_path):
    """Every source change makes a new build; the cache keeps the newest few, never the one just built."""
    import os

    from exmech.stores.cached import KEEP, _prune

    graphs = tmp_path / "graphs"
    folders = [graphs / f"0.1.0-{i:02d}" for i in range(KEEP + 3)]
    for i, folder in enumerate(folders):
        folder.mkdir(parents=True)
        os.utime(folder, (1_000_000 + i, 1_000_000 + i))
    (graphs / ".0.1.0-99-building").mkdir()  # another command's build in progress
    current = folders[0]  # the oldest by time, but the one this command just built
    _prune(current)
    kept = sorted(p.name for p in graphs.iterdir())
    assert kept == sorted([".0.1.0-99-building", current.name, *(f.name for f in folders[-(KEEP - 1) :])])
