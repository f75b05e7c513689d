"""Options shared by several commands, defined once."""

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console

from exmech.stores.http_client import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT

EXIT_REMOTE = 3  # a server could not be reached, refused, or answered badly

KbDir = typer.Option(
    None,
    "--kb",
    help="Knowledge-base folder to use instead of the shipped one.",
    exists=True,
    file_okay=False,
)
StoreSpec = typer.Option(
    None,
    "--store",
    help="memory (default), oxigraph:PATH (on-disk Oxigraph, refilled whenever the knowledge base changes) "
    "or oxigraph-read-only:PATH (refused if stale).",
)
EndpointUrl = typer.Option(
    None,
    "--endpoint",
    help="Run on a remote SPARQL 1.1 endpoint instead, e.g. http://127.0.0.1:7878/query "
    "(exit 3 if it cannot be reached, refuses or answers badly).",
)
Timeout = typer.Option(
    DEFAULT_TIMEOUT,
    "--timeout",
    min=0.001,
    help="With --endpoint: seconds the whole exchange may take (connect, send, the full answer).",
)
MaxBytes = typer.Option(
    DEFAULT_MAX_BYTES,
    "--max-bytes",
    min=1,
    help="With --endpoint: the largest answer read, in bytes (default 256 MiB); a larger one stops reading.",
)
GraphIris = typer.Option(
    [],
    "--graph",
    help="With --endpoint: query this graph (default-graph-uri; repeat to merge several). Needed after "
    "`push --graph G` to a store whose default graph is not the union of its named graphs (Oxigraph).",
)
FromGraphIris = typer.Option(
    [],
    "--from-graph",
    help="With --endpoint: read the graph to push from this graph of it (default-graph-uri, as --graph on every "
    "command that reads; repeat to merge several). push's own --graph names the graph written at --to.",
)
User = typer.Option(
    None,
    "--user",
    help="With --endpoint/--to: the user name for HTTP Basic or Digest authentication; the password is read "
    "from the environment variable EXMECH_PASSWORD or ~/.netrc (never from the command line). Without it, "
    "EXMECH_USER/EXMECH_PASSWORD or a ~/.netrc entry for the host are used when the server asks.",
)
OutDir = typer.Option(Path("build"), "-o", "--output", "--out", help="Folder to write to.")


def credentials(url: str | None, user: str | None):
    """The credentials for a server URL (exmech.stores.auth.find_credentials), None without a URL; an --user
    without an --endpoint/--to to use it on is exit 2."""
    from exmech.errors import InputError
    from exmech.stores.auth import find_credentials

    if url is None:
        if user is not None:
            fail("--user is for a server: give --endpoint URL (or --to URL for push) with it")
        return None
    try:
        return find_credentials(url, user)
    except InputError as exc:
        fail(str(exc))


def open_named_store(
    store: str | None,
    endpoint: str | None,
    kb: Path | None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    graph: list[str] | tuple[str, ...] = (),
    user: str | None = None,
):
    """The store a reading command runs on (--store, or --endpoint with its --graph, --user, --timeout and
    --max-bytes; memory by default), the same for every command; a clear error (exit 2, or 3 for a server)."""
    from exmech.graph.load import SourceError
    from exmech.stores import StoreError, open_store
    from exmech.stores.http_client import Limits, RemoteError

    auth = credentials(endpoint, user)
    try:
        return open_store(store, endpoint, kb, Limits(timeout, max_bytes), tuple(graph), auth)
    except RemoteError as exc:
        fail(str(exc), EXIT_REMOTE)
    except (SourceError, StoreError) as exc:
        fail(str(exc))


def warn(message: str) -> None:
    typer.echo(f"warning: {message}", err=True)


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a plain-language error to stderr and exit with the documented code."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


class QueryFormat(str, Enum):
    """`exmech query -f`: the names of exmech.outputs.results.SelectFormat (SELECT, ASK) and GraphFormat
    (CONSTRUCT, DESCRIBE) together; a name that does not fit the query form is exit 2, naming the ones that do
    (tests/test_results.py keeps this the union of the two)."""

    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    xml = "xml"
    turtle = "turtle"
    nt = "nt"
    jsonld = "json-ld"


class PathFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    turtle = "turtle"


class EvidenceFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


class CheckFormat(str, Enum):
    """`exmech check -f`: lines for people, or JSON with summary counts."""

    text = "text"
    json = "json"


class ValidateFormat(str, Enum):
    text = "text"
    json = "json"
    turtle = "turtle"


class ExportFormat(str, Enum):
    graphml = "graphml"
    csv = "csv"


class FailOn(str, Enum):
    violation = "violation"
    warning = "warning"


def format_option(default: Enum | None, help: str):
    """-f/--format with its choices from an Enum (typer lists them and refuses others with exit 2)."""
    return typer.Option(default, "-f", "--format", help=help)


def _writable_output(out: Path | None) -> Path | None:
    """-o is checked before any work (not after a long check): its folder exists and can be written into."""
    if out is not None:
        folder = out.parent
        if not folder.is_dir():
            raise typer.BadParameter(f"{out}: {folder} is not a folder that exists")
        if not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
            raise typer.BadParameter(f"{out}: cannot be written (permission denied)")
    return out


OutFile = typer.Option(
    None,
    "-o",
    "--output",
    dir_okay=False,
    callback=_writable_output,
    help="Write the output to this file (the same bytes as standard output) instead of printing it.",
)


def emit(text: str, out: Path | None) -> None:
    """Print text, or write it to the file -o named (an unwritable path is exit 2 via exmech.cli.handler)."""
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_bytes(text.encode("utf-8"))


Quiet = typer.Option(False, "-q", "--quiet", help="No progress on stderr.")


@contextmanager
def progress(quiet: bool) -> Iterator[Callable[[str], None]]:
    """A status line on stderr naming the step under way (rich's spinner), for steps that take seconds.

    Only on a terminal (or when asked the way rich is, TTY_COMPATIBLE=1 or FORCE_COLOR), so that a pipe or a log
    gets nothing; -q silences it everywhere. Standard output is never touched: it stays the data."""
    console = Console(stderr=True)
    if quiet or not console.is_terminal:
        yield lambda step: None
        return
    with console.status("starting") as status:
        yield lambda step: status.update(f"{step} ...")
