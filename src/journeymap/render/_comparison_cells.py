"""How a comparison's figures read, in a given language: the terminal's tables and the report.

``journeymap compare`` prints its tables in the user's language and the comparison report
writes them in the report's; both word a figure the same way through these helpers. Counts
read ``7,455 → 5,632``, rates ``52.9% → 58.2%``, a rate's change ``+5.3 pp`` and its 95 %
interval ``-3.1 to -0.5 pp``, times ``14.7 days`` (``+5,3 Pp.`` and ``14,7 Tage`` in German).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from journeymap.i18n import format_duration, format_fixed, format_integer, format_percent, gettext
from journeymap.i18n.numbers import format_day
from journeymap.render._wording import format_rate

__all__ = [
    "ARROW",
    "DASH",
    "MARK",
    "count",
    "count_change",
    "duration",
    "interval",
    "pair",
    "period",
    "points",
    "rate",
    "relative",
    "signed",
]

ARROW = "→"
MARK = "*"
DASH = "–"


def signed(text: str, value: float) -> str:
    """``text`` (an absolute figure) with the sign of ``value``: ``+5.3 pp``, ``-657``."""
    return ("+" if value > 0 else "-" if value < 0 else "") + text


def points(change: float | None, language: str, significant: bool | None = None) -> str:
    """A rate's change in percentage points: ``+5.3 pp``, with ``*`` when ``significant``."""
    if change is None:
        return DASH
    value = format_fixed(abs(change) * 100, 1, language)
    text = signed(gettext("{value} pp", language).format(value=value), change)
    return f"{text} {MARK}" if significant else text


def interval(low: float | None, high: float | None, language: str) -> str:
    """A change's interval in percentage points: ``-3.1 to -0.5 pp`` (empty without one)."""
    if low is None or high is None:
        return ""
    low_text, high_text = (format_fixed(value * 100, 1, language) for value in (low, high))
    span = gettext("{low} to {high}", language).format(low=low_text, high=high_text)
    return gettext("{value} pp", language).format(value=span)


def duration(seconds: float | None, language: str) -> str:
    """A time in the largest unit it reaches, as the notes write it: ``14.7 days``."""
    return DASH if seconds is None else format_duration(seconds, language)


def rate(value: float | None, language: str) -> str:
    """A rate with one decimal (``< 0.1%`` rather than ``0.0%`` for a few); ``–`` for none."""
    return DASH if value is None else format_rate(float(value), language)


def count(value: float | None, language: str) -> str:
    """A count with the language's grouping: ``7,455``, ``7.455``; ``–`` for none."""
    return DASH if value is None else format_integer(value, language)


def count_change(before: float | None, after: float | None, language: str) -> str:
    """``after - before`` with its sign: ``-657``; ``–`` when a side has no figure."""
    if before is None or after is None:
        return DASH
    return signed(format_integer(abs(after - before), language), after - before)


def relative(value: float | None, language: str) -> str:
    """A relative change after a figure's: `` (-24.5%)``; empty without one."""
    if value is None:
        return ""
    return f" ({signed(format_percent(abs(value), language, 1), value)})"


def pair(before: Any, after: Any, shown: Callable[[Any], str]) -> str:
    """``before → after``; a side without the figure reads ``–``."""
    first = DASH if before is None else shown(before)
    second = DASH if after is None else shown(after)
    return f"{first} {ARROW} {second}"


def period(side: dict[str, Any], language: str) -> str:
    """First to last event, as the language writes a date: ``Oct 1, 2011 to Mar 14, 2012``."""
    first, last = _day(side.get("first_ts"), language), _day(side.get("last_ts"), language)
    if first is None or last is None:
        return DASH
    return gettext("{first} to {last}", language).format(first=first, last=last)


def _day(text: Any, language: str) -> str | None:
    """The UTC date of an ISO time from the summary, as the language writes it (medium)."""
    return format_day(text, language)
