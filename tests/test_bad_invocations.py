"""One error model: a table of bad invocations of every command, each with its exit code, message and no traceback."""

import os
import subprocess
import sys

import pytest

from conftest import TESTS

EXMECH = [sys.executable, "-m", "exmech"]
VALID = TESTS / "examples" / "valid" / "Study-minimal.ttl"


def _unwritable(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "blocker").write_text("a file where a folder is expected")
    return folder / "blocker" / "out"  # cannot be created, even by root


# (id, argv builder, expected exit code, words the message must hold)
CASES = [
    ("unknown-query", lambda t: ["query", "review-sumary"], 2, "did you mean review-summary"),
    ("missing-query-file", lambda t: ["query", str(t / "nope.rq")], 2, "no query file"),
    ("param-without-equals", lambda t: ["query", "review-summary", "-p", "review"], 2, "key=value"),
    ("unknown-format", lambda t: ["query", "review-summary", "-f", "yaml"], 2, "yaml"),
    (
        "format-not-for-select",
        lambda t: ["query", "review-summary", "-f", "turtle"],
        2,
        "table, csv, tsv, json",
    ),
    ("unknown-paths-format", lambda t: ["paths", "-f", "xml"], 2, "xml"),
    (
        "unwritable-query-output",
        lambda t: ["query", "review-summary", "-o", str(_unwritable(t))],
        2,
        "blocker",
    ),
    ("unwritable-paths-output", lambda t: ["paths", "-o", str(_unwritable(t))], 2, "blocker"),
    ("unwritable-evidence-output", lambda t: ["evidence", "-o", str(_unwritable(t))], 2, "blocker"),
    ("unwritable-stats-output", lambda t: ["stats", "-o", str(_unwritable(t))], 2, "blocker"),
    (
        "unwritable-check-output",
        lambda t: ["check", "--no-hermit", "-q", "-o", str(_unwritable(t))],
        2,
        "blocker",
    ),
    ("bad-store-spec", lambda t: ["query", "review-summary", "--store", "postgres:x"], 2, "oxigraph:PATH"),
    ("missing-entry", lambda t: ["validate", str(t / "missing.ttl")], 2, "missing.ttl"),
    ("entry-is-a-folder", lambda t: ["validate", str(t / "d.ttl")], 2, "d.ttl"),
    ("unwritable-build", lambda t: ["build", "-o", str(_unwritable(t))], 2, "blocker"),
    ("unwritable-template", lambda t: ["template", "-o", str(_unwritable(t) / "f.csv")], 2, "blocker"),
    ("unwritable-report", lambda t: ["report", "--out", str(_unwritable(t))], 2, "blocker"),
    ("missing-kb", lambda t: ["stats", "--kb", str(t / "no-kb")], 2, "no-kb"),
    (
        "unreachable-endpoint",
        lambda t: ["query", "review-summary", "--endpoint", "http://127.0.0.1:9/q"],
        3,
        "127.0.0.1:9",
    ),
    ("bad-port", lambda t: ["serve", "--port", "99999"], 2, "99999"),
    ("push-unreachable", lambda t: ["push", "--to", "http://127.0.0.1:9/store"], 3, "127.0.0.1:9"),
]


GAPS: dict[str, str] = {}  # known gaps, keyed by case: none left


@pytest.mark.parametrize(
    "case, argv, code, words",
    [
        pytest.param(*c, marks=[pytest.mark.xfail(reason=GAPS[c[0]], strict=True)] if c[0] in GAPS else [])
        for c in CASES
    ],
    ids=[c[0] for c in CASES],
)
def test_bad_invocation_exits_with_its_code_and_a_message(tmp_path, case, argv, code, words):
    (tmp_path / "d.ttl").mkdir()
    env = {
        **os.environ,
        "PYTHONWARNINGS": "ignore",
        "COLUMNS": "400",
    }  # typer's error box must not wrap a path
    run = subprocess.run(
        [*EXMECH, *argv(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    output = run.stdout + run.stderr
    assert run.returncode == code, output
    assert "Traceback" not in output, output
    assert words in output, output
    assert output.count("error:") <= 1, f"one error, not a cascade: {output}"
