"""Synthesis the way a mechanisms researcher reads the graph: the evidence for each candidate mediator, and its effects.

- evidence_summary(): per mechanism (or theme), trials proposing, measuring, analyses testing, supporting, null
  (queries/evidence-summary*.rq, optionally for one exercise type);
- indirect_effects(): every reported indirect effect with its CI and labels (queries/indirect-effects.rq);
- pooled(): a random-effects pool (statsmodels, Paule-Mandel tau^2) of a mechanism's indirect effects on one
  outcome, only where two or more trials report on the same instrument and the same scale with a known CI level;
  nothing is ever pooled across instruments, scales or CI levels, and a pool says what it pooled.
Runs on an rdflib Graph or any store of exmech.stores.
"""

from dataclasses import dataclass
from decimal import Decimal
from statistics import NormalDist

from rdflib import Literal

from exmech.graph.catalogue import resolve
from exmech.graph.namespaces import compact
from exmech.stores.base import as_store


def _rows(source, name: str, **params: str) -> list[dict]:
    query = resolve(name)
    return list(as_store(source).select(query.text, query.bindings(params)))


def _float(term) -> float | None:
    value = term.toPython() if isinstance(term, Literal) else None
    return float(value) if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool) else None


def _text(term) -> str:
    return "" if term is None else str(term)


def evidence_summary(source, exercise_type: str | None = None, by_theme: bool = False) -> list[dict]:
    """Rows of evidence-summary(-by-theme): counts as ints, terms as CURIEs, labels as text."""
    params = {"exerciseType": exercise_type} if exercise_type else {}
    name = "evidence-summary-by-theme" if by_theme else "evidence-summary"
    out = []
    for row in _rows(source, name, **params):
        out.append(
            {
                k: (int(v.toPython()) if k.startswith(("trials", "analyses")) else compact(_text(v)))
                if k not in ("mechanismLabel", "themeLabel")
                else _text(v)
                for k, v in row.items()
            }
        )
    return out


@dataclass(frozen=True)
class Effect:
    """One reported indirect effect, labelled for a forest plot."""

    analysis: str
    trial: str  # first author and year, as the trial's label gives them
    mechanism: str
    outcome: str
    exercise_type: str
    instrument: str
    scale: str
    weeks: float | None
    estimate: float
    lower: float | None
    upper: float | None
    level: float | None

    @property
    def variance(self) -> float | None:
        """From the CI, where its level is known (a normal approximation, as meta-analysts do)."""
        if self.lower is None or self.upper is None or self.level is None:
            return None
        z = NormalDist().inv_cdf(0.5 + self.level / 2)
        return ((self.upper - self.lower) / (2 * z)) ** 2

    @property
    def caption(self) -> str:
        when = f"{self.weeks:g} wk" if self.weeks is not None else "time not reported"
        return " · ".join(
            [
                self.trial,
                self.exercise_type or "type not recorded",
                self.instrument or "instrument not recorded",
                when,
            ]
        )


def indirect_effects(source, mechanism: str | None = None) -> list[Effect]:
    params = {"mechanism": mechanism} if mechanism else {}
    effects = []
    for r in _rows(source, "indirect-effects", **params):
        effects.append(
            Effect(
                analysis=compact(str(r["analysis"])),
                trial=_text(r["studyLabel"]).split(":")[0].strip(),
                mechanism=_text(r["mechanismLabel"]),
                outcome=_text(r["outcomeLabel"]),
                exercise_type=_text(r["exerciseTypeLabel"]),
                instrument=_text(r["instrumentLabel"]),
                scale=_text(r["scale"]),
                weeks=_float(r["weeks"]),
                estimate=_float(r["estimate"]) or 0.0,
                lower=_float(r["ciLower"]),
                upper=_float(r["ciUpper"]),
                level=_float(r["ciLevel"]),
            )
        )
    return effects


def forest_groups(effects: list[Effect]) -> dict[tuple[str, str], list[Effect]]:
    """Effects grouped by mechanism and outcome domain, in a stable order."""
    groups: dict[tuple[str, str], list[Effect]] = {}
    for e in sorted(effects, key=lambda e: (e.mechanism, e.outcome, e.trial, e.analysis)):
        groups.setdefault((e.mechanism, e.outcome), []).append(e)
    return groups


@dataclass(frozen=True)
class Pool:
    mechanism: str
    outcome: str
    instrument: str
    scale: str
    trials: tuple[str, ...]
    estimate: float
    lower: float
    upper: float
    i2: float
    tau2: float

    @property
    def note(self) -> str:
        return (
            f"pooled (random effects, Paule-Mandel tau²) over {len(self.trials)} trials reporting on "
            f"{self.instrument}, scale '{self.scale}': I² = {100 * self.i2:.0f}%, tau² = {self.tau2:.3g}"
        )


def pooled(effects: list[Effect]) -> list[Pool]:
    """Pools where two or more trials share mechanism, outcome, instrument, scale and CI level (one effect each)."""
    import numpy as np
    from statsmodels.stats.meta_analysis import combine_effects

    compatible: dict[tuple, dict[str, Effect]] = {}
    for e in effects:
        if e.variance is None or not e.instrument or not e.scale:
            continue
        key = (e.mechanism, e.outcome, e.instrument, e.scale)
        compatible.setdefault(key, {}).setdefault(e.trial, e)  # one effect per trial: trials are the units
    pools = []
    for (mechanism, outcome, instrument, scale), by_trial in sorted(compatible.items()):
        if len(by_trial) < 2:
            continue
        chosen = list(by_trial.values())
        fit = combine_effects(
            np.array([e.estimate for e in chosen]),
            np.array([e.variance for e in chosen]),
            method_re="iterated",
        )
        frame = fit.summary_frame().loc["random effect"]
        pools.append(
            Pool(
                mechanism,
                outcome,
                instrument,
                scale,
                tuple(by_trial),
                float(frame["eff"]),
                float(frame["ci_low"]),
                float(frame["ci_upp"]),
                max(0.0, float(fit.i2)),
                max(0.0, float(fit.tau2)),
            )
        )
    return pools
