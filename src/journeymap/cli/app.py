"""The typer application and the pieces every command shares."""

from __future__ import annotations

import functools
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any, ParamSpec, TypeVar

import click
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from typer.core import TyperGroup

from journeymap.errors import EngineError, JourneymapError, UsageError, from_engine
from journeymap.i18n import N_, current_language, gettext

# The exit codes (README.md, "Exit codes"): a scheduler tells a broken input (1) from a wrong
# command line (2) and from a workspace that is busy for now (75: EX_TEMPFAIL, retry later).
EXIT_SUCCESS = 0
EXIT_FAIL = 1
EXIT_ERROR = 2
EXIT_BUSY = 75  # journeymap.ingest.workspace.WorkspaceBusyError.exit_code
EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_TERMINATED = 143  # 128 + SIGTERM

P = ParamSpec("P")
R = TypeVar("R")

console = Console(highlight=False, soft_wrap=True)
error_console = Console(stderr=True, highlight=False, soft_wrap=True)


def _(message: str) -> str:
    """Translate a CLI message into the user's language (JOURNEYMAP_LANG or LANG)."""
    return gettext(message, current_language())


def number(value: int | float) -> str:
    """A count as the user's language writes it: ``12,330`` in English, ``12.330`` in German.

    A German or Danish reader takes ``13,087`` for thirteen and a bit.
    """
    from journeymap.i18n import format_integer

    return format_integer(value, current_language())


def percent(value: float | None, decimals: int = 1) -> str:
    """A ratio as a percentage in the user's language (``43.7%``, ``43,7 %``); ``-`` for none."""
    if value is None:
        return "-"
    from journeymap.i18n import format_percent

    return format_percent(float(value), current_language(), decimals)


def decimal(value: float, places: int = 2) -> str:
    """A measurement with ``places`` decimals as the user's language writes it (``1.234,50``)."""
    from journeymap.i18n import format_fixed

    return format_fixed(value, places, current_language())


def credited_itself_note(itself: dict[str, Any]) -> str:
    """The note on a touchpoint credited for the conversion itself (``credited_for_itself``)."""
    return _(
        "Note: {count} of {conversions} conversions are {touchpoint} events, so "
        "{touchpoint} is credited for the conversion itself (every last-touch credit). "
        "--no-conversion-touch credits the touches before each conversion instead "
        "(setting attribution.conversion_touch)."
    ).format(
        count=number(int(itself["conversions"])),
        conversions=number(int(itself["events"])),
        touchpoint=itself["touchpoint"],
    )


def status_line(show: bool) -> Progress:
    """A transient spinner line with a description and the elapsed time (off when not ``show``).

    Long commands (import, analyze) tell a terminal what they are doing with it.
    """
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not show,
    )


def console_error(error: JourneymapError) -> None:
    """Print a user error without a traceback."""
    # The message is the user's text (a regex such as ^[a-z]+, a file name): never markup.
    error_console.print(
        f"[bold red]{_('Error')}:[/] {escape(str(error))}", markup=True, highlight=False
    )


def handle_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn a JourneymapError raised inside a command into ``Error: ...`` and its exit code.

    A database driver's own failure (out of memory, a full disk, a lost connection) that no
    layer translated is an :class:`EngineError` too: the user can act on it, and a traceback
    would say it was our bug. A URL given to ``--db`` (every command's ``--db`` takes a
    DuckDB file) is refused first, pointing to ``--engine``.
    """

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            check_db_option(kwargs.get("db"))
            return command(*args, **kwargs)
        except JourneymapError as error:
            console_error(error)
            raise typer.Exit(error.exit_code) from None
        except Exception as exc:
            if not from_engine(exc):
                raise
            failure = EngineError(f"the database failed: {exc}")
            console_error(failure)
            raise typer.Exit(failure.exit_code) from None

    return wrapper


# A URL scheme (two letters at least: ``C:/`` is a Windows drive). ``duckdb:///x`` reaches
# a ``--db`` Path as ``duckdb:/x``: the path collapses the slashes.
_URL_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]+):/")


def check_db_option(db: object) -> None:
    """Refuse a connection URL given to ``--db``, which takes a DuckDB file's path.

    ``--db duckdb:///ws.duckdb`` was read as the path ``duckdb:/ws.duckdb`` and answered
    "duckdb:/ws.duckdb does not exist" (an import made a folder ``duckdb:``).

    Raises:
        UsageError: ``db`` looks like a URL.
    """
    if not isinstance(db, str | Path):
        return
    found = _URL_SCHEME.match(str(db))
    if found is None:
        return
    raise UsageError(
        _(
            "--db takes the path of a DuckDB file, not a URL ({scheme}://...); give a "
            "connection URL with --engine instead (e.g. --engine duckdb:///ws.duckdb), or the "
            "file's path with --db (--db ws.duckdb)"
        ).format(scheme=found.group("scheme"))
    )


@contextmanager
def terminate_as_interrupt() -> Iterator[Callable[[], bool]]:
    """Inside the block, SIGTERM interrupts as Ctrl-C does; yields "was it SIGTERM?".

    ``timeout``, systemd, Kubernetes and CI runners cancel with SIGTERM, which ended a
    command at once, without a word; raised as KeyboardInterrupt it unwinds the same way
    (an import's transaction rolls back) and the command says what happened.
    """
    received: list[int] = []

    def interrupt(number: int, frame: FrameType | None) -> None:
        received.append(number)
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave SIGTERM as it is
        yield lambda: False
        return
    try:
        yield lambda: bool(received)
    finally:
        signal.signal(signal.SIGTERM, previous)


# Seconds between two progress lines off a terminal (a CI runner kills a job that is silent for
# some minutes); short commands print none.
PROGRESS_SECONDS = 15.0


class ProgressLines:
    """Off a terminal, a plain, timestamped line on stderr every so often while work runs.

    A log or a CI runner gets no spinner (it would fill the log with ANSI codes); these
    lines tell it the command is alive: ``2025-11-30T14:05:10+01:00 import events.csv:
    300,000 rows read``. ``describe`` says where the work is; it is asked from a thread.
    """

    def __init__(self, describe: Callable[[], str], every: float | None = None) -> None:
        self.describe = describe
        self.every = PROGRESS_SECONDS if every is None else every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            stamp = datetime.now().astimezone().isoformat(timespec="seconds")
            stream = sys.stderr
            stream.write(f"{stamp} {self.describe()}\n")
            stream.flush()

    def __enter__(self) -> ProgressLines:
        if self.every > 0:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


def echo_json(data: Any) -> None:
    """Print JSON to stdout without rich markup."""
    import json

    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


# Typer's own words around the help, in the user's language (set when a language is chosen).
_TYPER_WORDS = {
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "REQUIRED_LONG_STRING": N_("[required]"),
    "DEFAULT_STRING": N_("[default: {}]"),
}


def _translate_help(command: Any) -> None:
    """Put the help of ``command``, its options and its subcommands in the user's language.

    The help texts stay plain English strings in the code (Typer reads them from signatures
    and docstrings); the catalogs translate them here, when Click's command tree is built for
    a run, so ``--help`` speaks Danish or German like the rest of the command line.
    """
    english = current_language() == "en"
    # Typer's words are module globals: a German run in this process may have set them.
    rich_utils = sys.modules.get("typer.rich_utils")
    if rich_utils is None and not english:
        from typer import rich_utils
    if rich_utils is not None:
        from journeymap.cli import _usage_errors

        for name, message in {**_TYPER_WORDS, **_usage_errors.WORDS}.items():
            setattr(rich_utils, name, _(message))
        _usage_errors.install(rich_utils)
    if english:
        return
    commands = [command, *getattr(command, "commands", {}).values()]
    for each in commands:
        if each.help:
            each.help = _(each.help)
        if each.short_help:
            each.short_help = _(each.short_help)
        for param in each.params:
            if getattr(param, "help", None):
                param.help = _(param.help)
        each.get_help_option = functools.partial(_help_option, each.get_help_option)
        each.format_usage = functools.partial(_format_usage, each)


def _format_usage(command: Any, ctx: click.Context, formatter: click.HelpFormatter) -> None:
    """Click's usage line with its ``Usage:`` in the user's language (``Aufruf:``)."""
    pieces = command.collect_usage_pieces(ctx)
    formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=_("Usage:") + " ")


def _help_option(original: Callable[[click.Context], Any], ctx: click.Context) -> Any:
    option = original(ctx)
    if option is not None and option.help:
        option.help = _(option.help)
    return option


class _Group(TyperGroup):
    """The root command; it translates the help of the whole tree (:func:`_translate_help`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _translate_help(self)


app = typer.Typer(
    name="journeymap",
    cls=_Group,
    help="Design customer journey maps and measure them against real touchpoint events.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def off_map_note(off_map: dict[str, int]) -> str:
    """Which touchpoints events were filed under that the map does not have (import, analyze).

    :func:`journeymap.analysis.notes.off_map_note` in the user's language; empty for none.
    """
    from journeymap.analysis.notes import off_map_note as note

    return note(off_map, current_language()) or ""


def _register_all(target: typer.Typer) -> None:
    from journeymap.cli import (
        analyze_cmd,
        attribute_cmd,
        compare_cmd,
        demo_cmd,
        feedback_cmd,
        import_cmd,
        maps,
        quarantine_cmd,
        render_cmd,
        settings_cmd,
    )

    for module in (
        maps,
        import_cmd,
        analyze_cmd,
        attribute_cmd,
        compare_cmd,
        render_cmd,
        demo_cmd,
        settings_cmd,
        quarantine_cmd,
        feedback_cmd,
    ):
        module.register(target)


def _version_callback(value: bool) -> None:
    if value:
        from journeymap import __version__

        typer.echo(f"journeymap {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Show the version."
    ),
) -> None:
    """Design customer journey maps and measure them against real touchpoint events."""


_register_all(app)
