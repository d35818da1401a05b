"""The tables of a comparison: headline, phases, touchpoints, attribution, time to convert.

Each row holds a figure before and after and its change; a rate's change is tested with
Newcombe's interval (:mod:`journeymap.analysis._intervals`). Rows are ranked so that the
biggest meaningful changes come first: significant changes (the largest first), then phases and
touchpoints that only one analysis has (the most journeys first), then the rest by the size of
their change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa

from journeymap.analysis._intervals import RateChange, rate_change
from journeymap.analysis.result import Analysis
from journeymap.engine._tables import records_table

__all__ = [
    "attribution_table",
    "overall_table",
    "phase_table",
    "time_to_convert_table",
    "touchpoint_table",
]

# Where a phase or touchpoint is found: in both analyses, only after, only before.
BOTH, NEW, VANISHED = "both", "new", "vanished"

F64, I64 = pa.float64(), pa.int64()


def _rate_columns(prefix: str) -> list[tuple[str, pa.DataType]]:
    return [
        (f"{prefix}_before", F64),
        (f"{prefix}_after", F64),
        (f"{prefix}_change", F64),
        (f"{prefix}_ci_low", F64),
        (f"{prefix}_ci_high", F64),
        (f"{prefix}_significant", pa.bool_()),
    ]


def _rate_values(prefix: str, found: RateChange) -> dict[str, Any]:
    return {
        f"{prefix}_before": found.before,
        f"{prefix}_after": found.after,
        f"{prefix}_change": found.change,
        f"{prefix}_ci_low": found.ci_low,
        f"{prefix}_ci_high": found.ci_high,
        f"{prefix}_significant": found.significant,
    }


def _counts(prefix: str, before: Any, after: Any) -> dict[str, Any]:
    return {f"{prefix}_before": before, f"{prefix}_after": after}


def _int(value: Any) -> int:
    return int(value or 0)


# --- headline ---------------------------------------------------------------------------------

OVERALL_COLUMNS = [
    ("metric", pa.string()),
    ("before", F64),
    ("after", F64),
    ("change", F64),
    ("relative_change", F64),
    ("ci_low", F64),
    ("ci_high", F64),
    ("significant", pa.bool_()),
]


def overall_table(before: Analysis, after: Analysis) -> pa.Table:
    """Journeys, persons, events, conversions, conversion rate, value, median time to convert."""
    rows = []
    for metric in ("journeys", "persons", "events", "conversions"):
        rows.append(_change(metric, before.summary.get(metric), after.summary.get(metric)))
    rate = rate_change(
        _int(before.summary["conversions"]),
        _int(before.summary["journeys"]),
        _int(after.summary["conversions"]),
        _int(after.summary["journeys"]),
    )
    rows.insert(
        4,
        {
            **_change("conversion_rate", rate.before, rate.after),
            "ci_low": rate.ci_low,
            "ci_high": rate.ci_high,
            "significant": rate.significant,
        },
    )
    rows.append(_change("value", before.summary.get("value"), after.summary.get("value")))
    rows.append(_change("time_to_convert_median", median_seconds(before), median_seconds(after)))
    return records_table(rows, OVERALL_COLUMNS)


def _change(metric: str, before: Any, after: Any) -> dict[str, Any]:
    first = None if before is None else float(before)
    second = None if after is None else float(after)
    change = None if first is None or second is None else second - first
    relative = change / first if change is not None and first else None
    return {
        "metric": metric,
        "before": first,
        "after": second,
        "change": change,
        "relative_change": relative,
    }


def median_seconds(analysis: Analysis) -> float | None:
    """The median time to convert (None: no conversion, or no such table)."""
    table = analysis.tables.get("time_to_convert")
    if table is None:
        return None
    for row in table.to_pylist():
        if abs(float(row["percentile"]) - 0.5) < 1e-9 and row["seconds"] is not None:
            return float(row["seconds"])
    return None


# --- ranking ----------------------------------------------------------------------------------


def _ranked(rows: list[dict[str, Any]], tests: Iterable[str], name: str) -> list[dict[str, Any]]:
    """Significant changes first (largest first), then new and vanished ones, then the rest."""
    tests = list(tests)

    def key(row: dict[str, Any]) -> tuple[int, float, str]:
        significant = [
            abs(row[f"{test}_change"]) for test in tests if row.get(f"{test}_significant")
        ]
        if significant:
            return (0, -max(significant), str(row[name]))
        if row["status"] != BOTH:
            size = max(_int(row.get("journeys_before")), _int(row.get("journeys_after")))
            size = size or max(_int(row.get("reached_before")), _int(row.get("reached_after")))
            return (1, -float(size), str(row[name]))
        changes = [abs(row[f"{test}_change"] or 0.0) for test in tests]
        return (2, -max(changes, default=0.0), str(row[name]))

    return sorted(rows, key=key)


def _status(before: Any, after: Any) -> str:
    if before and after:
        return BOTH
    return NEW if after else VANISHED


# --- phases -----------------------------------------------------------------------------------

PHASE_COLUMNS = [
    ("phase", pa.string()),
    ("phase_name", pa.string()),
    ("step", I64),
    ("status", pa.string()),
    *[
        (f"{name}_{side}", I64)
        for name in ("reached", "moved_on", "converted", "dropped")
        for side in ("before", "after")
    ],
    *_rate_columns("reach_rate"),
    *_rate_columns("dropoff_rate"),
]


def _phase_rows(analysis: Analysis) -> dict[str, dict[str, Any]]:
    rows = analysis.tables["phase_funnel"].to_pylist()
    return {str(row["phase"]): row for row in rows if row.get("breakdown") is None}


def phase_table(before: Analysis, after: Analysis) -> pa.Table:
    """Per phase of the funnel: reached, moved on, converted, dropped and the rates."""
    first, second = _phase_rows(before), _phase_rows(after)
    start = [_first_reached(rows) for rows in (first, second)]
    rows = []
    for phase in dict.fromkeys([*second, *first]):
        old, new = first.get(phase), second.get(phase)
        shown = new or old
        assert shown is not None
        row: dict[str, Any] = {
            "phase": phase,
            "phase_name": shown["phase_name"],
            "step": shown["step"],
            "status": _status(old is not None, new is not None),
        }
        for name in ("reached", "moved_on", "converted", "dropped"):
            row.update(_counts(name, _get(old, name), _get(new, name)))
        row.update(
            _rate_values(
                "reach_rate",
                rate_change(
                    _int(_get(old, "reached")),
                    start[0] if old else 0,
                    _int(_get(new, "reached")),
                    start[1] if new else 0,
                ),
            )
        )
        row.update(
            _rate_values(
                "dropoff_rate",
                rate_change(
                    _int(_get(old, "dropped")),
                    _int(_get(old, "reached")),
                    _int(_get(new, "dropped")),
                    _int(_get(new, "reached")),
                ),
            )
        )
        rows.append(row)
    return records_table(_ranked(rows, ("dropoff_rate", "reach_rate"), "phase"), PHASE_COLUMNS)


def _first_reached(rows: Mapping[str, dict[str, Any]]) -> int:
    """The journeys that reached the funnel's first step (the base of its reach rates)."""
    steps = sorted(rows.values(), key=lambda row: int(row["step"]))
    return _int(steps[0]["reached"]) if steps else 0


def _get(row: Mapping[str, Any] | None, name: str) -> Any:
    return None if row is None else row.get(name)


# --- touchpoints ------------------------------------------------------------------------------

TOUCHPOINT_COLUMNS = [
    ("touchpoint", pa.string()),
    ("status", pa.string()),
    ("on_map", pa.bool_()),
    ("journeys_before", I64),
    ("journeys_after", I64),
    ("journeys_change", I64),
    ("conversions_before", I64),
    ("conversions_after", I64),
    *_rate_columns("conversion_rate"),
    ("ended_before", I64),
    ("ended_after", I64),
    *_rate_columns("exit_rate"),
]


def _ended(analysis: Analysis) -> dict[str, int] | None:
    """Per touchpoint, the journeys that did not convert and met it last (None: no table)."""
    table = analysis.tables.get("dropoff")
    if table is None:
        return None
    ended: dict[str, int] = {}
    for row in table.to_pylist():
        if row.get("last_touchpoint") is not None:
            name = str(row["last_touchpoint"])
            ended[name] = ended.get(name, 0) + _int(row["journeys"])
    return ended


def touchpoint_table(before: Analysis, after: Analysis) -> pa.Table:
    """Per touchpoint: journeys, conversion rate and exits (ended there without converting)."""
    first = {str(r["touchpoint"]): r for r in before.tables["touchpoint_stats"].to_pylist()}
    second = {str(r["touchpoint"]): r for r in after.tables["touchpoint_stats"].to_pylist()}
    ended = (_ended(before), _ended(after))
    rows = []
    for touchpoint in dict.fromkeys([*second, *first]):
        old, new = first.get(touchpoint, {}), second.get(touchpoint, {})
        journeys = (_int(old.get("journeys")), _int(new.get("journeys")))
        if not any(journeys):
            continue  # met by no journey in either: nothing changed
        conversions = (_int(old.get("conversions")), _int(new.get("conversions")))
        exits = [None if found is None else found.get(touchpoint, 0) for found in ended]
        row: dict[str, Any] = {
            "touchpoint": touchpoint,
            "status": _status(*journeys),
            "on_map": bool(new.get("on_map", old.get("on_map", False))),
            **_counts("journeys", *journeys),
            "journeys_change": journeys[1] - journeys[0],
            **_counts("conversions", *conversions),
            **_rate_values(
                "conversion_rate",
                rate_change(conversions[0], journeys[0], conversions[1], journeys[1]),
            ),
            **_counts("ended", *exits),
        }
        if exits[0] is None or exits[1] is None:
            row.update(_rate_values("exit_rate", RateChange(None, None, None, None, None, None)))
        else:
            row.update(
                _rate_values("exit_rate", rate_change(exits[0], journeys[0], exits[1], journeys[1]))
            )
        rows.append(row)
    ranked = _ranked(rows, ("conversion_rate", "exit_rate"), "touchpoint")
    return records_table(ranked, TOUCHPOINT_COLUMNS)


# --- attribution ------------------------------------------------------------------------------

ATTRIBUTION_COLUMNS = [
    ("model", pa.string()),
    ("level", pa.string()),
    ("key", pa.string()),
    ("status", pa.string()),
    ("conversions_before", F64),
    ("conversions_after", F64),
    ("share_before", F64),
    ("share_after", F64),
    ("share_change", F64),
]


def attribution_table(before: Analysis, after: Analysis) -> pa.Table | None:
    """Each model's share of conversions per key, before and after (None: not in both)."""
    if "attribution" not in before.tables or "attribution" not in after.tables:
        return None

    def credits(analysis: Analysis) -> dict[tuple[str, str, str], dict[str, Any]]:
        rows = analysis.tables["attribution"].to_pylist()
        return {(str(r["model"]), str(r["level"]), str(r["key"])): r for r in rows}

    first, second = credits(before), credits(after)
    rows = []
    for model, level, key in dict.fromkeys([*second, *first]):
        old, new = first.get((model, level, key)), second.get((model, level, key))
        shares = [None if found is None else float(found["share"] or 0.0) for found in (old, new)]
        rows.append(
            {
                "model": model,
                "level": level,
                "key": key,
                "status": _status(old is not None, new is not None),
                **_counts("conversions", _get(old, "conversions"), _get(new, "conversions")),
                **_counts("share", *shares),
                # A key one side lacks got no share of its conversions there.
                "share_change": (shares[1] or 0.0) - (shares[0] or 0.0),
            }
        )
    rows.sort(key=lambda r: (-abs(r["share_change"]), r["model"], r["level"], r["key"]))
    return records_table(rows, ATTRIBUTION_COLUMNS)


# --- time to convert --------------------------------------------------------------------------

TIME_COLUMNS = [
    ("percentile", F64),
    ("seconds_before", F64),
    ("seconds_after", F64),
    ("change_seconds", F64),
    ("relative_change", F64),
]


def time_to_convert_table(before: Analysis, after: Analysis) -> pa.Table | None:
    """The percentiles of the time to convert, before and after (None: not in both)."""
    if "time_to_convert" not in before.tables or "time_to_convert" not in after.tables:
        return None

    def seconds(analysis: Analysis) -> dict[float, float | None]:
        return {
            round(float(r["percentile"]), 6): (
                None if r["seconds"] is None else float(r["seconds"])
            )
            for r in analysis.tables["time_to_convert"].to_pylist()
        }

    first, second = seconds(before), seconds(after)
    rows = []
    for percentile in sorted(set(first) | set(second)):
        found = _change("", first.get(percentile), second.get(percentile))
        rows.append(
            {
                "percentile": percentile,
                "seconds_before": found["before"],
                "seconds_after": found["after"],
                "change_seconds": found["change"],
                "relative_change": found["relative_change"],
            }
        )
    return records_table(rows, TIME_COLUMNS)
