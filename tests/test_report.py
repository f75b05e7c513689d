"""The evidence report on the paths fixture: files exist, figures parse as SVG/PNG and carry their labels."""

import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exmech.cli import app
from exmech.kg import KnowledgeGraph
from exmech.outputs.report import write_report

PATHS_KB = Path(__file__).parent / "fixtures" / "paths-kb"
PNG = b"\x89PNG\r\n\x1a\n"
runner = CliRunner()


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    return write_report(KnowledgeGraph.load(kb_dir=PATHS_KB).graph, tmp_path_factory.mktemp("report"))


def svg_text(path: Path) -> str:
    return " ".join(" ".join(ET.parse(path).getroot().itertext()).split())


def test_every_figure_is_svg_and_png(report):
    stems = {p.stem for p in report.figures}
    assert stems == {
        "forest",
        "theme-mentions",
        "type-by-theme",
        "path-matrix",
        "mechanism-1",
        "mechanism-2",
        "mechanism-3",
    }
    for stem in stems:
        svg, png = report.html.parent / f"{stem}.svg", report.html.parent / f"{stem}.png"
        assert ET.parse(svg).getroot().tag == "{http://www.w3.org/2000/svg}svg"
        data = png.read_bytes()
        assert data[:8] == PNG and int.from_bytes(data[16:20], "big") > 600  # width in pixels


def test_theme_bars_carry_themes_and_counts(report):
    text = svg_text(report.html.parent / "theme-mentions.svg")
    for label in (
        "neuromuscular",
        "psychosocial",
        "tissue healing",
        "Wun et al. 2021",
        "(n = 10)",
        "5 (50%)",
        "exmech knowledge base",
    ):
        assert label in text, label


def test_heat_map_carries_types_themes_and_cells(report):
    text = svg_text(report.html.parent / "type-by-theme.svg")
    for label in ("aerobic exercise", "Pilates exercise", "cardiometabolic", "2 / 3", "trials proposing"):
        assert label in text, label


def test_path_view_carries_nodes_statuses_trials_and_legends(report):
    """The matrix shows every mechanism x exercise type link; each tested mechanism has its own small diagram."""
    matrix = svg_text(report.html.parent / "path-matrix.svg")
    for label in (
        "walking exercise",
        "self-efficacy",
        "supported",
        "proposed",
        "2 trials",
        "theme: psychosocial",
    ):
        assert label in matrix, label
    assert "Pilates" not in matrix  # no mechanism, so no path
    diagrams = " ".join(svg_text(report.html.parent / f"mechanism-{i}.svg") for i in (1, 2, 3))
    for label in (
        "self-efficacy (psychosocial)",
        "disability and function",
        "pain intensity",
        "Fixture paths A, Fixture paths D",
        "2 trials",
        "supported",
        "tested",
    ):
        assert label in diagrams, label
    # outcomes of untested mechanisms are in the paths table (the matrix has no outcome axis)
    assert (
        "| motor control exercise | muscle strength | fixture leg pain | proposed |"
        in report.markdown.read_text()
    )
    tested = {"aerobic fitness", "self-efficacy", "sleep"}  # the mechanisms a fixture analysis tested
    assert all(
        any(f"{m} (" in svg_text(report.html.parent / f"mechanism-{i}.svg") for i in (1, 2, 3))
        for m in tested
    )


def test_the_report_leads_with_the_answer(report):
    md = report.markdown.read_text(encoding="utf-8")
    headings = [line for line in md.splitlines() if line.startswith("## ")]
    assert headings[0] == "## The answer in brief"
    assert (
        "self-efficacy: supported in 1 trial(s) (Fixture paths A) — walking exercise → disability and function"
        in md
    )
    assert (
        "| self-efficacy | psychosocial | 2 | 1 | 2 | 2 | 1 | 1 | 0 |" in md
    )  # proposed, measured, tested ...


def test_markdown_and_html_say_the_same(report):
    md = report.markdown.read_text(encoding="utf-8")
    html = report.html.read_text(encoding="utf-8")
    parser = HTMLParser()
    parser.feed(html)  # well-formed enough to parse
    for text in (
        "The review's theme table",
        "| neuromuscular | 5 | 50 | 50 | 2 |",
        "## Gaps",
        "muscle strength (proposed by 1 trial(s))",
        "indirect -0.5 (CI -0.9 to -0.1), 36% mediated",
        "motor control exercise × neuromuscular: 1 trial(s) proposing, none tested",
    ):
        assert text in md, text
    for text in (
        "<td>neuromuscular</td><td>5</td><td>50</td><td>50</td><td>2</td>",
        "<h2>Gaps</h2>",
        "<li>muscle strength (proposed by 1 trial(s))</li>",
        'src="path-matrix.svg"',
        'src="forest.svg"',
    ):
        assert text in html, text


def test_cli_report(tmp_path):
    result = runner.invoke(app, ["report", "--out", str(tmp_path), "--kb", str(PATHS_KB)])
    assert result.exit_code == 0, result.output
    assert {p.name for p in tmp_path.iterdir()} == {
        "report.html",
        "report.md",
        *(
            f"{s}.{e}"
            for s in (
                "forest",
                "theme-mentions",
                "type-by-theme",
                "path-matrix",
                "mechanism-1",
                "mechanism-2",
                "mechanism-3",
            )
            for e in ("svg", "png")
        ),
    }
