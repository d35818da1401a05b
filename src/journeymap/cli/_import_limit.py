"""``journeymap import --max-quarantined``: the limit read, and the error when it is exceeded."""

from __future__ import annotations

import dataclasses
import re
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from journeymap.cli.app import _, number, percent
from journeymap.errors import UsageError

if TYPE_CHECKING:
    from journeymap.ingest.report import ImportReport

# The reason the rules' own ``only:`` gives; --max-quarantined does not count it.
FILTERED_OUT = "filtered out"


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


@dataclasses.dataclass(frozen=True)
class _Counted:
    """What ``--max-quarantined`` counts of an import.

    Attributes:
        quarantined: The rows quarantined and, with ``events_per_row``, the events
            quarantined alone (a row's bad date): all the limit counts.
        events: Of ``quarantined``, the events (0 without ``events_per_row``).
        rows_read: The rows read, less those the limit leaves out.
        total: What a share is of: ``rows_read``, where with ``events_per_row`` a row that
            made events counts as those events.
    """

    quarantined: int
    events: int
    rows_read: int
    total: int


def _counted_quarantine(report: ImportReport) -> _Counted:
    """The quarantined rows (and events) and what they are a share of, as the limit counts.

    Rows the rules filter out on purpose (``only:``) count nowhere, nor rows (or events)
    imported already from other rows (an export sent again in another form): no data is
    missing for them.
    """
    from journeymap.ingest.report import SAME_EVENT

    skipped = report.quarantined.get(FILTERED_OUT, 0) + report.quarantined.get(SAME_EVENT, 0)
    rows, read = report.rows_quarantined - skipped, report.rows_read - skipped
    if not report.events_per_row:
        return _Counted(rows, 0, read, read)
    same = report.events_quarantined.get(SAME_EVENT, 0)
    events = report.rows_events_quarantined - same
    made = report.rows_imported + events  # by the rows with events
    return _Counted(rows + events, events, read, read - report.rows_with_events + made)


def _exceeded(report: ImportReport, limit: _Limit | None, workspace: str) -> str | None:
    """The error when more rows were quarantined than ``--max-quarantined`` allows, else None.

    ``workspace`` is the ``--db`` or ``--engine`` option that names the workspace, if any,
    for the command that lists the rows.
    """
    if limit is None:
        return None
    counted = _counted_quarantine(report)
    share = counted.quarantined / counted.total if counted.total else 0.0
    if (share if limit.share else counted.quarantined) <= limit.value:
        return None
    values = {
        "count": number(counted.quarantined),
        "share": percent(share, _share_decimals(share)),
        "limit": limit.text,
        "workspace": workspace,
        "source": shlex.quote(report.source),
    }
    if report.events_per_row:
        return _(
            "{count} of {total} rows and events were quarantined ({share}; rows refused "
            "whole: {rows}, events alone: {events}), more than --max-quarantined {limit} "
            "allows. The import is stored all the same; the rows and events and their "
            "reasons: journeymap quarantine{workspace} --source {source}"
        ).format(
            total=number(counted.total),
            rows=number(counted.quarantined - counted.events),
            events=number(counted.events),
            **values,
        )
    return _(
        "{count} of {rows} rows read were quarantined ({share}), more than --max-quarantined "
        "{limit} allows. The import is stored all the same; the rows and their reasons: "
        "journeymap quarantine{workspace} --source {source}"
    ).format(rows=number(counted.rows_read), **values)


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
