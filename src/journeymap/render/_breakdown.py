"""The report's phase funnel per breakdown value (``breakdown_funnels``).

One table per breakdown: the overall row, the values most journeys entered with (in their own
order when they have one), the journeys without a value, and notes on what was left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from babel.dates import get_day_names, get_month_names

from journeymap.i18n import N_, format_integer, format_share, gettext, ngettext
from journeymap.model import JourneyMap
from journeymap.model.labels import column_label
from journeymap.render._wording import _column_label, _counted, _whole, element_names, format_rate
from journeymap.render.measured import Measured

__all__ = ["BREAKDOWN_TOP", "breakdown_funnels"]

# Breakdown values shown per funnel table, most journeys first; the rest are counted in a note
# (a breakdown by a raw column can have hundreds of values).
BREAKDOWN_TOP = 10


def _breakdown_value(column: str, value: Any, journey_map: JourneyMap, language: str) -> str:
    """A breakdown value as the reader sees it: a persona's name, the map's label, else raw.

    The map's persona names come first (its labels for a persona id are not used: ``validate``
    warns), then the map's ``labels`` (``Returning_Visitor`` -> "Returning visitor"; no value
    takes the column's ``(none)`` label), then the value as the events have it, and "(none)"
    for no value.
    """
    if value is None or value == "":
        missing = journey_map.value_label(column, None)
        return missing if missing is not None else gettext(N_("(none)"), language)
    if column == "persona":
        personas = {persona.id: persona.display_name for persona in journey_map.personas}
        if str(value) in personas:
            return personas[str(value)]
    label = journey_map.value_label(column, value)
    return label if label is not None else str(value)


def _funnel_line(
    label: str, by_step: dict[int, dict[str, Any]], steps: list[int], language: str
) -> dict[str, Any]:
    """One row of a breakdown table: reached per phase (share of the first), converted, rate."""
    first = by_step.get(steps[0], {}) if steps else {}
    entered = int(first.get("reached") or 0)
    converted = int(first.get("converted") or 0)
    cells = []
    for step in steps:
        reached = int(by_step.get(step, {}).get("reached") or 0)
        # 12,292 of 12,330 is no "100 %": 38 journeys never got there.
        share = format_share(reached / entered, language) if step != steps[0] and entered else None
        cells.append(
            {"reached": reached, "text": format_integer(reached, language), "share": share}
        )
    return {
        "label": label,
        "entered": entered,
        "cells": cells,
        "converted": format_integer(converted, language),
        "rate": format_rate(converted / entered if entered else 0.0, language),
    }


def _breakdown_notes(
    hidden: list[dict[str, Any]],
    total: dict[str, Any] | None,
    summary: dict[str, Any],
    first: str,
    language: str,
) -> list[str]:
    """What the table's figures are, the values left out, the journeys no phase counts."""
    notes = [
        gettext(
            N_(
                "Reached: journeys that reached the phase (share of those that reached "
                "{phase}). Conversion rate: converted journeys of those that reached {phase}."
            ),
            language,
        ).format(phase=first)
    ]
    if hidden:
        journeys = sum(line["entered"] for line in hidden)
        notes.append(
            ngettext(
                "{count} other value is not shown ({journeys} in {phase}).",
                "{count} other values are not shown ({journeys} in {phase}).",
                len(hidden),
                language,
            ).format(
                count=format_integer(len(hidden), language),
                journeys=_counted(journeys, "{count} journey", "{count} journeys", language),
                phase=first,
            )
        )
    outside = (_whole(summary.get("journeys")) or 0) - (total["entered"] if total else 0)
    if total and outside > 0:
        notes.append(
            ngettext(
                "{count} journey never reached {phase} and counts in no row.",
                "{count} journeys never reached {phase} and count in no row.",
                outside,
                language,
            ).format(count=format_integer(outside, language), phase=first)
        )
    return notes


def _varying_notes(
    columns: list[str], summary: dict[str, Any], language: str, journey_map: JourneyMap
) -> list[str]:
    """A column that changes along journeys: they count under their first value."""
    varies = summary.get("breakdown_varies")
    if not isinstance(varies, dict):
        return []
    notes = []
    for column in columns:
        count = _whole(varies.get(column)) or 0
        if count:
            notes.append(
                ngettext(
                    "{column} changes within {count} journey: each journey counts under its "
                    "first value.",
                    "{column} changes within {count} journeys: each journey counts under its "
                    "first value.",
                    count,
                    language,
                ).format(
                    column=_capitalised(_column_label(column, language, journey_map)),
                    count=format_integer(count, language),
                )
            )
    return notes


def _capitalised(text: str) -> str:
    """``persona`` -> ``Persona`` at the start of a sentence (the rest as it is)."""
    return text[:1].upper() + text[1:]


_BAND = re.compile(r"\s*([<>])?\s*(-?\d+(?:[.,]\d+)?)")


def _band_key(value: Any) -> tuple[float, int] | None:
    """Where a number or a band sorts: ``<30`` before ``30-39`` before ``60+``; else None.

    The labels of the mapping rules' bands (``edges``), and numbers, codes and ranges that
    start with one (``18-29``, ``70+``).
    """
    match = _BAND.match(str(value))
    if match is None:
        return None
    sign = {"<": 0, None: 1, ">": 2}[match.group(1)]
    return float(match.group(2).replace(",", ".")), sign


@cache
def _calendar() -> tuple[dict[str, int], dict[str, int]]:
    """Month and weekday names (wide and abbreviated, en/da/de, lower case) -> their number."""
    months: dict[str, int] = {"sept": 9}
    days: dict[str, int] = {}
    for locale in ("en", "da", "de"):
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=locale).items():
                months[str(name).lower().rstrip(".")] = int(number)
            for number, name in get_day_names(width, locale=locale).items():
                days[str(name).lower().rstrip(".")] = int(number)
    return months, days


def _natural_key(values: list[Any]) -> tuple[Callable[[Any], Any], bool] | None:
    """How a breakdown column's values sort by their own order, and whether it is bounded.

    Numbers and bands in their order, month names in calendar order, weekday names in week
    order (bounded: all of them fit a table); None for values of no such kind.
    """
    present = [value for value in values if value is not None and value != ""]
    if not present:
        return None
    months, days = _calendar()
    names = [str(value).strip().lower().rstrip(".") for value in present]
    if all(name in months for name in names):
        return (lambda value: months[str(value).strip().lower().rstrip(".")]), True
    if all(name in days for name in names):
        return (lambda value: days[str(value).strip().lower().rstrip(".")]), True
    if all(_band_key(value) is not None for value in present):
        return _band_key, False
    return None


def _ordered(
    lines: list[dict[str, Any]], columns: list[str], personas: set[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The lines a breakdown table shows, in their order, and the lines it leaves out.

    The :data:`BREAKDOWN_TOP` values most journeys entered with, and always the map's own
    personas (Emil, a student, the second-best segment, was cut for off-map job codes). In
    the values' own order when every column has one (bands, numbers, months, weekdays; all
    months and weekdays are shown), else the most journeys first.
    """
    lines = sorted(lines, key=lambda line: (-line["entered"], line["label"]))
    found = [_natural_key([line["value"][i] for line in lines]) for i in range(len(columns))]
    keys = [key for key in found if key is not None]
    natural = len(keys) == len(columns)
    if natural and all(bounded for _sort, bounded in keys):
        shown, hidden = lines, []
    else:
        shown, hidden = lines[:BREAKDOWN_TOP], lines[BREAKDOWN_TOP:]
    if columns == ["persona"]:
        shown += [line for line in hidden if line["value"][0] in personas]
        hidden = [line for line in hidden if line["value"][0] not in personas]
    if natural:
        sorters = [sort for sort, _bounded in keys]
        shown.sort(
            key=lambda line: tuple(
                sort(value) for sort, value in zip(sorters, line["value"], strict=True)
            )
        )
    else:
        shown.sort(key=lambda line: (-line["entered"], line["label"]))
    return shown, hidden


def breakdown_funnels(
    journey_map: JourneyMap, measured: Measured, language: str | None = None
) -> list[dict[str, Any]]:
    """The phase funnel per breakdown value (``phase_funnel`` rows with a ``breakdown``).

    One table per breakdown (the engine writes one, over the combination of its columns): the
    overall row, then the :data:`BREAKDOWN_TOP` values that most journeys entered the funnel
    with and the map's own personas (in their own order when they have one: bands, numbers,
    months, weekdays; see :func:`_ordered`), the journeys without a value, and a note
    counting the values left out. Empty without a breakdown.
    ``language`` is the report's, the map's own unless the caller (the command line) has one.
    """
    language = language or journey_map.language
    names = element_names(journey_map)
    personas = {persona.id for persona in journey_map.personas}
    rows = measured.rows("phase_funnel")
    overall = {int(r["step"]): r for r in rows if not r.get("breakdown")}
    groups: dict[str, dict[tuple[Any, ...], dict[int, dict[str, Any]]]] = {}
    for row in (r for r in rows if r.get("breakdown")):
        value = tuple(row.get(column) for column in str(row["breakdown"]).split(","))
        groups.setdefault(str(row["breakdown"]), {}).setdefault(value, {})[int(row["step"])] = row
    tables = []
    for breakdown, values in groups.items():
        columns = breakdown.split(",")
        phases = {int(r["step"]): r for by_step in values.values() for r in by_step.values()}
        steps = sorted(phases)
        phase_names = [
            names.get(str(phases[s]["phase"]), str(phases[s]["phase_name"])) for s in steps
        ]
        lines: list[dict[str, Any]] = []
        missing: list[dict[str, Any]] = []
        for value, by_step in values.items():
            parts = zip(columns, value, strict=True)
            label = " · ".join(_breakdown_value(c, v, journey_map, language) for c, v in parts)
            line = _funnel_line(label, by_step, steps, language)
            line["value"] = value
            (missing if all(v is None for v in value) else lines).append(line)
        shown, hidden = _ordered(lines, columns, personas)
        # The journeys without a value are shown whatever their number: they are no "other
        # value", and often the group that converts best or worst.
        lines = shown + missing
        total = None
        if overall:
            total = _funnel_line(gettext(N_("All journeys"), language), overall, steps, language)
        label = " × ".join(_column_label(column, language, journey_map) for column in columns)
        # A persona column's header reads "Persona", unless the map's labels name the column.
        named = columns != ["persona"] or column_label(journey_map.labels, "persona")
        header = label if named else gettext(N_("Persona"), language)
        tables.append(
            {
                "breakdown": breakdown,
                "title": gettext(N_("Phase funnel by {breakdown}"), language).format(
                    breakdown=label
                ),
                "column": header,
                "phases": phase_names,
                "total": total,
                "lines": lines,
                "notes": _breakdown_notes(hidden, total, measured.summary, phase_names[0], language)
                + _varying_notes(columns, measured.summary, language, journey_map),
            }
        )
    return tables
