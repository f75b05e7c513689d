"""CLI conventions of the field (issue 12): "did you mean" for a misspelt query, parameter, option or parameter IRI
(the IRI one a warning: the query still runs, exit 0, 0 rows), and progress on stderr for the long steps only on
a terminal (rich's rule: TTY_COMPATIBLE=1 asks for it), silenced by -q, with standard output byte-identical."""

import pytest
from typer.testing import CliRunner

from entry_helpers import GOOD_ROW, write_csv
from exmech.cli import app

runner = CliRunner()
ASK_FOR_PROGRESS = {"TTY_COMPATIBLE": "1"}  # what rich reads as "this is a terminal"
NO_TERMINAL = {
    "TTY_COMPATIBLE": "0"
}  # CliRunner's streams are no terminal anyway; this holds on a CI terminal too


def test_a_parameter_iri_not_in_the_graph_warns_with_the_nearest_ones_and_still_runs():
    typo = runner.invoke(app, ["query", "paths-summary", "-p", "mechanism=mech:self-eficacy", "-f", "csv"])
    assert typo.exit_code == 0, typo.output
    assert typo.stdout == "path,type,mechanism,theme,outcome,status,studyCount\n"  # 0 rows, stdout only data
    assert "mech:self-eficacy is not in the graph" in typo.stderr
    assert "did you mean mech:self-efficacy?" in typo.stderr
    known = runner.invoke(app, ["query", "paths-summary", "-p", "mechanism=mech:self-efficacy", "-f", "csv"])
    assert known.exit_code == 0 and known.stderr == "" and len(known.stdout.splitlines()) > 1


def test_a_parameter_iri_with_nothing_near_it_warns_without_a_guess():
    result = runner.invoke(
        app, ["query", "studies-of-exercise-type", "-p", "exerciseType=<https://example.org/x>"]
    )
    assert result.exit_code == 0
    assert "https://example.org/x is not in the graph, so it matches nothing\n" in result.stderr


def test_a_text_or_number_parameter_is_not_checked_as_an_iri():
    result = runner.invoke(app, ["query", "paths-summary", "-p", "minRank=4", "-f", "csv"])
    assert result.exit_code == 0 and result.stderr == ""


@pytest.mark.parametrize(
    "args, hint",
    [
        (["query", "paths-sumary"], "did you mean paths-summary?"),
        (["query", "paths-summary", "-p", "minrank=2"], "did you mean minRank?"),
        (["query", "paths-summary", "--parm", "minRank=2"], "(Possible options: --param)"),
        (["paths", "--min-evidnce", "tested"], "(Possible options: --min-evidence)"),
        (["qeury", "paths"], "Did you mean 'query'?"),
    ],
)
def test_misspelt_names_are_refused_with_a_suggestion(args, hint):
    """Query and parameter names: exmech's own message; options and commands: click's (its wording)."""
    result = runner.invoke(app, args, terminal_width=200)
    assert result.exit_code == 2
    assert hint in " ".join(result.output.replace("│", " ").split()), result.output


def _runs(args: list[str]) -> dict[str, object]:
    """The command run three ways: no terminal, asked for progress, asked but -q."""
    return {
        "plain": runner.invoke(app, args, env=NO_TERMINAL),
        "asked": runner.invoke(app, args, env=ASK_FOR_PROGRESS),
        "quiet": runner.invoke(app, [*args, "-q"], env=ASK_FOR_PROGRESS),
    }


def _assert_progress_on_stderr_only(runs: dict, step: str, code: int = 0) -> None:
    plain, asked, quiet = runs["plain"], runs["asked"], runs["quiet"]
    for result in (plain, asked, quiet):
        assert result.exit_code == code, result.output
    assert plain.stderr == "" and quiet.stderr == ""
    assert step in asked.stderr
    assert asked.stdout == plain.stdout == quiet.stdout, "stdout must stay the data, byte for byte"
    assert step not in asked.stdout


def test_build_shows_its_steps_only_when_asked_and_never_on_stdout(tmp_path):
    runs = _runs(["build", "-o", str(tmp_path / "build")])
    _assert_progress_on_stderr_only(runs, "loading the graph")
    assert "writing Turtle, N-Triples and JSON-LD" in runs["asked"].stderr


def test_check_shows_the_owl_rl_step(tmp_path):
    from conftest import FIXTURES

    runs = _runs(["check", "--no-hermit", "--kb", str(FIXTURES / "paths-kb"), "-f", "json"])
    _assert_progress_on_stderr_only(runs, "OWL RL closure")


def test_add_of_a_workbook_shows_its_steps(tmp_path):
    from entry_helpers import copy_kb

    sheet = write_csv(tmp_path / "one.csv", GOOD_ROW)
    runs = {}
    for way, env, extra in (
        ("plain", NO_TERMINAL, []),
        ("asked", ASK_FOR_PROGRESS, []),
        ("quiet", ASK_FOR_PROGRESS, ["-q"]),
    ):
        kb = copy_kb(
            tmp_path / way
        )  # a fresh copy each time: the same "added" message, not "already present"
        result = runner.invoke(app, ["add", str(sheet), "--kb", str(kb), *extra], env=env)
        runs[way] = result
        assert (kb / "studies" / "rowex2021.ttl").exists()
    for (
        way,
        result,
    ) in runs.items():  # the messages name the kb folder, which differs: compare them without it
        result.stdout_bytes = result.stdout_bytes.replace(str(tmp_path / way).encode(), b"")
    _assert_progress_on_stderr_only(runs, "checking one.csv")
