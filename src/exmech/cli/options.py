"""Options shared by several commands, defined once."""

from pathlib import Path

import typer

KbDir = typer.Option(None, "--kb", help="Knowledge-base folder to use instead of the shipped one.",
                     exists=True, file_okay=False)
OutDir = typer.Option(Path("build"), "-o", "--output", "--out", help="Folder to write to.")


def fail(message: str, code: int = 2) -> None:
    """Print a plain-language error to stderr and exit with the documented code."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)
