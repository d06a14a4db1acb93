"""Options and error handling shared by every subcommand."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

#: Exit codes: 0 ok, 1 a check failed (validation errors), 2 usage or input error.
EXIT_OK, EXIT_FAILED_CHECK, EXIT_INPUT = 0, 1, 2

log = logging.getLogger("landasset")


class CheckFailed(click.exceptions.Exit):
    """Ends a command with exit code 1 after it has printed why."""

    def __init__(self) -> None:
        super().__init__(EXIT_FAILED_CHECK)


def one_line(exc: BaseException) -> str:
    """The first line of an exception's message, prefixed by its type for OS errors."""
    text = str(exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    if len(text) > 1:
        first += f" (+{len(text) - 1} more line(s); run with -v for all)"
    return first


class LandassetGroup(click.Group):
    """A click group that turns landasset and OS errors into a one-line reason."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except (ValueError, OSError, KeyError, ImportError) as exc:
            verbose = (ctx.find_root().obj or {}).get("verbosity", 0) > 0
            if verbose:
                traceback.print_exc(file=sys.stderr)
            else:
                message = str(exc).splitlines()
                log.debug("%s", "\n".join(message))
            click.echo(f"Error: {one_line(exc) if not verbose else str(exc)}", err=True)
            ctx.exit(EXIT_INPUT)


def verbosity_options(f: F) -> F:
    """``-v/--verbose`` and ``-q/--quiet`` (repeatable), setting the log level."""

    def _set(ctx: click.Context, param: click.Parameter, value: int) -> int:
        obj = ctx.ensure_object(dict)
        delta = value if param.name == "verbose" else -value
        obj["verbosity"] = obj.get("verbosity", 0) + delta
        level = logging.WARNING - 10 * obj["verbosity"]
        logging.basicConfig(stream=sys.stderr, format="%(levelname)s %(message)s")
        log.setLevel(max(logging.DEBUG, min(logging.CRITICAL, level)))
        return value

    f = click.option(
        "-v",
        "--verbose",
        count=True,
        callback=_set,
        expose_value=False,
        is_eager=True,
        help="More output on stderr (repeat for more); full tracebacks on error.",
    )(f)
    f = click.option(
        "-q",
        "--quiet",
        count=True,
        callback=_set,
        expose_value=False,
        is_eager=True,
        help="Less output on stderr.",
    )(f)
    return f


overwrite_option = click.option(
    "--overwrite", is_flag=True, default=False, help="Replace an existing output file or layer."
)
layer_option = click.option("--layer", default=None, help="Layer name inside a GeoPackage.")
input_path = click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))


def echo_table(frame: Any, *, index: bool = True) -> None:
    """Print a DataFrame to stdout as plain text."""
    click.echo(frame.to_string(index=index))
