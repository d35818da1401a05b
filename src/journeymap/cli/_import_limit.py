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
