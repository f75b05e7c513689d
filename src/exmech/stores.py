"""Where queries run: rdflib in memory (default), an on-disk Oxigraph store, or a remote SPARQL endpoint
(exmech.endpoint_store).

One interface for all three, used by `exmech query`, `exmech serve` and the benchmarks:
  store.select(query, bindings) -> Rows   a packaged query with its parameters bound as RDF terms
  store.run(query, limit)       -> Rows | bool | Graph   any read query (SELECT, ASK, CONSTRUCT, DESCRIBE)
Parameters are never pasted in as user text: rdflib binds them through initBindings; Oxigraph and remote
endpoints get a VALUES block written from RDF terms that are checked first (IRIs against the IRI grammar's
forbidden characters, literals escaped by rdflib, language tags and datatypes checked, blank nodes refused).
pyoxigraph's own `substitutions` cannot be used: it only accepts variables the SELECT projects, and the
packaged queries' parameters (?exerciseType, ?minRank ...) are mostly not projected.
"""

import gc
import hashlib
import json
import os
import re
from collections.abc import Mapping
from itertools import islice
from pathlib import Path
from typing import cast

from rdflib import Graph, Literal, URIRef
from rdflib.query import ResultRow
from rdflib.term import BNode, Identifier, Node

from . import load
from .errors import InputError, require
from .http_client import Limits
from .load import SourceError, load_graph
from .namespaces import bind_prefixes
from .resources import knowledge_base_files, ontology_files

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


def as_insert(rule: str) -> str:
    """A CONSTRUCT rule as a SPARQL Update adding what it constructs (rules use no blank nodes, so running it
    again adds nothing)."""
    update, replaced = re.subn(r"^CONSTRUCT\b", "INSERT", rule, count=1, flags=re.MULTILINE)
    if not replaced:
        raise ValueError("a rule must start its template with CONSTRUCT at the beginning of a line")
    return update


def _terms(bindings: dict[str, Node] | None) -> Mapping[str, Identifier]:
    """rdflib's initBindings, typed as it wants (every bound value is an IRI or a literal)."""
    return cast("Mapping[str, Identifier]", bindings or {})


class MemoryStore:
    """The merged graph in rdflib's memory store: the default, no server or files needed."""

    writable = True

    def __init__(self, graph: Graph | None = None, sources: list[Path] | None = None):
        self.graph = graph if graph is not None else bind_prefixes(Graph())
        self._sources = list(sources or [])

    def select(self, query: str, bindings: dict[str, Node] | None = None) -> Rows:
        result = self.graph.query(query, initBindings=_terms(bindings))
        if result.type != "SELECT":
            raise StoreError(f"a SELECT query was expected, not {result.type}")
        variables = [str(v) for v in result.vars or []]
        return Rows(variables, [[cast(ResultRow, row)[v] for v in variables] for row in result])

    def construct(self, query: str, bindings: dict[str, Node] | None = None) -> Graph:
        result = self.graph.query(query, initBindings=_terms(bindings))
        if result.type not in ("CONSTRUCT", "DESCRIBE"):
            raise StoreError(f"a CONSTRUCT or DESCRIBE query was expected, not {result.type}")
        return bind_prefixes(Graph()) + (result.graph if result.graph is not None else Graph())

    def ask(self, query: str, bindings: dict[str, Node] | None = None) -> bool:
        result = self.graph.query(query, initBindings=_terms(bindings))
        if result.type != "ASK":
            raise StoreError(f"an ASK query was expected, not {result.type}")
        return bool(result.askAnswer)

    def run(self, query: str, limit: int | None = None):
        result = self.graph.query(query)
        if result.type == "ASK":
            return bool(result.askAnswer)
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            return result.graph
        variables = [str(v) for v in result.vars or []]
        return Rows(
            variables, [[cast(ResultRow, row)[v] for v in variables] for row in islice(result, limit)]
        )

    def update(self, text: str) -> None:
        self.graph.update(text)

    def load(self, files: list[Path]) -> None:
        for path in files:
            load.parse_file(self.graph, path)
        self._sources += files
        self.derive()

    def derive(self, passes: int = 1) -> int:
        return load.derive(self.graph, passes)

    def count(self) -> int:
        return len(self.graph)

    def digest(self) -> str | None:
        return source_digest(self._sources) if self._sources else None


def _from_ox(term):
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    datatype = URIRef(term.datatype.value) if term.datatype and not term.language else None
    if datatype and str(datatype) == "http://www.w3.org/2001/XMLSchema#string":
        datatype = None
    return Literal(term.value, lang=term.language, datatype=datatype)


def _ox_rows(result, limit: int | None = None) -> Rows:
    variables = [v.value for v in result.variables]
    return Rows(variables, [[_from_ox(solution[v]) for v in variables] for solution in islice(result, limit)])


def source_digest(files: list[Path]) -> str:
    """SHA-256 over the names and bytes of the files a store is filled from, and of the rules that derive."""
    digest = hashlib.sha256()
    for path in [*files, *load.rule_queries()]:
        data = Path(path).read_bytes()
        digest.update(f"{Path(path).name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


class OxigraphStore:
    """An on-disk Oxigraph store, for graphs too large for rdflib's memory.

    Filled (without rdflib) from the ontology, vocabularies and knowledge base; the loader's rules are then
    applied inside Oxigraph. The store records the digest of the files it was filled from (SOURCES, inside its
    folder); opened again for other files, or after they changed (an `exmech add`), it is refilled, or, when
    opened read_only with the files it should hold, refused as stale: never a silent stale answer. The handle is
    opened lazily in each process: a forked query worker must open its own (read_only=True)."""

    SOURCES = "exmech-sources.json"

    def __init__(
        self, path: Path, files: list[Path] | None = None, reload: bool = False, read_only: bool = False
    ):
        self.path, self.read_only = Path(path), read_only
        self._store, self._pid = None, None
        if read_only:
            if files is not None and self.recorded_digest() != source_digest(files):
                raise StoreError(
                    f"the Oxigraph store at {self.path} is stale: it was not filled from the current "
                    f"knowledge base; refresh it with `--store oxigraph:{self.path}` (not read-only)"
                )
            return
        files = files if files is not None else [*ontology_files(), *knowledge_base_files(None)]
        if reload or self.is_empty() or self.recorded_digest() != source_digest(files):
            self.fill(files)

    def recorded_digest(self) -> str | None:
        """The digest of the files the store was last filled from (None: unknown, e.g. filled by another tool)."""
        try:
            return json.loads((self.path / self.SOURCES).read_text(encoding="utf-8"))["sha256"]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    @property
    def store(self):
        ox = require("pyoxigraph", "oxigraph")

        if self._store is None or self._pid != os.getpid():
            try:
                self._store = (
                    ox.Store.read_only(str(self.path)) if self.read_only else ox.Store(str(self.path))
                )
            except OSError as exc:
                raise StoreError(f"cannot open the Oxigraph store at {self.path}: {exc}") from exc
            self._pid = os.getpid()
        return self._store

    def close(self) -> None:
        """Release the handle (before forking query workers, which open the store read-only themselves)."""
        self._store = None
        gc.collect()

    def is_empty(self) -> bool:
        return next(iter(self.store.quads_for_pattern(None, None, None)), None) is None

    def fill(self, files: list[Path]) -> None:
        """Replace the content with these Turtle / N-Triples files plus what the rules derive from them."""
        import pyoxigraph as ox

        (self.path / self.SOURCES).unlink(missing_ok=True)
        self.store.clear()
        for path in files:
            fmt = ox.RdfFormat.N_TRIPLES if Path(path).suffix == ".nt" else ox.RdfFormat.TURTLE
            try:
                self.store.bulk_load(path=str(path), format=fmt, base_iri=Path(path).resolve().as_uri())
            except (SyntaxError, OSError, ValueError) as exc:
                self.store.clear()  # no half-filled store left behind
                raise SourceError(f"{path}: {exc}") from exc
        self.derive()
        self.store.flush()
        record = {"sha256": source_digest(files), "files": len(files)}
        (self.path / self.SOURCES).write_text(json.dumps(record) + "\n", encoding="utf-8")

    def derive(self, passes: int = 1) -> int:
        """Add the triples of every rule (queries/rules/*-construct.rq) in their stratified order (see
        load.rule_queries), as load.derive does for rdflib; return how many were added. Each rule runs inside
        Oxigraph as the equivalent SPARQL Update (INSERT with the rule's template and pattern), so derived
        triples never pass through Python."""
        updates = [as_insert(p.read_text(encoding="utf-8")) for p in load.rule_queries()]
        start = len(self.store)
        for _ in range(passes):
            for update in updates:
                self.store.update(update)
        return len(self.store) - start

    @property
    def writable(self) -> bool:
        return not self.read_only

    def select(self, query: str, bindings: dict[str, Node] | None = None) -> Rows:
        import pyoxigraph as ox

        result = self._query(inline_bindings(query, bindings or {}))
        if not isinstance(result, ox.QuerySolutions):
            raise StoreError("a SELECT query was expected")
        return _ox_rows(result)

    def construct(self, query: str, bindings: dict[str, Node] | None = None) -> Graph:
        answer = self.run(inline_bindings(query, bindings or {}))
        if not isinstance(answer, Graph):
            raise StoreError("a CONSTRUCT or DESCRIBE query was expected")
        return answer

    def ask(self, query: str, bindings: dict[str, Node] | None = None) -> bool:
        answer = self.run(inline_bindings(query, bindings or {}))
        if not isinstance(answer, bool):
            raise StoreError("an ASK query was expected")
        return answer

    def update(self, text: str) -> None:
        if self.read_only:
            raise StoreError(f"the Oxigraph store at {self.path} is open read-only")
        self.store.update(text)

    def load(self, files: list[Path]) -> None:
        self.fill(files)

    def count(self) -> int:
        return len(self.store)

    def digest(self) -> str | None:
        return self.recorded_digest()

    def run(self, query: str, limit: int | None = None):
        import pyoxigraph as ox

        result = self._query(query)
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        if isinstance(result, ox.QueryTriples):
            graph = bind_prefixes(Graph())
            for t in islice(result, None if limit is None else limit + 1):
                graph.add((_from_ox(t.subject), _from_ox(t.predicate), _from_ox(t.object)))
            return graph
        return _ox_rows(result, limit)

    def _query(self, text: str):
        try:
            return self.store.query(text)
        except SyntaxError as exc:
            raise ValueError(str(exc)) from exc


def open_store(spec: str | None = None, endpoint: str | None = None, kb_dir: Path | None = None, limits=None):
    """'memory' (default), 'oxigraph:PATH' (refilled when its sources changed), 'oxigraph-read-only:PATH'
    (refused when stale), or a remote endpoint URL (exmech.endpoint_store; limits: an exmech.http_client.Limits
    of time and bytes)."""
    if endpoint:
        from .endpoint_store import EndpointStore  # it builds on this module

        return EndpointStore(endpoint, limits or Limits())
    if spec in (None, "memory"):
        return MemoryStore(load_graph(kb_dir), [*ontology_files(), *knowledge_base_files(kb_dir)])
    for scheme, read_only in (("oxigraph:", False), ("oxigraph-read-only:", True)):
        if spec.startswith(scheme) and spec[len(scheme) :]:
            files = [*ontology_files(), *knowledge_base_files(kb_dir)]
            return OxigraphStore(Path(spec[len(scheme) :]), files, read_only=read_only)
    raise StoreError(
        f"--store {spec!r}: use memory or oxigraph:PATH (oxigraph-read-only:PATH: never refill, refuse if stale)"
    )
