"""Use cases: import survey feedback, list the rows not taken, compare it with the design."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from journeymap.analysis.feedback import FeedbackComparison, compare_feedback
from journeymap.errors import UsageError
from journeymap.i18n.messages import _
from journeymap.ingest.feedback import (
    FEEDBACK_QUARANTINE,
    FIX_COLUMNS,
    REASONS,
    FeedbackColumns,
    FeedbackReport,
    import_feedback,
)
from journeymap.ingest.feedback import read_feedback as read_feedback
from journeymap.ingest.workspace import (
    Workspace,
    WorkspaceMissingError,
    open_for_import,
    redact_url,
    workspace_name,
)
from journeymap.mapfile import load_map
from journeymap.services.imports import _csv_options, workspace_url

__all__ = [
    "FeedbackQuarantine",
    "FeedbackQuarantineRow",
    "feedback_comparison",
    "feedback_quarantine",
    "import_feedback_file",
    "workspace_comparison",
]


def import_feedback_file(
    path: str | Path,
    map_path: str | Path,
    *,
    db: str | Path | None = None,
    engine: str | None = None,
    scale: str | None = None,
    reverse: bool = False,
    columns: FeedbackColumns | None = None,
    format: str | None = None,
    replace: bool = False,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> FeedbackReport:
    """Import a feedback file for the map at ``map_path`` into the workspace.

    See :func:`journeymap.ingest.feedback.import_feedback` for the scales and columns.

    Raises:
        UsageError: Contradictory options, an unknown scale or column.
        ReaderError: The file cannot be read.
        MapError: The map cannot be loaded.
        WorkspaceError: The workspace cannot be opened.
    """
    journey_map = load_map(map_path)
    options: dict[str, Any] = _csv_options(path, format, delimiter, encoding)
    with open_for_import(workspace_url(db, engine)) as workspace:
        return import_feedback(
            workspace,
            path,
            journey_map,
            scale=scale,
            reverse=reverse,
            columns=columns,
            format=format,
            replace=replace,
            **options,
        )


def _read_workspace(db: str | Path | None, engine: str | None) -> Workspace:
    """The workspace opened to read feedback; if it is not there, how to import feedback.

    ``Workspace`` says to import events first, but ``feedback import`` makes the workspace
    as well: someone starting with a survey imports it into the file or URL named here.

    Raises:
        WorkspaceMissingError: The DuckDB or SQLite file is not there.
        WorkspaceError: The workspace cannot be opened.
    """
    url = workspace_url(db, engine)
    try:
        return Workspace(url, read_only=True)
    except WorkspaceMissingError:
        raise WorkspaceMissingError(
            _(
                "{path} does not exist; import the feedback first: `journeymap feedback import "
                "FILE --map MAP{option}` creates it"
            ).format(path=workspace_name(url), option=_where_option(db, engine))
        ) from None


def _where_option(db: str | Path | None, engine: str | None) -> str:
    """`` --db ws.duckdb`` or `` --engine URL``: the workspace as ``feedback import`` takes it.

    Empty for the default workspace (the ``workspace.url`` setting), which it takes too.
    """
    if db is not None:
        return f" --db {db}"
    if engine is not None:
        return f" --engine {redact_url(engine)}"
    return ""


def workspace_comparison(
    journey_map: Any, *, db: str | Path | None = None, engine: str | None = None
) -> FeedbackComparison:
    """The designed-versus-measured comparison of the feedback a workspace holds for a map.

    Raises:
        UsageError: The workspace holds no feedback for the map (with how to import it).
        WorkspaceError: The workspace cannot be opened (or does not exist).
    """
    with _read_workspace(db, engine) as workspace:
        answers = read_feedback(workspace, journey_map.id)
        where = workspace.display_url
    if answers.num_rows == 0:
        raise UsageError(
            _(
                "the workspace {where} holds no feedback for the map {map}; import it first "
                "with `journeymap feedback import FILE --map MAP{option}`"
            ).format(where=where, map=repr(journey_map.id), option=_where_option(db, engine))
        )
    return compare_feedback(journey_map, answers)


def feedback_comparison(
    map_path: str | Path, *, db: str | Path | None = None, engine: str | None = None
) -> FeedbackComparison:
    """Load the map at ``map_path`` and compare it with the workspace's feedback for it."""
    return workspace_comparison(load_map(map_path), db=db, engine=engine)


@dataclass(frozen=True)
class FeedbackQuarantineRow:
    """One feedback row not taken: where it came from, why, and the row as it was read.

    Attributes:
        source: The import's source name (the file name by default).
        row_number: The 1-based row of the file (a CSV's header is not counted); 0 for a
            line that was no row.
        reason: Why it was not taken, as stored (``unknown touchpoint``, ...).
        value: The value at fault (the line, for a line that was no row).
        suggestion: The id the value may mean, or None.
        raw: The original row as JSON (``{"line": ...}`` for a line that was no row).
    """

    source: str
    row_number: int
    reason: str
    value: str
    suggestion: str | None
    raw: str


@dataclass
class FeedbackQuarantine:
    """What :func:`feedback_quarantine` found.

    Attributes:
        counts: (source, reason, rows) for every source and reason selected, most rows first.
        rows: The first rows selected, by source and row number.
        total: The rows the filters select.
        written: Rows written to the ``csv`` file (0 without one).
    """

    counts: list[tuple[str, str, int]] = field(default_factory=list)
    rows: list[FeedbackQuarantineRow] = field(default_factory=list)
    total: int = 0
    written: int = 0


def feedback_quarantine(
    *,
    db: str | Path | None = None,
    engine: str | None = None,
    reason: str | None = None,
    source: str | None = None,
    limit: int = 10,
    csv: str | Path | None = None,
) -> FeedbackQuarantine:
    """Count the feedback rows a workspace did not take, by source and reason; read the first.

    Args:
        db: A DuckDB workspace file (default: the ``workspace.url`` setting).
        engine: Any Ibis connection URL instead of ``db``.
        reason: Only rows quarantined for this reason (as stored: ``unknown touchpoint``).
        source: Only rows of this source (its name as stored, or a path to that file).
        limit: How many rows to return in ``rows`` (0: none).
        csv: Write every selected row to this CSV file, as the file had it (its columns),
            after the reason and where it came from (:data:`FIX_COLUMNS`): fix the rows and
            import the file again, and each fixed row takes the quarantined one's place.

    Returns:
        The counts, the first rows and how many rows were written.

    Raises:
        UsageError: A negative ``limit``, a workspace without feedback, a reason journeymap
            does not give or a source whose rows are not in the quarantine (with the ones
            there are), or a ``csv`` file that cannot be written.
        WorkspaceError: The workspace cannot be opened.
    """
    from journeymap.ingest.workspace import quiet_driver_warnings
    from journeymap.services.quarantine import stored_name

    if limit < 0:
        raise UsageError(_("--limit must be 0 or more, not {limit}").format(limit=limit))
    with _read_workspace(db, engine) as workspace:
        if not workspace.has_table(FEEDBACK_QUARANTINE):
            raise UsageError(
                _(
                    "the workspace {where} holds no feedback: import it first with "
                    "`journeymap feedback import FILE --map MAP{option}`"
                ).format(where=workspace.display_url, option=_where_option(db, engine))
            )
        with quiet_driver_warnings():
            table = workspace.table(FEEDBACK_QUARANTINE)
            counted = table.group_by(["source", "reason"]).agg(rows=table.count())
            every = [
                (row["source"], row["reason"], int(row["rows"]))
                for row in counted.to_pyarrow().to_pylist()
            ]
            selected = table
            if source is not None:
                names = sorted({name for name, _why, _rows in every})
                source = stored_name(source, names, Path(source).name)
                selected = selected.filter(selected.source == source)
            if reason is not None:
                # A reason journeymap gives but no row has is a clean import, not a mistake.
                _check_reason(reason, sorted(set(REASONS) | {why for _name, why, _r in every}))
                selected = selected.filter(selected.reason == reason)
            counts = [
                (name, why, rows)
                for name, why, rows in every
                if source in (None, name) and reason in (None, why)
            ]
            found = FeedbackQuarantine(
                counts=sorted(counts, key=lambda item: (-item[2], item[0], item[1])),
                total=sum(rows for _name, _why, rows in counts),
            )
            ordered = selected.select(*_LISTED).order_by(["source", "row_number"])
            if limit and found.total:
                read = ordered.limit(limit).to_pyarrow().to_pylist()
                found.rows = [FeedbackQuarantineRow(**row) for row in read]
            if csv is not None:
                found.written = _write_fixable(ordered.to_pyarrow(), Path(csv))
    return found


def _check_reason(reason: str, known: list[str]) -> None:
    """Refuse a ``--reason`` journeymap does not give, naming the one meant if close."""
    import difflib

    if reason in known:
        return
    close = difflib.get_close_matches(reason, known, n=1)
    hint = _("; did you mean '{name}'?").format(name=close[0]) if close else ""
    raise UsageError(
        _("--reason '{given}' names no quarantine reason{hint} (the reasons: {known})").format(
            given=reason, hint=hint, known=", ".join(map(repr, known))
        )
    )


# The columns of a quarantined row listed, in this order.
_LISTED = ("source", "row_number", "reason", "value", "suggestion", "raw")


def _write_fixable(rows: pa.Table, path: Path) -> int:
    """Write ``rows`` to the CSV ``path`` as the files had them, after why and whence.

    Every row gets the columns of :data:`FIX_COLUMNS`, then the columns of the original rows
    (all files' columns, in the order first seen; empty where a row's file had none). A line
    that was no row has no columns: its text is the value at fault.
    """
    from journeymap.services.quarantine import write_rows

    originals: list[dict[str, Any]] = []
    for row in rows.to_pylist():
        read = json.loads(row["raw"])
        malformed = row["reason"] == "malformed row"
        value = str(read.get("line", row["value"])) if malformed else row["value"]
        originals.append(
            {
                "quarantine_reason": row["reason"],
                "quarantine_value": value,
                "quarantine_suggestion": row["suggestion"],
                "quarantine_source": row["source"],
                "quarantine_row": str(row["row_number"]),
                **({} if malformed else read),
            }
        )
    names = list(dict.fromkeys(name for original in originals for name in original))
    for name in FIX_COLUMNS:
        if name not in names:  # no row selected: the header alone
            names.append(name)
    names = [*FIX_COLUMNS, *(name for name in names if name not in FIX_COLUMNS)]
    columns = {
        name: pa.array(
            [None if o.get(name) is None else str(o[name]) for o in originals], pa.string()
        )
        for name in names
    }
    return write_rows(pa.table(columns), path, "csv")
