"""Forest plots of indirect (mediated) effects: one block per mechanism and outcome, one row per reported effect,
labelled with trial (first author, year), exercise type, instrument and time point, and the scale beside it; a
pooled diamond only where synthesis.pooled() found compatible effects, with its note under the block."""

from pathlib import Path

from matplotlib.figure import Figure

from exmech.evidence.synthesis import Effect, Pool, forest_groups
from exmech.outputs.figures import save_figure

POINT, POOL, ZERO = "#0072B2", "#D55E00", "#777777"


def _rows(effects: list[Effect], pools: list[Pool]) -> list[tuple[str, object]]:
    """Top to bottom: ('head', title), ('effect', Effect), ('pool', Pool), ('gap', None)."""
    rows: list[tuple[str, object]] = []
    by_group: dict[tuple[str, str], list[Pool]] = {}
    for p in pools:
        by_group.setdefault((p.mechanism, p.outcome), []).append(p)
    for (mechanism, outcome), group in forest_groups(effects).items():
        rows.append(("head", f"{mechanism} → {outcome}"))
        rows += [("effect", e) for e in group]
        rows += [("pool", p) for p in by_group.get((mechanism, outcome), [])]
        rows.append(("gap", None))
    return rows


def forest(effects: list[Effect], pools: list[Pool], out: Path, name: str = "forest") -> list[Path]:
    rows = _rows(effects, pools) or [("head", "no indirect effect is reported in this graph")]
    fig = Figure(figsize=(12, 1.2 + 0.32 * len(rows)))
    ax = fig.subplots()
    values = [v for e in effects for v in (e.estimate, e.lower, e.upper) if v is not None]
    values += [v for p in pools for v in (p.lower, p.upper)]
    low, high = min(values + [0.0]), max(values + [0.0])
    span = (high - low) or 1.0
    text_x = high + 0.05 * span
    for i, (kind, item) in enumerate(rows):
        y = len(rows) - i
        if kind == "head":
            ax.text(low - 0.02 * span, y, str(item), ha="right", va="center", fontsize=9, fontweight="bold")
        elif kind == "effect" and isinstance(item, Effect):
            ax.text(low - 0.02 * span, y, item.caption, ha="right", va="center", fontsize=8)
            if item.lower is not None and item.upper is not None:
                ax.plot([item.lower, item.upper], [y, y], color=POINT, linewidth=1.5)
                ci = f"{item.estimate:g} ({item.lower:g} to {item.upper:g})"
            else:
                ci = f"{item.estimate:g} (CI not reported)"
            ax.plot([item.estimate], [y], marker="s", color=POINT, markersize=5)
            ax.text(text_x, y, f"{ci}  {item.scale}", ha="left", va="center", fontsize=7)
        elif kind == "pool" and isinstance(item, Pool):
            ax.fill(
                [item.lower, item.estimate, item.upper, item.estimate], [y, y + 0.3, y, y - 0.3], color=POOL
            )
            ax.text(
                low - 0.02 * span,
                y,
                f"pooled ({len(item.trials)} trials)",
                ha="right",
                va="center",
                fontsize=8,
                color=POOL,
            )
            ax.text(
                text_x,
                y,
                f"{item.estimate:.2g} ({item.lower:.2g} to {item.upper:.2g})  {item.note}",
                ha="left",
                va="center",
                fontsize=7,
                color=POOL,
            )
    ax.axvline(0, color=ZERO, linewidth=0.8, linestyle="--")
    ax.set_xlim(low - 0.05 * span, high + 0.05 * span)
    ax.set_ylim(0.3, len(rows) + 0.7)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel("indirect (mediated) effect, on each analysis's own scale (0 = no mediation)", fontsize=9)
    ax.set_title(
        "Indirect effects by mechanism and outcome (point estimate and confidence interval)", fontsize=11
    )
    return save_figure(fig, out, name)
