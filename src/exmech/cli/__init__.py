"""The `exmech` command. One module per command group; exit codes: 0 ok / conforms, 1 does not conform, 2 error."""

import typer

from . import build_cmd, entry_cmd, paths_cmd, query_cmd, release_cmd, serve_cmd

app = typer.Typer(
    help="exmech: a knowledge graph of why exercise helps people with chronic low back pain.\n\n"
    "Exit codes: 0 success (or conforms), 1 the graph or entry does not conform, 2 error in the input.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
build_cmd.register(app)
query_cmd.register(app)
release_cmd.register(app)
entry_cmd.register(app)
paths_cmd.register(app)
serve_cmd.register(app)


def main() -> None:
    app()
