"""Finding the formats a timestamp column is written in, and its day-first or month-first order.

:func:`detect_formats` picks the formats that read a sample of the column; the order of its
dates (``03/04/2025``) is decided once and checked on the rows that follow
(:class:`DateOrder`, :func:`order_evidence`). The values are read by
:mod:`journeymap.ingest._timestamp_parsing`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc

from journeymap.ingest._timestamp_parsing import ISO, _iso, _strptime, parse_any

_DAY_FIRST = ("%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%d-%m-%y", "%d.%m.%y", "%d/%m/%y")
_MONTH_FIRST = ("%m/%d/%Y", "%m-%d-%Y", "%m.%d.%Y", "%m/%d/%y")
_YEAR_FIRST = ("%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y/%m/%d %H:%M:%S", "%Y%m%d")
_TIMES = (" %H:%M:%S", " %H:%M", "")
# Dates with an English month name: the order is in the words, nothing to decide.
_NAMED = ("%d %b %Y", "%b %d %Y", "%b %d, %Y", "%d-%b-%Y")
SAMPLE_SIZE = 2000


def _family(dates: tuple[str, ...]) -> list[str]:
    return [date + time for date in dates for time in _TIMES]


def _parsed(sample: pa.Array, fmt: str) -> list[bool]:
    if fmt == ISO:
        utc = ZoneInfo("UTC")
        return [_iso(str(text), utc) is not None for text in sample.to_pylist()]
    return [bool(ok) for ok in pc.is_valid(_strptime(sample, fmt)).to_pylist()]


def _coverage(sample: pa.Array, formats: list[str]) -> int:
    covered = [False] * len(sample)
    for fmt in formats:
        covered = [c or p for c, p in zip(covered, _parsed(sample, fmt), strict=True)]
    return sum(covered)


def detect_formats(values: pa.Array, dayfirst: bool | None) -> list[str]:
    """The formats that together parse a sample of ``values``, most general first.

    Day-first versus month-first is decided once for the whole column: the family that parses
    more values wins (``25-12-2017`` only parses day-first); on a tie, ``/`` dates are read
    month-first and ``-`` or ``.`` dates day-first. A tie is not the last word: the importer
    keeps checking the order on the rows that follow (see :class:`DateOrder`). Values no
    format parses are left for the quarantine.
    """
    blank = pc.equal(pc.utf8_trim_whitespace(values), "")
    present = pc.drop_null(pc.if_else(blank, None, values))
    sample = pc.unique(present).slice(0, SAMPLE_SIZE)
    if len(sample) == 0:
        return []
    if dayfirst is None:
        day = _coverage(sample, _family(_DAY_FIRST))
        month = _coverage(sample, _family(_MONTH_FIRST))
        texts = [str(value) for value in sample.to_pylist()]
        slash = sum("/" in text for text in texts) > len(texts) / 2
        dayfirst = day > month or (day == month and not slash)
    dates = _DAY_FIRST if dayfirst else _MONTH_FIRST
    remaining = [True] * len(sample)
    chosen: list[str] = []
    for fmt in [ISO, *_family(dates), *_YEAR_FIRST, *_family(_NAMED)]:
        parsed = _parsed(sample, fmt)
        if any(r and p for r, p in zip(remaining, parsed, strict=True)):
            chosen.append(fmt)
            remaining = [r and not p for r, p in zip(remaining, parsed, strict=True)]
        if not any(remaining):
            break
    return chosen


def swap_order(fmt: str) -> str | None:
    """``fmt`` with day and month swapped, if it writes the day and month before the year.

    Examples:
        >>> swap_order("%d/%m/%Y %H:%M")
        '%m/%d/%Y %H:%M'
        >>> swap_order("%Y-%m-%d") is None
        True
    """
    if "%d" not in fmt or "%m" not in fmt:
        return None
    year = min((fmt.index(y) for y in ("%Y", "%y") if y in fmt), default=len(fmt))
    if max(fmt.index("%d"), fmt.index("%m")) > year:
        return None
    return fmt.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")


def date_order(formats: Sequence[str]) -> str | None:
    """``day`` or ``month``: which comes first in the formats' dates; None if no date has both."""
    for fmt in formats:
        if swap_order(fmt) is not None:
            return "day" if fmt.index("%d") < fmt.index("%m") else "month"
    return None


@dataclass
class DateOrder:
    """What the rows so far say about a detected day-first or month-first order.

    The first batch's values may all fit both orders (``03/04/2025``: 3 April or 4 March); the
    order then came from a tie-break and stays open until a value only one order reads
    (a day after the 12th) settles it.

    Attributes:
        open: No value has settled the order yet.
        ambiguous: Rows read so far whose date the other order reads as another day.
        first_ambiguous: The first such value, for the note that names the tie-break.
    """

    open: bool = False
    ambiguous: int = 0
    first_ambiguous: str | None = None


@dataclass
class OrderEvidence:
    """One batch's say on the order: counts, and the first row of each kind (0-based)."""

    this_only: int
    other_only: int
    ambiguous: int
    first_other: int | None
    first_ambiguous: int | None


def order_evidence(
    values: pa.Array, formats: list[str], timezone: str, parsed: pa.Array
) -> OrderEvidence:
    """Which values only ``formats`` read, only their swapped order reads, or both differently.

    Args:
        values: The batch's timestamp text.
        formats: The formats ``parsed`` was read with.
        timezone: The zone of naive timestamps.
        parsed: ``values`` as :func:`parse_any` read them with ``formats``.
    """
    other = parse_any(values, [swap_order(fmt) or fmt for fmt in formats], timezone)
    this_only = pc.and_(pc.is_valid(parsed), pc.is_null(other))
    other_only = pc.and_(pc.is_null(parsed), pc.is_valid(other))
    ambiguous = pc.fill_null(pc.not_equal(parsed, other), False)

    def first(mask: pa.Array) -> int | None:
        found = pc.indices_nonzero(mask)
        return int(found[0].as_py()) if len(found) else None

    return OrderEvidence(
        this_only=int(pc.sum(this_only).as_py() or 0),
        other_only=int(pc.sum(other_only).as_py() or 0),
        ambiguous=int(pc.sum(ambiguous).as_py() or 0),
        first_other=first(other_only),
        first_ambiguous=first(ambiguous),
    )


def suggest_format(values: Sequence[str], given: list[str]) -> str | None:
    """One detected format that reads more of ``values`` than the ``given`` formats, or None."""
    sample = pa.array(list(dict.fromkeys(values))[:SAMPLE_SIZE], pa.string())
    if not len(sample):
        return None
    best, best_count = None, int(pc.sum(pc.is_valid(parse_any(sample, given, "UTC"))).as_py() or 0)
    for fmt in detect_formats(sample, None):
        count = _coverage(sample, [fmt])
        if count > best_count:
            best, best_count = fmt, count
    return best
