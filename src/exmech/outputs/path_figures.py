"""A readable path view: a mechanism x exercise-type matrix coloured by the strongest evidence, and one small
diagram per tested mechanism (exercise types -> the mechanism -> outcomes, trials named by first author and year).

Input is plain data (labels, statuses, trial names), so the figures do not depend on the store.
"""

from dataclasses import dataclass
from pathlib import Path

from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from exmech.evidence.paths import STATUSES
from exmech.outputs.figures import STATUS_STYLE, THEME_COLOURS, save_figure


@dataclass(frozen=True)
class Link:
    """One exercise type -> mechanism -> outcome path, as labels, with its strongest status and its trials."""

    exercise_type: str
    mechanism: str
    theme: str
    outcome: str
    status: str
    trials: tuple[str, ...]


def _strongest(links: list[Link]) -> str:
    return max((link.status for link in links), key=STATUSES.index)


def _trials(links: list[Link]) -> list[str]:
    return sorted({t for link in links for t in link.trials})


def path_matrix(links: list[Link], out: Path) -> list[Path]:
    """Rows: mechanisms grouped by theme; columns: exercise types; colour: strongest status; text: trials."""
    mechanisms = sorted({(link.theme, link.mechanism) for link in links})
    types = sorted({link.exercise_type for link in links}, key=str.lower)
    cell = {
        (m, t): [x for x in links if x.mechanism == m and x.exercise_type == t]
        for _, m in mechanisms
        for t in types
    }
    grid = [
        [STATUSES.index(_strongest(cell[m, t])) + 1 if cell[m, t] else 0 for t in types]
        for _, m in mechanisms
    ]
    colours = ["#FFFFFF", *(STATUS_STYLE[s][0] for s in STATUSES)]
    fig = Figure(figsize=(3.8 + 1.15 * len(types), 1.9 + 0.42 * len(mechanisms)))
    ax = fig.subplots()
    ax.imshow(grid, cmap=ListedColormap(colours), vmin=0, vmax=len(STATUSES), aspect="auto")
    for i, (_, m) in enumerate(mechanisms):
        for j, t in enumerate(types):
            if cell[m, t]:
                n = len(_trials(cell[m, t]))
                dark = grid[i][j] in (2, 4)  # measured, supported: white text reads better
                ax.text(
                    j,
                    i,
                    f"{n} {'trial' if n == 1 else 'trials'}",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if dark else "black",
                )
    ax.set_xticks(range(len(types)), types, rotation=30, ha="right")
    ax.set_yticks(range(len(mechanisms)), [m for _, m in mechanisms])
    for tick, (theme, _) in zip(ax.get_yticklabels(), mechanisms, strict=True):
        tick.set_bbox({"boxstyle": "round,pad=0.2", "fc": THEME_COLOURS.get(theme, "#E0E0E0"), "ec": "none"})
    ax.set_xticks([x - 0.5 for x in range(1, len(types))], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, len(mechanisms))], minor=True)
    ax.grid(which="minor", color="#DDDDDD", linewidth=1)
    ax.tick_params(which="minor", length=0)
    handles = [Patch(facecolor=STATUS_STYLE[s][0], label=s) for s in STATUSES]
    handles += [
        Patch(facecolor=THEME_COLOURS.get(t, "#E0E0E0"), label=f"theme: {t}")
        for t in sorted({t for t, _ in mechanisms})
    ]
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
        frameon=False,
        fontsize=8,
        title="strongest evidence",
        title_fontsize=9,
    )
    ax.set_title(
        "Which exercise types each mechanism links, and the strongest evidence for the link", fontsize=11
    )
    return save_figure(fig, out, "path-matrix")


def _column(ax, x: float, names: list[str], ha: str, fill: str = "white") -> dict[str, tuple[float, float]]:
    step = 1.0 / max(len(names), 1)
    pos = {}
    for i, name in enumerate(names):
        pos[name] = (x, 1 - (i + 0.5) * step)
        ax.text(
            x,
            pos[name][1],
            name,
            ha=ha,
            va="center",
            fontsize=9,
            zorder=3,
            bbox={"boxstyle": "round,pad=0.3", "fc": fill, "ec": "#555555", "lw": 0.7},
        )
    return pos


def _edge(ax, outer, inner, links: list[Link]) -> None:
    """A line from an outer node to the mechanism box's side; its trials written near the outer end."""
    colour, style = STATUS_STYLE[_strongest(links)]
    trials = _trials(links)
    ax.plot(
        [outer[0], inner[0]],
        [outer[1], inner[1]],
        color=colour,
        linestyle=style,
        linewidth=1.0 + 1.4 * len(trials),
        zorder=1,
        solid_capstyle="butt",
    )
    at = (outer[0] + 0.3 * (inner[0] - outer[0]), outer[1] + 0.3 * (inner[1] - outer[1]))
    ax.text(
        *at,
        ", ".join(trials),
        fontsize=7,
        ha="center",
        va="bottom",
        color="#333333",
        zorder=2,
        bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85},
    )


def mechanism_diagram(mechanism: str, links: list[Link], out: Path, name: str) -> list[Path]:
    """Exercise types -> one mechanism -> outcomes; colour and style = strongest status; width = trials."""
    types = sorted({x.exercise_type for x in links}, key=str.lower)
    outcomes = sorted({x.outcome for x in links})
    fig = Figure(figsize=(10, 1.6 + 0.55 * max(len(types), len(outcomes), 1)))
    ax = fig.subplots()
    left = _column(ax, 0.0, types, "right")
    centre = _column(ax, 1.0, [mechanism], "center", THEME_COLOURS.get(links[0].theme, "#E0E0E0"))
    right = _column(ax, 2.0, outcomes, "left")
    y = centre[mechanism][1]
    for t in types:
        _edge(ax, (left[t][0] + 0.03, left[t][1]), (0.62, y), [x for x in links if x.exercise_type == t])
    for o in outcomes:
        _edge(ax, (right[o][0] - 0.03, right[o][1]), (1.38, y), [x for x in links if x.outcome == o])
    widths = [
        Line2D(
            [], [], color="#444444", linewidth=1.0 + 1.4 * n, label=f"{n} {'trial' if n == 1 else 'trials'}"
        )
        for n in (1, 2, 3)
    ]
    statuses = [
        Line2D([], [], color=c, linestyle=s, linewidth=2.5, label=k) for k, (c, s) in STATUS_STYLE.items()
    ]
    ax.legend(
        handles=statuses + widths,
        loc="upper left",
        bbox_to_anchor=(0, -0.02),
        ncol=7,
        frameon=False,
        fontsize=8,
    )
    ax.set_xlim(-1.0, 3.0)
    ax.set_ylim(-0.05, 1.05)
    ax.axis("off")
    ax.set_title(f"{mechanism} ({links[0].theme}): exercise type → mechanism → outcome", fontsize=11)
    return save_figure(fig, out, name)
