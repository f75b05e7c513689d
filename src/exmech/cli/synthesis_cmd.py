"""exmech evidence | forest: the evidence for each candidate mediator, and the forest plot of its effects."""

import json
from pathlib import Path

import typer

from exmech.cli.options import EvidenceFormat, KbDir, OutFile, emit, format_option
from exmech.errors import require
from exmech.graph.load import load_graph
from exmech.outputs.results import render_rows


def evidence(
    exercise_type: str | None = typer.Option(
        None, "--exercise-type", "-t", help="Only evidence about this exercise type, e.g. exm:YogaExercise."
    ),
    by_theme: bool = typer.Option(False, "--by-theme", help="One row per theme instead of per mechanism."),
    fmt: EvidenceFormat = format_option(EvidenceFormat.table, "table, csv or json (one object per row)."),
    out: Path | None = OutFile,
    kb: Path | None = KbDir,
) -> None:
    """For each mechanism (or theme): trials proposing, measuring; analyses testing, supporting, null; no CI.

    Runs the packaged queries evidence-summary and evidence-summary-by-theme.
    Example: exmech evidence --exercise-type exm:PilatesExercise
    """
    from exmech.evidence.synthesis import evidence_summary

    rows = evidence_summary(load_graph(kb), exercise_type, by_theme)
    if fmt == EvidenceFormat.json:
        emit(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", out)
        return
    columns = [c for c in (rows[0] if rows else {}) if c not in ("mechanism", "theme")]
    emit(render_rows(columns, [[r[c] for c in columns] for r in rows], fmt.value), out)


def forest(
    out: Path = typer.Option(Path("report"), "-o", "--out", "--output", help="Folder for forest.svg/png."),
    mechanism: str | None = typer.Option(
        None, "--mechanism", "-m", help="Only this mechanism, e.g. mech:sleep."
    ),
    kb: Path | None = KbDir,
) -> None:
    """Draw every reported indirect effect with its CI, by mechanism and outcome (SVG and PNG); pool only where two
    or more trials report on the same instrument and scale, and say so.

    Example: exmech forest --out report --mechanism mech:self-efficacy
    """
    require("matplotlib", "report")
    require("statsmodels", "report")
    from exmech.evidence.synthesis import indirect_effects, pooled
    from exmech.outputs.forest_plot import forest as draw

    effects = indirect_effects(load_graph(kb), mechanism)
    pools = pooled(effects)
    out.mkdir(parents=True, exist_ok=True)
    files = draw(effects, pools, out)
    typer.echo(f"wrote {', '.join(str(f) for f in files)}: {len(effects)} indirect effect(s)")
    for p in pools:
        typer.echo(
            f"  {p.mechanism} → {p.outcome}: {p.estimate:.2g} ({p.lower:.2g} to {p.upper:.2g}), {p.note}"
        )
    if not pools:
        typer.echo(
            "  nothing pooled: no two trials share mechanism, outcome, instrument and scale with a known CI level"
        )


def register(app: typer.Typer) -> None:
    app.command()(evidence)
    app.command()(forest)
