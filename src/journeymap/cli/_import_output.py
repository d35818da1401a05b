"""What ``journeymap import`` prints: the count table, how the file was read, ``--json``."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table

from journeymap.cli._import_labels import _row_label
from journeymap.cli._import_limit import _counted_quarantine, _exceeded, _Limit
from journeymap.cli._import_notes import _order_words
from journeymap.cli.app import _, console, number

if TYPE_CHECKING:
    from journeymap.ingest.report import ImportReport


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
    # events_per_row: the rows whose entries made events, and their events quarantined alone.
    data["rows_with_events"] = report.rows_with_events
    data["events_quarantined"] = dict(sorted(report.events_quarantined.items()))
    data["rows_events_quarantined"] = report.rows_events_quarantined
    data["rows_duplicate"] = report.rows_duplicate
    data["unmapped"] = report.unmapped
    order = date_order((report.timestamp_format or "").split(" | "))
    data["timestamp_order"] = order  # "day", "month" or null
    data["max_quarantined"] = None if limit is None else _limit_json(report, limit)
    data["notes"] = notes
    data["warnings"] = warnings
    return data


def _limit_json(report: ImportReport, limit: _Limit) -> dict[str, Any]:
    """``max_quarantined`` of ``--json``: what the limit counted, and whether it was exceeded.

    With ``events_per_row`` also ``events_quarantined`` (of ``quarantined``, the events
    quarantined alone) and ``rows_and_events`` (what a share is of).
    """
    counted = _counted_quarantine(report)
    found: dict[str, Any] = {
        "limit": limit.text,
        "quarantined": counted.quarantined,
        "rows_read": counted.rows_read,
        "exceeded": _exceeded(report, limit, "") is not None,
    }
    if report.events_per_row:
        found["events_quarantined"] = counted.events
        found["rows_and_events"] = counted.total
    return found
