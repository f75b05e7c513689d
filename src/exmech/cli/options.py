"""Options shared by several commands, defined once."""

from pathlib import Path
from typing import NoReturn

import typer

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
OutDir = typer.Option(Path("build"), "-o", "--output", "--out", help="Folder to write to.")


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a plain-language error to stderr and exit with the documented code."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)
