"""The `exmech` command. One module per command group; exit codes: 0 ok / conforms, 1 does not conform,
2 error in the input, 3 a server could not be reached, refused, or answered badly.

Start-up is kept short: `exmech NAME ...` imports only the module of command NAME (so `exmech query` never
imports the report's, the checks' or the server's libraries); `exmech`, `exmech --help` or an unknown name build
the whole command set, and so does `from exmech.cli import app`."""

import importlib
import logging
import sys

import typer

from exmech.cli.handler import wrap_commands
from exmech.errors import EXIT_CODES

# command name -> the module (exmech.cli.<module>) that registers it
COMMANDS = {
    "build": "build_cmd",
    "check": "build_cmd",
    "stats": "build_cmd",
    "query": "query_cmd",
    "queries": "query_cmd",
    "release": "release_cmd",
    "validate": "entry_cmd",
    "add": "entry_cmd",
    "template": "entry_cmd",
    "paths": "paths_cmd",
    "export": "paths_cmd",
    "report": "paths_cmd",
    "serve": "serve_cmd",
    "push": "serve_cmd",
    "evidence": "synthesis_cmd",
    "forest": "synthesis_cmd",
}
# rdflib logs an ill-typed literal (e.g. "abc"^^xsd:decimal from an endpoint) with a traceback; the value is
# kept as it is, so the CLI does not print that log
logging.getLogger("rdflib.term").addHandler(logging.NullHandler())
logging.getLogger("rdflib.term").propagate = False


def make_app(modules: list[str] | None = None) -> typer.Typer:
    """The command line with the commands of these modules (default: every command), each behind the one error
    handler."""
    made = typer.Typer(
        help="exmech: a knowledge graph of why exercise helps people with chronic low back pain.\n\n"
        "Exit codes: " + ", ".join(f"{code} {meaning}" for code, meaning in EXIT_CODES.items()) + ".",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    made.callback()(lambda: None)  # a group even when one module's commands are registered alone
    for module in modules or list(dict.fromkeys(COMMANDS.values())):
        importlib.import_module(f"exmech.cli.{module}").register(made)
    wrap_commands(made)
    return made


def __getattr__(name: str):
    """`exmech.cli.app`: the whole command line, built on first use (tests, `typer` tools)."""
    if name == "app":
        globals()["app"] = make_app()
        return globals()["app"]
    raise AttributeError(name)


def main() -> None:
    first = sys.argv[1] if len(sys.argv) > 1 else ""
    make_app([COMMANDS[first]] if first in COMMANDS else None)()
