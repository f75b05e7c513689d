"""The `exmech` command. One module per command group; exit codes: 0 ok / conforms, 1 does not conform,
2 error in the input, 3 a server could not be reached, refused, or answered badly."""

import logging

import typer

from exmech.cli import build_cmd, entry_cmd, paths_cmd, query_cmd, release_cmd, serve_cmd, synthesis_cmd
from exmech.cli.handler import wrap_commands
from exmech.errors import EXIT_CODES

app = typer.Typer(
    help="exmech: a knowledge graph of why exercise helps people with chronic low back pain.\n\n"
    "Exit codes: " + ", ".join(f"{code} {meaning}" for code, meaning in EXIT_CODES.items()) + ".",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# rdflib logs an ill-typed literal (e.g. "abc"^^xsd:decimal from an endpoint) with a traceback; the value is
# kept as it is, so the CLI does not print that log
logging.getLogger("rdflib.term").addHandler(logging.NullHandler())
logging.getLogger("rdflib.term").propagate = False
build_cmd.register(app)
query_cmd.register(app)
release_cmd.register(app)
entry_cmd.register(app)
paths_cmd.register(app)
serve_cmd.register(app)
synthesis_cmd.register(app)
wrap_commands(app)  # one error handler for every command


def main() -> None:
    app()
