"""The wording of ``journeymap import``: its notes, warnings and waiting/interrupted lines."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from journeymap.cli.app import _, number, off_map_note

if TYPE_CHECKING:
    from journeymap.ingest.report import ImportReport


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
    # Rows, and with events_per_row also single events, whose timestamp could not be read.
    unreadable = report.quarantined.get("unparseable timestamp", 0) + (
        report.events_quarantined.get("unparseable timestamp", 0)
    )
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
