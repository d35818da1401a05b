"""Reading timestamp text into UTC: one format at a time, its time zone applied.

ISO 8601 text, ``strptime`` formats and whole numbers since the epoch (:data:`EPOCH_FORMATS`)
are read into UTC; local times in the rules' time zone, with daylight saving gaps and
overlaps noted (:class:`TimestampNotes`). Which formats a column is written in is found by
:mod:`journeymap.ingest._timestamp_formats`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pyarrow as pa
import pyarrow.compute as pc

from journeymap.errors import RulesError
from journeymap.i18n.messages import _

ISO = "ISO 8601"
TS_TYPE = pa.timestamp("us", tz="UTC")
# Named formats of whole numbers since 1970-01-01 UTC, with microseconds per unit. ``%s``
# reads as ``epoch_s``: Arrow's strptime took its seconds as wall time in the rules' zone.
EPOCH_FORMATS = {"epoch_s": 1_000_000, "epoch_ms": 1_000, "epoch_us": 1}
_EPOCH_ALIASES = {"%s": "epoch_s"}
# Digits of an epoch value in each unit from 2001-09-09 to 2286: what the hint recognises.
_EPOCH_DIGITS = {10: "epoch_s", 13: "epoch_ms", 16: "epoch_us"}
_EPOCH_TEXT = r"^-?[0-9]{1,18}$"  # 18 digits always fit an int64
# Python's datetime range in microseconds since the epoch: a value in the wrong unit (a
# 13-digit millisecond value read as seconds is the year 57,000) falls outside, unread.
_EPOCH_MIN_US = (datetime(1, 1, 1, tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)) // (
    datetime.resolution
)
_EPOCH_MAX_US = (
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)
) // datetime.resolution
# A strptime format with one of these reads a time of day (not only a date).
_TIME_OF_DAY = re.compile(r"%[EO]?[HIklTRrcX]")


def zone(name: str) -> ZoneInfo:
    """The time zone called ``name``, or a :class:`RulesError` naming the problem."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as 'Europe'
        raise _unknown_zone(name) from None


def _unknown_zone(name: str) -> RulesError:
    return RulesError(
        _("unknown time zone {name}; use an IANA name such as 'Europe/Berlin' or 'UTC'").format(
            name=repr(name)
        )
    )


# Where local times fall in a daylight saving gap and where in an overlap (per value).
_Shifts = tuple[pa.Array, pa.Array]


@dataclass
class TimestampNotes:
    """What parsing saw that the import should tell, gathered batch by batch.

    Attributes:
        naive: Some value with a time of day had no UTC offset and was read in the rules'
            time zone (UTC unless ``timezone`` is given). Dates alone do not count.
        epoch_hint: The epoch format (``epoch_ms``) the values look like: set when no value
            of the first batch could be read and all are digits of one epoch length.
        misread: ``(format, first value read)`` when the first batch was read with an
            epoch format whose unit its digits contradict (seconds read as milliseconds fall
            in January 1970): the format the digits look like, and what the first became.
        batches: The batches parsed so far.
        gap: Local times that do not exist in the zone (the clocks skip them), read with the
            offset before the change (see :func:`_local_to_utc`).
        first_gap: ``(as written, as read in UTC)`` for the first of them.
        overlap: Local times the zone has twice (the clocks go back), read as the first.
        first_overlap: ``(as written, as read in UTC)`` for the first of them.
    """

    naive: bool = False
    epoch_hint: str | None = None
    misread: tuple[str, str] | None = None
    batches: int = 0
    gap: int = 0
    first_gap: tuple[str, str] | None = None
    overlap: int = 0
    first_overlap: tuple[str, str] | None = None

    def note_daylight_saving(
        self, values: pa.Array, parsed: pa.Array, read_here: pa.Array, shifts: _Shifts
    ) -> None:
        """Count the values read here that fall in a gap or an overlap; keep the first of each."""
        gap, overlap = (pc.and_(read_here, pc.fill_null(mask, False)) for mask in shifts)
        for kind, mask in (("gap", gap), ("overlap", overlap)):
            found = pc.indices_nonzero(mask)
            if not len(found):
                continue
            setattr(self, kind, getattr(self, kind) + len(found))
            if getattr(self, f"first_{kind}") is None:
                first = int(found[0].as_py())
                read = parsed[first].as_py().strftime("%Y-%m-%d %H:%M:%S UTC")
                setattr(self, f"first_{kind}", (str(values[first].as_py()), read))


def _iso(value: str, tz: ZoneInfo) -> datetime | None:
    return _in_utc(_iso_as_written(value), tz)


def _in_utc(parsed: datetime | None, tz: ZoneInfo) -> datetime | None:
    """``parsed`` in UTC, read in ``tz`` when it has no offset."""
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)  # fold=0: see _local_to_utc
    return parsed.astimezone(UTC)


def _iso_as_written(value: str) -> datetime | None:
    """The ISO 8601 ``value`` with its offset, or naive when it has none; None: not ISO."""
    try:
        return datetime.fromisoformat(value.strip().replace(" UTC", "+00:00"))
    except ValueError:
        return None


def _strptime(values: pa.Array, fmt: str) -> pa.Array:
    return pc.strptime(values, format=fmt, unit="us", error_is_null=True)


def _daylight_saving(wall: datetime, tz: ZoneInfo) -> str | None:
    """``gap`` for a wall time ``tz`` skips, ``overlap`` for one it has twice, else None."""
    early, late = wall.replace(tzinfo=tz, fold=0), wall.replace(tzinfo=tz, fold=1)
    if early.utcoffset() == late.utcoffset():
        return None
    back = early.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return "gap" if back != wall else "overlap"


# Values read in UTC, where they were local times (or one answer for all), DST shifts.
_Parsed = tuple[pa.Array, pa.Array | bool, _Shifts | None]


def _parse_iso(values: pa.Array, tz: ZoneInfo) -> _Parsed:
    """The values in UTC, where they had a time of day but no offset, and DST shifts."""
    try:  # fast path: every value carries its offset (XES logs, exports in UTC)
        return pc.cast(values, TS_TYPE), False, None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass  # naive or malformed values: parse one by one below
    cache: dict[str, tuple[datetime | None, bool, str | None]] = {}
    out: list[datetime | None] = []
    naive: list[bool] = []
    shifted: list[str | None] = []
    for value in values.to_pylist():
        if value is None:
            out.append(None)
            naive.append(False)
            shifted.append(None)
            continue
        if value not in cache:
            written = _iso_as_written(value)
            # More than a date (2025-03-30 or 20250330): a time of day without an offset.
            local = written is not None and written.tzinfo is None and len(value.strip()) > 10
            shift = _daylight_saving(written, tz) if local and written is not None else None
            cache[value] = (_in_utc(written, tz), local, shift)
        parsed, local, shift = cache[value]
        out.append(parsed)
        naive.append(local)
        shifted.append(shift)
    shifts = (
        pa.array([shift == "gap" for shift in shifted], pa.bool_()),
        pa.array([shift == "overlap" for shift in shifted], pa.bool_()),
    )
    return pa.array(out, TS_TYPE), pa.array(naive, pa.bool_()), shifts


def _parse_epoch(values: pa.Array, fmt: str) -> pa.Array:
    """Whole numbers of ``fmt``'s unit since 1970-01-01 UTC; no time zone applies."""
    text = pc.utf8_trim_whitespace(values)
    numbers = pc.cast(
        pc.if_else(pc.match_substring_regex(text, _EPOCH_TEXT), text, pa.scalar(None, pa.string())),
        pa.int64(),
    )
    per_unit = EPOCH_FORMATS[fmt]
    in_range = pc.and_(
        pc.greater_equal(numbers, -(-_EPOCH_MIN_US // per_unit)),
        pc.less_equal(numbers, _EPOCH_MAX_US // per_unit),
    )
    micros = pc.multiply(pc.if_else(in_range, numbers, pa.scalar(None, pa.int64())), per_unit)
    return pc.cast(micros, TS_TYPE)


def _parse(values: pa.Array, fmt: str, timezone: str) -> _Parsed:
    """The values read with ``fmt`` in UTC, where they were read in ``timezone``, DST shifts.

    The second item is per value (ISO 8601 text may mix offsets and local times) or one
    answer for all: a ``strptime`` format with ``%z`` or an epoch format reads instants, one
    with a time of day and no ``%z`` local times; a date alone never counts as local. The
    third says which local times fall in a daylight saving gap or overlap (None: none can).
    """
    tz = zone(timezone)
    fmt = _EPOCH_ALIASES.get(fmt, fmt)
    if fmt == ISO:
        return _parse_iso(values, tz)
    if fmt in EPOCH_FORMATS:
        return _parse_epoch(values, fmt), False, None
    if "%z" in fmt:
        return pc.cast(_strptime(values, fmt), TS_TYPE), False, None
    local = _TIME_OF_DAY.search(fmt) is not None
    parsed, shifts = _local_to_utc(_strptime(values, fmt), timezone)
    return parsed, local, shifts if local else None


def parse_timestamps(values: pa.Array, fmt: str, timezone: str) -> pa.Array:
    """Parse text timestamps with one format into UTC; values that do not parse become null.

    Args:
        values: Text timestamps.
        fmt: A ``strptime`` format, :data:`ISO` or a name of :data:`EPOCH_FORMATS` (``%s``
            reads as ``epoch_s``).
        timezone: The zone of naive timestamps (epoch values have none).
    """
    return _parse(values, fmt, timezone)[0]


def _local_to_utc(wall_times: pa.Array, timezone: str) -> tuple[pa.Array, _Shifts]:
    """Naive wall-clock times in ``timezone`` as UTC, read the way :func:`_iso` reads them.

    Also returns which of them fall in a daylight saving gap and which in an overlap.

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
        latest = pc.assume_timezone(
            wall_times, timezone=timezone, ambiguous="latest", nonexistent="latest"
        )
    except pa.ArrowInvalid:  # a file Python reads as a zone, Arrow not ('posixrules')
        raise _unknown_zone(timezone) from None
    local = pc.local_timestamp(earliest)
    offset = pc.subtract(local, pc.cast(earliest, wall_times.type))
    # A skipped time's earliest reading is the last instant before the gap: another wall time.
    gap = pc.not_equal(local, wall_times)
    overlap = pc.and_(pc.not_equal(earliest, latest), pc.invert(gap))
    return pc.cast(pc.subtract(wall_times, offset), TS_TYPE), (gap, overlap)


def parse_any(
    values: pa.Array, formats: list[str], timezone: str, notes: TimestampNotes | None = None
) -> pa.Array:
    """Parse with each format in turn, keeping the first that works for each value.

    Args:
        values: Text timestamps.
        formats: The formats to try, in order (see :func:`parse_timestamps`).
        timezone: The zone of naive timestamps.
        notes: Updated with what this batch tells (see :class:`TimestampNotes`).
    """
    result = pa.nulls(len(values), TS_TYPE)
    for fmt in formats:
        parsed, local, shifts = _parse(values, fmt, timezone)
        # Only values this format read count: an earlier format took the others.
        read_here = pc.and_(pc.is_null(result), pc.is_valid(parsed))
        if notes is not None and not notes.naive and local is not False:
            local_here = read_here if local is True else pc.and_(read_here, local)
            notes.naive = pc.any(local_here).as_py() is True
        if notes is not None and shifts is not None:
            notes.note_daylight_saving(values, parsed, read_here, shifts)
        result = pc.coalesce(result, parsed)
    if notes is not None:
        if notes.batches == 0:
            notes.epoch_hint = _epoch_hint(values, result)
            notes.misread = _misread(values, result, formats)
        notes.batches += 1
    return result


def _misread(values: pa.Array, parsed: pa.Array, formats: Sequence[str]) -> tuple[str, str] | None:
    """The epoch format the digits look like, if they were read in another epoch unit.

    Epoch values of another unit are no error: seconds read as milliseconds are dates in
    January 1970, milliseconds read as microseconds in 1970 too. Returns the format the
    digits look like and the first value as read, or None.
    """
    used = [_EPOCH_ALIASES.get(fmt, fmt) for fmt in formats]
    epochs = [fmt for fmt in used if fmt in EPOCH_FORMATS]
    if not epochs or not pc.any(pc.is_valid(parsed)).as_py():
        return None
    text = pc.utf8_trim_whitespace(values)
    present = pc.drop_null(pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text))
    if len(present) == 0 or not pc.all(pc.match_substring_regex(present, "^[0-9]+$")).as_py():
        return None
    lengths = pc.min_max(pc.utf8_length(present)).as_py()
    looks = _EPOCH_DIGITS.get(lengths["min"]) if lengths["min"] == lengths["max"] else None
    if looks is None or looks in epochs:
        return None
    first = pc.drop_null(parsed)[0].as_py()
    return looks, first.strftime("%Y-%m-%d %H:%M:%S")


def _epoch_hint(values: pa.Array, parsed: pa.Array) -> str | None:
    """The epoch format ``values`` look like when none of them was read; else None."""
    text = pc.utf8_trim_whitespace(values)
    present = pc.drop_null(pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text))
    if len(present) == 0 or pc.any(pc.is_valid(parsed)).as_py():
        return None
    if not pc.all(pc.match_substring_regex(present, "^[0-9]+$")).as_py():
        return None
    lengths = pc.min_max(pc.utf8_length(present)).as_py()
    if lengths["min"] != lengths["max"]:
        return None
    return _EPOCH_DIGITS.get(lengths["min"])


def constant_timestamp(text: str, timezone: str, length: int) -> pa.Array:
    """The same timestamp for every row (sources without time), or a :class:`RulesError`."""
    parsed = _iso(text, zone(timezone))
    if parsed is None:
        raise RulesError(
            _("timestamp_constant {text} is not an ISO date such as 2010-01-01").format(
                text=repr(text)
            )
        )
    return pa.array([parsed] * length, TS_TYPE)
