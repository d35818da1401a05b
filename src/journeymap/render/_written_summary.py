"""The report's written summary: headline figures, biggest drop-offs, top attributed.

The drop-offs are told twice, as the report's reader needs both: where the phase funnel loses
journeys, and the exit touchpoints of the journeys that did not convert.
"""

from __future__ import annotations

from typing import Any

from journeymap.i18n import N_, format_integer, format_percent, format_share, gettext, ngettext
from journeymap.model import JourneyMap
from journeymap.render._wording import element_names
from journeymap.render.charts import model_name
from journeymap.render.measured import Measured

__all__ = ["written_summary"]


def written_summary(journey_map: JourneyMap, measured: Measured) -> dict[str, Any]:
    """Headline figures, the biggest drop-offs and the top touchpoints by attribution."""
    language = journey_map.language
    names = element_names(journey_map)
    s = measured.summary
    figures = []
    for key, label in (("journeys", N_("Journeys")), ("conversions", N_("Conversions"))):
        if isinstance(s.get(key), int | float):
            figures.append((gettext(label, language), format_integer(s[key], language)))
    if isinstance(s.get("conversion_rate"), int | float):
        rate = format_percent(s["conversion_rate"], language, 1)
        figures.append((gettext(N_("Conversion rate"), language), rate))
    value = s.get("value")
    if isinstance(value, int | float) and value > 0:  # revenue, contract value, ...
        figures.append(
            (gettext(N_("Conversion value"), language), format_integer(round(value), language))
        )
    model = model_name(measured.attribution_model or "", language)
    attributed = [
        f"{names.get(tp, tp)}: {format_share(share, language)} ({model})"
        for tp, share in sorted(measured.attribution_share.items(), key=lambda kv: -kv[1])[:5]
    ]
    return {
        "figures": figures,
        "dropoffs": _funnel_dropoffs(measured, names, language),
        "exits": _exit_touchpoints(measured, names, language),
        "attributed": attributed,
    }


# A drop-off of fewer than 1 in 100 journeys that reached a phase is no "biggest" one while
# bigger ones exist: 23 of 11,064 (0.2 %) ranked among them only by its count.
MINOR_DROPOFF = 0.01


def _funnel_dropoffs(measured: Measured, names: dict[str, str], language: str) -> list[str]:
    """The phases where most journeys get no further in the funnel, most first (up to 3).

    The phase funnel's figure (the furthest phase a journey reached in the map's order):
    worded so that it is not read as the exit touchpoints' count beside it.
    """
    rows = [r for r in measured.phase_rows.values() if int(r.get("dropped") or 0) > 0]
    if any(float(r.get("dropoff_rate") or 0) >= MINOR_DROPOFF for r in rows):
        rows = [r for r in rows if float(r.get("dropoff_rate") or 0) >= MINOR_DROPOFF]
    rows.sort(key=lambda r: -int(r["dropped"]))
    return [
        ngettext(
            "{count} journey gets no further than {phase} in the funnel "
            "({share} of those that reached it)",
            "{count} journeys get no further than {phase} in the funnel "
            "({share} of those that reached it)",
            int(r["dropped"]),
            language,
        ).format(
            count=format_integer(r["dropped"], language),
            phase=names.get(str(r["phase"]), str(r["phase"])),
            share=format_share(float(r.get("dropoff_rate") or 0), language),
        )
        for r in rows[:3]
    ]


def _exit_touchpoints(measured: Measured, names: dict[str, str], language: str) -> list[str]:
    """The touchpoints most journeys that did not convert touched last, most first (up to 3).

    The ``dropoff`` table's rows are per last phase and touchpoint; a touchpoint in two
    phases is summed into one line, as the map's bars sum it.
    """
    exits: dict[str, tuple[int, float]] = {}
    for row in measured.rows("dropoff"):
        touchpoint = str(row.get("last_touchpoint") or "")
        journeys, share = exits.get(touchpoint, (0, 0.0))
        exits[touchpoint] = (
            journeys + int(row.get("journeys") or 0),
            share + float(row.get("share") or 0),
        )
    ranked = sorted(
        ((tp, counts) for tp, counts in exits.items() if tp and counts[0]),
        key=lambda item: (-item[1][0], item[0]),
    )
    return [
        ngettext(
            "{count} journey that did not convert last touched {touchpoint} ({share} of them)",
            "{count} journeys that did not convert last touched {touchpoint} ({share} of them)",
            journeys,
            language,
        ).format(
            count=format_integer(journeys, language),
            touchpoint=names.get(touchpoint, touchpoint),
            share=format_share(share, language),
        )
        for touchpoint, (journeys, share) in ranked[:3]
    ]
