"""``journeymap import``: events file + map (+ rules) into the workspace, with counts.

For pipelines: ``--json`` prints the counts, notes and warnings as one JSON object,
``--quiet`` prints only errors, ``--max-quarantined`` fails the run (exit 1) when more rows
are quarantined than it allows, and ``--wait`` waits for a DuckDB workspace another process
holds. Off a terminal a long import prints a plain, timestamped progress line now and then
(on stderr, as warnings). ``-``, ``/dev/stdin`` and named pipes are read too (spooled to a
temporary file: some readers read a file twice).
"""

from __future__ import annotations

import dataclasses
import re
import shlex
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from journeymap.cli.app import (
    EXIT_FAIL,
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    ProgressLines,
    _,
    console,
    console_error,
    echo_json,
    error_console,
    handle_errors,
    number,
    off_map_note,
    percent,
    status_line,
    terminate_as_interrupt,
)
from journeymap.cli.maps import map_errors
from journeymap.errors import JourneymapError, ReaderError, UsageError
from journeymap.i18n import N_

if TYPE_CHECKING:
    from journeymap.ingest.report import ImportReport

LARGE_FILE_BYTES = 5 * 1024 * 1024
# Read from standard input or a pipe in pieces of this size into the temporary file.
SPOOL_CHUNK_BYTES = 1 << 20
# The reason the rules' own ``only:`` gives; --max-quarantined does not count it.
FILTERED_OUT = "filtered out"


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    # A rules file's problems are listed in the user's language, as `validate` lists them.
    app.command("import")(handle_errors(map_errors(import_command)))


def import_command(
    events: Annotated[
        Path,
        typer.Argument(
            help="The events file (CSV, TSV, Parquet, JSONL, XES). - reads standard input "
            "(with --format)."
        ),
    ],
    map_path: Annotated[Path, typer.Option("--map", help="The journey map (YAML or JSON).")],
    rules: Annotated[
        Path | None, typer.Option("--rules", help="A separate mapping rules file.")
    ] = None,
    db: Annotated[Path | None, typer.Option("--db", help="The workspace DuckDB file.")] = None,
    engine: Annotated[str | None, typer.Option("--engine", help="An Ibis connection URL.")] = None,
    format: Annotated[
        str | None,
        typer.Option("--format", help="csv, tsv, parquet, jsonl or xes (default: file name)."),
    ] = None,
    unmatched: Annotated[
        str | None,
        typer.Option("--unmatched", help="quarantine (default) or keep rows no rule matches."),
    ] = None,
    delimiter: Annotated[
        str | None,
        typer.Option(
            "--delimiter", help="The CSV field separator, e.g. ';' or '\\t' (default: sniffed)."
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            help="The text encoding of a CSV, TSV or JSON Lines file, e.g. cp1252 (default: "
            "detected; UTF-8 for JSON Lines).",
        ),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Map rows imported before with other mapping rules again, replacing their "
            "events and quarantine rows.",
        ),
    ] = False,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print the counts, notes and warnings as one JSON object."),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
    max_quarantined: Annotated[
        str | None,
        typer.Option(
            "--max-quarantined",
            help="Fail (exit 1) when more rows are quarantined: a count (0, 100) or a share "
            "of the rows read (1%). Rows the rules filter out (only:) do not count.",
        ),
    ] = None,
    wait: Annotated[
        float,
        typer.Option(
            "--wait",
            help="Seconds to wait for a DuckDB workspace another process uses (default: 0, "
            "exit 75 at once).",
        ),
    ] = 0.0,
) -> None:
    """Import events: every row becomes an event or a quarantined row with its reason."""
    from journeymap.ingest.workspace import new_workspace_file, waiting_for_lock, workspace_name
    from journeymap.services.imports import import_file, workspace_url

    limit = _quarantine_limit(max_quarantined)
    if wait < 0:
        raise UsageError(_("--wait takes seconds, 0 or more, not {value}").format(value=wait))
    url = workspace_url(db, engine)
    created = new_workspace_file(url)
    shown = str(events)
    progress = _Progress(events.name or shown)
    spinner = console.is_terminal and not (as_json or quiet) and _large(events)

    def waiting(pid: int | None) -> None:
        progress.waiting = True
        if not quiet:
            error_console.print(_waiting_note(workspace_name(url), pid, wait), markup=False)

    with terminate_as_interrupt() as terminated:
        try:
            with (
                status_line(spinner) as bar,
                ProgressLines(progress.describe, every=0 if quiet or spinner else None),
                _readable(events, format, progress) as path,
                waiting_for_lock(wait, waiting),
            ):
                task = bar.add_task(_("Reading"), total=None)

                def advance(rows: int) -> None:
                    progress.rows, progress.waiting = rows, False
                    bar.update(task, description=f"{_('Reading')} {number(rows)} {_('rows')}")

                report = import_file(
                    path,
                    map_path,
                    rules_path=rules,
                    db=db,
                    engine=engine,
                    unmatched=unmatched,
                    format=format,
                    progress=advance,
                    replace=replace,
                    delimiter=delimiter,
                    encoding=encoding,
                )
        except KeyboardInterrupt:
            error_console.print(_interrupted_note(engine), markup=False)
            raise typer.Exit(EXIT_TERMINATED if terminated() else EXIT_INTERRUPTED) from None
    notes = _notes(report)
    if created is not None:  # last, where a log's reader looks first
        notes.append(_created_note(*created))
    warnings = _warnings(report)
    exceeded = _exceeded(report, limit, _workspace_option(db, engine))
    if as_json:
        echo_json(_json_report(report, shown, workspace_name(url), created, notes, warnings, limit))
    elif not quiet:
        _print_report(report, notes)
    if not quiet:
        for warning in warnings:
            error_console.print(f"[bold yellow]{escape(_('Warning'))}:[/] " + escape(warning))
    if exceeded:
        console_error(JourneymapError(exceeded))
        raise typer.Exit(EXIT_FAIL)


class _Progress:
    """Where an import is, for the progress lines off a terminal."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.rows = 0
        self.spooled = 0  # bytes of standard input or a pipe read so far
        self.waiting = False  # for a workspace another process holds
        self.started = time.monotonic()

    def describe(self) -> str:
        seconds = number(round(time.monotonic() - self.started))
        if self.waiting:
            return _("import {source}: waiting for the workspace ({seconds} s)").format(
                source=self.name, seconds=seconds
            )
        if self.spooled and not self.rows:
            return _("import {source}: {megabytes} MB read from the pipe ({seconds} s)").format(
                source=self.name, megabytes=number(self.spooled // 1_000_000), seconds=seconds
            )
        return _("import {source}: {rows} rows read ({seconds} s)").format(
            source=self.name, rows=number(self.rows), seconds=seconds
        )


def _large(events: Path) -> bool:
    """Whether the spinner is worth it: a big file, or a stream of unknown size."""
    try:
        if _is_stream(events):
            return True
        return events.is_file() and events.stat().st_size >= LARGE_FILE_BYTES
    except OSError:
        return False


def _is_stream(events: Path) -> bool:
    """Whether ``events`` is standard input (``-``) or a pipe (``/dev/stdin``, ``<(...)``)."""
    if str(events) == "-":
        return True
    try:
        return events.exists() and not events.is_file() and not events.is_dir()
    except OSError:
        return False


@contextmanager
def _readable(events: Path, format: str | None, progress: _Progress) -> Iterator[Path]:
    """A file the readers can open (more than once): ``events``, or a copy of a stream.

    Standard input and pipes can be read once only, while the CSV reader reads a file's start
    to detect its encoding and delimiter before it reads the whole; Parquet seeks. They are
    copied to a temporary file first, named so that the import's source is ``stdin.csv`` (or
    the pipe's own name), and removed afterwards.

    Raises:
        UsageError: A stream whose name does not tell the format, without ``--format``; an
            unknown format; standard input that is a terminal.
        ReaderError: Nothing came in.
    """
    if not _is_stream(events):
        yield events
        return
    from journeymap.ingest.readers import FORMATS, detect_format

    is_stdin = str(events) in {"-", "/dev/stdin"} or events.name == "stdin"
    where = _("standard input") if is_stdin else str(events)
    kind = format.lower() if format else None
    named = None
    with suppress(ReaderError):  # a pipe's name without a suffix: --format tells
        named = detect_format(events.name) if not is_stdin else None
    kind = kind or named
    if kind is None:
        raise UsageError(
            _(
                "{source} has no file name to tell the format from: give it with --format "
                "({formats})"
            ).format(source=where, formats=", ".join(FORMATS))
        )
    if kind not in FORMATS:
        raise UsageError(
            _("unknown --format {format}; use one of {formats}").format(
                format=repr(format), formats=", ".join(FORMATS)
            )
        )
    if str(events) == "-" and sys.stdin.isatty():
        raise UsageError(
            _(
                "standard input is a terminal: pipe the events in (cat events.csv | "
                "journeymap import - --format csv ...), or give the file's name"
            )
        )
    with tempfile.TemporaryDirectory(prefix="journeymap-import-") as folder:
        stem = events.name if named else ("stdin" if is_stdin else "pipe")
        target = Path(folder) / (stem if named else f"{stem}.{kind}")
        _spool(events, target, progress)
        if target.stat().st_size == 0:
            raise ReaderError(_("{source} is empty: nothing to import").format(source=where))
        if not named and kind in {"csv", "tsv"} and _gzipped(target):
            target = target.rename(target.with_name(target.name + ".gz"))
        yield target


def _spool(events: Path, target: Path, progress: _Progress) -> None:
    """Copy standard input or the pipe ``events`` into ``target``, counting the bytes."""
    source = sys.stdin.buffer if str(events) == "-" else events.open("rb")
    try:
        with target.open("wb") as out:
            while chunk := source.read(SPOOL_CHUNK_BYTES):
                out.write(chunk)
                progress.spooled += len(chunk)
    finally:
        if source is not sys.stdin.buffer:
            source.close()


def _gzipped(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


@dataclasses.dataclass(frozen=True)
class _Limit:
    """``--max-quarantined``: at most ``value`` rows, or that share of the rows read."""

    value: float
    share: bool
    text: str


def _quarantine_limit(text: str | None) -> _Limit | None:
    """``--max-quarantined`` read: a whole count or a percentage; None when not given.

    Raises:
        UsageError: Neither a whole count nor a percentage from 0 to 100.
    """
    if text is None:
        return None
    cleaned = text.strip().replace(",", ".")
    found = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(%?)", cleaned)
    if found is not None:
        value, share = float(found.group(1)), bool(found.group(2))
        if share and value <= 100:
            return _Limit(value / 100, True, text.strip())
        if not share and value.is_integer():
            return _Limit(value, False, text.strip())
    raise UsageError(
        _(
            "--max-quarantined takes a number of rows (e.g. 0 or 100) or a share of the rows "
            "read (e.g. 1%), not {value}"
        ).format(value=repr(text))
    )


def _counted_quarantine(report: ImportReport) -> tuple[int, int]:
    """(quarantined rows, rows read) as --max-quarantined counts them.

    Rows the rules filter out on purpose (``only:``) count in neither, nor rows whose events
    were imported already from other rows (an export sent again in another form): no data is
    missing for them.
    """
    from journeymap.ingest.report import SAME_EVENT

    skipped = report.quarantined.get(FILTERED_OUT, 0) + report.quarantined.get(SAME_EVENT, 0)
    return report.rows_quarantined - skipped, report.rows_read - skipped


def _exceeded(report: ImportReport, limit: _Limit | None, workspace: str) -> str | None:
    """The error when more rows were quarantined than ``--max-quarantined`` allows, else None.

    ``workspace`` is the ``--db`` or ``--engine`` option that names the workspace, if any,
    for the command that lists the rows.
    """
    if limit is None:
        return None
    quarantined, read = _counted_quarantine(report)
    share = quarantined / read if read else 0.0
    if (share if limit.share else quarantined) <= limit.value:
        return None
    return _(
        "{count} of {rows} rows read were quarantined ({share}), more than --max-quarantined "
        "{limit} allows. The import is stored all the same; the rows and their reasons: "
        "journeymap quarantine{workspace} --source {source}"
    ).format(
        count=number(quarantined),
        rows=number(read),
        share=percent(share, _share_decimals(share)),
        limit=limit.text,
        workspace=workspace,
        source=shlex.quote(report.source),
    )


def _workspace_option(db: Path | None, engine: str | None) -> str:
    """`` --db PATH`` or `` --engine URL`` (its password as ``***``) as given, else nothing."""
    if db is not None:
        return f" --db {shlex.quote(str(db))}"
    if engine is not None:
        from journeymap.ingest.workspace import redact_url

        return f" --engine {shlex.quote(redact_url(engine))}"
    return ""


def _share_decimals(share: float) -> int:
    """Decimals that keep a small share from reading 0.0% (0.04% is 0.04%)."""
    return 1 if share == 0 or share >= 0.001 else 3


def _created_note(file: Path, folders: list[Path]) -> str:
    """Said whenever an import makes a new workspace: a typo in --db makes one too."""
    from journeymap.ingest.workspace import workspace_name

    where = workspace_name(f"duckdb:///{file.absolute()}")
    if folders:
        return _("Note: created a new workspace at {path}, in a new folder ({folder}).").format(
            path=where, folder=workspace_name(f"duckdb:///{file.parent.absolute()}")
        )
    return _("Note: created a new workspace at {path}.").format(path=where)


def _waiting_note(where: str, pid: int | None, seconds: float) -> str:
    if pid is None:
        return _(
            "The workspace {where} is in use by another process; waiting up to {seconds} s."
        ).format(where=where, seconds=number(seconds))
    return _(
        "The workspace {where} is in use by another process (PID {pid}); waiting up to {seconds} s."
    ).format(where=where, pid=pid, seconds=number(seconds))


def _info_lines(report: ImportReport) -> list[str]:
    """How the file was read: its encoding and its timestamps."""
    lines = []
    if report.encoding and report.encoding_detected:
        lines.append(f"{_('Encoding (detected)')}: {report.encoding}")
    if report.timestamp_type:
        lines.append(
            _("Timestamps read as: the source's own {type} values").format(
                type=report.timestamp_type
            )
        )
    elif report.timestamp_format:
        lines.append(
            f"{_('Timestamps read as')}: {report.timestamp_format}"
            f"{_order_words(report.timestamp_format)}"
        )
    return lines


def _print_report(report: ImportReport, notes: list[str]) -> None:
    """The counts as a table, how the file was read, then the notes (on stdout)."""
    table = Table(title=report.source, show_header=True)
    table.add_column(_("rows"))
    table.add_column(_("count"), justify="right")
    for label, count in report.count_rows():
        table.add_row(_row_label(label), number(count))
    console.print(table)
    for line in _info_lines(report):
        console.print(line, markup=False)
    for note in notes:
        # One line each off a terminal, so a log can be searched for it.
        console.print(note, markup=False, soft_wrap=not console.is_terminal)


def _warnings(report: ImportReport) -> list[str]:
    """What makes the import's result doubtful; printed on stderr."""
    if report.rows_read and report.rows_quarantined == report.rows_read:
        return [
            _(
                "every row was quarantined, nothing was imported; the reasons are counted "
                "above and the rows are in the quarantine table."
            )
        ]
    return []


def _notes(report: ImportReport) -> list[str]:
    """What the import saw that the user may have to act on, in the order they are printed."""
    notes: list[str] = []
    if report.timestamps_naive:
        notes.append(
            _(
                "Note: the timestamps carry no time zone and were read as UTC; if they are "
                "local times, set timezone: in the rules' columns (e.g. timezone: "
                "Europe/Copenhagen)."
            )
        )
    if report.timestamp_format_hint:
        notes.append(_epoch_note(report.timestamp_format_hint))
    if report.timestamp_misread:
        looks, first = report.timestamp_misread
        notes.append(
            _(
                "Note: the timestamps were read as {used}, but their digits look like {looks}: "
                "the first became {first}. If so, set timestamp_format: {looks} in the rules' "
                "columns and import again with --replace."
            ).format(used=report.timestamp_format, looks=looks, first=first)
        )
    notes += _data_notes(report)
    from journeymap.services.imports import import_notes

    notes += import_notes(report)
    if report.off_map:
        notes.append(off_map_note(report.off_map))
    if report.rows_imported and not report.conversions_in_input:
        notes.append(
            _(
                "Note: no imported event is a conversion. Check the conversion rule of the "
                "mapping rules (conversion:) against the data; a 0/1 column needs equals: '1'."
            )
            if report.conversion_rule
            else _(
                "Note: these rules have no conversion rule, so this file brings no conversions. "
                "Import the file that holds them into the same workspace, or add conversion: "
                "to the rules."
            )
        )
    from journeymap.ingest.report import DUPLICATE

    duplicates = report.quarantined.get(DUPLICATE, 0)
    if report.rows_are_journeys and duplicates:
        notes.append(
            _(
                "Note: each row is a journey of its own (person_from_row), so the rows "
                "quarantined as exact duplicates ({count}) may be distinct sessions that look "
                "alike; if so, import again with duplicates: keep in the rules."
            ).format(count=number(duplicates))
        )
    if report.rows_replaced:
        notes.append(_replaced_note(report.rows_replaced, report.rows_mapped_differently))
    elif report.file_already_imported:
        notes.append(_("This data was imported before; nothing was added twice."))
    if report.rows_other_rules:
        notes.append(_other_rules_note(report.rows_other_rules, report.rows_mapped_differently))
    return notes


def _json_report(
    report: ImportReport,
    events: str,
    workspace: str,
    created: tuple[Path, list[Path]] | None,
    notes: list[str],
    warnings: list[str],
    limit: _Limit | None,
) -> dict[str, Any]:
    """``--json``: the report's own fields by their names, as ``diff --json`` keeps the map's.

    Then the totals the report computes, how the file was read, and the notes and warnings
    as they are printed.
    """
    from journeymap.ingest.timestamps import date_order

    data: dict[str, Any] = {"events": events, "workspace": workspace}
    data["workspace_created"] = created is not None
    data.update(dataclasses.asdict(report))
    data["quarantined"] = dict(sorted(report.quarantined.items()))
    data["rows_quarantined"] = report.rows_quarantined
    data["rows_duplicate"] = report.rows_duplicate
    data["unmapped"] = report.unmapped
    order = date_order((report.timestamp_format or "").split(" | "))
    data["timestamp_order"] = order  # "day", "month" or null
    quarantined, read = _counted_quarantine(report)
    data["max_quarantined"] = (
        None
        if limit is None
        else {
            "limit": limit.text,
            "quarantined": quarantined,
            "rows_read": read,
            "exceeded": _exceeded(report, limit, "") is not None,
        }
    )
    data["notes"] = notes
    data["warnings"] = warnings
    return data


# The labels of the import's count table (ImportReport.count_rows) and the quarantine
# reasons among them, marked for translation.
_ROW_LABELS = (
    N_("read"),
    N_("imported"),
    N_("of which unmapped"),
    N_("of which conversions"),
    N_("quarantined"),
    N_("already imported"),
    N_("of which mapped with other rules"),
    N_("mapped again (replaced)"),
    N_("spreadsheet values repaired"),
    N_("missing person id"),
    N_("unparseable timestamp"),
    N_("unparseable value"),
    N_("no rule matched"),
    N_("filtered out"),
    N_("exact duplicate"),
    N_("malformed row"),
    N_("same event already imported"),
)
REASONS = frozenset(_ROW_LABELS[9:])
_MANGLED = "looks spreadsheet-mangled: "


def _row_label(label: str) -> str:
    """A count table label in the user's language, its indentation kept."""
    text = label.lstrip()
    indent = label[: len(label) - len(text)]
    if text.startswith(_MANGLED):
        column = text[len(_MANGLED) :]
        return indent + _("looks spreadsheet-mangled: {column}").format(column=column)
    if text not in _ROW_LABELS:
        return label
    if indent and text in REASONS:
        return indent + reason_label(text)
    return indent + _(text)


def reason_id(text: str) -> str:
    """The stored (English) reason a label in the user's language names, else ``text``.

    ``--reason 'exaktes Duplikat'`` selects what the table shows under that label.
    """
    labels = {_(reason).casefold(): reason for reason in REASONS}
    return labels.get(text.strip().casefold(), text)


def reason_label(reason: str) -> str:
    """A quarantine reason in the user's language (import's counts, ``journeymap quarantine``).

    The quarantine table stores the reason in English, so a translation names it too, for
    queries and ``--reason``: ``ingen regel passede (no rule matched)``.
    """
    translated = _(reason) if reason in REASONS else reason
    return reason if translated == reason else f"{translated} ({reason})"


def _order_words(timestamp_format: str) -> str:
    """`` (day first)`` or `` (month first)`` for formats with a day and month, else nothing."""
    from journeymap.ingest.timestamps import date_order

    order = date_order(timestamp_format.split(" | "))
    if order is None:
        return ""
    return f" ({_('day first') if order == 'day' else _('month first')})"


def _other_order(timestamp_format: str | None) -> str | None:
    """The format of ``timestamp_format`` with day and month swapped (its dated part)."""
    from journeymap.ingest.timestamps import swap_order

    formats = (timestamp_format or "").split(" | ")
    return next((swapped for fmt in formats if (swapped := swap_order(fmt))), None)


def _data_notes(report: ImportReport) -> list[str]:
    """What the import saw in the data that the user may have to act on."""
    from journeymap.ingest.timestamps import date_order

    notes: list[str] = []
    other = _other_order(report.timestamp_format)
    if report.timestamp_order_tie and other:
        notes.append(
            (
                _(
                    "Note: every date fits both day-first and month-first order (the first: "
                    "{value!r}), so they were read day-first. If they are month-first, set "
                    "timestamp_format: {other!r} in the rules' columns and import again with "
                    "--replace."
                )
                if date_order([other]) == "month"
                else _(
                    "Note: every date fits both day-first and month-first order (the first: "
                    "{value!r}), so they were read month-first. If they are day-first, set "
                    "timestamp_format: {other!r} in the rules' columns and import again with "
                    "--replace."
                )
            ).format(value=report.timestamp_order_tie, other=other)
        )
    unreadable = report.quarantined.get("unparseable timestamp", 0)
    if unreadable and report.timestamp_unparseable is not None:
        note = _(
            "Note: timestamps that could not be read were quarantined ({count}); the first: "
            "{value!r}."
        ).format(count=number(unreadable), value=report.timestamp_unparseable)
        suggestion = report.timestamp_suggestion
        if suggestion:
            note += " " + _(
                "They read as {format}: set timestamp_format: {format!r} in the rules' columns "
                "and import again with --replace."
            ).format(format=suggestion)
            used = date_order((report.timestamp_format or "").split(" | "))
            if report.rows_imported and used and date_order([suggestion]) not in (None, used):
                note += " " + _("The rows imported may have day and month swapped.")
        notes.append(note)
    if report.value_ambiguous:
        value, count = report.value_ambiguous
        notes.append(
            _(
                "Note: conversion values fit both decimal marks ({count}; the first: {value!r}) "
                "and were read with '.' as the decimal mark and ',' grouping thousands. If ',' "
                "is the decimal mark, set decimal: ',' in the rules' columns and import again "
                "with --replace."
            ).format(count=number(count), value=value)
        )
    if report.quarantined_conversions:
        reasons = ", ".join(
            f"{_(reason)}: {number(count)}"
            for reason, count in report.quarantined_conversions.items()
        )
        notes.append(
            _(
                "Note: quarantined rows that match the conversion rule are not counted as "
                "conversions: {count} ({reasons}); see them in the quarantine table."
            ).format(count=number(sum(report.quarantined_conversions.values())), reasons=reasons)
        )
    if report.bad_bytes and report.first_bad_byte:
        byte, line = report.first_bad_byte
        notes.append(
            _(
                "Note: the file was read as UTF-8, but bytes that are not UTF-8 ({count}; the "
                "first: {byte} on line {line}) were read as the replacement character \ufffd. "
                "If the file has another encoding, give it with --encoding."
            ).format(count=number(report.bad_bytes), byte=byte, line=number(line))
        )
    return notes


def _interrupted_note(engine: str | None) -> str:
    """What Ctrl-C did to the workspace: an import is one transaction on these engines."""
    scheme = (engine or "duckdb://").split("://", 1)[0].lower()
    if scheme in {"duckdb", "postgres", "postgresql", "sqlite"}:
        return _(
            "Import interrupted: nothing of it was stored (an import is one transaction), "
            "the workspace is as it was."
        )
    return _("Import interrupted: on this engine the rows inserted so far may remain.")


def _other_rules_note(rows: int, changed: int) -> str:
    """Rows skipped as already imported although these rules would map them anew."""
    if not changed:
        return _(
            "Note: {rows} rows were imported before with other mapping rules; these rules map "
            "every one of them as before, so they stay as they are."
        ).format(rows=number(rows))
    return _(
        "Note: {rows} rows were imported before with other mapping rules and keep that "
        "earlier mapping; these rules would map {changed} of them differently. To map them "
        "with these rules, import again with --replace."
    ).format(rows=number(rows), changed=number(changed))


def _replaced_note(rows: int, changed: int) -> str:
    """What --replace did; the table counts those rows as imported or quarantined."""
    if not changed:
        return _(
            "Mapped again with these rules: {rows} rows imported before with other mapping "
            "rules; these rules map every one of them as before. Their earlier events and "
            "quarantine rows were replaced (counted above as imported or quarantined)."
        ).format(rows=number(rows))
    return _(
        "Mapped again with these rules: {rows} rows imported before with other mapping rules, "
        "{changed} of them differently; their earlier events and quarantine rows were replaced "
        "(counted above as imported or quarantined)."
    ).format(rows=number(rows), changed=number(changed))


def _epoch_note(timestamp_format: str) -> str:
    """The hint for timestamps none of which was read that look like epoch numbers."""
    if timestamp_format == "epoch_s":
        return _(
            "Note: the timestamps could not be read and look like epoch seconds; set "
            "timestamp_format: epoch_s in the rules' columns and import again with --replace."
        )
    if timestamp_format == "epoch_ms":
        return _(
            "Note: the timestamps could not be read and look like epoch milliseconds; set "
            "timestamp_format: epoch_ms in the rules' columns and import again with --replace."
        )
    return _(
        "Note: the timestamps could not be read and look like epoch microseconds; set "
        "timestamp_format: epoch_us in the rules' columns and import again with --replace."
    )
