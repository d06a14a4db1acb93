"""Options, error handling and output helpers shared by every subcommand.

Nothing heavy is imported here at module level: ``landasset --help`` must not load
geopandas, pyogrio or matplotlib. The helpers import what they need when called.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:  # pragma: no cover - typing only
    import geopandas as gpd

    from landasset.lifecycle import Ledger
    from landasset.site import Site

F = TypeVar("F", bound=Callable[..., Any])

#: Exit codes: 0 ok, 1 a check failed (validation errors) or an unexpected failure (a
#: defect), 2 usage or input error (a bad option or date, or any LandassetError: a
#: missing file, an invalid profile, an illegal move...).
EXIT_OK, EXIT_FAILED_CHECK, EXIT_INPUT = 0, 1, 2

log = logging.getLogger("landasset")


class InputError(click.ClickException):
    """Bad input data or arguments found by a command: ``Error: input error: <reason>``,
    exit 2."""

    exit_code = EXIT_INPUT

    def format_message(self) -> str:
        return f"input error: {self.message}"


class CheckFailed(click.exceptions.Exit):
    """Ends a command with exit code 1 after it has printed why."""

    def __init__(self) -> None:
        super().__init__(EXIT_FAILED_CHECK)


def one_line(exc: BaseException) -> str:
    """The first line of an exception's message (a KeyError without its quotes).

    A first line ending in a colon (a list of problems follows) is joined with the
    first problem.
    """
    message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
    text = [line.strip() for line in str(message).strip().splitlines() if line.strip()]
    if not text:
        return type(exc).__name__
    first, rest = text[0], text[1:]
    if first.endswith(":") and rest:  # "3 events refused:" + the first of them
        first, rest = f"{first} {rest[0]}", rest[1:]
    if rest:
        first += f" (+{len(rest)} more; run with -v for all)"
    return first


class LandassetGroup(click.Group):
    """A click group that turns errors into a one-line reason and warnings into log lines.

    * a :class:`~landasset.LandassetError` (the library found bad input: a missing
      file, an invalid profile, an illegal lifecycle move...) or an :class:`InputError`
      raised by a command → ``Error: input error: <first line>``, exit 2;
    * usage errors (a missing option, a bad value) → one line with a pointer to
      ``--help``, exit 2;
    * anything else is a defect → ``Error: unexpected error, please report: ...``,
      exit 1;
    * with ``-v`` the full traceback is printed as well;
    * Python warnings raised by the library are printed as ``warning: ...`` lines on
      stderr and never stop a command.
    """

    def invoke(self, ctx: click.Context) -> Any:
        from landasset._errors import LandassetError

        if ctx.parent is not None:  # a nested group: the root handles errors
            return super().invoke(ctx)
        try:
            with _warnings_to_stderr():
                return super().invoke(ctx)
        except click.UsageError as exc:
            # one line, like every other error: the reason and where to look
            where = exc.ctx.command_path if exc.ctx is not None else ctx.command_path
            click.echo(f"Error: {exc.format_message()} (see '{where} --help')", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except LandassetError as exc:
            _report(ctx, exc, unexpected=False)
            ctx.exit(EXIT_INPUT)
        except Exception as exc:
            _report(ctx, exc, unexpected=True)
            ctx.exit(EXIT_FAILED_CHECK)


def _verbose(ctx: click.Context) -> bool:
    return bool((ctx.find_root().obj or {}).get("verbosity", 0) > 0)


def _report(ctx: click.Context, exc: BaseException, *, unexpected: bool) -> None:
    verbose = _verbose(ctx)
    if verbose:
        traceback.print_exception(exc, file=sys.stderr)
    message = str(exc) if verbose else one_line(exc)
    if unexpected:
        hint = "" if verbose else " (run with -v for the traceback)"
        message = f"unexpected error, please report: {type(exc).__name__}: {message}{hint}"
    else:
        message = f"input error: {message}"
    click.echo(f"Error: {message}", err=True)


@contextmanager
def _warnings_to_stderr() -> Iterator[None]:
    """Show library warnings as one line each on stderr; never raise them."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            seen: set[str] = set()
            for w in caught:
                text = str(w.message).strip().splitlines()[0] if str(w.message).strip() else ""
                if text and text not in seen:
                    seen.add(text)
                    log.warning("%s", text)


def verbosity_options(f: F) -> F:
    """``-v/--verbose`` and ``-q/--quiet`` (repeatable), setting the log level."""

    def _set(ctx: click.Context, param: click.Parameter, value: int) -> int:
        obj = ctx.ensure_object(dict)
        delta = value if param.name == "verbose" else -value
        obj["verbosity"] = obj.get("verbosity", 0) + delta
        level = logging.WARNING - 10 * obj["verbosity"]
        _configure_logging()
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
        help="Less output on stderr (no progress bar, no warnings with -q).",
    )(f)
    return f


class _StderrHandler(logging.Handler):
    """Log records as ``warning: message`` lines on the current stderr (CliRunner-safe)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            click.echo(f"{record.levelname.lower()}: {record.getMessage()}", err=True)
        except Exception:  # pragma: no cover - logging must never raise
            self.handleError(record)


def _configure_logging() -> None:
    if not any(isinstance(h, _StderrHandler) for h in log.handlers):
        log.addHandler(_StderrHandler())
        log.propagate = False


def note(message: str) -> None:
    """An informational line on stderr ("wrote out.gpkg"); silent with ``-q``."""
    if not quiet():
        click.echo(message, err=True)


def quiet() -> bool:
    """True when ``-q`` was given (no progress output)."""
    ctx = click.get_current_context(silent=True)
    return ctx is not None and (ctx.find_root().obj or {}).get("verbosity", 0) < 0


# -- shared options ------------------------------------------------------------------------

overwrite_option = click.option(
    "--overwrite", is_flag=True, default=False, help="Replace an existing output file or layer."
)
layer_option = click.option("--layer", default=None, help="Layer name inside a GeoPackage.")
input_path = click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
#: A layer source: a file, or a File Geodatabase (.gdb folder).
input_source = click.argument("path", type=click.Path(exists=True, path_type=Path))
#: Formats that hold several layers (named with --layer).
MULTI_LAYER_FORMATS = ("GPKG", "OpenFileGDB", "KML")


def _parse_renames(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> dict[str, str]:
    renames: dict[str, str] = {}
    for value in values:
        old, sep, new = value.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise click.BadParameter(f"{value!r} is not OLD=NEW (e.g. 地块号=parcel_id)")
        renames[old.strip()] = new.strip()
    return renames


rename_option = click.option(
    "--rename",
    "rename",
    multiple=True,
    metavar="OLD=NEW",
    callback=_parse_renames,
    help="Rename a source column on reading (repeatable), e.g. --rename 地块号=parcel_id. "
    "Chinese aliases (地块编号, 用地性质, ...) are renamed without it.",
)
encoding_option = click.option(
    "--encoding",
    default=None,
    help="Text encoding of a Shapefile without .cpg, e.g. gbk for legacy Chinese files.",
)


def output_option(*, required: bool = True, help: str | None = None) -> Callable[[F], F]:
    """``-o/--output FILE``: the format follows the extension."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        required=required,
        help=help
        or "File to write; the format follows the extension (.gpkg, .parquet, "
        ".fgb, .geojson, .shp).",
    )


def output_layer_option(default: str) -> Callable[[F], F]:
    """``--output-layer NAME``: the layer name when the output is a GeoPackage."""
    return click.option(
        "--output-layer",
        default=default,
        show_default=True,
        help="Layer name in an output GeoPackage.",
    )


profile_option = click.option(
    "-p",
    "--profile",
    required=True,
    help="A bundled profile name (see `landasset profiles`) or a profile .yaml file.",
)


class IsoDate(click.ParamType):
    """A day written ``YYYY-MM-DD`` and nothing else; the value stays that string.

    The Python API reads the same form. Anything a reader could take two ways is
    refused before it can reach the append-only ledger: ``03/04/2026`` (March or
    April?), ``2026`` or ``2026-03`` (which day?), ``20260301``, ``now``/``today``
    (whose clock?), ``March 1 2026``, and times such as ``2026-03-01T23:00`` (which
    day in which time zone?).
    """

    name = "date"

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            return iso_day(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_day(value: object) -> str:
    """``value`` if it is a real day written ``YYYY-MM-DD``; else a ``ValueError`` saying so."""
    import datetime as dt

    text = value.strip() if isinstance(value, str) else value
    if not isinstance(text, str) or not _ISO_DAY.fullmatch(text):
        raise ValueError(f"{value!r} is not a date written YYYY-MM-DD, such as 2026-03-01")
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{value!r} is not a day of the calendar; write a real date as YYYY-MM-DD"
        ) from None
    return text


#: The type of every date option (``--on``, ``--as-of``).
ISO_DATE = IsoDate()

as_of_option = click.option(
    "--as-of",
    type=ISO_DATE,
    default=None,
    help="The date (YYYY-MM-DD): planned stations count once open, stages as on that day.",
)


# -- helpers --------------------------------------------------------------------------------


def echo_table(frame: Any, *, index: bool = True) -> None:
    """Print a DataFrame to stdout as plain text."""
    click.echo(frame.to_string(index=index))


def parse_date(value: str | None, *, option: str = "--as-of") -> Any:
    """A ``pandas.Timestamp`` from ``YYYY-MM-DD`` (None stays None: no date, as in the API).

    Options of type :data:`ISO_DATE` are checked already; anything else is checked
    the same way here.
    """
    if value is None:
        return None
    from landasset._dates import to_day

    try:
        return to_day(iso_day(value), what=option)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=f"'{option}'") from None


def check_output(path: Path, *, overwrite: bool, layer: str | None = None) -> None:
    """Refuse an output early, before any work (:func:`landasset.io.check_writable`)."""
    from landasset.io import check_writable

    check_writable(path, layer=layer, overwrite=overwrite)


def write_output(
    gdf: gpd.GeoDataFrame, path: Path, *, layer: str, overwrite: bool, encoding: str | None = None
) -> None:
    """Write a layer atomically (see :mod:`landasset.io`) and say so on stderr."""
    from landasset.io import format_for, write_layer

    name = layer if format_for(path) == "GPKG" else None
    write_layer(gdf, path, layer=name, overwrite=overwrite, encoding=encoding)
    where = f"{path} (layer {name})" if name else str(path)
    log.info("wrote %d rows to %s", len(gdf), where)
    note(f"wrote {where}")


def load_site(path: Path) -> Site:
    """The site in a GeoPackage (its layers named by kind), validated."""
    from landasset.io import format_for
    from landasset.site import read_site

    if format_for(path) != "GPKG":
        raise InputError(
            f"{path.name} is not a GeoPackage; a site is one .gpkg with a layer per kind "
            "(convert single layers with `landasset convert`)"
        )
    site = read_site(path)
    for problem in site.report.problems:
        if problem.severity in ("warning", "note"):
            log.info("%s: %s (%s)", problem.kind, problem.problem, problem.fix)
    return site


@contextmanager
def site_ledger(path: Path) -> Iterator[Ledger | None]:
    """The lifecycle ledger in the site file, opened read-only (None when it has none).

    Pass it on as ``stages=`` with the command's ``as_of``: the library reads it on
    that day, as for a Python caller. Without a ledger no stages are given, and a
    profile with a stage rule is refused by the library with its own message.
    """
    from landasset.lifecycle import Ledger, has_ledger

    if not has_ledger(path):
        yield None
        return
    with Ledger.open(path, read_only=True) as ledger:
        yield ledger


@contextmanager
def progress(length: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr (nothing with ``-q``); yields ``advance(n)``."""
    if quiet():
        yield lambda n: None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr, show_pos=True) as bar:
        yield bar.update
