"""Import survey and feedback answers: every row is stored or quarantined with its reason.

A row says how a customer felt (a score on a scale, see :mod:`._scales`) about a touchpoint
or a phase of the map, optionally for a persona, by a person, at a time. A row that does not
parse (no score, a score off the scale, a touchpoint or phase the map lacks, a time that is no
time) goes to ``feedback_quarantine`` with its reason, the value at fault, the id it may mean
and the row as read. The import is one transaction (a failure leaves the workspace as it was)
and idempotent: each row's key is a hash of the map, the row as read and how many equal rows
came before it in the file, so importing the same file again stores nothing twice, while two
equal answers in one file (two anonymous 5s) stay two answers.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from journeymap.errors import UsageError
from journeymap.i18n.messages import _
from journeymap.ingest.feedback._scales import Scale, infer_scale, scale_from
from journeymap.ingest.feedback._store import fixed_row, store
from journeymap.ingest.readers import LINE_FORMATS, detect_format, read_events
from journeymap.ingest.timestamps import detect_formats, parse_any
from journeymap.ingest.workspace import Workspace
from journeymap.model import JourneyMap

__all__ = ["REASONS", "FeedbackColumns", "FeedbackReport", "import_feedback"]

# The quarantine reasons, as stored (English); the CLI shows them translated.
REASONS = (
    "missing score",
    "unparseable score",
    "score outside the scale",
    "missing touchpoint",
    "unknown touchpoint",
    "unknown phase",
    "unknown persona",
    "unparseable timestamp",
    "malformed row",
)
# The column names looked for when the user names none, in this order (case-insensitive).
_GUESSES = {
    "score": (
        "score",
        "rating",
        "review_score",
        "csat",
        "nps",
        "ces",
        "sentiment",
        "emotion",
        "satisfaction",
    ),
    "touchpoint": ("touchpoint", "touchpoint_id"),
    "phase": ("phase", "phase_id"),
    "persona": ("persona", "persona_id"),
    "person": ("person_id", "person", "customer_id", "respondent_id", "respondent"),
    "time": ("ts", "timestamp", "time", "date", "created_at", "submitted_at"),
}


@dataclass(frozen=True)
class FeedbackColumns:
    """Which column holds what; None: looked for by its usual names (see ``_GUESSES``).

    ``touchpoint`` and ``phase`` name a constant instead, for a file about one touchpoint
    (every review of an order is about its delivery) or one phase.
    """

    score: str | None = None
    touchpoint_column: str | None = None
    phase_column: str | None = None
    persona: str | None = None
    person: str | None = None
    time: str | None = None
    touchpoint: str | None = None
    phase: str | None = None


@dataclass
class FeedbackReport:
    """What :func:`import_feedback` did; ``rows_read`` = imported + quarantined + already there.

    Attributes:
        rows_fixed: Of ``rows_imported``, quarantined rows a fixed row took the place of (a
            file written by ``journeymap feedback quarantine --csv``).
        problems: The first quarantined rows: (row number, reason, value, suggestion).
        columns: What each column used holds (``score`` -> its name, ...).
    """

    source: str
    map_id: str
    scale: str = ""
    scale_inferred: str | None = None
    rows_read: int = 0
    rows_imported: int = 0
    rows_quarantined: int = 0
    rows_already_imported: int = 0
    rows_replaced: int = 0
    rows_fixed: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    problems: list[tuple[int, str, str, str | None]] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)


class _Resolver:
    """Ids of the map's touchpoints, phases or personas, found by id or name, any case."""

    def __init__(self, items: Iterable[tuple[str, Sequence[str]]]) -> None:
        self.ids: list[str] = []
        self.by_text: dict[str, str] = {}
        for element_id, names in items:
            self.ids.append(element_id)
            for text in (element_id, *names):
                self.by_text.setdefault(text.strip().casefold(), element_id)

    def find(self, text: str) -> str | None:
        if text in self.ids:
            return text
        return self.by_text.get(text.strip().casefold())

    def suggest(self, text: str) -> str | None:
        close = difflib.get_close_matches(text.strip().casefold(), list(self.by_text), n=1)
        return self.by_text[close[0]] if close else None


def _column(names: list[str], given: str | None, role: str, option: str) -> str | None:
    """The column for ``role``: the one given (which must exist) or a usual name found."""
    lowered = {name.casefold(): name for name in names}
    if given is not None:
        if given in names:
            return given
        if given.casefold() in lowered:
            return lowered[given.casefold()]
        close = difflib.get_close_matches(given, names, n=1)
        hint = _("; did you mean '{name}'?").format(name=close[0]) if close else ""
        raise UsageError(
            _("{option} {column}: the file has no such column{hint} (its columns: {names})").format(
                option=option, column=repr(given), hint=hint, names=", ".join(names)
            )
        )
    for guess in _GUESSES[role]:
        if guess in lowered:
            return lowered[guess]
    return None


def _read(source: Any, format: str | None, options: dict[str, Any]) -> tuple[pa.Table, list[str]]:
    """The whole source as text columns, and the lines that were no row (CSV, JSONL)."""
    malformed: list[str] = []
    if isinstance(source, str | Path):
        kind = (format or detect_format(source)).lower()
        if kind in LINE_FORMATS:
            options = {**options, "on_malformed": malformed.append}
    batches = list(read_events(source, format, **options))
    if not batches:
        return pa.table({}), malformed
    return pa.Table.from_batches(batches).combine_chunks(), malformed


def import_feedback(
    workspace: Workspace,
    source: Any,
    journey_map: JourneyMap,
    *,
    scale: str | None = None,
    reverse: bool = False,
    columns: FeedbackColumns | None = None,
    source_name: str | None = None,
    format: str | None = None,
    replace: bool = False,
    **reader_options: Any,
) -> FeedbackReport:
    """Read feedback rows from ``source`` and store them for ``journey_map`` in ``workspace``.

    Args:
        workspace: Where to store them (tables ``feedback`` and ``feedback_quarantine``).
        source: A CSV, TSV, Parquet or JSON Lines file, or a pandas/polars/Arrow table.
        journey_map: The map the feedback is about: touchpoints, phases and personas are
            checked against it (by id or name, any case; a near miss gets a "did you mean").
        scale: ``csat`` (1..5), ``nps`` (0..10), ``ces`` (1..7), ``emotion`` (-2..+2),
            ``sentiment`` (labels) or a range ``LOW..HIGH``; None: inferred from the score
            column's name and values (``FeedbackReport.scale_inferred`` says why).
        reverse: The scale's low end is the best.
        columns: Which column holds what (default: the usual names).
        source_name: Stored in ``source``; the file name by default.
        format: The file format when the name does not tell it.
        replace: Remove what was imported from this source for this map before.
        **reader_options: Passed to the reader (``delimiter``, ``encoding``).

    Returns:
        The counts, the scale and the first problems.

    Raises:
        ReaderError: The file cannot be read.
        UsageError: A column named does not exist, there is no score column or nothing says
            what the feedback is about, or the scale cannot be told.
        EngineError: The workspace rejected the rows.
    """
    workspace.check_open()
    columns = columns or FeedbackColumns()
    if source_name is None:
        source_name = Path(source).name if isinstance(source, str | Path) else "feedback"
    table, malformed = _read(source, format, reader_options)
    names = [str(name) for name in table.column_names]
    score_column = _column(names, columns.score, "score", "--score-column")
    if score_column is None:
        raise UsageError(
            _("no score column found (looked for {names}); name it with --score-column").format(
                names=", ".join(_GUESSES["score"])
            )
        )
    used = {"score": score_column}
    for role, given, option in (
        ("touchpoint", columns.touchpoint_column, "--touchpoint-column"),
        ("phase", columns.phase_column, "--phase-column"),
        ("persona", columns.persona, "--persona-column"),
        ("person", columns.person, "--person-column"),
        ("time", columns.time, "--time-column"),
    ):
        if role == "touchpoint" and columns.touchpoint is not None and given is None:
            continue
        if role == "phase" and columns.phase is not None and given is None:
            continue
        found = _column(names, given, role, option)
        if found is not None:
            used[role] = found
    about = {"touchpoint", "phase"} & set(used)
    if not about and columns.touchpoint is None and columns.phase is None:
        raise UsageError(
            _(
                "nothing says what the feedback is about: name the column with the "
                "touchpoint id (--touchpoint-column) or the phase (--phase-column), or give "
                "--touchpoint ID for a file about one touchpoint"
            )
        )
    scores = [str(value or "") for value in table.column(score_column).to_pylist()]
    if scale is not None:
        chosen, inferred = scale_from(scale, reverse=reverse), None
    else:
        chosen, inferred = infer_scale(score_column, scores)
        if reverse:
            chosen = scale_from(chosen.name, reverse=True)
    report = FeedbackReport(source_name, journey_map.id, chosen.describe(), inferred)
    report.columns = used
    rows, rejected = _rows(table, used, columns, journey_map, chosen, malformed)
    store(workspace, report, rows, rejected, replace)
    return report


def _text(table: pa.Table, column: str | None) -> list[str | None]:
    if column is None:
        return [None] * table.num_rows
    read = table.column(column).to_pylist()
    return [None if v is None or not str(v).strip() else str(v).strip() for v in read]


def _rows(
    table: pa.Table,
    used: dict[str, str],
    columns: FeedbackColumns,
    journey_map: JourneyMap,
    scale: Scale,
    malformed: list[str],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(rows to store, rows to quarantine), each with its key; constants checked first."""
    touchpoints = _Resolver((tp.id, [tp.name]) for tp in journey_map.touchpoints)
    phases = _Resolver((phase.id, [phase.name]) for phase in journey_map.phases)
    personas = _Resolver((p.id, [p.display_name, p.first_name or ""]) for p in journey_map.personas)
    for constant, resolver, option in (
        (columns.touchpoint, touchpoints, "--touchpoint"),
        (columns.phase, phases, "--phase"),
    ):
        if constant is not None and resolver.find(constant) is None:
            close = resolver.suggest(constant)
            hint = _("; did you mean '{name}'?").format(name=close) if close else ""
            raise UsageError(
                _("{option} {value}: the map {map} has no such element{hint}").format(
                    option=option, value=repr(constant), map=repr(journey_map.id), hint=hint
                )
            )
    times = _times(table, used.get("time"))
    names = [str(name) for name in table.column_names]
    every_column = [table.column(name).to_pylist() for name in names]
    values = {role: _text(table, column) for role, column in used.items()}
    seen: Counter[str] = Counter()
    stored: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    for index in range(table.num_rows):
        read, fixes = fixed_row(dict(zip(names, [c[index] for c in every_column], strict=True)))
        raw = json.dumps(read, ensure_ascii=False)
        seen[raw] += 1
        key = _key(journey_map.id, raw, seen[raw])
        row_number = index + 1
        problem: tuple[str, str, str | None] | None = None
        score, reason = scale.normalise(values["score"][index] or "")
        if reason is not None:
            problem = (reason, values["score"][index] or "", None)
        found: dict[str, str | None] = {}
        for role, constant, resolver in (
            ("touchpoint", columns.touchpoint, touchpoints),
            ("phase", columns.phase, phases),
            ("persona", None, personas),
        ):
            text = values[role][index] if role in values else None
            text = text if text is not None else constant
            found[role] = None if text is None else resolver.find(text)
            if problem is None and text is not None and found[role] is None:
                problem = (f"unknown {role}", text, resolver.suggest(text))
        if problem is None and found["touchpoint"] is None and found["phase"] is None:
            problem = ("missing touchpoint", "", None)
        ts = times[index] if times is not None else None
        if problem is None and times is not None and ts is None and values["time"][index]:
            problem = ("unparseable timestamp", values["time"][index] or "", None)
        if problem is not None:
            reason, value, suggestion = problem
            rejected.append(
                {
                    "row_number": row_number,
                    "reason": reason,
                    "value": value,
                    "suggestion": suggestion,
                    "raw": raw,
                    "feedback_key": key,
                    "fixes": fixes,
                }
            )
            continue
        stored.append(
            {
                "row_number": row_number,
                "feedback_key": key,
                "raw": raw,
                "fixes": fixes,
                "touchpoint": found["touchpoint"],
                "phase": found["phase"],
                "persona": found["persona"],
                "person_id": values["person"][index] if "person" in values else None,
                "ts": ts,
                "raw_score": (values["score"][index] or "").strip(),
                "scale": scale.name + (" reversed" if scale.reverse else ""),
                "score": score,
            }
        )
    for line in malformed:
        raw = json.dumps({"line": line}, ensure_ascii=False)
        seen[raw] += 1
        rejected.append(
            {
                "row_number": 0,
                "reason": "malformed row",
                "value": line[:200],
                "suggestion": None,
                "raw": raw,
                "feedback_key": _key(journey_map.id, raw, seen[raw]),
            }
        )
    return stored, rejected


def _times(table: pa.Table, column: str | None) -> list[datetime | None] | None:
    if column is None:
        return None
    values = table.column(column).combine_chunks()
    formats = detect_formats(values, None)
    if not formats:
        return [None] * table.num_rows
    parsed: list[datetime | None] = parse_any(values, formats, "UTC").to_pylist()
    return parsed


def _key(map_id: str, raw: str, occurrence: int) -> str:
    text = f"{map_id}\x1f{raw}\x1f{occurrence}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
