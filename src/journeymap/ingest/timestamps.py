"""Timestamp parsing for the importer: format given or detected, time zone applied, UTC out."""

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

__all__ = [
    "EPOCH_FORMATS",
    "ISO",
    "TS_TYPE",
    "DateOrder",
    "OrderEvidence",
    "TimestampNotes",
    "constant_timestamp",
    "date_order",
    "detect_formats",
    "order_evidence",
    "parse_any",
    "suggest_format",
    "swap_order",
    "zone",
]

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

_DAY_FIRST = ("%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%d-%m-%y", "%d.%m.%y", "%d/%m/%y")
_MONTH_FIRST = ("%m/%d/%Y", "%m-%d-%Y", "%m.%d.%Y", "%m/%d/%y")
_YEAR_FIRST = ("%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y/%m/%d %H:%M:%S", "%Y%m%d")
_TIMES = (" %H:%M:%S", " %H:%M", "")
# Dates with an English month name: the order is in the words, nothing to decide.
_NAMED = ("%d %b %Y", "%b %d %Y", "%b %d, %Y", "%d-%b-%Y")
SAMPLE_SIZE = 2000


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
