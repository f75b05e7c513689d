"""Files to graph: parse the ontology, vocabularies and knowledge base, then add what the rules derive."""

import hashlib
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import cast

from rdflib import Graph
from rdflib.term import Node

from exmech.errors import InputError
from exmech.graph.namespaces import bind_prefixes
from exmech.graph.resources import knowledge_base_files, ontology_files, resource_dir


class SourceError(InputError):
    """A source file that cannot be parsed; the message names the file and the line."""


def parse_file(graph: Graph, path: Path) -> None:
    try:
        graph.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises several parser-specific types
        raise SourceError(f"{path}: {exc}") from exc


def rule_queries() -> list[Path]:
    """The CONSTRUCT rules that derive facts (such as evidence status) from the data, in name order.

    Name order is their stratification: a rule reads only facts of the data and of rules named before it, so one
    pass in this order reaches the fixpoint (tests/test_rules_stratified.py checks a second pass adds nothing)."""
    return sorted((resource_dir("queries") / "rules").glob("*-construct.rq"))


def derive(graph: Graph, passes: int = 1) -> int:
    """Add the triples of every rule to the graph, in stratified order; return how many were added."""
    before = len(graph)
    rules = [p.read_text(encoding="utf-8") for p in rule_queries()]
    for _ in range(passes):
        for rule in rules:
            for triple in graph.query(rule):
                graph.add(cast("tuple[Node, Node, Node]", triple))
    return len(graph) - before


# Graphs already built in this process, by the digest of their sources: a second load of unchanged files (the
# server, the Python API, a test session running many commands) copies the built graph instead of parsing and
# deriving again. Bounded: the few most recent builds only.
_BUILT: "OrderedDict[str, Graph]" = OrderedDict()
_BUILT_MAX = 3


def load_graph(kb_dir: Path | None = None, extra: list[Path] | None = None, store: str = "default") -> Graph:
    """Build the merged graph: ontology + vocabularies + knowledge base (+ extra files) + derived facts.

    Every call returns a graph of its own (callers may change it); an unchanged set of sources, seen earlier in
    this process, is copied from the earlier build rather than parsed and derived again."""
    files = [*ontology_files(), *knowledge_base_files(kb_dir), *(extra or [])]
    if store != "default":
        return _build(files, store)
    key = source_digest(files)
    if key not in _BUILT:
        _BUILT[key] = _build(files, store)
        while len(_BUILT) > _BUILT_MAX:
            _BUILT.popitem(last=False)
    _BUILT.move_to_end(key)
    return _copy(_BUILT[key])


def _build(files: list[Path], store: str) -> Graph:
    graph = bind_prefixes(Graph(store=store))
    for path in files:
        parse_file(graph, path)
    derive(graph)
    return graph


def _copy(graph: Graph) -> Graph:
    """A new graph with the same triples and the same prefix bindings, in the same order (serialisations match)."""
    copy = Graph()
    for prefix, namespace in graph.namespaces():
        copy.bind(prefix, namespace, override=True, replace=True)
    copy.addN((s, p, o, copy) for s, p, o in graph)
    return copy


def file_sha256(path: Path) -> str:
    """The SHA-256 of one file's bytes (hex)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def source_digest(files: list[Path], known: Mapping[str, str] | None = None) -> str:
    """SHA-256 over the names and SHA-256s of the files a store is filled from, and of the rules that derive.

    known: the SHA-256 of some of the files already (by str(path)), e.g. from a store's record of them, so a
    check need not read every file again (exmech.stores.source_record)."""
    digest = hashlib.sha256()
    for path in [*files, *rule_queries()]:
        sha = (known or {}).get(str(path)) or file_sha256(path)
        digest.update(f"{Path(path).name}\0{sha}\0".encode())
    return digest.hexdigest()


def rules_digest() -> str:
    """SHA-256 over the rules alone: a store derived with other rules cannot be updated, only refilled."""
    return source_digest([])
