"""exmech query | queries: run a packaged or a user's SPARQL query, with parameters bound as RDF terms."""

from pathlib import Path

import typer

from exmech.cli.options import EXIT_REMOTE, EndpointUrl, KbDir, MaxBytes, StoreSpec, Timeout, fail
from exmech.graph.catalogue import QueryError, catalogue, resolve
from exmech.graph.load import SourceError, load_graph
from exmech.outputs.results import FORMATS, render, render_rows
from exmech.stores import StoreError, open_store
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


def query(
    name: str = typer.Argument(
        ..., help="A packaged query name (see `exmech queries`) or a path to a .rq file."
    ),
    param: list[str] = typer.Option(
        [], "--param", "-p", help="key=value; value as <IRI>, prefix:local, number or text."
    ),
    fmt: str = typer.Option("table", "-f", "--format", help=f"One of: {', '.join(FORMATS)}."),
    kb: Path | None = KbDir,
    store: str | None = StoreSpec,
    endpoint: str | None = EndpointUrl,
    timeout: float = Timeout,
    max_bytes: int = MaxBytes,
) -> None:
    """Run a query on the merged graph (in memory, Oxigraph or a remote endpoint), parameters bound as terms.

    Example: exmech query mechanisms-for-exercise-type --param exerciseType=exm:WalkingExercise -f csv
    """
    if fmt not in FORMATS:
        fail(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")
    try:
        named = resolve(name)
        bindings = named.bindings(_params(param))
        if store not in (None, "memory") or endpoint:
            found = open_store(store, endpoint, kb, Limits(timeout, max_bytes)).select(named.text, bindings)
            typer.echo(render_rows(found.vars, found.rows, fmt), nl=False)
            return
        graph = load_graph(kb)
        result = graph.query(named.text, initBindings=bindings)
    except RemoteError as exc:
        fail(str(exc), EXIT_REMOTE)
    except (QueryError, SourceError, StoreError) as exc:
        fail(str(exc))
    except Exception as exc:  # a syntax error in a user's query file
        fail(f"query {name!r} could not run: {exc}")
    typer.echo(render(result, fmt), nl=False)


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
