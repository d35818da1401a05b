"""Every journey's events in order as NumPy arrays, read in one scan or grouping, no window.

The journeys' window sorts every actor's events: at 1M generated journeys the first-order
Markov counts took 1.05 s in that one query, where the raw transition count (the
benchmarks' floor) took 0.54-0.56 s. Each event becomes one integer instead, ``order * 512 +
code * 2 + conversion``, where ``order`` is the event's time in microseconds (events) or its
step (a stored journeys table) and ``code`` numbers its (touchpoint, phase), touchpoints in
code-point order and a missing one last, as the window breaks ties. Where each actor's (or
journey's) events lie together they are read as they lie; else a hash grouping collects each
actor's integers: 0.31-0.33 s on the same events (raw SQL); see
:mod:`~journeymap.engine._actor_groups`. Each actor's integers not yet in order are sorted
locally. The models then read the arrays locally.

Only on DuckDB, with at most :data:`CODED_VALUES` (256) codes, which is as many touchpoints
(a missing one counting as one) when each touchpoint comes with one phase, for a journeys
table from
:func:`~journeymap.engine.journeys.build_journeys` or any stored table with the journeys'
columns. Where the window could order events differently, :func:`coded_journeys` returns None
and the callers take the window pass:

- the events carry a tie-break (``row_number``, ``event_key``) or the journeys are cut per
  account (ties then go by person), and some actor has two events in the same microsecond;
- a time lies more than 2**54 microseconds (571 years) from 1970, or is missing;
- the arrays would take more than half of DuckDB's ``memory_limit`` (:func:`_rows`).
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Iterable
from dataclasses import dataclass

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa

from journeymap.engine._actor_groups import Grouped, actor_groups
from journeymap.engine._scratch import SHARE, memory_limit
from journeymap.engine._sequence_codes import CODED_VALUES
from journeymap.engine._tables import backend_name
from journeymap.engine.journeys import built_from, converting_actors, phase_lookup

__all__ = [
    "BYTES_PER_EVENT",
    "CODED_VALUES",
    "METRICS_BYTES_PER_EVENT",
    "CodedJourneys",
    "coded_journeys",
]

BYTES_PER_EVENT = 100
"""Memory the coded journeys take per event, at most: at 10M generated journeys (45M events)
the peak of first-order Markov was 3,513 MB and of third-order 5,216 MB, against 1,186 MB for
the floor query (``benchmarks/README.md``, stop 26)."""

METRICS_BYTES_PER_EVENT = 110
"""The same where the metrics count off the arrays (``personas=True``): at 10M generated
journeys (45M events, no memory cap) every metric peaked at 3,964 MiB, 91 bytes an event
(stop 28; 7,389 MiB at stop 27), which this leaves room above."""

# A key's low bits: the conversion flag (1) and the touchpoint's code (8).
_BITS = 9
_SHIFT = 1 << _BITS
# |microseconds| below this times _SHIFT stays inside a signed 64-bit integer.
_MICROS_LIMIT = 2**54
_OUT_OF_RANGE = -(2**63)


@ibis.udf.scalar.builtin(name="epoch_us")  # type: ignore[untyped-decorator]
def _epoch_us(ts: datetime.datetime) -> int:  # type: ignore[empty-body]
    """DuckDB's ``epoch_us``: microseconds since 1970 of a time with or without a zone."""


@dataclass(frozen=True)
class CodedJourneys:
    """Every event of every journey, one array entry each, journey after journey in order.

    Attributes:
        touchpoints: The touchpoint of the events coded ``i`` is ``touchpoints[i]`` (None: the
            event has none). Every touchpoint of the journeys' events is one of them, the
            events of actors without a conversion included.
        phases: Their phase, ``phases[i]``.
        code: Each event's code (``uint8``).
        conversion: Whether the event is a conversion.
        value: Each conversion's value, in the order of the conversions (0 where it has none).
        starts: Whether the event starts a journey.
        times: Each event's time in microseconds since 1970, when read from the events
            (None from a stored journeys table, whose steps order it); see :meth:`micros`.
        personas: Each code's persona, when asked for (``personas=True``); else None.
        actors: Each group's id (the actor's, or the stored journey's), in the groups' order,
            when asked for (``ids=True``); else None.
        groups: Where each group's events start in the arrays, and their end (``len + 1``
            offsets).
    """

    touchpoints: tuple[str | None, ...]
    phases: tuple[str | None, ...]
    code: np.ndarray
    conversion: np.ndarray
    value: np.ndarray
    starts: np.ndarray
    times: np.ndarray | None = None
    personas: tuple[str | None, ...] | None = None
    actors: pa.Array | None = None
    groups: np.ndarray | None = None

    def segment_starts(self) -> np.ndarray:
        """Whether each event starts a conversion segment.

        A journey's start, or the event after a conversion: a conversion closes its segment,
        in a journey that continues too.
        """
        starts: np.ndarray = self.starts.copy()
        starts[1:] |= self.conversion[:-1]
        return starts

    def micros(self, where: np.ndarray | None = None) -> np.ndarray | None:
        """The time of each event (or of those ``where`` holds) in microseconds since 1970."""
        if self.times is None or where is None:
            return self.times
        times: np.ndarray = self.times[where]
        return times


def coded_journeys(
    journeys: ir.Table,
    *,
    converting_only: bool = False,
    personas: bool = False,
    ids: bool = False,
) -> CodedJourneys | None:
    """The events of ``journeys`` as arrays, or None where the window pass must order them.

    With ``personas`` the codes number each (touchpoint, phase, persona) the events hold,
    and :attr:`CodedJourneys.personas` names each code's persona (what the metrics read);
    with ``ids``, :attr:`CodedJourneys.actors` holds each group's id (no metric needs them:
    at 10M generated journeys they are 10M texts to hand over). With
    ``converting_only``, a journeys table from
    :func:`~journeymap.engine.journeys.build_journeys` gives the journeys of the actors with
    a conversion alone (what the heuristic models read: at 1M generated journeys, a fifth
    of the events; read as they lie, every actor is read and the others left out locally;
    grouped, the engine groups the converting actors' events alone, 0.24 s instead of
    0.38 s in raw SQL). Each call reads the events
    again: the attribution's :class:`~journeymap.attribution.SegmentCache` keeps the result
    while the journeys are in use (see the module doc for when it applies).
    """
    built = built_from(journeys)
    if built is not None:
        events, journey_map, options = built
        rows = _rows(events, personas=personas) if backend_name(events) == "duckdb" else None
        if rows is None:
            return None
        gap = options.session_gap
        codes = _Codes.found(events, phase_lookup(journey_map), personas=personas)
        return _from_events(
            events,
            codes,
            options.by,
            None if gap is None else int(gap.total_seconds()),
            options.after_conversion == "end",
            tied=bool({"row_number", "event_key"} & set(events.columns)),
            ids=ids,
            rows=rows,
            converting=converting_actors(events, options) if converting_only else None,
        )
    needed = {"journey_id", "step", "touchpoint", "phase", "conversion", "value"}
    stored = isinstance(journeys.op(), ops.PhysicalTable)
    if not stored or backend_name(journeys) != "duckdb" or not needed <= set(journeys.columns):
        return None
    rows = _rows(journeys, personas=personas)
    if rows is None:
        return None
    codes = _Codes.found(journeys, {}, personas=personas)
    return _from_stored(journeys, codes, ids=ids, rows=rows)


def _rows(events: ir.Table, *, personas: bool) -> int | None:
    """How many rows ``events`` holds; None where their arrays would not fit in memory.

    They fit in :data:`SHARE` of DuckDB's ``memory_limit``: the reading and the arrays take
    about :data:`BYTES_PER_EVENT` (measured), and :data:`METRICS_BYTES_PER_EVENT` where the
    metrics read them (with ``personas``); past that share the window pass, which DuckDB can
    spill, is kept. Asking the row count is a look at a file's metadata or one scan.
    """
    rows = int(events.count().to_pyarrow().as_py())
    limit = memory_limit(ibis.get_backend(events))
    size = METRICS_BYTES_PER_EVENT if personas else BYTES_PER_EVENT
    return rows if limit is None or rows * size <= limit * SHARE else None


@dataclass(frozen=True)
class _Codes:
    """How each event's (touchpoint, phase) is numbered: touchpoints first, as the window sorts.

    Each touchpoint is numbered in code-point order, a missing one last. Where each
    touchpoint comes with one phase (the map's, say), the phase adds nothing; else each phase
    is numbered too, and the code is ``touchpoint * len(phases) + phase``. With
    ``personas``, each persona is numbered as well: ``code * len(personas) + persona``.
    """

    touchpoints: tuple[str | None, ...]
    phases: tuple[str | None, ...] | None
    phase_of: dict[str | None, str | None]
    lookup: dict[str, str]
    personas: tuple[str | None, ...] | None = None

    @classmethod
    def found(
        cls, table: ir.Table, lookup: dict[str, str], *, personas: bool = False
    ) -> _Codes | None:
        """The codes of the pairs in ``table`` (one query of a few rows); None past 256.

        ``lookup`` gives the phase of an event without one (the map's, by touchpoint); with
        ``personas`` the events' personas are numbered too.
        """
        columns = {
            "touchpoint": table.touchpoint.cast(dt.string),
            "phase": table.phase.cast(dt.string),
        }
        if personas:
            columns["persona"] = table.persona.cast(dt.string)
        rows = table.select(**columns).distinct().limit(CODED_VALUES * CODED_VALUES + 1)
        found = [
            (
                row["touchpoint"],
                row["phase"] or lookup.get(row["touchpoint"] or ""),
                row.get("persona"),
            )
            for row in rows.to_pyarrow().to_pylist()
        ]
        touchpoints = _ordered(touchpoint for touchpoint, _phase, _persona in found)
        seen: dict[str | None, set[str | None]] = {}
        for touchpoint, phase, _persona in found:
            seen.setdefault(touchpoint, set()).add(phase)
        one = all(len(phases) == 1 for phases in seen.values())
        phases = None if one else _ordered(phase for _touchpoint, phase, _persona in found)
        numbered = _ordered(persona for _touchpoint, _phase, persona in found) if personas else None
        size = len(touchpoints) * len(phases or (None,)) * len(numbered or (None,))
        if size > CODED_VALUES:
            return None
        phase_of = {t: min(p, key=str) for t, p in seen.items()} if one else {}
        return cls(touchpoints, phases, phase_of, lookup, numbered)

    def code(self, table: ir.Table) -> ir.IntegerValue:
        """Each event's code."""
        touchpoint = table.touchpoint.cast(dt.string)
        code = _numbered(touchpoint, self.touchpoints)
        if self.phases is not None:
            mapped = touchpoint.substitute(self.lookup, else_=ibis.null(dt.string))
            phase = ibis.coalesce(table.phase.cast(dt.string), mapped)
            code = code * len(self.phases) + _numbered(phase, self.phases)
        if self.personas is not None:
            persona = table.persona.cast(dt.string)
            code = code * len(self.personas) + _numbered(persona, self.personas)
        return code

    def names(
        self,
    ) -> tuple[tuple[str | None, ...], tuple[str | None, ...], tuple[str | None, ...] | None]:
        """The touchpoint, the phase and the persona (None: not numbered) of each code."""
        if self.phases is None:
            pairs = [(t, self.phase_of.get(t)) for t in self.touchpoints]
        else:
            pairs = [(t, p) for t in self.touchpoints for p in self.phases]
        personas = self.personas or (None,)
        triples = [(t, p, persona) for t, p in pairs for persona in personas]
        return (
            tuple(t for t, _p, _persona in triples),
            tuple(p for _t, p, _persona in triples),
            None if self.personas is None else tuple(persona for _t, _p, persona in triples),
        )


def _ordered(values: Iterable[str | None]) -> tuple[str | None, ...]:
    """The distinct texts in code-point order, then None if found (the window sorts it last)."""
    found = set(values)
    return (*sorted(value for value in found if value is not None), *([None] * (None in found)))


def _numbered(column: ir.StringValue, values: tuple[str | None, ...]) -> ir.IntegerValue:
    """The number of ``column``'s value in ``values`` (the last, None, for a missing one).

    A map's lookup, not a ``CASE`` of comparisons: at 1M generated journeys reading each
    event's person and the code of its touchpoint (of 15) took 0.106-0.120 s against
    0.121-0.137 s (four runs each in turn, after one that warmed the connection).
    """
    mapping = {value: number for number, value in enumerate(values) if value is not None}
    none = ibis.literal(len(values) - 1, dt.int64)
    if not mapping:
        return none
    lookup = ibis.literal(mapping, type=dt.Map(dt.string, dt.int64))
    return lookup.get(column, none)


def _low_bits(table: ir.Table, codes: _Codes) -> ir.IntegerValue:
    conversion = ibis.ifelse(table.conversion.cast(dt.boolean).fill_null(False), 1, 0)
    return codes.code(table) * 2 + conversion.cast(dt.int64)


def _from_events(
    events: ir.Table,
    codes: _Codes | None,
    by: str,
    session_gap: int | None,
    ends: bool,
    *,
    tied: bool,
    ids: bool,
    rows: int | None,
    converting: ir.BooleanValue | None = None,
) -> CodedJourneys | None:
    if codes is None:
        return None
    micros = _epoch_us(events.ts).cast(dt.int64)
    # A missing or far-off time gets the smallest key, which no time in range has.
    in_range = (micros.abs() < _MICROS_LIMIT).fill_null(False)
    far = ibis.literal(_OUT_OF_RANGE, dt.int64)
    key = ibis.ifelse(in_range, micros * _SHIFT + _low_bits(events, codes), far)
    actor = events.person_id.cast(dt.string)
    if by == "account":
        actor = ibis.coalesce(events.account_id.cast(dt.string), actor)
    grouped = actor_groups(events, actor, key, ids=ids, rows=rows, converting=converting)
    found = _arrays(grouped)
    if found is None:
        return None
    keys, groups, conversion, _value = found
    code = _code(keys)
    first = np.zeros(len(keys), dtype=bool)
    first[groups[:-1]] = True
    # The keys' times, kept instead of the keys (whose code and flag are read off already):
    # in their place where they may be written (at 10M generated journeys a copy is 360 MB).
    time = np.right_shift(keys, _BITS, out=keys if keys.flags.writeable else None)
    time.flags.writeable = False  # shared by every reader of the coded journeys
    if tied or by == "account":
        same = np.zeros(len(keys), dtype=bool)
        same[1:] = time[1:] == time[:-1]
        if np.any(same & ~first):
            return None  # the tie-break decides those events' order, not their touchpoints
    starts = first.copy()
    if ends:
        starts[1:] |= conversion[:-1]
    if session_gap is not None:
        seconds = time / 1e6
        starts[1:] |= (seconds[1:] - seconds[:-1]) > session_gap
    return _coded(codes, code, found, starts, actors=grouped.actors, times=time)


def _from_stored(
    journeys: ir.Table, codes: _Codes | None, *, ids: bool, rows: int
) -> CodedJourneys | None:
    if codes is None:
        return None
    key = journeys.step.cast(dt.int64) * _SHIFT + _low_bits(journeys, codes)
    grouped = actor_groups(journeys, journeys.journey_id, key, ids=ids, rows=rows)
    found = _arrays(grouped)
    if found is None:
        return None
    keys, groups, _conversion, _value = found
    first = np.zeros(len(keys), dtype=bool)
    first[groups[:-1]] = True
    return _coded(codes, _code(keys), found, first, actors=grouped.actors)


def _coded(
    codes: _Codes,
    code: np.ndarray,
    found: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    starts: np.ndarray,
    *,
    actors: pa.Array | None,
    times: np.ndarray | None = None,
) -> CodedJourneys:
    """The coded journeys of a grouping: each event's ``code``, ``found`` its :func:`_arrays`.

    ``starts``: where the journeys start; ``actors``: each group's id, where read; ``times``:
    the events' times, where their keys hold them (read from the events).
    """
    _keys, groups, conversion, value = found
    touchpoints, phases, personas = codes.names()
    return CodedJourneys(
        touchpoints,
        phases,
        code,
        conversion,
        value,
        starts,
        times=times,
        personas=personas,
        actors=actors,
        groups=groups,
    )


def _low(keys: np.ndarray) -> np.ndarray:
    """The low 16 bits of each key, without a copy where the machine is little-endian."""
    if sys.byteorder == "little" and keys.dtype == np.int64 and keys.flags.c_contiguous:
        low: np.ndarray = keys.view(np.uint16)[::4]
        return low
    return (keys & 0xFFFF).astype(np.uint16)


def _code(keys: np.ndarray) -> np.ndarray:
    """Each key's code (bits 1 to 8)."""
    codes: np.ndarray = ((_low(keys) & (_SHIFT - 1)) >> 1).astype(np.uint8)
    return codes


def _sorted_within(keys: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """``keys`` with each group's keys (``groups``: its offsets) sorted.

    The groups already in order are left as they are: only the events of the others are
    gathered, sorted by group and key, and put back (no array of every event's group: at 1M
    generated journeys, whose lists DuckDB hands over nearly all in order, one cost 0.3 s).
    Sorted in place where ``keys`` may be written, else in a copy.
    """
    if len(keys) < 2:
        return keys
    down = keys[1:] < keys[:-1]
    down[groups[1:-1] - 1] = False  # a group's first key may be below the last group's
    descents = np.flatnonzero(down)
    del down
    if not len(descents):
        return keys
    unsorted = np.unique(np.searchsorted(groups, descents, side="right") - 1)
    lengths = groups[unsorted + 1] - groups[unsorted]
    group_of = np.repeat(unsorted, lengths)
    # Each unsorted group's events: its start plus 0, 1, ... up to its length.
    at = np.arange(len(group_of)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    at += groups[group_of]
    ordered = keys if keys.flags.writeable else keys.copy()
    gathered = keys[at]
    ordered[at] = gathered[np.lexsort((gathered, group_of))]
    return ordered


def _arrays(
    grouped: Grouped,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """The keys in order, each group's start (and the end), conversions, their values."""
    keys, groups = grouped.keys, grouped.groups
    if len(keys) and keys.min() == _OUT_OF_RANGE:
        return None  # a missing or far-off time: the window orders those
    keys = _sorted_within(keys, groups)
    conversion = (_low(keys) & 1).astype(bool)
    converted_keys, value = grouped.converted_keys, grouped.values
    expected = keys[conversion]
    if np.array_equal(expected, converted_keys):  # each group's conversions came in order
        return keys, groups, conversion, value
    ordered = np.lexsort((converted_keys, grouped.conversion_groups()))
    if not np.array_equal(expected, converted_keys[ordered]):
        raise RuntimeError("the conversions' keys do not line up with the events' keys")
    return keys, groups, conversion, value[ordered]
