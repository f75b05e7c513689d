"""An on-disk Oxigraph store: filled from the source files, refilled when they change, refused when stale
if the user asked for read-only use."""

import gc
import json
import os
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.term import BNode, Node

from exmech.errors import require
from exmech.graph.load import SourceError, rules_digest, source_digest
from exmech.graph.namespaces import bind_prefixes
from exmech.graph.resources import knowledge_base_files, ontology_files
from exmech.stores.oxigraph_derive import add_files, is_large, parsed, rule_texts, run_rules
from exmech.stores.rows import Rows, StoreError, inline_bindings
from exmech.stores.source_record import SourceRecord, Sources


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


class OxigraphStore:
    """An on-disk Oxigraph store, for graphs too large for rdflib's memory.

    Filled (without rdflib) from the ontology, vocabularies and knowledge base; the loader's rules are then
    applied inside Oxigraph. The store records the digest of the files it was filled from (SOURCES, inside its
    folder, and each file in exmech.stores.source_record); opened again after files were only added (an
    `exmech add` of a new trial), it adds them in place (see refresh), after any other change it is refilled, or,
    when opened read_only with the files it should hold, refused as stale: never a silent stale answer. The handle
    is opened lazily in each process: a forked query worker must open its own (read_only=True)."""

    SOURCES = "exmech-sources.json"

    def __init__(
        self, path: Path, files: list[Path] | None = None, reload: bool = False, read_only: bool = False
    ):
        self.path, self.read_only = Path(path), read_only
        self._store: Any = None  # a pyoxigraph.Store, opened lazily in each process
        self._pid: int | None = None
        if read_only:
            if files is not None and self.recorded_digest() != self.current_digest(files):
                raise StoreError(
                    f"the Oxigraph store at {self.path} is stale: it was not filled from the current "
                    f"knowledge base; refresh it with `--store oxigraph:{self.path}` (not read-only)"
                )
            return
        self.refresh(files if files is not None else [*ontology_files(), *knowledge_base_files(None)], reload)

    def _record(self) -> dict:
        try:
            return json.loads((self.path / self.SOURCES).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def recorded_digest(self) -> str | None:
        """The digest of the files the store was last filled from (None: unknown, e.g. filled by another tool)."""
        digest = self._record().get("sha256")
        return digest if isinstance(digest, str) else None

    def current_digest(self, files: list[Path]) -> str:
        """source_digest of the files, reading only those whose stat changed since the store recorded them."""
        return source_digest(files, SourceRecord(self.path, read_only=True).compare(files).shas)

    def refresh(self, files: list[Path], reload: bool = False) -> None:
        """Bring the store up to date with these files: nothing to do when they are as recorded; when files were
        only added, and they are local (exmech.stores.oxigraph_derive), those files and what the rules derive from
        them are added; otherwise (a file changed or removed, other rules) the store is refilled."""
        record = SourceRecord(self.path)
        sources = record.compare(files)
        if not reload and not self.is_empty():
            if self.recorded_digest() == source_digest(files, sources.shas):
                if sources.rehashed:
                    record.write(sources, sources.rehashed)
                return
            if sources.only_added and self._record().get("rules") == rules_digest():
                (self.path / self.SOURCES).unlink(missing_ok=True)  # a crash from here on leaves it to refill
                ontology = [f for f in ontology_files() if str(f) in sources.shas]
                if add_files(self.store, sources.added, ontology):
                    self.store.flush()
                    record.write(sources, sorted({*map(str, sources.added), *sources.rehashed}))
                    self._write_record(files, sources.shas)
                    return
        self.fill(files, sources)

    def _write_record(self, files: list[Path], shas: dict[str, str]) -> None:
        record = {"sha256": source_digest(files, shas), "files": len(files), "rules": rules_digest()}
        (self.path / self.SOURCES).write_text(json.dumps(record) + "\n", encoding="utf-8")

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

    def fill(self, files: list[Path], sources: Sources | None = None) -> None:
        """Replace the content with these Turtle / N-Triples files plus what the rules derive from them."""
        (self.path / self.SOURCES).unlink(missing_ok=True)
        record = SourceRecord(self.path)
        sources = sources or record.compare(files)
        self.store.clear()
        try:  # one bulk load of every file: a bulk load per file costs ~30 ms even for a small file (265: 8 s)
            self.store.bulk_extend(parsed(files))
        except SourceError:
            self.store.clear()  # no half-filled store left behind
            raise
        # derive's pass without its two counts (each a scan of the store)
        run_rules(self.store, rule_texts(large=is_large(files)))
        self.store.flush()
        record.write(sources, replace=True)
        self._write_record(files, sources.shas)

    def derive(self, passes: int = 1, large: bool = False) -> int:
        """Add the triples of every rule (queries/rules/*-construct.rq) in their stratified order (see
        load.rule_queries; in their Oxigraph form where one exists, oxigraph_derive.rule_files), as load.derive does
        for rdflib; return how many were added. One pass reaches the fixpoint (tests/test_rules_stratified.py checks
        it); `passes` is there for that test. Each rule's CONSTRUCT streams to the bulk loader
        (exmech.stores.oxigraph_derive.run_rules): derived triples never pass whole through Python or an update's
        transaction. `large` runs the rules as fill does for a large store (oxigraph_derive.LARGE_BYTES)."""
        start = len(self.store)
        for _ in range(passes):
            run_rules(self.store, rule_texts(large))
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

    def iter_select(self, query: str, bindings: dict[str, Node] | None = None) -> Iterator[dict]:
        """select's rows one at a time as the engine makes them (a dict per row, as iterating Rows gives), for
        answers too long to hold whole before the first row is used (`exmech paths` at 100k studies)."""
        import pyoxigraph as ox

        result = self._query(inline_bindings(query, bindings or {}))
        if not isinstance(result, ox.QuerySolutions):
            raise StoreError("a SELECT query was expected")
        variables = [v.value for v in result.variables]
        for solution in result:
            yield {v: _from_ox(solution[v]) for v in variables}

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


class OxigraphCopy(OxigraphStore):
    """An rdflib graph copied into Oxigraph's memory, for read queries: `exmech check` runs its quality queries
    there on the embedded store (on the shipped graph: 8.5 s in rdflib, 0.22 s with the copy, the same rows)."""

    def __init__(self, graph: Graph):
        ox = require("pyoxigraph", "oxigraph")
        self.path, self.read_only, self._pid = Path("(a copy in memory)"), True, os.getpid()
        copy = ox.Store()
        copy.bulk_load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
        self._store = copy
