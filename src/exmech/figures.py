"""Report figures with matplotlib (Agg backend, no display needed); each figure is written as SVG and PNG."""

from pathlib import Path

from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from .paths import STATUSES

# Figure objects, not pyplot: no global state, no backend chosen at import, nothing left open after saving.
SVG_SETTINGS = {
    "svg.fonttype": "none",  # labels stay text in SVG: searchable, accessible, testable
    "svg.hashsalt": "exmech",  # stable element ids: the same data gives the same SVG
}

# colour-blind-safe (Okabe-Ito) colours; the line style repeats the status for grey-scale prints
STATUS_STYLE = {
    "proposed": ("#999999", (0, (1, 2))),
    "measured": ("#0072B2", (0, (5, 3))),
    "tested": ("#E69F00", (0, (6, 2, 1, 2))),
    "supported": ("#009E73", "-"),
}
# pale fills for mechanism boxes, fixed per theme so every report colours a theme alike
THEME_COLOURS = {
    "neuromuscular": "#CDE3F5",
    "psychosocial": "#F9DCC4",
    "neurophysiological": "#EADCF0",
    "cardiometabolic": "#D9EAD3",
    "tissue healing": "#F5E6B8",
}


def _save(fig, out: Path, name: str) -> list[Path]:
    files = []
    for ext in ("svg", "png"):
        path = out / f"{name}.{ext}"
        metadata = {"Date": None} if ext == "svg" else {}
        with rc_context(SVG_SETTINGS):
            fig.savefig(path, format=ext, dpi=150, bbox_inches="tight", metadata=metadata)
        files.append(path)
    return files


def theme_bars(themes: list[str], published: list[int], graph: list[int], out: Path) -> list[Path]:
    """Mechanism mentions by theme: the review's reported counts beside the claims in the knowledge base."""
    fig = Figure(figsize=(11, 0.55 * len(themes) + 1.8))
    axes = fig.subplots(1, 2, sharey=True)
    panels = (
        (axes[0], published, "Wun et al. 2021: mentions reported", "#0072B2"),
        (axes[1], graph, "exmech knowledge base: mechanism claims", "#D55E00"),
    )
    y = list(range(len(themes)))
    for ax, values, title, colour in panels:
        total = sum(values) or 1
        ax.barh(y, values, color=colour, height=0.6)
        top = max(values) if max(values, default=0) > 0 else 1
        for i, v in enumerate(values):
            ax.text(v + top * 0.02, i, f"{v} ({100 * v / total:.0f}%)", va="center", fontsize=9)
        ax.set_xlim(0, top * 1.3)
        ax.set_title(f"{title} (n = {sum(values)})", fontsize=11)
        ax.set_xlabel("mentions" if ax is axes[0] else "claims")
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].set_yticks(y, themes)
    axes[0].invert_yaxis()
    fig.suptitle("Mechanism mentions by theme", fontsize=13, fontweight="bold")
    fig.tight_layout()
    return _save(fig, out, "theme-mentions")


def heatmap(
    rows: list[str], cols: list[str], proposing: list[list[int]], tested: list[list[int]], out: Path
) -> list[Path]:
    """Exercise type x theme: colour = trials proposing one of the theme; text = proposing / tested."""
    fig = Figure(figsize=(2.6 + 1.45 * len(cols), 1.6 + 0.42 * len(rows)))
    ax = fig.subplots()
    top = max((v for row in proposing for v in row), default=0)
    image = ax.imshow(proposing, cmap="Blues", aspect="auto", vmin=0, vmax=max(top, 1))
    ax.set_xticks(range(len(cols)), cols, rotation=25, ha="right")
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xticks([x - 0.5 for x in range(1, len(cols))], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, len(rows))], minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)
    for i, row in enumerate(proposing):
        for j, v in enumerate(row):
            t = tested[i][j]
            if v or t:
                ax.text(
                    j,
                    i,
                    f"{v} / {t}",
                    ha="center",
                    va="center",
                    fontsize=9,
                    color="white" if v > top * 0.6 else "black",
                )
    ax.set_title(
        "Trials proposing / testing a mechanism, by exercise type and theme\n"
        "(colour and first number: proposing; second number: tested in a mediation analysis)",
        fontsize=11,
    )
    bar = fig.colorbar(image, ax=ax, label="trials proposing", fraction=0.04, pad=0.02)
    bar.locator = MaxNLocator(integer=True)
    bar.update_ticks()
    return _save(fig, out, "type-by-theme")


def _spread(names: list[str], height: float) -> dict[str, float]:
    step = height / max(len(names), 1)
    return {n: height - (i + 0.5) * step for i, n in enumerate(names)}


def _order(columns: list[list[str]], themes: dict[str, str], edges: list[tuple]) -> list[list[str]]:
    """Fewer crossings: a mechanism (within its theme) or outcome sits at the mean height of its sources."""
    ordered = [list(columns[0])]
    for i, names in enumerate(columns[1:]):
        rank = {n: k for k, n in enumerate(ordered[i])}

        def centre(node: str, rank=rank) -> float:
            sources = [rank[s] for s, t, *_ in edges if t == node and s in rank]
            return sum(sources) / len(sources) if sources else len(rank)

        ordered.append(sorted(names, key=lambda n: (themes.get(n, "") if i == 0 else "", centre(n), n)))
    return ordered


def path_diagram(
    columns: list[list[str]],
    labels: dict[str, str],
    themes: dict[str, str],
    edges: list[tuple[str, str, int, str]],
    out: Path,
) -> list[Path]:
    """Exercise type -> mechanism -> outcome; width = number of studies, colour and style = evidence status.

    columns: node ids of the three columns, top to bottom; themes: mechanism id -> theme label;
    edges: (source, target, studies, status).
    """
    columns = _order(columns, themes, edges)
    height = max(max(len(c) for c in columns), 1)
    fig = Figure(figsize=(13, 0.5 * height + 2.6))
    ax = fig.subplots()
    xs = (0.0, 1.0, 2.0)
    pos = {}
    for x, names in zip(xs, columns, strict=True):
        pos |= {n: (x, y) for n, y in _spread(names, height).items()}
    for source, target, studies, status in sorted(edges, key=lambda e: STATUSES.index(e[3])):
        colour, style = STATUS_STYLE[status]
        (x1, y1), (x2, y2) = pos[source], pos[target]
        ax.plot(
            [x1, x2],
            [y1, y2],
            color=colour,
            linestyle=style,
            linewidth=1.2 + 1.6 * (studies - 1) + 0.8,
            solid_capstyle="butt",
            zorder=1,
        )
    theme_names = sorted(set(themes.values()))
    theme_colour = {t: THEME_COLOURS.get(t, "#E0E0E0") for t in theme_names}
    box = {"boxstyle": "round,pad=0.35", "ec": "#555555", "lw": 0.8}
    fills = ({}, themes, {})  # only mechanisms are filled, in their theme's colour
    for column, ha, fill in zip(columns, ("right", "center", "left"), fills, strict=True):
        for n in column:
            ax.text(
                pos[n][0],
                pos[n][1],
                labels[n],
                ha=ha,
                va="center",
                fontsize=10,
                zorder=3,
                bbox=box | {"fc": theme_colour.get(fill.get(n, ""), "white")},
            )
    for x, title, ha in zip(
        xs,
        ("exercise type", "mechanism (candidate mediator)", "outcome"),
        ("right", "center", "left"),
        strict=True,
    ):
        ax.text(x, height + 0.35, title, ha=ha, va="bottom", fontsize=11, fontweight="bold")
    status_handles = [
        Line2D([], [], color=c, linestyle=s, linewidth=2.5, label=k) for k, (c, s) in STATUS_STYLE.items()
    ]
    width_handles = [
        Line2D(
            [],
            [],
            color="#444444",
            linewidth=1.2 + 1.6 * (n - 1) + 0.8,
            label=f"{n} {'study' if n == 1 else 'studies'}",
        )
        for n in (1, 2, 3)
    ]
    theme_handles = [Patch(facecolor=theme_colour[t], edgecolor="#555555", label=t) for t in theme_names]
    legends = (
        (status_handles, "evidence status (strongest)", 0.0),
        (width_handles, "line width", 0.36),
        (theme_handles, "mechanism theme", 0.62),
    )
    for handles, title, x in legends:
        legend = ax.legend(
            handles=handles,
            title=title,
            loc="upper left",
            bbox_to_anchor=(x, -0.01),
            frameon=False,
            fontsize=9,
            title_fontsize=10,
            ncol=1 if len(handles) <= 4 else 2,
            alignment="left",
        )
        ax.add_artist(legend)
        legend.set_clip_on(False)  # add_artist clips to the axes, and the legends sit below them
    ax.set_xlim(-0.9, 2.9)
    ax.set_ylim(-0.1, height + 0.9)
    ax.axis("off")
    ax.set_title("Intervention → mechanism → outcome paths", fontsize=13, fontweight="bold")
    return _save(fig, out, "paths")
