"""Time points written as a reviewer reads them ("12 weeks", "6 months", "3 mo", "1 year"), stored in weeks.

The model stores every time point in weeks after randomisation (exm:timePointWeeks, exm:mediatorTimePointWeeks,
exm:outcomeTimePointWeeks). In any entry format (a workbook cell, the one-row form, Turtle or JSON-LD) a time point
may be written with its unit; `convert_time_points` turns it into weeks as the knowledge base's files do: 52/12
weeks a month and 52 a year, rounded to the nearest whole week (3 months = 13 weeks, 6 = 26, 12 = 52, 2 = 9), and
keeps what was written, with the conversion, as an rdfs:comment on the node. Durations in weeks only (the minimum
pain duration, a programme's length) take no unit: `weeks_hint` says how many weeks to write instead.
"""

import re
from decimal import ROUND_HALF_UP, Decimal

from rdflib import Graph, Literal
from rdflib.namespace import RDFS, XSD

from exmech.graph.namespaces import EXM

TIME_POINTS = {
    EXM.timePointWeeks: "time point",
    EXM.mediatorTimePointWeeks: "mediator time point",
    EXM.outcomeTimePointWeeks: "outcome time point",
}
WEEKS_PER = {"week": Decimal(1), "month": Decimal(52) / Decimal(12), "year": Decimal(52)}
_UNITS = {
    "week": ("w", "wk", "wks", "week", "weeks"),
    "month": ("mo", "mos", "mth", "mths", "month", "months"),
    "year": ("y", "yr", "yrs", "year", "years"),
}
_UNIT = {spelling: unit for unit, spellings in _UNITS.items() for spelling in spellings}
_WRITTEN = re.compile(r"([0-9]{1,6}(?:\.[0-9]{1,6})?)\s*([A-Za-z]{1,6})\.?")


def written_time(text: str) -> tuple[Decimal, str] | None:
    """(number, unit) of a time written with a unit: '6 months' -> (6, 'month'); None for anything else."""
    found = _WRITTEN.fullmatch(text.strip())
    unit = _UNIT.get(found.group(2).casefold()) if found else None
    return (Decimal(found.group(1)), unit) if found and unit else None


def in_weeks(number: Decimal, unit: str) -> Decimal:
    """Weeks for a number of weeks, months or years; months and years rounded to the nearest whole week."""
    if unit == "week":
        return number
    return (number * WEEKS_PER[unit]).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def _literal(weeks: Decimal) -> Literal:
    whole = weeks == weeks.to_integral_value()
    return Literal(str(int(weeks)) if whole else str(weeks), datatype=XSD.integer if whole else XSD.decimal)


def _how(number: Decimal, unit: str, weeks: Decimal) -> str:
    plural = "" if number == 1 else "s"
    per = {"month": "52/12 weeks a month", "year": "52 weeks a year"}[unit]
    return f"{number} {unit}{plural}, {weeks} weeks at {per}, to the nearest week"


def convert_time_points(graph: Graph) -> Graph:
    """Time points written with a unit, as weeks; for months and years, an rdfs:comment says what was written."""
    for prop, name in TIME_POINTS.items():
        for node, value in sorted(graph.subject_objects(prop), key=str):
            written = written_time(str(value)) if isinstance(value, Literal) else None
            if written is None:
                continue
            weeks = in_weeks(*written)
            graph.remove((node, prop, value))
            graph.add((node, prop, _literal(weeks)))
            if written[1] != "week":
                graph.add((node, RDFS.comment, Literal(f"{name} written as {_how(*written, weeks)}")))
    return graph


def weeks_hint(text: str) -> str:
    """For a weeks-only field given a unit: how to write it ('; write 13: 3 months, 13 weeks at ...'), else ''."""
    written = written_time(text)
    if written is None or written[1] == "week":
        return "; write the number of weeks alone" if written else ""
    weeks = in_weeks(*written)
    return f"; this field takes weeks only: write {weeks} ({_how(*written, weeks)})"
