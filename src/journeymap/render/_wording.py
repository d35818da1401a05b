"""How the report's tables word their figures: element names, counted nouns, rates.

The helpers that the "What was measured" table (:mod:`journeymap.render.context`), the
breakdown funnels and the figure tables share.
"""

from __future__ import annotations

from typing import Any

from journeymap.i18n import N_, format_integer, format_percent, gettext, ngettext
from journeymap.model import JourneyMap
from journeymap.model.labels import column_label

__all__ = ["DURATION_UNITS", "element_names", "format_rate"]

# A duration in the largest unit that writes it as a whole number.
DURATION_UNITS = (
    (86400, "{count} day", "{count} days"),
    (3600, "{count} hour", "{count} hours"),
    (60, "{count} minute", "{count} minutes"),
    (1, "{count} second", "{count} seconds"),
)


def element_names(journey_map: JourneyMap) -> dict[str, str]:
    """The display name of every touchpoint and phase id."""
    names = {tp.id: tp.name for tp in journey_map.touchpoints}
    names.update({phase.id: phase.name for phase in journey_map.phases})
    return names


def _counted(count: int, singular: str, plural: str, language: str) -> str:
    """``count`` with its noun in the language's singular or plural: ``3.000 konti``."""
    return ngettext(singular, plural, count, language).format(count=format_integer(count, language))


def _whole(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _column_label(column: str, language: str, journey_map: JourneyMap | None = None) -> str:
    """A breakdown column as a reader names it.

    The name the map's labels give it (``(column)``: ``Besøgstype`` for ``VisitorType``),
    else the persona in the language, else the column as the events have it.
    """
    named = column_label(journey_map.labels, column) if journey_map is not None else None
    if named is not None:
        return named
    return gettext(N_("persona"), language) if column == "persona" else column


def format_rate(value: float, language: str) -> str:
    """A rate with one decimal that reads as none or all only when it is: ``< 0.1%``, ``> 99.9%``.

    The rule of :func:`~journeymap.i18n.format_share` at one decimal: 12,292 of 12,330
    read "100 %" and 5 of 10,422 "0,0 %", while the report wrote "< 0,1 %".

    Examples:
        >>> [format_rate(v, "en") for v in (0, 0.0004, 0.1553, 0.9969, 0.9996, 1)]
        ['0.0%', '< 0.1%', '15.5%', '99.7%', '> 99.9%', '100.0%']
    """
    if 0 < value < 0.0005:
        return "< " + format_percent(0.001, language, 1)
    if 0.9995 <= value < 1:
        return "> " + format_percent(0.999, language, 1)
    return format_percent(value, language, 1)
