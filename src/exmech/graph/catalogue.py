"""The packaged SPARQL queries: each .rq file opens with its question and its parameters.

Header lines read by this module:
    # Question: <the question in plain English>     (may go on over the next comment lines until it ends in ?, .)
    # Parameter: ?name = <default term> - <what it means>      (default optional: "# Parameter: ?name - ...")
A default is also written into the query, which reads the parameter only as COALESCE(?name, default) (or
COALESCE(STR(?name), "default")), so that the text pasted into any SPARQL tool, with nothing bound, answers as
exmech does (tests/test_portable_queries.py); the value exmech binds overrides it.
"""

import difflib
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.term import Node

from exmech.errors import InputError
from exmech.graph.namespaces import expand
from exmech.graph.resources import cache_dir, resource_dir

_PARAM = re.compile(r"^#\s*Parameter:\s*\?(\w+)(?:\s*=\s*(\S+))?\s*-\s*(.+)$")
_QUESTION = re.compile(r"^#\s*(?:Question|Rule):\s*(.+)$")
_SENTENCE_END = ("?", ".", "!")  # a question line ending otherwise goes on over the next comment line


class QueryError(InputError):
    """A query or parameter the user gave that cannot be used; the message says why."""


@dataclass(frozen=True)
class Parameter:
    name: str
    default: str | None
    description: str


@dataclass(frozen=True)
class NamedQuery:
    name: str
    path: Path
    question: str
    text: str
    parameters: dict[str, Parameter] = field(default_factory=dict)

    @property
    def form(self) -> str:
        """SELECT, CONSTRUCT, ASK or DESCRIBE, read by rdflib's SPARQL parser (not by a pattern on the text);
        for a packaged query, remembered in the cache folder (see remembered_form)."""
        if self.path.parent == resource_dir("queries"):
            return remembered_form(self.text)
        return query_form(self.text)

    def bindings(self, given: dict[str, str]) -> dict[str, Node]:
        """RDF terms for the parameters: the given values, else the defaults. Never pasted into the text."""
        unknown = sorted(set(given) - set(self.parameters))
        if unknown:
            known = ", ".join(self.parameters) or "none"
            near = [m for u in unknown for m in difflib.get_close_matches(u, list(self.parameters), n=1)]
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            raise QueryError(
                f"query {self.name!r} has no parameter {', '.join(unknown)} (parameters: {known}){hint}"
            )
        values = {n: p.default for n, p in self.parameters.items() if p.default is not None} | given
        return {name: parse_term(value, name) for name, value in values.items()}


@lru_cache(maxsize=256)
def query_form(text: str) -> str:
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        name = parseQuery(text)[1].name
    except Exception as exc:  # pyparsing raises its own types for a syntax error
        raise QueryError(f"the query does not parse: {exc}") from exc
    return name.removesuffix("Query").upper()


_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")


def remembered_form(text: str) -> str:
    """query_form of a packaged query's text, kept in <cache>/query-forms.json by the SHA-256 of the text: loading
    rdflib's SPARQL parser is the largest part of `exmech query`'s start-up when the query itself runs elsewhere
    (the cached Oxigraph build). An unreadable or damaged file is ignored and rewritten; a read-only cache
    folder only costs the parse."""
    key = hashlib.sha256(text.encode()).hexdigest()
    memo = cache_dir() / "query-forms.json"
    try:
        known = json.loads(memo.read_text(encoding="utf-8"))
        known = known if isinstance(known, dict) else {}
    except (OSError, ValueError):
        known = {}
    if known.get(key) in _FORMS:
        return known[key]
    known[key] = form = query_form(text)
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=memo.parent, prefix=".query-forms-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(dict(sorted(known.items())[-1000:]), out)
        os.replace(tmp, memo)
    except OSError:
        pass
    return form


def parse_term(value: str, name: str = "value") -> Node:
    """Read a parameter value: <IRI>, prefix:local, an integer or decimal, or else a plain string."""
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        iri = value[1:-1]
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$", iri):
            raise QueryError(f"parameter {name}: {value!r} is not a valid IRI")
        return URIRef(iri)
    expanded = expand(value)
    if expanded is not None:
        return URIRef(expanded)
    if re.fullmatch(r"[+-]?\d+", value):
        return Literal(int(value))
    if re.fullmatch(r"[+-]?\d*\.\d+", value):
        from decimal import Decimal

        return Literal(Decimal(value))
    return Literal(value)


def read_query(path: Path, name: str | None = None) -> NamedQuery:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"cannot read query file {path}: {exc}") from exc
    question, params, open_question = "", {}, False
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        if m := _QUESTION.match(line):
            question = m.group(1).strip()
        elif m := _PARAM.match(line):
            params[m.group(1)] = Parameter(m.group(1), m.group(2), m.group(3).strip())
        elif open_question:  # the question goes on over the next comment line
            question = f"{question} {line.lstrip('#').strip()}".strip()
        open_question = bool(question) and not params and not question.endswith(_SENTENCE_END)
    return NamedQuery(name or path.stem, path, question, text, params)


def catalogue() -> dict[str, NamedQuery]:
    """Every packaged query by name: competency questions by file stem, quality checks as qc/<stem>."""
    root = resource_dir("queries")
    found = {p.stem: read_query(p) for p in sorted(root.glob("*.rq"))}
    found |= {f"qc/{p.stem}": read_query(p, f"qc/{p.stem}") for p in sorted((root / "qc").glob("*.rq"))}
    return found


def resolve(name_or_file: str) -> NamedQuery:
    """A packaged query by name, or a user's .rq file by path."""
    queries = catalogue()
    if name_or_file in queries:
        return queries[name_or_file]
    path = Path(name_or_file)
    if path.suffix in (".rq", ".sparql") and path.is_file():
        return read_query(path)
    if path.suffix in (".rq", ".sparql"):
        raise QueryError(f"no query file {name_or_file!r}")
    near = difflib.get_close_matches(name_or_file, list(queries), n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(near)}? " if near else ""
    raise QueryError(
        f"no packaged query named {name_or_file!r} and no such .rq file; {hint}"
        f"packaged queries: {', '.join(queries)} (list them with `exmech queries`)"
    )
