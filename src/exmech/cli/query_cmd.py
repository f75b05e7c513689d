"""exmech query | queries: run a packaged or a user's SPARQL query, with parameters bound as RDF terms."""

from pathlib import Path

import typer

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
from exmech.graph.catalogue import QueryError, catalogue, query_form, resolve
from exmech.graph.load import SourceError
from exmech.outputs.results import GRAPH_FORMATS, SELECT_FORMATS, FormatError, fit_format, write_answer
from exmech.stores import Rows, StoreError, open_store
from exmech.stores.endpoint import EndpointStore
from exmech.stores.http_client import Limits, RemoteError


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


def _answer(name: str, param: list[str], fmt, source):
    """(the answer, its format) of the query on the store asked for; the format (by default table for SELECT and
    ASK, turtle for a graph) is checked against the query form before the query runs."""
    named = resolve(name)
    bindings = named.bindings(_params(param))
    try:
        form = query_form(named.text)
    except QueryError as exc:
        raise QueryError(f"query {name!r} could not run: {exc}") from None
    chosen = fit_format(form, fmt.value if fmt is not None else None)
    try:
        if form == "ASK":
            return source.ask(named.text, bindings), chosen
        if form in ("CONSTRUCT", "DESCRIBE"):
            return source.construct(named.text, bindings), chosen
        return source.select(named.text, bindings), chosen
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
    try:
        source = open_store(store, endpoint, kb, Limits(timeout, max_bytes), tuple(graph), auth)
        answer, chosen = _answer(name, param, fmt, source)
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
    for name, q in catalogue().items():
        typer.echo(f"{name}\n    {q.question}")
        for p in q.parameters.values():
            default = f" (default {p.default})" if p.default else ""
            typer.echo(f"    --param {p.name}=...{default}: {p.description}")


def register(app: typer.Typer) -> None:
    app.command()(query)
    app.command()(queries)
