"""Use case: look into a workspace's quarantine (rows not imported, with their reasons)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis.expr.datatypes as dt

from journeymap.errors import UsageError
from journeymap.i18n import current_language, gettext

__all__ = [
    "OUT_FORMATS",
    "QuarantineRow",
    "QuarantineSummary",
    "inspect_quarantine",
    "stored_name",
    "write_rows",
]

# What --out writes, by the file's suffix.
OUT_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
# The columns of a quarantined row shown and written, in this order.
COLUMNS = ("source", "row_number", "reason", "raw", "duplicate_of")
# Stored by the importer (journeymap.ingest.report.DUPLICATE).
_DUPLICATE = "exact duplicate"


def _(message: str) -> str:
    return gettext(message, current_language())


@dataclass(frozen=True)
class QuarantineRow:
    """One quarantined row: where it came from, why, and the row as it was read.

    Attributes:
        source: The import's source name (the file name by default).
        row_number: The 1-based row of the source (a CSV's header is not counted).
        reason: Why it is not an event (``exact duplicate``, ``no rule matched``, ...).
        raw: The original row as JSON (``{"line": ...}`` for a line that was no row).
        duplicate_of: For an exact duplicate, the row (numbered as ``row_number``) of the
            first copy, the one imported; None for other reasons, or when that row is gone.
    """

    source: str
    row_number: int
    reason: str
    raw: str
    duplicate_of: int | None = None


@dataclass
class QuarantineSummary:
    """What :func:`inspect_quarantine` found.

    Attributes:
        counts: (source, reason, rows) for every source and reason, most rows first.
        rows: The first quarantined rows, by source and row number.
        total: The quarantined rows the filters select.
        written: Rows written to the ``out`` file (0 without one).
    """

    counts: list[tuple[str, str, int]] = field(default_factory=list)
    rows: list[QuarantineRow] = field(default_factory=list)
    total: int = 0
    written: int = 0


def inspect_quarantine(
    *,
    db: str | Path | None = None,
    engine: str | None = None,
    reason: str | None = None,
    source: str | None = None,
    limit: int = 10,
    out: str | Path | None = None,
) -> QuarantineSummary:
    """Count a workspace's quarantined rows by source and reason, and read the first ones.

    Args:
        db: A DuckDB workspace file (default: the ``workspace.url`` setting).
        engine: Any Ibis connection URL instead of ``db``.
        reason: Only rows quarantined for this reason.
        source: Only rows of this source (its name as stored, or a path to that file).
        limit: How many rows to return in ``rows`` (0: none).
        out: Write every selected row to this ``.csv`` or ``.parquet`` file.

    Returns:
        The counts, the first rows and how many rows were written.

    Raises:
        UsageError: Contradictory options, an unknown output format, or a reason or source
            no quarantined row has (with the ones there are).
        WorkspaceError: The workspace cannot be opened.
    """
    from journeymap.ingest.workspace import Workspace, quiet_driver_warnings
    from journeymap.services.imports import workspace_url

    if limit < 0:
        raise UsageError(_("--limit must be 0 or more, not {limit}").format(limit=limit))
    out_format = _out_format(out)
    url = workspace_url(db, engine)
    with Workspace(url, read_only=True) as workspace, quiet_driver_warnings():
        if not workspace.has_table("quarantine"):
            raise UsageError(
                _(
                    "the workspace {where} has no journeymap quarantine table: nothing was "
                    "imported into it; import events first with `journeymap import`"
                ).format(where=workspace.display_url)
            )
        table = workspace.quarantine()
        counted = (
            table.group_by(["source", "reason"]).agg(rows=table.count()).to_pyarrow().to_pylist()
        )
        every = [(row["source"], row["reason"], int(row["rows"])) for row in counted]
        selected = table
        if source is not None:
            names = sorted({name for name, _reason, _rows in every})
            stored = stored_name(source, names, Path(source).name)
            selected = selected.filter(selected.source == stored)
        if reason is not None:
            selected = selected.filter(selected.reason == reason)
        counts = [
            (name, why, rows)
            for name, why, rows in every
            if (source is None or name == stored) and (reason is None or why == reason)
        ]
        if reason is not None and not counts:
            reasons = sorted({why for _name, why, _rows in every})
            stored_name(reason, reasons, reason, option="--reason")
        summary = QuarantineSummary(
            counts=sorted(counts, key=lambda item: (-item[2], item[0], item[1])),
            total=sum(rows for _name, _why, rows in counts),
        )
        ordered = _with_first_copies(workspace, selected).order_by(["source", "row_number"])
        if limit and summary.total:
            summary.rows = [
                QuarantineRow(**row) for row in ordered.limit(limit).to_pyarrow().to_pylist()
            ]
        if out is not None and out_format is not None:
            summary.written = write_rows(ordered, Path(out), out_format)
    return summary


def _with_first_copies(workspace: Any, selected: Any) -> Any:
    """The selected rows with ``duplicate_of``: the row an exact duplicate is a copy of.

    A duplicate has its first copy's event key (the row imported, or quarantined for another
    reason) and comes from the same import, so the same source: the row is looked up by both.
    A row of ``events_per_row`` is stored as its events, each under ``<row key>/NN``
    (``journeymap.ingest._unpivot.event_key``), so a stored key is read up to its ``/``.
    """
    import ibis

    events, quarantine = workspace.events(), workspace.quarantine()
    copies = selected.filter(selected.reason == _DUPLICATE).select("event_key", "source")
    stored = events.select("event_key", "source", "row_number").union(
        quarantine.filter(quarantine.reason != _DUPLICATE).select(
            "event_key", "source", "row_number"
        )
    )
    slash = stored.event_key.find("/")
    row_key = ibis.cases((slash >= 0, stored.event_key.substr(0, slash)), else_=stored.event_key)
    firsts = (
        stored.select(event_key=row_key, source=stored.source, row_number=stored.row_number)
        .semi_join(copies, ["event_key", "source"])
        .group_by(["event_key", "source"])
        .agg(first_copy=lambda table: table.row_number.min())
    )
    joined = selected.left_join(firsts, ["event_key", "source"])
    duplicate_of = ibis.cases(
        (joined.reason == _DUPLICATE, joined.first_copy), else_=ibis.null(dt.int64)
    )
    return joined.select(*COLUMNS[:-1], duplicate_of=duplicate_of)


def _out_format(out: str | Path | None) -> str | None:
    if out is None:
        return None
    suffix = Path(out).suffix.lower()
    if suffix not in OUT_FORMATS:
        raise UsageError(
            _("--out must name a .csv or .parquet file, not {path}").format(path=Path(out).name)
        )
    return OUT_FORMATS[suffix]


def stored_name(given: str, known: list[str], stored: str, option: str = "--source") -> str:
    """The name, as a quarantine stores it, that a ``--source`` or ``--reason`` given means.

    Shared by ``journeymap quarantine`` and ``journeymap feedback quarantine``.

    Args:
        given: What the user gave (a source's stored name or a path to its file; a reason).
        known: The names the quarantine holds.
        stored: The name ``given`` would be stored under (a path's file name), tried second.
        option: The option named in the error.

    Returns:
        ``given`` or ``stored``, whichever ``known`` holds.

    Raises:
        UsageError: Neither is known: the one meant, if close, and the ones there are (or
            that the quarantine is empty).

    Examples:
        >>> stored_name("exports/web.csv", ["crm.csv", "web.csv"], "web.csv")
        'web.csv'
    """
    if given in known:
        return given
    if stored in known:
        return stored
    if not known:
        raise UsageError(_("the workspace's quarantine is empty: every row read was imported"))
    close = difflib.get_close_matches(given, known, n=1)
    hint = _("; did you mean '{name}'?").format(name=close[0]) if close else ""
    raise UsageError(
        _("no quarantined row has {option} '{given}'{hint} (there are: {known})").format(
            option=option, given=given, hint=hint, known=", ".join(map(repr, known))
        )
    )


def write_rows(rows: Any, path: str | Path, out_format: str = "csv") -> int:
    """Write every row of ``rows`` to the ``csv`` or ``parquet`` file ``path``; how many.

    Shared by ``journeymap quarantine --out`` and ``journeymap feedback quarantine --csv``.
    Missing folders are made. An Ibis table is read whole first (Ibis's batch reader fails on
    DuckDB 2), so a failing query leaves no file half written; a quarantine is the small part
    of an import.

    Args:
        rows: A :class:`pyarrow.Table`, or an Ibis table expression (anything with
            ``to_pyarrow()``).
        path: The file to write.
        out_format: ``csv`` or ``parquet`` (see :data:`OUT_FORMATS` for the suffixes).

    Returns:
        The rows written.

    Raises:
        UsageError: The file cannot be written (a file where a folder should be, no
            permission, a full disk).

    Examples:
        >>> import tempfile
        >>> import pyarrow as pa
        >>> folder = Path(tempfile.mkdtemp())
        >>> write_rows(pa.table({"source": ["web.csv"], "row_number": [7]}), folder / "q.csv")
        1
        >>> (folder / "q.csv").read_text().splitlines()
        ['"source","row_number"', '"web.csv",7']
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    path = Path(path)
    if not isinstance(rows, pa.Table):
        rows = rows.to_pyarrow()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if out_format == "csv":
            pacsv.write_csv(rows, path)
        else:
            pq.write_table(rows, path)
    except OSError as exc:  # a file where a folder should be, no permission, a full disk
        blocked = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
        reason = (
            _("{file} is a file, not a folder").format(file=blocked)
            if blocked is not None
            else exc.strerror or str(exc)
        )
        raise UsageError(
            _("cannot write {path}: {reason}").format(path=path, reason=reason)
        ) from None
    return int(rows.num_rows)
