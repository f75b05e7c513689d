"""`exmech queries` shows every packaged query's whole question (a question may go on over several comment lines),
wrapped to the terminal, never cut."""

import re

from typer.testing import CliRunner

from exmech.cli import app
from exmech.graph.catalogue import catalogue
from exmech.graph.resources import resource_dir

runner = CliRunner()


def test_a_question_over_several_comment_lines_is_read_whole():
    questions = {name: q.question for name, q in catalogue().items()}
    assert questions["claims-with-evidence-status"].endswith("where in its source the claim is stated?")
    assert questions["exercise-type-rollup"].endswith("(walking counts as aerobic)?")
    assert questions["mediation-analyses"].endswith("what the authors state they found?")
    # a note after a finished question is not part of it
    assert "Measured, tested and supported" not in questions["gaps-exercise-type-by-theme"]
    for path in sorted(resource_dir("queries").glob("*.rq")):
        assert questions[path.stem].endswith(("?", ".")), path.name


def test_the_listing_wraps_whole_questions_to_the_terminal():
    result = runner.invoke(app, ["queries"], env={"COLUMNS": "72"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(len(line) <= 72 or " " not in line.strip() for line in lines), max(lines, key=len)
    flat = re.sub(r"\s+", " ", result.output)
    for name, query in catalogue().items():
        assert f"{name} {query.question}" in flat, name
