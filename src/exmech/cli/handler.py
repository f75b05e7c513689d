"""The one place where errors become messages and exit codes: every command's callback is wrapped here."""

import errno
import functools

import typer

from exmech.cli.options import fail
from exmech.errors import ExmechError


def describe_os_error(exc: OSError) -> str:
    """An operating-system error in words, naming the file (e.g. an unwritable -o folder, a full disk)."""
    where = f"{exc.filename}: " if exc.filename else ""
    reason = exc.strerror or errno.errorcode.get(exc.errno or 0, "") or str(exc)
    return f"{where}{reason}"


def handled(callback):
    """Run a command; a user error prints one line on stderr and exits with its code, never a traceback."""

    @functools.wraps(callback)
    def run(*args, **kwargs):
        try:
            return callback(*args, **kwargs)
        except ExmechError as exc:
            fail(str(exc), exc.exit_code)
        except OSError as exc:  # files and folders the user named: unreadable, unwritable, full
            fail(describe_os_error(exc), 2)

    return run


def wrap_commands(app: typer.Typer) -> None:
    for command in app.registered_commands:
        if command.callback is not None:
            command.callback = handled(command.callback)
