"""Cells that are safe to open in a spreadsheet (CSV, TSV, XLSX): no text is ever read as a formula.

Text whose first character a spreadsheet takes as the start of a formula (OWASP's list: = + - @ tab, carriage
return, and their full-width forms; here also line feed and NUL) gets a single quote in front and, in CSV, is
always quoted. Numbers are not text: an int/float/Decimal, or a literal with an XSD numeric datatype whose
lexical form is a number (e.g. "-0.88"^^xsd:decimal), is written as it is. The raw value stays in the RDF outputs
(SPARQL JSON, Turtle, N-Triples), which are never escaped.
"""

import re
from decimal import Decimal

from rdflib import Literal
from rdflib.namespace import XSD

FORMULA_START = tuple("=+-@\t\r\n\0") + ("\uff1d", "\uff0b", "\uff0d", "\uff20")
NUMERIC_TYPES = {
    str(XSD[name])
    for name in (
        "decimal integer double float long int short byte nonNegativeInteger nonPositiveInteger "
        "positiveInteger negativeInteger unsignedLong unsignedInt unsignedShort unsignedByte"
    ).split()
}
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?INF|NaN")


def is_formula(text: str) -> bool:
    return text.startswith(FORMULA_START)


def escape_text(text: str) -> str:
    """Text as a spreadsheet shows it, never runs it: a formula-leading value gets a single quote in front."""
    return f"'{text}" if is_formula(text) else text


def is_number(value) -> bool:
    """An int, float or Decimal, or a literal with a numeric datatype and a numeric lexical form."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return True
    return (
        isinstance(value, Literal)
        and str(value.datatype) in NUMERIC_TYPES
        and NUMBER.fullmatch(str(value)) is not None
    )


def csv_field(text: str, quote: bool = False) -> str:
    """One CSV field (RFC 4180): quoted when asked, or when it holds a comma, quote or line break."""
    if quote or any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_cell(value, text: str | None = None) -> str:
    """A value as a CSV field: numbers as they are, other text escaped and quoted if it would be a formula.
    text, when given, is how the value is written (e.g. a compacted IRI); by default str(value)."""
    text = ("" if value is None else str(value)) if text is None else text
    if isinstance(value, float):
        text = f"{value:g}"
    if is_number(value) or not is_formula(text):
        return csv_field(text)
    return csv_field(escape_text(text), quote=True)


def _lone(value) -> str:
    """A one-column row: an empty value is written "" so the row is not an empty line (as the csv module does)."""
    return csv_cell(value) or '""'


def csv_text(header: list[str], rows: list[list]) -> str:
    """A whole CSV document (LF line ends) whose cells are made safe by csv_cell."""
    lines = [",".join(csv_field(h) for h in header)]
    lines += [",".join(csv_cell(v) for v in row) if len(row) != 1 else _lone(row[0]) for row in rows]
    return "\n".join(lines) + "\n"
