"""The evidence report: the review's theme table reproduced from the graph, figures, paths and gaps.

The report is assembled once as a list of blocks (heading, paragraph, table, figure, list) and rendered twice,
to Markdown and to HTML, so the two never disagree.
"""

from dataclasses import dataclass
from html import escape
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF

from . import figures
from .catalogue import resolve
from .export import label, network
from .namespaces import EXM, compact
from .paths import evidence_text, find_paths
from .results import as_records


@dataclass
class Report:
    html: Path
    markdown: Path
    figures: list[Path]


def _rows(graph: Graph, name: str, **params: str) -> list[dict[str, str]]:
    query = resolve(name)
    return as_records(graph.query(query.text, initBindings=query.bindings(params)))


def _review(graph: Graph) -> dict[str, str]:
    """The review whose theme table is shown: Wun 2021 when present, else the first review in the graph."""
    reviews = sorted(str(r) for r in graph.subjects(RDF.type, EXM.Review))
    chosen = next((r for r in reviews if r.endswith("/wun2021")), reviews[0] if reviews else None)
    return {"review": f"<{chosen}>"} if chosen else {}


def _number(text: str) -> str:
    return f"{float(text):g}" if text else ""


def _blocks(graph: Graph, out: Path) -> tuple[list[tuple], list[Path]]:
    blocks: list[tuple] = [("h1", "exmech evidence report: why does exercise help chronic low back pain?")]
    review = _review(graph)
    table = _rows(graph, "review-theme-table", **review)
    claims = {
        r["themeLabel"]: int(r["graphClaims"]) for r in _rows(graph, "theme-mentions-in-graph", **review)
    }
    themes = [r["themeLabel"] for r in table]
    files = figures.theme_bars(
        themes, [int(r["mentions"]) for r in table], [claims.get(t, 0) for t in themes], out
    )
    source = label(graph, compact(review["review"][1:-1])) if review else "no review in the graph"
    blocks += [
        ("h2", "The review's theme table, reproduced from the graph"),
        (
            "p",
            f"Mechanism mentions per theme as published ({source}), the percentage recomputed from the "
            "published counts, and the mechanism claims this knowledge base holds for each theme.",
        ),
        (
            "table",
            [
                "theme",
                "mentions (published)",
                "% (published)",
                "% (recomputed)",
                "claims in the knowledge base",
            ],
            [
                [
                    r["themeLabel"],
                    r["mentions"],
                    _number(r["reportedPercent"]),
                    _number(r["computedPercent"]),
                    str(claims.get(r["themeLabel"], 0)),
                ]
                for r in table
            ],
        ),
        (
            "img",
            "theme-mentions",
            "Mechanism mentions by theme: published counts beside knowledge-base claims",
        ),
    ]

    gaps = _rows(graph, "gaps-exercise-type-by-theme")
    types = list(dict.fromkeys(r["typeLabel"] for r in gaps))
    theme_order = list(dict.fromkeys(r["themeLabel"] for r in gaps))
    cell = {(r["typeLabel"], r["themeLabel"]): r for r in gaps}
    grid = [[cell[(t, th)] for th in theme_order] for t in types]
    files += figures.heatmap(
        types,
        theme_order,
        [[int(c["trialsProposing"]) for c in row] for row in grid],
        [[int(c["trialsTested"]) for c in row] for row in grid],
        out,
    )
    counted = ("trialsProposing", "trialsMeasured", "trialsTested", "trialsSupported")
    blocks += [
        ("h2", "Exercise type × theme"),
        (
            "img",
            "type-by-theme",
            "Heat map of trials proposing and testing mechanisms, by exercise type and theme",
        ),
        (
            "table",
            ["exercise type", "theme", "trials proposing", "measured", "tested", "supported"],
            [
                [r["typeLabel"], r["themeLabel"], *(r[k] for k in counted)]
                for r in gaps
                if any(r[k] != "0" for k in counted)
            ],
        ),
    ]

    paths = find_paths(graph)
    nodes, edges = network(graph, paths)
    labels = {n.id: n.label for n in nodes}
    by_kind = {
        kind: [n for n in nodes if n.kind == kind] for kind in ("exercise type", "mechanism", "outcome")
    }
    mechanisms = sorted(by_kind["mechanism"], key=lambda n: (n.theme, n.label.lower()))
    files += figures.path_diagram(
        [
            [n.id for n in by_kind["exercise type"]],
            [n.id for n in mechanisms],
            [n.id for n in by_kind["outcome"]],
        ],
        labels,
        {n.id: n.theme for n in mechanisms},
        [(e.source, e.target, e.weight, e.status) for e in edges],
        out,
    )
    blocks += [
        ("h2", "Paths: exercise type → mechanism → outcome"),
        (
            "p",
            "Each path with its strongest evidence status (proposed < measured < tested < supported), "
            "derived from the data by the rules in queries/rules/; each study is listed with the evidence it "
            "gives, and mediation analyses with their indirect effect. Run `exmech paths` for the same list.",
        ),
        ("img", "paths", "Diagram of exercise type to mechanism to outcome paths"),
        (
            "table",
            ["exercise type", "mechanism", "outcome", "status", "studies (their evidence)"],
            [
                [
                    labels[p.exercise_type],
                    labels[p.mechanism],
                    labels[p.outcome],
                    p.status,
                    "; ".join(
                        f"{e.study} {e.status}" + (f": {evidence_text(e)}" if e.analysis else "")
                        for e in p.evidence
                    ),
                ]
                for p in paths
            ],
        ),
    ]

    never = _rows(graph, "mechanisms-never-measured-or-tested")
    untested = _rows(graph, "mechanisms-proposed-never-tested")
    cells = [r for r in gaps if r["trialsProposing"] != "0" and r["trialsTested"] == "0"]
    blocks += [
        ("h2", "Gaps"),
        ("h3", "Mechanisms proposed but never measured or tested"),
        (
            "ul",
            [f"{r['mechanismLabel']} (proposed by {r['proposedBy']} trial(s))" for r in never] or ["none"],
        ),
        ("h3", "Mechanisms proposed but never tested in a mediation analysis"),
        (
            "ul",
            [
                f"{r['mechanismLabel']} ({r['themeLabel']}; proposed by {r['proposedBy']} trial(s))"
                for r in untested
            ]
            or ["none"],
        ),
        ("h3", "Exercise types whose proposed mechanisms of a theme were never tested"),
        (
            "ul",
            [
                f"{r['typeLabel']} × {r['themeLabel']}: {r['trialsProposing']} trial(s) proposing, "
                "none tested"
                for r in cells
            ]
            or ["none"],
        ),
    ]
    return blocks, files


def _markdown(blocks: list[tuple]) -> str:
    lines: list[str] = []
    for kind, *rest in blocks:
        if kind in ("h1", "h2", "h3"):
            lines += ["#" * int(kind[1]) + " " + rest[0], ""]
        elif kind == "p":
            lines += [rest[0], ""]
        elif kind == "img":
            lines += [f"![{rest[1]}]({rest[0]}.svg)", ""]
        elif kind == "ul":
            lines += [f"- {item}" for item in rest[0]] + [""]
        elif kind == "table":
            header, rows = rest
            cell = lambda v: str(v).replace("|", "\\|")  # noqa: E731
            lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows] + [""]
    return "\n".join(lines)


def _html(blocks: list[tuple]) -> str:
    parts = [
        "<!DOCTYPE html>",
        "<html lang='en'><head><meta charset='utf-8'>",
        "<title>exmech evidence report</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:72em;margin:2em auto;padding:0 1em;"
        "line-height:1.4}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;"
        "vertical-align:top;text-align:left}th{background:#f2f2f2}img{max-width:100%}</style>",
        "</head><body>",
    ]
    for kind, *rest in blocks:
        if kind in ("h1", "h2", "h3"):
            parts.append(f"<{kind}>{escape(rest[0])}</{kind}>")
        elif kind == "p":
            parts.append(f"<p>{escape(rest[0])}</p>")
        elif kind == "img":
            parts.append(
                f"<figure><img src='{rest[0]}.svg' alt='{escape(rest[1])}'>"
                f"<figcaption>{escape(rest[1])} (<a href='{rest[0]}.png'>PNG</a>)</figcaption></figure>"
            )
        elif kind == "ul":
            parts.append("<ul>" + "".join(f"<li>{escape(item)}</li>" for item in rest[0]) + "</ul>")
        elif kind == "table":
            header, rows = rest
            parts.append(
                "<table><thead><tr>"
                + "".join(f"<th>{escape(h)}</th>" for h in header)
                + "</tr></thead><tbody>"
            )
            parts += ["<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>" for row in rows]
            parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_report(graph: Graph, out: Path) -> Report:
    """Write report.md and report.html with their figures (SVG and PNG) into the folder out."""
    out.mkdir(parents=True, exist_ok=True)
    blocks, files = _blocks(graph, out)
    markdown, html = out / "report.md", out / "report.html"
    markdown.write_text(_markdown(blocks), encoding="utf-8")
    html.write_text(_html(blocks), encoding="utf-8")
    return Report(html, markdown, files)
