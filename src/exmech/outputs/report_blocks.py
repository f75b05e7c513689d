"""The report's blocks, in reading order: the answer, the evidence per mechanism, the forest plot, the review's
theme table, the exercise type x theme heat map, the path view and the gaps. Each block is a tuple (kind, ...)
that exmech.outputs.report_render writes to Markdown and HTML."""

from pathlib import Path

from exmech.evidence import synthesis
from exmech.evidence.paths import STATUSES, evidence_text
from exmech.graph.namespaces import compact
from exmech.outputs import figures, forest_plot, path_figures
from exmech.outputs.report_context import Context


def _number(text: str) -> str:
    return f"{float(text):g}" if text else ""


def theme_table_blocks(ctx: Context, out: Path) -> tuple[list[tuple], list[Path]]:
    blocks: list[tuple] = []
    review = ctx.review()
    table = ctx.rows("review-theme-table", **review)
    claims = {r["themeLabel"]: int(r["graphClaims"]) for r in ctx.rows("theme-mentions-in-graph", **review)}
    themes = [r["themeLabel"] for r in table]
    files = figures.theme_bars(
        themes, [int(r["mentions"]) for r in table], [claims.get(t, 0) for t in themes], out
    )
    source = ctx.label(compact(review["review"][1:-1])) if review else "no review in the graph"
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
    return blocks, files


def type_theme_blocks(ctx: Context, out: Path) -> tuple[list[tuple], list[Path]]:
    gaps = ctx.rows("gaps-exercise-type-by-theme")
    types = list(dict.fromkeys(r["typeLabel"] for r in gaps))
    theme_order = list(dict.fromkeys(r["themeLabel"] for r in gaps))
    cell = {(r["typeLabel"], r["themeLabel"]): r for r in gaps}
    grid = [[cell[(t, th)] for th in theme_order] for t in types]
    files = figures.heatmap(
        types,
        theme_order,
        [[int(c["trialsProposing"]) for c in row] for row in grid],
        [[int(c["trialsTested"]) for c in row] for row in grid],
        out,
    )
    counted = ("trialsProposing", "trialsMeasured", "trialsTested", "trialsSupported")
    blocks = [
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
    return blocks, files


def gap_blocks(ctx: Context) -> list[tuple]:
    gaps = ctx.rows("gaps-exercise-type-by-theme")
    never = ctx.rows("mechanisms-never-measured-or-tested")
    untested = ctx.rows("mechanisms-proposed-never-tested")
    cells = [r for r in gaps if r["trialsProposing"] != "0" and r["trialsTested"] == "0"]
    return [
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


def mechanism_links(ctx: Context, paths: list) -> list[path_figures.Link]:
    return [
        path_figures.Link(
            ctx.label(p.exercise_type),
            ctx.label(p.mechanism),
            ctx.label(p.theme),
            ctx.label(p.outcome),
            p.status,
            tuple(sorted({ctx.trial(s) for s in p.studies})),
        )
        for p in paths
    ]


def answer_blocks(ctx: Context, paths: list, summary: list[dict]) -> list[tuple]:
    by_mechanism: dict[str, dict[str, list[str]]] = {}
    trials: dict[str, set[str]] = {}
    for p in (p for p in paths if p.status == "supported"):
        mechanism = ctx.label(p.mechanism)
        outcomes = by_mechanism.setdefault(mechanism, {}).setdefault(ctx.label(p.exercise_type), [])
        outcomes.append(ctx.label(p.outcome))
        trials.setdefault(mechanism, set()).update(
            ctx.trial(e.study) for e in p.evidence if e.status == "supported"
        )
    lines = [
        f"{m}: supported in {len(trials[m])} trial(s) ({', '.join(sorted(trials[m]))}) — "
        + "; ".join(f"{t} → {', '.join(sorted(set(o)))}" for t, o in sorted(types.items()))
        for m, types in sorted(by_mechanism.items(), key=lambda item: (-len(trials[item[0]]), item[0]))
    ]
    tested = {r["mechanismLabel"]: r for r in summary}
    ranked = ctx.rows("review-mechanism-names", **ctx.review()) if ctx.review() else []
    untested = []
    for r in ranked:
        mechanism = ctx.label(compact(r["mechanism"])) if r["mechanism"] else ""
        if not mechanism:
            untested.append(
                f"rank {r['rank']}: {r['name']} (no vocabulary mechanism, so its tests cannot be counted)"
            )
        elif tested.get(mechanism, {}).get("analysesTesting", 0) == 0:
            untested.append(
                f"rank {r['rank']}: {r['name']} ({mechanism}) — never tested in a mediation analysis"
            )
    never = sum(1 for r in summary if r["trialsProposing"] and not r["analysesTesting"])
    return [
        ("h2", "The answer in brief"),
        (
            "answer",
            "Supported as mediators (a mediation analysis whose indirect effect's CI excludes zero):",
            lines or ["none in this graph"],
        ),
        (
            "answer",
            f"The review's most-proposed mechanisms that remain untested ({never} of the mechanisms "
            "trialists proposed here were never tested):",
            untested or ["none"],
        ),
    ]


def summary_blocks(summary: list[dict], themes: list[dict]) -> list[tuple]:
    columns = ("trialsProposing", "trialsMeasuring", "analysesTesting", "trialsTested", "analysesSupporting")
    heads = [
        "trials proposing",
        "trials measuring",
        "analyses testing",
        "trials tested",
        "analyses supporting",
    ]
    return [
        ("h2", "Evidence per mechanism: proposed, measured, tested, supported"),
        (
            "p",
            "Mechanisms are proposed far more often than they are tested. Counts come from the packaged "
            "queries evidence-summary and evidence-summary-by-theme (`exmech query evidence-summary`, optionally "
            "-p exerciseType=...). 'Null' analyses report an indirect effect whose CI includes zero; 'no CI' ones "
            "report none that can be read; null also counts analyses whose numbers could not be read and whose "
            "authors state no mediation.",
        ),
        ("table", ["theme", *heads], [[t["themeLabel"], *(t[c] for c in columns)] for t in themes]),
        (
            "table",
            ["mechanism", "theme", *heads, "null", "no CI"],
            [
                [
                    r["mechanismLabel"],
                    r["themeLabel"],
                    *(r[c] for c in columns),
                    r["analysesNull"],
                    r["analysesWithoutCi"],
                ]
                for r in summary
                if any(r[c] for c in columns)
            ],
        ),
    ]


def forest_blocks(ctx: Context, out: Path) -> tuple[list[tuple], list[Path]]:
    effects = synthesis.indirect_effects(ctx.store)
    pools = synthesis.pooled(effects)
    files = forest_plot.forest(effects, pools, out)
    notes = [f"{p.mechanism} → {p.outcome}: {p.note}" for p in pools] or [
        "nothing is pooled: no two trials report the same mechanism and outcome on the same instrument and "
        "scale with a known CI level, and effects on different scales are never pooled"
    ]
    return [
        ("h2", "Indirect effects"),
        (
            "img",
            "forest",
            "Forest plot of every reported indirect effect with its CI, by mechanism and outcome",
        ),
        ("ul", notes),
    ], files


def path_blocks(ctx: Context, paths: list, out: Path) -> tuple[list[tuple], list[Path]]:
    links = mechanism_links(ctx, paths)
    files = path_figures.path_matrix(links, out) if links else []
    blocks: list[tuple] = [
        ("h2", "Paths: exercise type → mechanism → outcome"),
        (
            "p",
            "Each path with its strongest evidence status (proposed < measured < tested < supported), derived "
            "from the data by the rules in queries/rules/; trials by first author and year. Run `exmech paths` for "
            "the same list.",
        ),
    ]
    if links:
        blocks.append(("img", "path-matrix", "Mechanism × exercise type, coloured by the strongest evidence"))
    tested = sorted({x.mechanism for x in links if STATUSES.index(x.status) >= STATUSES.index("tested")})
    for i, mechanism in enumerate(tested, start=1):
        stem = f"mechanism-{i}"
        files += path_figures.mechanism_diagram(
            mechanism, [x for x in links if x.mechanism == mechanism], out, stem
        )
        blocks.append(("img", stem, f"{mechanism}: exercise types, outcomes and trials"))
    rows = [
        [
            ctx.label(p.exercise_type),
            ctx.label(p.mechanism),
            ctx.label(p.outcome),
            p.status,
            "; ".join(
                f"{ctx.trial(e.study)} {e.status}" + (f": {evidence_text(e)}" if e.analysis else "")
                for e in p.evidence
            ),
        ]
        for p in paths
    ]
    blocks.append(
        ("table", ["exercise type", "mechanism", "outcome", "status", "trials (their evidence)"], rows)
    )
    return blocks, files
