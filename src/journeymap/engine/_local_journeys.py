"""Every journey as NumPy arrays, for the metrics to count locally.

The metrics' Ibis path stores the journeys (a window pass over every event), then their
per-journey facts, then the tables several metrics share, and asks each metric of them: at
1M generated journeys the journeys, facts and shared tables alone took 3.2 s, five times the
floor query. On the embedded DuckDB the events are read once instead, as coded journeys
(:mod:`journeymap.engine._coded_journeys`: one scan or grouping, no window), and each metric
counts the arrays here in NumPy. Each ``_local_*`` module computes the same table as its
Ibis twin; the tests hold each pair to the same rows.

:func:`local_journeys` returns None, and the analysis keeps the Ibis path, where the coded
journeys do not apply (another engine, too many codes, ties the window breaks otherwise, too
little memory) or where the options ask for what the arrays do not hold: breakdown columns,
journeys per account (whose persons the arrays do not tell apart).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Self, TypeVar, overload

import ibis.expr.types as ir
import numpy as np
import pyarrow as pa

from journeymap.engine._coded_journeys import CodedJourneys, coded_journeys
from journeymap.engine.journeys import JourneyOptions

__all__ = [
    "NO_TIME",
    "LocalJourneys",
    "epoch_seconds",
    "index_type",
    "local_journeys",
    "places",
    "shared_property",
]

NO_TIME = np.iinfo(np.int64).min
"""The time of what did not happen (a journey's conversion where it did not convert)."""


_T = TypeVar("_T")


class shared_property(functools.cached_property[_T]):  # lower case: a decorator, as its base
    """A cached property computed once, by one thread, when several metrics ask at once.

    The analysis counts two metrics at a time (``analysis._steps.metric_pool``), and Python
    3.12 took the lock out of :class:`functools.cached_property`: two threads could each
    build the same array of the events. Each instance's property has its own lock, taken
    only while it is not yet computed (no two properties need each other, so no two threads
    wait on each other).
    """

    @overload
    def __get__(self, instance: None, owner: type[Any] | None = None) -> Self: ...

    @overload
    def __get__(self, instance: object, owner: type[Any] | None = None) -> _T: ...

    def __get__(self, instance: object | None, owner: type[Any] | None = None) -> Self | _T:
        if instance is None:
            return self
        cache = instance.__dict__
        if self.attrname in cache:
            found: _T = cache[self.attrname]
            return found
        with cache.setdefault(f"_{self.attrname}_lock", threading.Lock()):
            return super().__get__(instance, owner)


def local_journeys(
    journeys: ir.Table, options: JourneyOptions, *, ids: bool = False
) -> LocalJourneys | None:
    """The journeys of :func:`~journeymap.engine.journeys.build_journeys` as arrays, or None.

    None where the metrics must take the Ibis path (see the module doc): the options break
    the journeys down by columns or cut them per account, or the coded journeys do not apply.
    With ``ids``, :attr:`LocalJourneys.actors` holds the persons' ids (no metric reads them).
    """
    if options.breakdown or options.by != "person":
        return None
    coded = coded_journeys(journeys, personas=True, ids=ids)
    if coded is None or coded.times is None or coded.groups is None:
        return None
    return LocalJourneys.of(coded, zoned=journeys.ts.type().timezone is not None)


def _names(values: Sequence[str | None]) -> tuple[tuple[str | None, ...], np.ndarray]:
    """The distinct values in code-point order, a missing one last, and each entry's number."""
    found = set(values)
    names = (*sorted(v for v in found if v is not None), *([None] * (None in found)))
    number = {name: index for index, name in enumerate(names)}
    # At most 256 codes: int16 holds every number (and its shifts by a few bits) in a
    # quarter of int64's memory (each fresh page costs time: benchmarks/README.md, stop 28).
    return names, np.array([number[v] for v in values], dtype=np.int16)


def places(lengths: np.ndarray, first: int) -> np.ndarray:
    """Each entry's place in its run, from ``first``, for runs of ``lengths`` end to end.

    One array, by a running sum: 1 more than the entry before, back to ``first`` where a run
    starts (an empty run starts nothing). ``np.arange(n) - np.repeat(starts, lengths)`` made
    three arrays of the entries' length, each fresh pages (``benchmarks/README.md``, stop 28).
    32-bit where the entries are fewer than 2**31 (no place is then larger): half the memory.
    """
    lengths = lengths[lengths > 0]
    total = int(lengths.sum())
    found = np.ones(total, dtype=index_type(total + abs(first)))
    if len(found):
        found[np.cumsum(lengths[:-1])] = 1 - lengths[:-1]
        found[0] = first
        np.cumsum(found, out=found)
    return found


def index_type(size: int) -> type[np.signedinteger[Any]]:
    """The narrowest of int32 and int64 that holds every number up to ``size``."""
    return np.int32 if size < 2**31 else np.int64


def epoch_seconds(micros: np.ndarray, zoned: bool = True) -> np.ndarray:
    """Seconds since 1970 as DuckDB's ``epoch`` reads them off microseconds since 1970.

    Args:
        micros: Microseconds since 1970 (int64).
        zoned: Whether the times are of a type with a time zone (``TIMESTAMPTZ``, as the
            import writes them): DuckDB then adds the milliseconds' seconds and the
            microseconds left, each rounded; without a zone it divides the microseconds.
    """
    if zoned:
        # (micros // 1000) / 1e3 + (micros % 1000) / 1e6, the same doubles, in three arrays
        # where the expression made five (each 360 MB at 10M generated journeys).
        parts = micros // 1000
        seconds: np.ndarray = parts / 1e3
        np.remainder(micros, 1000, out=parts)
        seconds += parts / 1e6
        return seconds
    plain: np.ndarray = micros / 1e6
    return plain


@dataclass(frozen=True, eq=False)
class LocalJourneys:
    """Every journey's events, journey after journey, each in its order.

    Per event (arrays of the events' length): ``touchpoint``, ``phase`` and ``persona``
    (int16: the number of its value in ``touchpoint_names``, ``phase_names``,
    ``persona_names``; a missing value has a name of None, sorted last), ``micros`` (its time,
    microseconds since 1970, UTC) and ``conversion``. Per conversion event, in the events'
    order: ``value`` (0 where it has none). Per journey: ``offsets`` (where its events start;
    one entry more, the end) and ``actor`` (its person's number, from 0 to ``persons - 1``;
    the persons' ids are in ``actors`` when asked for). ``coded``: the coded journeys they
    were read from (what the attribution counts off). ``persona`` is read off each event's
    ``code`` when first asked (``persona_of`` numbers each code's).

    The events of one journey share a time only where the window would order them alike
    (by touchpoint): :func:`local_journeys` returns None otherwise.
    """

    touchpoint_names: tuple[str | None, ...]
    phase_names: tuple[str | None, ...]
    persona_names: tuple[str | None, ...]
    touchpoint: np.ndarray
    phase: np.ndarray
    code: np.ndarray
    persona_of: np.ndarray
    micros: np.ndarray
    conversion: np.ndarray
    value: np.ndarray
    offsets: np.ndarray
    actor: np.ndarray
    persons: int
    zoned: bool = True
    coded: CodedJourneys | None = field(default=None, repr=False)
    actors: pa.Array | None = None
    _derived: dict[Hashable, Any] = field(default_factory=dict, init=False, repr=False)
    # Reentrant: what one derivation makes may derive more of the journeys.
    _deriving: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False)

    def derived(self, key: Hashable, make: Callable[[], _T]) -> _T:
        """What ``make`` derives from these journeys (``key`` names it), made once and kept.

        Kept while the journeys live, made by one thread where metrics count side by side
        (the paths that the paths table, the Sankey and the variants share, say).
        """
        with self._deriving:
            if key not in self._derived:
                self._derived[key] = make()
            found: _T = self._derived[key]
            return found

    @classmethod
    def of(cls, coded: CodedJourneys, *, zoned: bool = True) -> LocalJourneys:
        """The arrays of coded journeys read from the events (with personas and actors).

        ``zoned``: whether the events' times have a time zone (see :func:`epoch_seconds`).
        """
        if coded.times is None or coded.groups is None:
            raise ValueError("local journeys need coded journeys read from the events")
        touchpoint_names, touchpoint_of = _names(coded.touchpoints)
        phase_names, phase_of = _names(coded.phases)
        personas = coded.personas or (None,) * len(coded.touchpoints)
        persona_names, persona_of = _names(personas)
        code = coded.code
        micros = coded.micros()
        assert micros is not None  # times were read
        offsets = np.append(np.flatnonzero(coded.starts), len(code)).astype(np.int64)
        # Every actor's first event starts a journey: a journey's actor is the count of the
        # actors' starts up to its own start.
        actor_starts = np.zeros(len(code), dtype=bool)
        actor_starts[coded.groups[:-1]] = True
        actor = np.cumsum(actor_starts[offsets[:-1]], dtype=np.int64) - 1
        return cls(
            touchpoint_names=touchpoint_names,
            phase_names=phase_names,
            persona_names=persona_names,
            touchpoint=touchpoint_of[code],
            phase=phase_of[code],
            code=code,
            persona_of=persona_of,
            micros=micros,
            conversion=coded.conversion,
            value=coded.value,
            offsets=offsets,
            actor=actor,
            persons=len(coded.groups) - 1,
            actors=coded.actors,
            zoned=zoned,
            coded=coded,
        )

    @property
    def journeys(self) -> int:
        """How many journeys."""
        return len(self.offsets) - 1

    @property
    def events(self) -> int:
        """How many events."""
        return len(self.micros)

    @shared_property
    def lengths(self) -> np.ndarray:
        """Each journey's events."""
        lengths: np.ndarray = np.diff(self.offsets)
        return lengths

    @shared_property
    def persona(self) -> np.ndarray:
        """Each event's persona (its number in ``persona_names``)."""
        if len(self.persona_names) == 1:  # one persona, or none at all: no lookup
            return np.zeros(self.events, dtype=np.int16)
        found: np.ndarray = self.persona_of[self.code]
        return found

    @shared_property
    def journey_of(self) -> np.ndarray:
        """Each event's journey (its number): 32-bit below 2**31 journeys (widen to shift it)."""
        journeys = np.arange(self.journeys, dtype=index_type(self.journeys))
        return np.repeat(journeys, self.lengths)

    @shared_property
    def step(self) -> np.ndarray:
        """Each event's step in its journey, from 1."""
        return places(self.lengths, 1)

    def seconds(self, where: np.ndarray | None = None) -> np.ndarray:
        """Each event's time (or those at ``where``) in seconds since 1970, as the engine's.

        To the bit as ``seconds(ts)`` gives them. Not kept: the events' seconds are as large
        as their times (360 MB at 10M generated journeys), and each metric asks for few of
        them or reads them once.
        """
        return self.seconds_of(self.micros if where is None else self.micros[where])

    def seconds_of(self, micros: np.ndarray) -> np.ndarray:
        """Times in microseconds as seconds since 1970, to the bit as the engine reads them."""
        return epoch_seconds(micros, self.zoned)

    @shared_property
    def first_micros(self) -> np.ndarray:
        """Each journey's first time."""
        first: np.ndarray = self.micros[self.offsets[:-1]]
        return first

    @shared_property
    def last_micros(self) -> np.ndarray:
        """Each journey's last time."""
        last: np.ndarray = self.micros[self.offsets[1:] - 1]
        return last

    @shared_property
    def conversions(self) -> np.ndarray:
        """Each journey's conversion events."""
        counts: np.ndarray = np.bincount(
            self.journey_of[self.conversion], minlength=self.journeys
        ).astype(np.int64)
        return counts

    @shared_property
    def converted(self) -> np.ndarray:
        """Whether each journey holds a conversion."""
        converted: np.ndarray = self.conversions > 0
        return converted

    @shared_property
    def conversion_micros(self) -> np.ndarray:
        """Each journey's first conversion time; :data:`NO_TIME` where it has none."""
        found = np.full(self.journeys, NO_TIME, dtype=np.int64)
        at = np.flatnonzero(self.conversion)
        journeys = self.journey_of[at]
        first = np.ones(len(at), dtype=bool)
        first[1:] = journeys[1:] != journeys[:-1]
        found[journeys[first]] = self.micros[at[first]]
        return found

    @shared_property
    def journey_value(self) -> np.ndarray:
        """Each journey's conversions' value (0 without any)."""
        values: np.ndarray = np.bincount(
            self.journey_of[self.conversion], weights=self.value, minlength=self.journeys
        )
        return values

    @shared_property
    def first_persona(self) -> np.ndarray:
        """Each journey's persona at its first event with one (a number of ``persona_names``).

        As the facts read it: the first value that is not missing, in step order; where a
        journey has none, the number of the missing name (None sorts last).
        """
        missing = self._missing(self.persona_names)
        if len(self.persona_names) == 1:
            return np.zeros(self.journeys, dtype=np.int64)
        if missing is None:
            at_start: np.ndarray = self.persona[self.offsets[:-1]]
            return at_start
        present = np.flatnonzero(self.persona != missing)
        journeys = self.journey_of[present]
        first = np.ones(len(present), dtype=bool)
        first[1:] = journeys[1:] != journeys[:-1]
        found = np.full(self.journeys, missing, dtype=np.int64)
        found[journeys[first]] = self.persona[present[first]]
        return found

    @staticmethod
    def _missing(names: tuple[str | None, ...]) -> int | None:
        """The number of the missing name, if there is one (it is the last)."""
        return len(names) - 1 if names and names[-1] is None else None

    @staticmethod
    def timestamps(micros: np.ndarray) -> pa.Array:
        """Microseconds since 1970 as UTC timestamps (what the engine returns for ``ts``).

        :data:`NO_TIME` (as in :attr:`conversion_micros`) becomes null.
        """
        return pa.array(micros, type=pa.timestamp("us", tz="UTC"), mask=micros == NO_TIME)
