"""exmech query | queries: run a packaged or a user's SPARQL query, with parameters bound as RDF terms."""

import difflib
import re
import shutil
import textwrap
from pathlib import Path

import typer
from rdflib import Literal, URIRef

from exmech.cli.options import (
    EXIT_REMOTE,
    EndpointUrl,
    GraphIris,
    KbDir,
    MaxBytes,
    OutFile,
    QueryFormat,
    StoreSpec,
    Timeout,
    User,
    credentials,
    emit,
    fail,
    format_option,
    warn,
)
from exmech.graph.catalogue import QueryError, catalogue, resolve
from exmech.graph.load import SourceError
from exmech.graph.namespaces import compact
from exmech.outputs.results import GRAPH_FORMATS, SELECT_FORMATS, FormatError, fit_format, write_answer
from exmech.stores import IRI, Rows, StoreError, open_store
from exmech.stores.cached import cached_store
from exmech.stores.endpoint import EndpointStore
from exmech.stores.http_client import Limits, RemoteError
from exmech.stores.rows import inline_bindings


def _params(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise QueryError(
                f"--param {pair!r}: expected key=value, e.g. --param exerciseType=exm:WalkingExercise"
            )
        out[key.strip().lstrip("?")] = value
    return out


_MENTIONED = "ASK { { ?term ?p ?o } UNION { ?s ?term ?o } UNION { ?s ?p ?term } }"
_NAMESAKES = (
    "SELECT DISTINCT ?term WHERE { ?term ?p ?o . FILTER(isIRI(?term) && STRSTARTS(STR(?term), ?space)) }"
)


def _unknown_iris(source, given: dict[str, str], bindings: dict) -> list[str]:
    """A warning for each IRI the user bound that the graph never mentions (it matches nothing, so the query gives
    0 rows), naming the nearest IRIs of the same namespace that the graph has."""
    warnings = []
    for name in given:
        term = bindings[name]
        # a value that is no valid IRI is not looked up: a store refuses it, rdflib matches nothing with it
        if (
            not isinstance(term, URIRef)
            or not IRI.fullmatch(str(term))
            or source.ask(_MENTIONED, {"term": term})
        ):
            continue
        space = re.match(r".*[/#]", str(term))
        near: list[str] = []
        if space:
            found = source.select(_NAMESAKES, {"space": Literal(space.group(0))})
            names = {str(row[0])[space.end() :]: str(row[0]) for row in found.rows if row[0] is not None}
            near = [names[m] for m in difflib.get_close_matches(str(term)[space.end() :], list(names), n=3)]
        hint = f"; did you mean {', '.join(compact(i) for i in near)}?" if near else ""
        warnings.append(
            f"warning: --param {name}={given[name]}: {compact(str(term))} is not in the graph, "
            f"so it matches nothing{hint}"
        )
    return warnings


def _inlinable(text: str, bindings) -> bool:
    try:
        inline_bindings(text, bindings)
    except StoreError:
        return False
    return True


def _answer(name: str, param: list[str], fmt, open_source):
    """(the store, the answer, its format) of the query on the store open_source(text, bindings) opens; the
    format (by default table for SELECT and ASK, turtle for a graph) is checked against the query form before the
    query runs."""
    named = resolve(name)
    given = _params(param)
    bindings = named.bindings(given)
    try:
        form = named.form
    except QueryError as exc:
        raise QueryError(f"query {name!r} could not run: {exc}") from None
    chosen = fit_format(form, fmt.value if fmt is not None else None)
    source = open_source(named.text, bindings)
    for warning in _unknown_iris(source, given, bindings):
        typer.echo(warning, err=True)
    try:
        if form == "ASK":
            return source, source.ask(named.text, bindings), chosen
        if form in ("CONSTRUCT", "DESCRIBE"):
            return source, source.construct(named.text, bindings), chosen
        return source, source.select(named.text, bindings), chosen
    except (RemoteError, StoreError):
        raise
    except Exception as exc:  # an evaluation error of a user's query
        raise QueryError(f"query {name!r} could not run: {exc}") from None


def query(
    name: str = typer.Argument(
        ..., help="A packaged query name (see `exmech queries`) or a path to a .rq file."
    ),
    param: list[str] = typer.Option(
        [], "--param", "-p", help="key=value; value as <IRI>, prefix:local, number or text."
    ),
    fmt: QueryFormat | None = format_option(
        None,
        f"SELECT and ASK: {', '.join(SELECT_FORMATS)} (ASK as table/csv/tsv: true or false); "
        f"CONSTRUCT and DESCRIBE: {', '.join(GRAPH_FORMATS)} (default turtle).",
    ),
    out: Path | None = OutFile,
    kb: Path | None = KbDir,
    store: str | None = StoreSpec,
    endpoint: str | None = EndpointUrl,
    timeout: float = Timeout,
    max_bytes: int = MaxBytes,
    graph: list[str] = GraphIris,
    user: str | None = User,
) -> None:
    """Run a query on the merged graph (in memory, Oxigraph or a remote endpoint), parameters bound as terms.

    Example: exmech query mechanisms-for-exercise-type --param exerciseType=exm:WalkingExercise -f csv
    """
    auth = credentials(endpoint, user)

    def open_source(text: str, bindings):
        # by default the cached build (exmech.stores.cached): the same answers as rdflib in memory, without
        # re-parsing and re-deriving the graph in every command; a value Oxigraph cannot take as a term (an "IRI"
        # with spaces, which rdflib binds and matches nothing with) is answered in memory, as before
        if store is None and not endpoint and _inlinable(text, bindings):
            return cached_store(kb)
        return open_store(store, endpoint, kb, Limits(timeout, max_bytes), tuple(graph), auth)

    try:
        source, answer, chosen = _answer(name, param, fmt, open_source)
        hint = empty_hint(source, answer)
    except RemoteError as exc:
        fail(str(exc), EXIT_REMOTE)
    except (QueryError, SourceError, StoreError, FormatError) as exc:
        fail(str(exc))
    if hint:
        warn(hint)
    emit(write_answer(answer, chosen), out)


def empty_hint(source, answer) -> str | None:
    """On an endpoint queried without --graph, no rows may mean the data sits in a named graph: say so."""
    empty = (isinstance(answer, Rows) and not answer.rows) or answer == []
    return source.named_graph_hint() if empty and isinstance(source, EndpointStore) else None


def queries() -> None:
    """List the packaged queries with their questions and parameters.

    Example: exmech queries
    """
    width = max(60, min(shutil.get_terminal_size((100, 24)).columns, 120))
    for name, q in catalogue().items():
        typer.echo(name)
        typer.echo(_wrapped(q.question, width, "    "))
        for p in q.parameters.values():
            default = f" (default {p.default})" if p.default else ""
            line = f"--param {p.name}=...{default}: {p.description}"
            typer.echo(_wrapped(line, width, "        "))


def _wrapped(text: str, width: int, indent: str) -> str:
    """Text wrapped at width, every word whole (never cut), the first line indented 4, the rest by indent."""
    return textwrap.fill(
        text,
        width,
        initial_indent="    ",
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def register(app: typer.Typer) -> None:
    app.command()(query)
    app.command()(queries)
