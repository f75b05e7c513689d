"""The evidence report: the review's theme table reproduced from the graph, figures, paths and gaps (HTML + Markdown)."""

from dataclasses import dataclass
from html import escape
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF

from . import figures
from .catalogue import resolve
from .export import network
from .namespaces import EXM, compact
from .paths import find_paths
from .results import as_records


@dataclass
class Report:
    html: Path
    markdown: Path
    figures: list[Path]


def _rows(graph: Graph, name: str, **params) -> list[dict]:
    query = resolve(name)
    return as_records(graph.query(query.text, initBindings=query.bindings(params)))


def _short(iri: str) -> str:
    return compact(iri).split(":", 1)[1]


def write_report(graph: Graph, out: Path) -> Report:
    out.mkdir(parents=True, exist_ok=True)
    reviews = sorted(str(r) for r in graph.subjects(RDF.type, EXM.Review))
    review = {"review": f"<{reviews[0]}>"} if reviews else {}
    table = _rows(graph, "review-theme-table", **review)
    claims = {r["themeLabel"]: int(r["graphClaims"]) for r in _rows(graph, "theme-mentions-in-graph", **review)}
    themes = [r["themeLabel"] for r in table]
    files = figures.theme_bars(themes, [int(r["mentions"]) for r in table], [claims.get(t, 0) for t in themes], out)

    gaps = _rows(graph, "gaps-exercise-type-by-theme")
    types = sorted({_short(r["type"]) for r in gaps})
    theme_keys = sorted({r["theme"] for r in gaps}, key=lambda t: themes.index(_short(t).replace("-", " "))
                        if _short(t).replace("-", " ") in themes else 9)
    proposing = [[next(int(r["trialsProposing"]) for r in gaps if _short(r["type"]) == t and r["theme"] == th)
                  for th in theme_keys] for t in types]
    files += figures.heatmap([t.replace("Exercise", "") for t in types], [_short(t).replace("-", " ") for t in theme_keys],
                             proposing, out, "Trials proposing a mechanism, by exercise type and theme")

    paths = find_paths(graph)
    _, edges = network(paths)
    columns = [sorted({p.exercise_type for p in paths}), sorted({p.mechanism for p in paths}),
               sorted({p.outcome for p in paths})]
    files += figures.path_diagram(edges, columns, out)

    never = _rows(graph, "mechanisms-never-measured-or-tested")
    untested = _rows(graph, "mechanisms-proposed-never-tested")
    tested_gaps = [(t, _short(th).replace("-", " "), p, next(int(r["trialsTested"]) for r in gaps
                   if _short(r["type"]) == t and r["theme"] == th))
                   for t, row in zip(types, proposing, strict=True) for th, p in zip(theme_keys, row, strict=True) if p]

    md = ["# exmech evidence report", "", "## The review's theme table, reproduced from the graph", "",
          "| theme | mentions (published) | % (published) | % (recomputed) | claims in the knowledge base |",
          "|---|---|---|---|---|"]
    md += [f"| {r['themeLabel']} | {r['mentions']} | {r['reportedPercent']} | {r['computedPercent']} | {claims.get(r['themeLabel'], 0)} |"
           for r in table]
    md += ["", "![Mechanism mentions by theme](theme-mentions.svg)", "", "![Exercise type by theme](type-by-theme.svg)", "",
           "![Paths](paths.svg)", "", "## Paths (strongest evidence first)", "",
           "| exercise type | mechanism | outcome | status | trials | indirect effect (CI) |", "|---|---|---|---|---|---|"]
    for p in paths:
        effect = f"{p.indirect if p.indirect is not None else 'n/a'} ({p.ci_lower} to {p.ci_upper})" if p.ci_lower is not None else ""
        md.append(f"| {p.exercise_type} | {p.mechanism} | {p.outcome} | {p.status} | {', '.join(p.studies)} | {effect} |")
    md += ["", "## Gaps", "", "Mechanisms proposed but never measured or tested:", ""]
    md += [f"- {r['mechanismLabel']} (proposed by {r['proposedBy']} trial(s))" for r in never] or ["- none"]
    md += ["", "Mechanisms proposed but never tested in a mediation analysis:", ""]
    md += [f"- {r['mechanismLabel']} (proposed by {r['proposedBy']} trial(s))" for r in untested] or ["- none"]
    md += ["", "Exercise type × theme: trials proposing vs trials testing:", "", "| exercise type | theme | proposing | tested |",
           "|---|---|---|---|"]
    md += [f"| {t} | {th} | {p} | {x} |" for t, th, p, x in tested_gaps]
    markdown = out / "report.md"
    markdown.write_text("\n".join(md) + "\n", encoding="utf-8")

    html = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>exmech evidence report</title>",
            "<style>body{font-family:sans-serif;max-width:70em;margin:auto}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:.2em .5em}img{max-width:100%}</style></head><body>"]
    for line in md:
        if line.startswith("# "):
            html.append(f"<h1>{escape(line[2:])}</h1>")
        elif line.startswith("## "):
            html.append(f"<h2>{escape(line[3:])}</h2>")
        elif line.startswith("!["):
            alt, src = line[2:].split("](")
            html.append(f"<p><img src='{escape(src[:-1])}' alt='{escape(alt)}'></p>")
        elif line.startswith("|---"):
            continue
        elif line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            html.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
        elif line.startswith("- "):
            html.append(f"<li>{escape(line[2:])}</li>")
        elif line:
            html.append(f"<p>{escape(line)}</p>")
    body = "\n".join(html)
    body = body.replace("</p>\n<tr>", "</p>\n<table><tr>").replace("</h2>\n<tr>", "</h2>\n<table><tr>")
    body = _close_tables(body)
    page = out / "report.html"
    page.write_text(body + "\n</body></html>\n", encoding="utf-8")
    return Report(page, markdown, files)


def _close_tables(body: str) -> str:
    lines, out, open_table = body.split("\n"), [], False
    for line in lines:
        if line.startswith("<tr>") and not open_table:
            out.append("<table>")
            open_table = True
        if not line.startswith("<tr>") and not line.startswith("<table><tr>") and open_table:
            out.append("</table>")
            open_table = False
        out.append(line.replace("<table><tr>", "<tr>") if line.startswith("<table><tr>") else line)
    if open_table:
        out.append("</table>")
    return "\n".join(out)
