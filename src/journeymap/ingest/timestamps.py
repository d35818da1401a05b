"""Timestamp parsing for the importer: format given or detected, time zone applied, UTC out."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pyarrow as pa
import pyarrow.compute as pc

from journeymap.errors import RulesError

__all__ = ["ISO", "TS_TYPE", "constant_timestamp", "detect_formats", "parse_any", "zone"]

ISO = "ISO 8601"
TS_TYPE = pa.timestamp("us", tz="UTC")

_DAY_FIRST = ("%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%d-%m-%y", "%d.%m.%y", "%d/%m/%y")
_MONTH_FIRST = ("%m/%d/%Y", "%m-%d-%Y", "%m.%d.%Y", "%m/%d/%y")
_YEAR_FIRST = ("%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y/%m/%d %H:%M:%S", "%Y%m%d")
_TIMES = (" %H:%M:%S", " %H:%M", "")
SAMPLE_SIZE = 2000


def zone(name: str) -> ZoneInfo:
    """The time zone called ``name``, or a :class:`RulesError` naming the problem."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as 'Europe'
        raise _unknown_zone(name) from None


def _unknown_zone(name: str) -> RulesError:
    return RulesError(
        f"unknown time zone {name!r}; use an IANA name such as 'Europe/Berlin' or 'UTC'"
    )


def _iso(value: str, tz: ZoneInfo) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.strip().replace(" UTC", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)  # fold=0: see _local_to_utc
    return parsed.astimezone(UTC)


def _family(dates: tuple[str, ...]) -> list[str]:
    return [date + time for date in dates for time in _TIMES]


def _strptime(values: pa.Array, fmt: str) -> pa.Array:
    return pc.strptime(values, format=fmt, unit="us", error_is_null=True)


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
    month-first and ``-`` or ``.`` dates day-first. Values no format parses are left for the
    quarantine.
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
    for fmt in [ISO, *_family(dates), *_YEAR_FIRST]:
        parsed = _parsed(sample, fmt)
        if any(r and p for r, p in zip(remaining, parsed, strict=True)):
            chosen.append(fmt)
            remaining = [r and not p for r, p in zip(remaining, parsed, strict=True)]
        if not any(remaining):
            break
    return chosen


def _parse_iso(values: pa.Array, tz: ZoneInfo) -> pa.Array:
    try:  # fast path: every value carries its offset (XES logs, exports in UTC)
        return pc.cast(values, TS_TYPE)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass  # naive or malformed values: parse one by one below
    cache: dict[str, datetime | None] = {}
    out: list[datetime | None] = []
    for value in values.to_pylist():
        if value is None:
            out.append(None)
            continue
        if value not in cache:
            cache[value] = _iso(value, tz)
        out.append(cache[value])
    return pa.array(out, TS_TYPE)


def parse_timestamps(values: pa.Array, fmt: str, timezone: str) -> pa.Array:
    """Parse text timestamps with one format into UTC; values that do not parse become null.

    Args:
        values: Text timestamps.
        fmt: A ``strptime`` format or :data:`ISO`.
        timezone: The zone of naive timestamps.
    """
    tz = zone(timezone)
    if fmt == ISO:
        return _parse_iso(values, tz)
    if "%z" in fmt:
        return pc.cast(_strptime(values, fmt), TS_TYPE)
    return _local_to_utc(_strptime(values, fmt), timezone)


def _local_to_utc(wall_times: pa.Array, timezone: str) -> pa.Array:
    """Naive wall-clock times in ``timezone`` as UTC, read the way :func:`_iso` reads them.

    A time that does not exist (the spring-forward gap: 02:30 on 2025-03-30 in Copenhagen)
    takes the UTC offset in force just before the gap (01:30Z), and a time that happens twice
    (the autumn overlap) is its first occurrence, on the summer offset: Python's ``fold=0``
    and Java's ``ZonedDateTime``. Arrow's ``assume_timezone`` alone would move a gap time to
    the last instant before the gap (00:59:59.999999Z), so each value's offset is taken at
    that instant instead and subtracted from the wall time.
    """
    try:
        earliest = pc.assume_timezone(
            wall_times, timezone=timezone, ambiguous="earliest", nonexistent="earliest"
        )
    except pa.ArrowInvalid:  # a file Python reads as a zone, Arrow not ('posixrules')
        raise _unknown_zone(timezone) from None
    offset = pc.subtract(pc.local_timestamp(earliest), pc.cast(earliest, wall_times.type))
    return pc.cast(pc.subtract(wall_times, offset), TS_TYPE)


def parse_any(values: pa.Array, formats: list[str], timezone: str) -> pa.Array:
    """Parse with each format in turn, keeping the first that works for each value."""
    result = pa.nulls(len(values), TS_TYPE)
    for fmt in formats:
        result = pc.coalesce(result, parse_timestamps(values, fmt, timezone))
    return result


def constant_timestamp(text: str, timezone: str, length: int) -> pa.Array:
    """The same timestamp for every row (sources without time), or a :class:`RulesError`."""
    parsed = _iso(text, zone(timezone))
    if parsed is None:
        raise RulesError(f"timestamp_constant {text!r} is not an ISO date such as 2010-01-01")
    return pa.array([parsed] * length, TS_TYPE)
