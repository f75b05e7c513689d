"""Report figures with matplotlib (Agg backend): each is written as SVG and PNG."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams["svg.fonttype"] = "none"  # keep labels as text in SVG: searchable, accessible, testable
import matplotlib.pyplot as plt  # noqa: E402

STATUS_STYLE = {"proposed": ("#9e9e9e", ":"), "measured": ("#1f77b4", "--"), "tested": ("#ff7f0e", "-."),
                "supported": ("#2ca02c", "-")}


def _save(fig, out: Path, name: str) -> list[Path]:
    files = []
    for ext in ("svg", "png"):
        path = out / f"{name}.{ext}"
        metadata = {"Date": None} if ext == "svg" else {}  # no timestamp: the same data gives the same file
        fig.savefig(path, format=ext, dpi=150, bbox_inches="tight", metadata=metadata)
        files.append(path)
    plt.close(fig)
    return files


def theme_bars(themes: list[str], review: list[int], graph: list[int], out: Path) -> list[Path]:
    fig, ax = plt.subplots(figsize=(10, 5))
    x = range(len(themes))
    ax.bar([i - 0.2 for i in x], review, width=0.4, label="Wun et al. 2021 (reported mentions)", color="#4c72b0")
    ax.bar([i + 0.2 for i in x], graph, width=0.4, label="exmech knowledge base (claims)", color="#dd8452")
    for i, (r, g) in enumerate(zip(review, graph, strict=True)):
        ax.text(i - 0.2, r + 1, str(r), ha="center", fontsize=9)
        ax.text(i + 0.2, g + 1, str(g), ha="center", fontsize=9)
    ax.set_xticks(list(x), themes, rotation=15, ha="right")
    ax.set_ylabel("mechanism mentions")
    ax.set_title("Mechanism mentions by theme")
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _save(fig, out, "theme-mentions")


def heatmap(rows: list[str], cols: list[str], values: list[list[int]], out: Path, title: str) -> list[Path]:
    fig, ax = plt.subplots(figsize=(1.6 + 1.5 * len(cols), 0.9 + 0.45 * len(rows)))
    image = ax.imshow(values, cmap="Blues", aspect="auto")
    ax.set_xticks(range(len(cols)), cols, rotation=20, ha="right")
    ax.set_yticks(range(len(rows)), rows)
    for i, row in enumerate(values):
        for j, v in enumerate(row):
            ax.text(j, i, str(v), ha="center", va="center", color="white" if v > max(map(max, values)) / 2 else "black",
                    fontsize=9)
    ax.set_title(title)
    fig.colorbar(image, ax=ax, label="trials")
    return _save(fig, out, "type-by-theme")


def path_diagram(edges: list[dict], columns: list[list[str]], out: Path) -> list[Path]:
    height = max(len(c) for c in columns)
    fig, ax = plt.subplots(figsize=(13, 0.45 * height + 2))
    pos = {}
    for x, names in enumerate(columns):
        for i, name in enumerate(names):
            pos[name] = (x * 4.0, height - (i + 0.5) * height / len(names))
    for e in edges:
        colour, style = STATUS_STYLE[e["status"]]
        (x1, y1), (x2, y2) = pos[e["source"]], pos[e["target"]]
        ax.plot([x1 + 0.9, x2 - 0.9], [y1, y2], color=colour, linestyle=style, linewidth=1 + 1.5 * e["studies"], alpha=0.8)
    for x, names in enumerate(columns):
        for name in names:
            px, py = pos[name]
            ax.text(px, py, name.split(":", 1)[1].replace("Exercise", "").replace("-", " "), ha="center", va="center",
                    fontsize=9, bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "#555555"})
    for x, title in enumerate(("exercise type", "mechanism (candidate mediator)", "outcome")):
        ax.text(x * 4.0, height + 0.6, title, ha="center", fontsize=11, fontweight="bold")
    handles = [plt.Line2D([], [], color=c, linestyle=s, linewidth=2, label=k) for k, (c, s) in STATUS_STYLE.items()]
    handles.append(plt.Line2D([], [], color="black", linewidth=4, label="line width = number of trials"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=5, frameon=False)
    ax.set_xlim(-1.5, 9.5)
    ax.set_ylim(-0.5, height + 1.2)
    ax.axis("off")
    ax.set_title("Intervention → mechanism → outcome paths (style = strongest evidence status)")
    return _save(fig, out, "paths")
