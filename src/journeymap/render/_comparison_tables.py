"""The comparison report's sections as plain data: the headline and each table's rows.

Each table is a dict the template draws the same way: ``title``, ``note``, ``columns`` (a
label and whether the column holds numbers) and ``groups`` of ``rows``; a row has a
``header`` and ``cells``, each cell its ``text`` and whether the change it shows is
``significant`` (its 95 % interval leaves out 0), which the report says in words beside it.
Rows keep the comparison's order: the biggest meaningful changes first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from journeymap.attribution._names import model_name
from journeymap.i18n import N_, format_fixed, format_integer, format_percent, gettext, ngettext
from journeymap.render import _comparison_cells as cells

__all__ = [
    "attribution_table",
    "headline",
    "overall_table",
    "phase_table",
    "side_lines",
    "status_lists",
    "time_table",
    "touchpoint_table",
]

# The headline figures, in the order of the overall table, with their words (the terminal's).
METRICS = {
    "journeys": N_("Journeys"),
    "persons": N_("Persons"),
    "events": N_("Events"),
    "conversions": N_("Conversions"),
    "conversion_rate": N_("Conversion rate"),
    "value": N_("Value"),
    "time_to_convert_median": N_("Median time to convert"),
}
STATUS = {"new": N_("new"), "vanished": N_("vanished")}
SIGNIFICANT = N_(
    "Significant: the 95% interval of the change leaves out 0, so the change is more than chance."
)
NOT_SIGNIFICANT = N_(
    "Not significant: the 95% interval of the change includes 0, so the change may be chance."
)


def _cell(text: str, significant: bool | None = None) -> dict[str, Any]:
    return {"text": text, "significant": bool(significant)}


def _column(label: str, numeric: bool = True) -> dict[str, Any]:
    return {"label": label, "numeric": numeric}


def _named(name: str, status: str, language: str) -> str:
    found = STATUS.get(status)
    return f"{name} ({gettext(found, language)})" if found else name


def side_lines(summary: Mapping[str, Any], language: str) -> list[dict[str, str]]:
    """Before and after: each side's label, period and journeys (the terminal's first lines)."""
    lines = []
    for side, word in (("before", N_("Before")), ("after", N_("After"))):
        found = summary[side]
        about = gettext("({period}; journeys: {count})", language).format(
            period=cells.period(found, language), count=format_integer(found["journeys"], language)
        )
        # An analysis given as an object is labelled by its side alone: its period names it.
        label = "" if found["label"] == side else str(found["label"])
        lines.append(
            {
                "side": side,
                "word": gettext(word, language),
                "label": label,
                "period": cells.period(found, language),
                "about": about if label else about.removeprefix("(").removesuffix(")"),
            }
        )
    return lines


def headline(rows: list[dict[str, Any]], language: str) -> dict[str, Any] | None:
    """The conversion rate before and after, its change, interval and a sentence on chance."""
    found = next((row for row in rows if row["metric"] == "conversion_rate"), None)
    if found is None:
        return None
    significant = found["significant"]
    verdict = None
    if significant is not None and found["ci_low"] is not None:
        verdict = gettext(SIGNIFICANT if significant else NOT_SIGNIFICANT, language)
    return {
        "label": gettext(METRICS["conversion_rate"], language),
        "before": cells.rate(found["before"], language),
        "after": cells.rate(found["after"], language),
        "arrow": cells.ARROW,
        "change": cells.points(found["change"], language),
        "interval": cells.interval(found["ci_low"], found["ci_high"], language),
        "significant": bool(significant),
        "verdict": verdict,
    }


def overall_table(rows: list[dict[str, Any]], language: str) -> dict[str, Any]:
    """The headline figures before and after, their change and a rate's 95 % interval."""
    shown = []
    for row in rows:
        metric, before, after, change = row["metric"], row["before"], row["after"], row["change"]
        if metric == "value" and not before and not after:
            continue  # no event carries a value: nothing to say
        if metric == "conversion_rate":
            figures = [
                _cell(cells.rate(before, language)),
                _cell(cells.rate(after, language)),
                _cell(cells.points(change, language), row["significant"]),
                _cell(cells.interval(row["ci_low"], row["ci_high"], language)),
            ]
        else:

            def shown_as(value: float, metric: str = metric) -> str:
                if metric == "time_to_convert_median":
                    return cells.duration(value, language)
                if metric == "value":
                    return format_fixed(value, 2, language)
                return format_integer(value, language)

            difference = (
                cells.DASH
                if change is None
                else cells.signed(shown_as(abs(change)), change)
                + cells.relative(row["relative_change"], language)
            )
            figures = [
                _cell(cells.DASH if before is None else shown_as(before)),
                _cell(cells.DASH if after is None else shown_as(after)),
                _cell(difference),
                _cell(""),
            ]
        shown.append({"header": gettext(METRICS.get(metric, metric), language), "cells": figures})
    return {
        "id": "overall",
        "title": gettext(N_("Overall"), language),
        "columns": [
            _column(gettext(N_("Figure"), language), numeric=False),
            *[
                _column(gettext(label, language))
                for label in (N_("Before"), N_("After"), N_("Change"), N_("95% interval"))
            ],
        ],
        "groups": [{"name": None, "rows": shown}],
    }


def _rate_cells(row: Mapping[str, Any], prefix: str, language: str) -> list[dict[str, Any]]:
    """``before → after``, the change (significant or not) and its interval."""
    return [
        _cell(
            cells.pair(
                row[f"{prefix}_before"],
                row[f"{prefix}_after"],
                lambda value: cells.rate(value, language),
            )
        ),
        _cell(cells.points(row[f"{prefix}_change"], language), row[f"{prefix}_significant"]),
        _cell(cells.interval(row[f"{prefix}_ci_low"], row[f"{prefix}_ci_high"], language)),
    ]


def _counts(row: Mapping[str, Any], name: str, language: str) -> dict[str, Any]:
    return _cell(
        cells.pair(
            row[f"{name}_before"],
            row[f"{name}_after"],
            lambda value: format_integer(value, language),
        )
    )


def _rate_columns(label: str, language: str) -> list[dict[str, Any]]:
    return [
        _column(gettext(label, language)),
        _column(gettext(N_("Change"), language)),
        _column(gettext(N_("95% interval"), language)),
    ]


def phase_table(
    rows: list[dict[str, Any]], names: Mapping[str, str], language: str
) -> dict[str, Any]:
    """Per phase: journeys that reached it, its reach rate and its drop-off, with the changes."""
    shown = []
    for row in rows:
        name = names.get(str(row["phase"]), str(row["phase_name"]))
        shown.append(
            {
                "header": f"{row['step']}. " + _named(name, str(row["status"]), language),
                "ref": str(row["phase"]),
                "cells": [
                    _counts(row, "reached", language),
                    *_rate_cells(row, "reach_rate", language),
                    *_rate_cells(row, "dropoff_rate", language),
                ],
            }
        )
    return {
        "id": "phases",
        "title": gettext(N_("Phase funnel"), language),
        "note": gettext(
            N_(
                "Reach rate: of the journeys that reached the first phase. Drop-off: of the "
                "journeys that reached the phase, the share that got no further and did not "
                "convert. The biggest changes first; the number is the phase's step."
            ),
            language,
        ),
        "columns": [
            _column(gettext(N_("Phase"), language), numeric=False),
            _column(gettext(N_("Reached"), language)),
            *_rate_columns(N_("Reach rate"), language),
            *_rate_columns(N_("Drop-off"), language),
        ],
        "groups": [{"name": None, "rows": shown}],
    }


def touchpoint_table(
    rows: list[dict[str, Any]], names: Mapping[str, str], language: str
) -> dict[str, Any]:
    """Per touchpoint: its journeys, conversion rate and exits (ended there), with the changes."""
    shown = []
    for row in rows:
        touchpoint = str(row["touchpoint"])
        shown.append(
            {
                "header": _named(names.get(touchpoint, touchpoint), str(row["status"]), language),
                "ref": touchpoint,
                "cells": [
                    _counts(row, "journeys", language),
                    *_rate_cells(row, "conversion_rate", language),
                    *_rate_cells(row, "exit_rate", language),
                ],
            }
        )
    return {
        "id": "touchpoints",
        "title": gettext(N_("Touchpoints"), language),
        "note": gettext(
            N_(
                "Conversion rate: of the journeys that met the touchpoint, the share that "
                "converted. Ended here: of the journeys that met it, the share that did not "
                "convert and met it last (exit touchpoint)."
            ),
            language,
        ),
        "columns": [
            _column(gettext(N_("Touchpoint"), language), numeric=False),
            _column(gettext(N_("Journeys"), language)),
            *_rate_columns(N_("Conversion rate"), language),
            *_rate_columns(N_("Ended here"), language),
        ],
        "groups": [{"name": None, "rows": shown}],
    }


def status_lists(
    rows: list[dict[str, Any]], names: Mapping[str, str], language: str
) -> list[dict[str, Any]]:
    """The touchpoints only the after analysis has, and those only the before one has."""
    lists = []
    for status, title, side in (
        ("new", N_("New touchpoints (only after)"), "journeys_after"),
        ("vanished", N_("Vanished touchpoints (only before)"), "journeys_before"),
    ):
        items = [
            {
                "name": names.get(str(row["touchpoint"]), str(row["touchpoint"])),
                "journeys": ngettext(
                    "{count} journey", "{count} journeys", int(row[side] or 0), language
                ).format(count=format_integer(int(row[side] or 0), language)),
            }
            for row in rows
            if row["status"] == status
        ]
        if items:
            lists.append({"id": status, "title": gettext(title, language), "entries": items})
    return lists


def attribution_table(
    rows: list[dict[str, Any]], names: Mapping[str, str], language: str, top: int
) -> dict[str, Any]:
    """Each model's shares of conversions per touchpoint, its ``top`` largest changes (0: all)."""
    groups = []
    for model in dict.fromkeys(str(row["model"]) for row in rows):
        found = [row for row in rows if row["model"] == model and row["level"] == "touchpoint"]
        if not found:
            continue
        shown = found if top <= 0 else found[:top]
        left = len(found) - len(shown)
        groups.append(
            {
                "name": model_name(model, language),
                "rows": [
                    {
                        "header": names.get(str(row["key"]), str(row["key"])),
                        "cells": [
                            _cell(
                                cells.pair(
                                    row["share_before"],
                                    row["share_after"],
                                    lambda value: cells.rate(value, language),
                                )
                            ),
                            _cell(cells.points(row["share_change"], language)),
                        ],
                    }
                    for row in shown
                ],
                "more": ngettext(
                    "{count} more touchpoint with a smaller change in this model.",
                    "{count} more touchpoints with smaller changes in this model.",
                    left,
                    language,
                ).format(count=format_integer(left, language))
                if left
                else None,
            }
        )
    return {
        "id": "attribution",
        "title": gettext(N_("Attribution: share of conversions per touchpoint"), language),
        "note": gettext(
            N_("The largest changes of any model first; no test (credits are no counts)."),
            language,
        ),
        "columns": [
            _column(gettext(N_("Touchpoint"), language), numeric=False),
            _column(gettext(N_("Share"), language)),
            _column(gettext(N_("Change"), language)),
        ],
        "groups": groups,
    }


def time_table(rows: list[dict[str, Any]], language: str) -> dict[str, Any]:
    """The percentiles of the time to convert before and after, with the change."""
    shown = []
    for row in rows:
        change = row["change_seconds"]
        shown.append(
            {
                "header": format_percent(row["percentile"], language, 0),
                "cells": [
                    _cell(cells.duration(row["seconds_before"], language)),
                    _cell(cells.duration(row["seconds_after"], language)),
                    _cell(
                        cells.DASH
                        if change is None
                        else cells.signed(cells.duration(change, language), change)
                        + cells.relative(row["relative_change"], language)
                    ),
                ],
            }
        )
    return {
        "id": "time_to_convert",
        "title": gettext(N_("Time to convert"), language),
        "columns": [
            _column(gettext(N_("Percentile"), language), numeric=False),
            *[
                _column(gettext(label, language))
                for label in (N_("Before"), N_("After"), N_("Change"))
            ],
        ],
        "groups": [{"name": None, "rows": shown}],
    }
