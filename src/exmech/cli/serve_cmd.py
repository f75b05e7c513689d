"""exmech serve | push: the graph behind a SPARQL endpoint here, or loaded into another triple store."""

import signal
from pathlib import Path

import typer

from exmech.cli.options import (
    EXIT_REMOTE,
    EndpointUrl,
    FromGraphIris,
    KbDir,
    StoreSpec,
    User,
    credentials,
    fail,
)
from exmech.errors import InputError
from exmech.graph.load import SourceError, load_graph
from exmech.server.limits import Limits
from exmech.stores import StoreError, open_store
from exmech.stores.http_client import Limits as ClientLimits
from exmech.stores.http_client import RemoteError, redact
from exmech.stores.push import PUSH_TIMEOUT, PushError, push

DEFAULTS = Limits()  # the endpoint's defaults, written once (exmech.server.limits.Limits)


def _stop(signum, frame):
    raise KeyboardInterrupt


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8080, help="Port to listen on, 0-65535 (0: any free port)."),
    time_limit: float = typer.Option(
        DEFAULTS.time_limit,
        min=0.1,
        help="Seconds a request may take (queue, parse, check, run, serialise) before 408.",
    ),
    max_rows: int = typer.Option(
        DEFAULTS.max_rows, min=1, help="Most rows or triples in a result before 413."
    ),
    max_bytes: int = typer.Option(
        DEFAULTS.max_bytes, min=1024, help="Most bytes in a serialised result before 413."
    ),
    max_memory: int = typer.Option(
        DEFAULTS.max_memory // 2**20,
        min=64,
        help="MB a query worker may allocate beyond the shared graph (RLIMIT_AS) before 507.",
    ),
    workers: int = typer.Option(
        DEFAULTS.workers,
        min=2,
        help="Query workers at once; half are kept for queries that finish within 0.5 s.",
    ),
    queue: int = typer.Option(
        DEFAULTS.queue, min=0, help="Requests that may wait for a worker before 503 Retry-After."
    ),
    public_name: list[str] = typer.Option(
        [], help="A host name clients use to reach the server (e.g. behind a proxy); repeatable."
    ),
    kb: Path | None = KbDir,
    store: str | None = StoreSpec,
) -> None:
    """Serve the graph read-only: SPARQL 1.1 at /sparql, a query page at /, term and study IRIs by conneg.

    Example: exmech serve --port 8080   (then open http://127.0.0.1:8080/)
    """
    from exmech.server.app import make_server

    if not 0 <= port <= 65535:
        raise InputError(f"--port {port}: a port is a number from 0 to 65535 (0: any free port)")
    try:
        limits = Limits(time_limit, max_rows, max_bytes, max_memory * 2**20, workers, queue)
        server = make_server(open_store(store, None, kb), host, port, limits, public_names=tuple(public_name))
    except (SourceError, StoreError, OSError) as exc:
        fail(str(exc))
    typer.echo(f"serving on http://{host}:{server.server_address[1]}/ (SPARQL at /sparql); Ctrl-C stops")
    signal.signal(signal.SIGTERM, _stop)  # a service manager's stop is a Ctrl-C
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def push_cmd(
    to: str = typer.Option(
        ...,
        "--to",
        "--graph-store",
        help="The receiving server's SPARQL 1.1 Graph Store Protocol URL, e.g. http://127.0.0.1:7878/store",
    ),
    graph: str | None = typer.Option(None, "--graph", help="Named graph IRI (default graph if omitted)."),
    timeout: float = typer.Option(
        PUSH_TIMEOUT, "--timeout", min=0.001, help="Seconds the whole upload and answer may take."
    ),
    kb: Path | None = KbDir,
    store: str | None = StoreSpec,
    endpoint: str | None = EndpointUrl,
    user: str | None = User,
    from_graph: list[str] = FromGraphIris,
) -> None:
    """Load the merged graph into a SPARQL 1.1 Graph Store Protocol server (replacing that graph).

    The graph comes from the embedded store (default), --store oxigraph:PATH or another --endpoint (a SPARQL
    query URL, as for every command; all its triples are fetched with one CONSTRUCT). Succeeds only on a
    complete HTTP 200, 201 or 204 answer; exit 3 if a server cannot be reached, refuses, answers with an error
    or badly, or takes longer than --timeout.

    --user NAME authenticates to the Graph Store (and to --endpoint) with the password from EXMECH_PASSWORD or
    ~/.netrc. Virtuoso: --to http://HOST:8890/sparql-graph-crud-auth --graph IRI --user dba.

    Example: exmech push --to http://127.0.0.1:7878/store --graph https://w3id.org/exmech/dataset
    """
    auth = credentials(to, user)
    try:
        if store in (None, "memory") and not endpoint and not from_graph:
            source = load_graph(kb)
        else:  # an Oxigraph store dumps its graph into the upload file; an endpoint answers one CONSTRUCT
            limits = ClientLimits(timeout=timeout)
            reader = credentials(endpoint, user) if endpoint else None
            source = open_store(store, endpoint, kb, limits, tuple(from_graph), reader)
        sent = push(source, to, graph, timeout, auth)
    except RemoteError as exc:
        fail(str(exc), EXIT_REMOTE)
    except (PushError, SourceError, StoreError) as exc:
        fail(str(exc))
    typer.echo(f"pushed {sent} triples to {redact(to)} ({graph or 'default graph'})")


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command("push")(push_cmd)
