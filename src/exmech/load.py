"""Files to graph: parse the ontology, vocabularies and knowledge base, then add what the rules derive."""

import hashlib
import os
import tempfile
from pathlib import Path
from typing import cast

from rdflib import Graph
from rdflib.term import Node

from .errors import InputError
from .namespaces import bind_prefixes
from .resources import knowledge_base_files, ontology_files, resource_dir


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


def source_digest(files: list[Path]) -> str:
    """SHA-256 over the names and bytes of the files a graph is built from, and of the rules that derive."""
    digest = hashlib.sha256()
    for path in [*files, *rule_queries()]:
        data = Path(path).read_bytes()
        digest.update(f"{Path(path).name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def cache_dir() -> Path:
    """Where built graphs are cached: $EXMECH_CACHE_DIR, else the user's cache folder (never the package)."""
    from platformdirs import user_cache_dir

    return Path(os.environ.get("EXMECH_CACHE_DIR") or user_cache_dir("exmech"))


def load_graph(kb_dir: Path | None = None, extra: list[Path] | None = None, store: str = "default") -> Graph:
    """Build the merged graph: ontology + vocabularies + knowledge base (+ extra files) + derived facts.

    The built graph is cached as N-Triples under the digest of its sources (files and rules), so a command on an
    unchanged knowledge base reads one file instead of parsing and deriving again; any change gives a new digest."""
    files = [*ontology_files(), *knowledge_base_files(kb_dir), *(extra or [])]
    cached = cache_dir() / f"merged-{source_digest(files)}.nt"
    graph = bind_prefixes(Graph(store=store))
    if cached.is_file():
        try:
            graph.parse(cached, format="nt")
            return graph
        except Exception:  # a damaged cache file is rebuilt, never trusted
            graph = bind_prefixes(Graph(store=store))
    for path in files:
        parse_file(graph, path)
    derive(graph)
    _write_cache(graph, cached)
    return graph


def _write_cache(graph: Graph, target: Path) -> None:
    """Write atomically; a cache that cannot be written (read-only home, full disk) is simply not kept."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".merged-", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "wb") as out:
            out.write(graph.serialize(format="nt", encoding="utf-8"))
        os.replace(tmp, target)
    except OSError:
        return
