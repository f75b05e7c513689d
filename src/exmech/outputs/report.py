"""The evidence report: it leads with the answer (which mechanisms have been supported as mediators, for which
exercise and outcome, by how many trials, and which of the review's most-proposed mechanisms remain untested),
then the evidence per mechanism, the forest plot of indirect effects, the review's theme table reproduced from
the graph, the exercise type x theme heat map, the path view (matrix and one diagram per tested mechanism), the
paths with their trials, and the gaps. Blocks are assembled once and rendered by report_render to Markdown and HTML.
"""

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from exmech.evidence import synthesis
from exmech.evidence.paths import find_paths
from exmech.outputs import report_render
from exmech.outputs.report_blocks import (
    answer_blocks,
    forest_blocks,
    gap_blocks,
    path_blocks,
    summary_blocks,
    theme_table_blocks,
    type_theme_blocks,
)
from exmech.outputs.report_context import Context
from exmech.stores.base import Store

TITLE = "exmech evidence report: why does exercise help chronic low back pain?"


@dataclass
class Report:
    html: Path
    markdown: Path
    figures: list[Path]


def write_report(source: Graph | Store, out: Path) -> Report:
    """Write report.md and report.html with their figures (SVG and PNG) into the folder out; from any store."""
    out.mkdir(parents=True, exist_ok=True)
    ctx = Context.of(source)
    paths = find_paths(ctx.store)
    summary = synthesis.evidence_summary(ctx.store)
    blocks: list[tuple] = [("h1", TITLE), *answer_blocks(ctx, paths, summary)]
    blocks += summary_blocks(summary, synthesis.evidence_summary(ctx.store, by_theme=True))
    files: list[Path] = []
    for part in (
        forest_blocks(ctx, out),
        theme_table_blocks(ctx, out),
        type_theme_blocks(ctx, out),
        path_blocks(ctx, paths, out),
    ):
        blocks += part[0]
        files += part[1]
    blocks += gap_blocks(ctx)
    markdown, html = out / "report.md", out / "report.html"
    markdown.write_text(report_render.markdown(blocks), encoding="utf-8")
    html.write_text(report_render.html(blocks, TITLE), encoding="utf-8")
    return Report(html, markdown, files)
