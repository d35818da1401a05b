"""``journeymap import``: events file + map (+ rules) into the workspace, with counts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from journeymap.cli.app import (
    _,
    console,
    error_console,
    handle_errors,
    number,
    off_map_note,
    status_line,
)
from journeymap.cli.maps import map_errors
from journeymap.i18n import N_

if TYPE_CHECKING:
    from journeymap.ingest.report import ImportReport

LARGE_FILE_BYTES = 5 * 1024 * 1024


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    # A rules file's problems are listed in the user's language, as `validate` lists them.
    app.command("import")(handle_errors(map_errors(import_command)))


def import_command(
    events: Annotated[
        Path, typer.Argument(help="The events file (CSV, TSV, Parquet, JSONL, XES).")
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
) -> None:
    """Import events: every row becomes an event or a quarantined row with its reason."""
    from journeymap.services.imports import import_file

    show_progress = (
        console.is_terminal and events.is_file() and (events.stat().st_size >= LARGE_FILE_BYTES)
    )
    with status_line(show_progress) as bar:
        task = bar.add_task(_("Reading"), total=None)

        def advance(rows: int) -> None:
            bar.update(task, description=f"{_('Reading')} {number(rows)} {_('rows')}")

        try:
            report = import_file(
                events,
                map_path,
                rules_path=rules,
                db=db,
                engine=engine,
                unmatched=unmatched,
                format=format,
                progress=advance if show_progress else None,
                replace=replace,
                delimiter=delimiter,
                encoding=encoding,
            )
        except KeyboardInterrupt:
            error_console.print(_interrupted_note(engine), markup=False)
            raise typer.Exit(130) from None
    table = Table(title=report.source, show_header=True)
    table.add_column(_("rows"))
    table.add_column(_("count"), justify="right")
    for label, count in report.count_rows():
        table.add_row(_row_label(label), number(count))
    console.print(table)
    if report.encoding and report.encoding_detected:
        console.print(f"{_('Encoding (detected)')}: {report.encoding}", markup=False)
    if report.timestamp_type:
        console.print(
            _("Timestamps read as: the source's own {type} values").format(
                type=report.timestamp_type
            ),
            markup=False,
        )
    elif report.timestamp_format:
        console.print(
            f"{_('Timestamps read as')}: {report.timestamp_format}"
            f"{_order_words(report.timestamp_format)}",
            markup=False,
        )
    if report.timestamps_naive:
        console.print(
            _(
                "Note: the timestamps carry no time zone and were read as UTC; if they are "
                "local times, set timezone: in the rules' columns (e.g. timezone: "
                "Europe/Copenhagen)."
            ),
            markup=False,
        )
    if report.timestamp_format_hint:
        console.print(_epoch_note(report.timestamp_format_hint), markup=False)
    if report.timestamp_misread:
        looks, first = report.timestamp_misread
        console.print(
            _(
                "Note: the timestamps were read as {used}, but their digits look like {looks}: "
                "the first became {first}. If so, set timestamp_format: {looks} in the rules' "
                "columns and import again with --replace."
            ).format(used=report.timestamp_format, looks=looks, first=first),
            markup=False,
        )
    for note in _data_notes(report):
        console.print(note, markup=False)
    if report.off_map:
        console.print(off_map_note(report.off_map), markup=False, soft_wrap=False)
    if report.rows_read and report.rows_quarantined == report.rows_read:
        console.print(
            f"[bold yellow]{escape(_('Warning'))}:[/] "
            + escape(
                _(
                    "every row was quarantined, nothing was imported; the reasons are counted "
                    "above and the rows are in the quarantine table."
                )
            )
        )
    if report.rows_imported and not report.conversions:
        console.print(
            _(
                "Note: no imported event is a conversion. Check the conversion rule of the "
                "mapping rules (conversion:) against the data; a 0/1 column needs equals: '1'."
            )
            if report.conversion_rule
            else _(
                "Note: these rules have no conversion rule, so this file brings no conversions. "
                "Import the file that holds them into the same workspace, or add conversion: "
                "to the rules."
            ),
            markup=False,
        )
    from journeymap.ingest.report import DUPLICATE

    duplicates = report.quarantined.get(DUPLICATE, 0)
    if report.rows_are_journeys and duplicates:
        console.print(
            _(
                "Note: each row is a journey of its own (person_from_row), so the rows "
                "quarantined as exact duplicates ({count}) may be distinct sessions that look "
                "alike; if so, import again with duplicates: keep in the rules."
            ).format(count=number(duplicates)),
            markup=False,
        )
    if report.rows_replaced:
        console.print(
            _replaced_note(report.rows_replaced, report.rows_mapped_differently), markup=False
        )
    elif report.file_already_imported:
        console.print(_("This data was imported before; nothing was added twice."))
    if report.rows_other_rules:
        console.print(
            _other_rules_note(report.rows_other_rules, report.rows_mapped_differently),
            markup=False,
        )


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
)
_REASONS = frozenset(_ROW_LABELS[9:])
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
    if indent and text in _REASONS:
        return indent + reason_label(text)
    return indent + _(text)


def reason_id(text: str) -> str:
    """The stored (English) reason a label in the user's language names, else ``text``.

    ``--reason 'exaktes Duplikat'`` selects what the table shows under that label.
    """
    labels = {_(reason).casefold(): reason for reason in _REASONS}
    return labels.get(text.strip().casefold(), text)


def reason_label(reason: str) -> str:
    """A quarantine reason in the user's language (import's counts, ``journeymap quarantine``).

    The quarantine table stores the reason in English, so a translation names it too, for
    queries and ``--reason``: ``ingen regel passede (no rule matched)``.
    """
    translated = _(reason) if reason in _REASONS else reason
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
