"""``journeymap import``: events file + map (+ rules) into the workspace, with counts.

For pipelines: ``--json`` prints the counts, notes and warnings as one JSON object,
``--quiet`` prints only errors, ``--max-quarantined`` fails the run (exit 1) when more rows
(with ``events_per_row``: rows and events) are quarantined than it allows, and ``--wait``
waits for a DuckDB workspace another process holds. Off a terminal a long import prints a
plain, timestamped progress line now and then (on stderr, as warnings). ``-``,
``/dev/stdin`` and named pipes are read too (spooled to a temporary file: some readers read
a file twice).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from journeymap.cli._import_labels import REASONS as REASONS
from journeymap.cli._import_labels import reason_id as reason_id
from journeymap.cli._import_labels import reason_label as reason_label
from journeymap.cli._import_limit import _exceeded, _quarantine_limit, _workspace_option
from journeymap.cli._import_notes import (
    _created_note,
    _interrupted_note,
    _notes,
    _waiting_note,
    _warnings,
)
from journeymap.cli._import_output import _json_report, _print_report
from journeymap.cli._import_stream import _large, _Progress, _readable
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
    status_line,
    terminate_as_interrupt,
)
from journeymap.cli.maps import map_errors
from journeymap.errors import JourneymapError, UsageError


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
            "of the rows read (1%). Rows the rules filter out (only:) do not count. With "
            "events_per_row, events quarantined alone count too, and a share is of the rows "
            "and events (a row that made events counts as its events).",
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
