"""Results in one shape for every store (Rows), and parameters written safely into a query's text."""

import re

from rdflib import Literal, URIRef
from rdflib.term import Node

from exmech.errors import InputError

IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`\x00-\x20]*")
LANG = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")


class StoreError(InputError):
    """A store that cannot be opened or reached, or a binding that cannot be written safely."""


class Rows:
    """SELECT results in one shape for every store: variable names, rows of rdflib terms (None when unbound).

    Iterating gives one dict per row (variable name -> term or None), like rdflib's result rows."""

    def __init__(self, variables: list[str], rows: list[list[Node | None]]):
        self.vars, self.rows = variables, rows

    def __iter__(self):
        return (dict(zip(self.vars, r, strict=True)) for r in self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def records(self) -> list[dict[str, str]]:
        return [
            {v: ("" if t is None else str(t)) for v, t in zip(self.vars, r, strict=True)} for r in self.rows
        ]


def term_n3(term: Node) -> str:
    """The SPARQL syntax of a bound value, after checking it cannot break out of its place in the query."""
    if isinstance(term, URIRef):
        if not IRI.fullmatch(str(term)):
            raise StoreError(f"cannot bind {str(term)!r}: not a valid IRI")
        return f"<{term}>"
    if isinstance(term, Literal):
        if term.language and not LANG.fullmatch(term.language):
            raise StoreError(f"cannot bind {term!r}: bad language tag")
        if term.datatype and not IRI.fullmatch(str(term.datatype)):
            raise StoreError(f"cannot bind {term!r}: bad datatype IRI")
        return term.n3()  # rdflib escapes quotes, backslashes and line breaks
    raise StoreError(f"cannot bind {term!r}: only IRIs and literals can be parameters")


def inline_bindings(query: str, bindings: dict[str, Node]) -> str:
    """Put the bindings in a VALUES block at the start of the outer WHERE group, so they constrain the pattern
    before grouping, as rdflib's initBindings do. Comment lines are dropped (a WHERE in them is no match)."""
    if not bindings:
        return query
    for name in bindings:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise StoreError(f"cannot bind parameter {name!r}: not a SPARQL variable name")
    body = "\n".join(line for line in query.splitlines() if not line.lstrip().startswith("#"))
    match = re.search(r"\bWHERE\s*\{", body, re.IGNORECASE) or re.search(r"\{", body)
    if match is None:
        raise StoreError("cannot bind parameters: the query has no WHERE group")
    names = " ".join(f"?{k}" for k in bindings)
    values = " ".join(term_n3(v) for v in bindings.values())
    return f"{body[: match.end()]} VALUES ({names}) {{ ({values}) }} {body[match.end() :]}"
