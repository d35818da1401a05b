"""Timestamp parsing for the importer: format given or detected, time zone applied, UTC out."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pyarrow as pa
import pyarrow.compute as pc

from journeymap.errors import RulesError

ISO = "ISO 8601"
TS_TYPE = pa.timestamp("us", tz="UTC")

_DAY_FIRST = ("%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%d-%m-%y", "%d.%m.%y", "%d/%m/%y")
_MONTH_FIRST = ("%m/%d/%Y", "%m-%d-%Y", "%m.%d.%Y", "%m/%d/%y")
_TIMES = ("", " %H:%M", " %H:%M:%S")
SAMPLE_SIZE = 2000


def zone(name: str) -> ZoneInfo:
    """The time zone called ``name``, or a :class:`RulesError` naming the problem."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise RulesError(
            f"unknown time zone {name!r}; use an IANA name such as 'Europe/Berlin' or 'UTC'"
        ) from None


def _iso(value: str, tz: ZoneInfo) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.strip().replace(" UTC", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC)


def _candidates(dayfirst: bool | None, sample: list[str]) -> list[str]:
    dates: tuple[str, ...]
    if dayfirst is True:
        dates = _DAY_FIRST
    elif dayfirst is False:
        dates = _MONTH_FIRST
    else:
        # ambiguous dates (both parts <= 12): day-first for '-' and '.', month-first for '/'
        slash = sum("/" in value for value in sample) > len(sample) / 2
        dates = _MONTH_FIRST + _DAY_FIRST if slash else _DAY_FIRST + _MONTH_FIRST
    formats = [date + time for date in dates for time in _TIMES]
    formats += ["%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y/%m/%d %H:%M:%S", "%Y%m%d"]
    return formats


def _strptime(values: pa.Array, fmt: str) -> pa.Array:
    return pc.strptime(values, format=fmt, unit="us", error_is_null=True)


def detect_format(values: pa.Array, dayfirst: bool | None) -> str | None:
    """The first format that parses every value of a sample, or ``None`` when none does."""
    present = pc.drop_null(pc.if_else(pc.equal(pc.utf8_trim_whitespace(values), ""), None, values))
    sample = pc.unique(present).slice(0, SAMPLE_SIZE)
    if len(sample) == 0:
        return None
    texts = [str(value) for value in sample.to_pylist()]
    utc = ZoneInfo("UTC")
    if all(_iso(text, utc) is not None for text in texts):
        return ISO
    best, best_parsed = None, 0
    for fmt in _candidates(dayfirst, texts):
        parsed = len(sample) - _strptime(sample, fmt).null_count
        if parsed == len(sample):
            return fmt
        if parsed > best_parsed:
            best, best_parsed = fmt, parsed
    # most values parse: the rest are quarantined as unparseable rather than all of them
    return best if best_parsed >= len(sample) / 2 else None


def parse_timestamps(values: pa.Array, fmt: str | None, timezone: str) -> pa.Array:
    """Parse text timestamps into UTC; values that do not parse become null.

    Args:
        values: Text timestamps.
        fmt: A ``strptime`` format, :data:`ISO`, or ``None`` (nothing parses).
        timezone: The zone of naive timestamps.
    """
    tz = zone(timezone)
    if fmt is None:
        return pa.nulls(len(values), TS_TYPE)
    if fmt == ISO or "%z" in fmt:
        if fmt == ISO:
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
        parsed = pc.strptime(values, format=fmt, unit="us", error_is_null=True)
        return pc.cast(parsed, TS_TYPE)
    naive = _strptime(values, fmt)
    local = pc.assume_timezone(
        naive, timezone=timezone, ambiguous="earliest", nonexistent="earliest"
    )
    return pc.cast(local, TS_TYPE)


def constant_timestamp(text: str, timezone: str, length: int) -> pa.Array:
    """The same timestamp for every row (sources without time), or a :class:`RulesError`."""
    parsed = _iso(text, zone(timezone))
    if parsed is None:
        raise RulesError(f"timestamp_constant {text!r} is not an ISO date such as 2010-01-01")
    return pa.array([parsed] * length, TS_TYPE)
