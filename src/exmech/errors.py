"""The one error model: every error a user can cause is an ExmechError carrying its documented exit code.

Exit codes, for every command:
  0  success (the graph or entry conforms)
  1  the graph or an entry does not conform (NotConforming)
  2  the input cannot be read or used: a file, an option, a parameter, a query, a missing extra (InputError)
  3  a server could not be reached, refused, or answered badly (ServerError)
The CLI turns these into one line on stderr, never a traceback (exmech.cli.handler).
"""

EXIT_CODES = {
    0: "success (or conforms)",
    1: "the graph or an entry does not conform",
    2: "the input cannot be read or used",
    3: "a server could not be reached, refused, or answered badly",
}


class ExmechError(Exception):
    """Base of every user-facing error; the message says what is wrong and where."""

    exit_code = 2


class InputError(ExmechError, ValueError):
    """A file, option, parameter or query that cannot be read or used."""

    exit_code = 2


class NotConforming(ExmechError):
    """The graph or an entry breaks a rule."""

    exit_code = 1


class ServerError(ExmechError, RuntimeError):
    """A server could not be reached, refused the request, or answered in a way that cannot be used."""

    exit_code = 3


class MissingExtra(InputError):
    """A command needs an optional dependency that is not installed."""

    def __init__(self, module: str, extra: str):
        super().__init__(
            f"this command needs the Python package {module!r}, which is not installed; "
            f"install it with: pip install 'exmech[{extra}]'"
        )


def require(module: str, extra: str):
    """Import an optional dependency, or raise MissingExtra naming the extra that brings it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtra(module.split(".")[0], extra) from exc
