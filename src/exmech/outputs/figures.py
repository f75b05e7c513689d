"""Report figures with matplotlib (Agg backend, no display needed); each figure is written as SVG and PNG."""

from pathlib import Path
from typing import Any

from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

# Figure objects, not pyplot: no global state, no backend chosen at import, nothing left open after saving.
SVG_SETTINGS: dict[str, Any] = {
    "svg.fonttype": "none",  # labels stay text in SVG: searchable, accessible, testable
    "svg.hashsalt": "exmech",  # stable element ids: the same data gives the same SVG
}

# colour-blind-safe (Okabe-Ito) colours; the line style repeats the status for grey-scale prints
STATUS_STYLE: dict[str, tuple[str, Any]] = {
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


def save_figure(fig, out: Path, name: str) -> list[Path]:
    files = []
    for ext in ("svg", "png"):
        path = out / f"{name}.{ext}"
        metadata = {"Date": None} if ext == "svg" else {}
        with rc_context(SVG_SETTINGS):  # type: ignore[arg-type]  # matplotlib types keys as literals
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
    return save_figure(fig, out, "theme-mentions")


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
    return save_figure(fig, out, "type-by-theme")
