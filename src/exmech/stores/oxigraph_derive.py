"""The rules inside Oxigraph: a full derive (each rule's CONSTRUCT streamed to the bulk loader), and adding source
files to a filled store without reloading or re-deriving the rest.

Adding files is exact when they are local: every node they describe is new (the store never mentioned it) and every
stored node they point at is a term of the ontology files. Then each rule gives for their nodes, over the ontology
and the new files alone, what it would give over the whole store; and it changes nothing it gave for stored nodes,
except where a rule joins trials through a node they share. Such a rule carries a line `# scope ?var` in its group
(today only path-status: a path's status and study count aggregate over every study of the path): it is re-run in
the store for the values of ?var its results over the new files name (the subjects of those results), with
`VALUES ?var { ... }` put at that line, and what it gave before for them is replaced. Files that are not local,
changed or removed files, or other rules: the caller refills the store instead.

Oxigraph runs each rule in its own form where queries/rules/oxigraph/ holds one (the same name): the same triples
(tests/test_derive_engine.py compares Oxigraph's derive with rdflib's derive of the rules in queries/rules/), with
each pattern over the big side in a sub-select of its own, which Oxigraph joins by hashing, one scan of each
predicate, where it would otherwise look each row up in an index. rdflib joins sub-selects by comparing every pair
of rows, so it keeps the plain form. A store's digest covers the plain rules: they say which triples it holds."""

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from exmech.graph.load import SourceError, rule_queries

TUNED = "oxigraph"  # queries/rules/oxigraph/: the rules in the form Oxigraph evaluates fastest
SCOPE = re.compile(r"^[ \t]*#[ \t]*scope[ \t]+\?(\w+)[ \t]*$", re.MULTILINE)


# From this many bytes of source files on, the rules whose Oxigraph form holds its whole input in hash tables run
# in their plain form (index look-ups, rows streamed): path-construct's hash joins take 0.9 GiB above the store per
# 100k studies (0.53 GB of N-Triples) and passed 6 GiB at 1M; the plain form peaked at 3.4 GiB at 1M for the
# whole derive, and is about 2x slower at 100k (tests/benchmarks/bench_rules.py, with and without --large).
# 1 GiB keeps the faster form up to about 200k studies.
LARGE_BYTES = 2**30
HASHED = {"path-construct.rq"}  # the Oxigraph forms whose memory grows with the store


def rule_files(large: bool = False) -> list[Path]:
    """The rules in their stratified order (load.rule_queries), each in its Oxigraph form where one exists; for a
    large store (LARGE_BYTES) the rules of HASHED in their plain form."""
    return [
        p.parent / TUNED / p.name
        if (p.parent / TUNED / p.name).is_file() and not (large and p.name in HASHED)
        else p
        for p in rule_queries()
    ]


def rule_texts(large: bool = False) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in rule_files(large)]


def is_large(files: list[Path]) -> bool:
    """True when the source files add up to LARGE_BYTES or more (a stat each; a missing file counts 0)."""
    return sum(p.stat().st_size if p.is_file() else 0 for p in map(Path, files)) >= LARGE_BYTES


def rdf_format(path: Path):
    import pyoxigraph as ox

    return ox.RdfFormat.N_TRIPLES if Path(path).suffix == ".nt" else ox.RdfFormat.TURTLE


def parsed(files: list[Path]) -> Iterator:
    """The quads of these files, parsed one after another, each file's blank nodes its own; a file that cannot be
    read or parsed is a SourceError naming it."""
    import pyoxigraph as ox

    for path in files:
        base = Path(path).resolve().as_uri()
        try:
            yield from ox.parse(
                path=str(path), format=rdf_format(path), base_iri=base, rename_blank_nodes=True
            )
        except (SyntaxError, OSError, ValueError) as exc:
            raise SourceError(f"{path}: {exc}") from exc


def add_rule_output(store, rule: str, scratch: Path) -> None:
    """Run one CONSTRUCT rule in a pyoxigraph store and bulk-load its triples, passing through the file `scratch`:
    never held whole in memory, neither in Python nor in an update's transaction."""
    import pyoxigraph as ox

    result = store.query(rule)
    if not isinstance(result, ox.QueryTriples):
        raise ValueError("a rule must be a CONSTRUCT query")
    result.serialize(output=str(scratch), format=ox.RdfFormat.N_TRIPLES)
    store.bulk_load(path=str(scratch), format=ox.RdfFormat.N_TRIPLES)
    scratch.unlink()


def constructed(store, rule: str) -> set:
    """The triples of a CONSTRUCT rule, as a set (for the few a scoped rule gives)."""
    import pyoxigraph as ox

    result = store.query(rule)
    if not isinstance(result, ox.QueryTriples):
        raise ValueError("a rule must be a CONSTRUCT query")
    return set(result)


def run_rules(store, rules: list[str]) -> None:
    """Every rule once, in the order given (their stratified order: one pass reaches the fixpoint)."""
    with tempfile.TemporaryDirectory(prefix="exmech-derive-") as folder:
        for rule in rules:
            add_rule_output(store, rule, Path(folder) / "rule.nt")


def scoped(rule: str, variable: str, values: list) -> str:
    return SCOPE.sub(f"VALUES ?{variable} {{ {' '.join(str(v) for v in values)} }}", rule, count=1)


def is_local(stored, ontology, new) -> bool:
    """True when every node the new triples describe is unknown to the stored graph and every stored node they
    point at is a term of the ontology files (see the module's docstring)."""
    import pyoxigraph as ox

    def mentioned(store, node, as_object: bool = False) -> bool:
        pattern = (None, None, node) if as_object else (node, None, None)
        return next(iter(store.quads_for_pattern(*pattern, ox.DefaultGraph())), None) is not None

    subjects = {q.subject for q in new}
    if any(mentioned(stored, s) or mentioned(stored, s, as_object=True) for s in subjects):
        return False
    objects = {q.object for q in new if isinstance(q.object, ox.NamedNode)} - subjects
    return not any(mentioned(stored, o) and not mentioned(ontology, o) for o in objects)


def add_files(stored, files: list[Path], ontology_files: list[Path]) -> bool:
    """Load these new files into the pyoxigraph store `stored` and add what the rules derive from them (module
    docstring); False, with nothing changed, when they are not local."""
    import pyoxigraph as ox

    # both in memory: the ontology and the new files; the new files alone
    scratch, new = ox.Store(), ox.Store()
    scratch.extend(parsed(ontology_files))
    new.extend(parsed(files))
    if not is_local(stored, scratch, list(new)):
        return False
    scratch.extend(list(new))
    known = set(scratch)  # the ontology's blank nodes got new names here: only new and derived triples go in
    run_rules(scratch, [r for r in rule_texts() if not SCOPE.search(r)])
    derived = [q for q in scratch if q not in known]
    aggregates = []
    # a scoped rule in its plain form: with VALUES at its scope line, Oxigraph looks up those few nodes in its
    # indexes, where the hash joins of the Oxigraph form would scan every path's evidence in the store
    for rule in (p.read_text(encoding="utf-8") for p in rule_queries()):
        if not SCOPE.search(rule):
            continue
        values = sorted({t.subject for t in constructed(scratch, rule)}, key=str)
        if values:
            aggregates.append(scoped(rule, SCOPE.search(rule).group(1), values))  # type: ignore[union-attr]
    before = [constructed(stored, rule) for rule in aggregates]
    stored.extend([*new, *derived])
    for rule, old in zip(aggregates, before, strict=True):
        now = constructed(stored, rule)
        for triple in old - now:
            stored.remove(ox.Quad(triple.subject, triple.predicate, triple.object))
        stored.extend([ox.Quad(t.subject, t.predicate, t.object) for t in now - old])
    return True
