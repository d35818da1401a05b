"""Touchpoint statistics, drop-off, outcomes, checkout abandonment and correlation, locally.

The NumPy twins of :func:`~journeymap.engine.stats.touchpoint_stats`,
:func:`~journeymap.engine.dropoff.dropoff`, :func:`~journeymap.engine.dropoff.outcomes`,
:func:`~journeymap.engine.dropoff.checkout_abandonment` and
:func:`~journeymap.engine.correlation.correlation` on
:class:`~journeymap.engine._local_journeys.LocalJourneys`. The statistics, checkout and
correlation read the touch pairs (journey, touchpoint) counted per touchpoint and flag,
:func:`local_touches` (the twin of
:func:`~journeymap.engine._pair_counts.touch_pair_counts`): computed once, it can be handed
to each. The tables themselves are built by the same code as the Ibis path's.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from journeymap.engine._local_journeys import NO_TIME, LocalJourneys, index_type, shared_property
from journeymap.engine.correlation import correlation_row, correlation_table
from journeymap.engine.dropoff import (
    checkout_table,
    checkout_touchpoints,
    dropoff_table,
    outcomes_table,
)
from journeymap.engine.journeys import JourneyOptions
from journeymap.engine.stats import touchpoint_stats_table
from journeymap.model import JourneyMap

__all__ = [
    "LocalTouches",
    "local_checkout_abandonment",
    "local_correlation",
    "local_dropoff",
    "local_outcomes",
    "local_touches",
    "local_touchpoint_stats",
    "outcome_events",
]

FLAGS = ("converted", "before", "plain", "repeat")
"""The flags a touch pair is counted by, the axes after the touchpoint in :class:`LocalTouches`."""


@dataclass(frozen=True, eq=False)
class LocalTouches:
    """Per touchpoint (its number in ``touchpoint_names``), the journeys that touched it.

    ``journeys`` and ``events`` have the shape (touchpoints, 2, 2, 2, 2): per touchpoint and
    per flag of :data:`FLAGS` (0 false, 1 true; as in
    :func:`~journeymap.engine._pair_counts.touch_pair_counts`), the journeys so counted and
    their events at the touchpoint. ``persons`` counts the persons that met each touchpoint,
    ``first_micros`` and ``last_micros`` hold its first and last time (:data:`NO_TIME` for
    one without events).
    """

    journeys: np.ndarray
    events: np.ndarray
    persons: np.ndarray
    first_micros: np.ndarray
    last_micros: np.ndarray

    @shared_property
    def touched(self) -> np.ndarray:
        """Per touchpoint, the journeys that met it."""
        counts: np.ndarray = self.journeys.sum(axis=(1, 2, 3, 4))
        return counts


def _starts(values: np.ndarray) -> np.ndarray:
    """Where a run of equal values starts: true at the first entry and at every change."""
    found = np.ones(len(values), dtype=bool)
    found[1:] = values[1:] != values[:-1]
    return found


def local_touches(local: LocalJourneys) -> LocalTouches:
    """The journeys' touch pairs counted per touchpoint and flag (see :class:`LocalTouches`).

    A pair is ``before`` the journey's first conversion when the journey did not convert,
    when an event that is no conversion touched it by then, or when it is the conversion's
    own touchpoint at the journey's first moment (as
    :func:`~journeymap.engine._facts.touch_pairs` words it). Each event is one integer that
    sorts by journey, then touchpoint, then two flags (no conversion; no conversion and by
    the first conversion): sorted (nearly sorted already, the events come journey by
    journey), each run of one journey and touchpoint is a pair, and its last event holds a
    flag where any of its events does.
    """
    size = len(local.touchpoint_names)
    journey_of, micros, conversion = local.journey_of, local.micros, local.conversion
    plain = ~conversion
    if _ends_at_conversions(local):
        # Every event of a converted journey comes by its one conversion, the last: each
        # plain event is plain before it (a journey that did not convert is set below).
        bits = plain.view(np.uint8) * np.uint8(3)
    else:
        bits = (micros <= local.conversion_micros[journey_of]).view(np.uint8)  # NO_TIME: never
        bits &= plain.view(np.uint8)
        bits |= plain.view(np.uint8) << 1
    width = max(size - 1, 1).bit_length()  # the touchpoint's bits
    # 32-bit where every journey's number fits beside the touchpoint and the flags: half the
    # memory to sort (at 10M generated journeys the pairs took 1,756 MiB with 64-bit keys).
    kind = index_type(local.journeys << (width + 2))
    keys = journey_of.astype(kind)
    keys <<= width + 2
    keys |= local.touchpoint << 2
    keys |= bits
    keys.sort(kind="stable")  # nearly sorted: by journey already
    # A pair's events are a run of keys equal but for the flag bits; its last key (the
    # largest) holds a flag where any of them does. Few temporaries of the events' length:
    # each is fresh pages, which cost time on these VMs (benchmarks/README.md, stop 28).
    ends = np.ones(len(keys), dtype=bool)
    _neighbours_above(keys, 3, ends[:-1], np.bitwise_xor)
    pair_end = np.flatnonzero(ends)
    del ends
    pairs = keys[pair_end]
    del keys
    either = (pairs & 3).astype(np.uint8)
    pairs >>= 2
    # The conversions at their journey's first moment: their pairs were touched before too.
    at = np.flatnonzero(conversion)
    converted_at = local.conversion_micros[journey_of[at]]
    at = at[(micros[at] == converted_at) & (local.first_micros[journey_of[at]] == converted_at)]
    touched = journey_of[at].astype(kind)
    touched <<= width
    touched |= local.touchpoint[at]
    either[np.searchsorted(pairs, touched)] |= 1
    pair_touchpoint = pairs & ((1 << width) - 1)
    pair_journey = pairs
    pair_journey >>= width
    del pairs
    # A pair met more than once: its run of events is longer than one.
    repeat = np.empty(len(pair_end), dtype=bool)
    if len(pair_end):
        repeat[0] = pair_end[0] > 0
        _neighbours_above(pair_end, 1, repeat[1:], np.subtract)
    converted = local.converted[pair_journey].view(np.uint8)
    # Per pair, its flags in FLAGS order: a journey that did not convert touched it before.
    either |= 1 - converted
    code = pair_touchpoint  # in place: the touchpoint is code >> 4
    code <<= 4
    code |= (converted << 3) | ((either & 1) << 2) | (either & 2) | repeat.view(np.uint8)
    shape = (size, 2, 2, 2, 2)
    journeys = np.bincount(code, minlength=size * 16)
    # A pair met once has one event: only the repeated ones' events need adding up.
    at = np.flatnonzero(repeat)
    before = pair_end[at - 1]
    before[at == 0] = -1
    repeated = np.bincount(code[at], weights=pair_end[at] - before, minlength=size * 16)
    events = np.where(np.arange(size * 16) % 2, np.rint(repeated), journeys)
    first = np.full(size, np.iinfo(np.int64).max, dtype=np.int64)
    last = np.full(size, NO_TIME, dtype=np.int64)
    np.minimum.at(first, local.touchpoint, micros)
    np.maximum.at(last, local.touchpoint, micros)
    first[first == np.iinfo(np.int64).max] = NO_TIME
    journeys = journeys.astype(np.int64).reshape(shape)
    return LocalTouches(
        journeys=journeys,
        events=events.astype(np.int64).reshape(shape),
        persons=_persons(local, pair_journey, code, journeys.sum(axis=(1, 2, 3, 4))),
        first_micros=first,
        last_micros=last,
    )


_BLOCK = 1 << 22
"""Entries per block of :func:`_neighbours_above`: a scratch array of 32 MB, reused."""


def _neighbours_above(values: np.ndarray, low: int, out: np.ndarray, compare: np.ufunc) -> None:
    """``out[i]``: whether ``compare(values[i + 1], values[i])`` is above ``low``.

    Block by block through one scratch array, not one temporary of the events' length.
    """
    scratch = np.empty(min(len(out), _BLOCK), dtype=values.dtype)
    for start in range(0, len(out), _BLOCK):
        stop = min(start + _BLOCK, len(out))
        part = scratch[: stop - start]
        compare(values[start + 1 : stop + 1], values[start:stop], out=part)
        np.greater(part, low, out=out[start:stop])


def _ends_at_conversions(local: LocalJourneys) -> bool:
    """Whether each converted journey holds one conversion, its last event (a look at those)."""
    conversions = np.flatnonzero(local.conversion)
    return np.array_equal(conversions, local.offsets[1:][local.converted] - 1)


def _persons(
    local: LocalJourneys, pair_journey: np.ndarray, pair_code: np.ndarray, touched: np.ndarray
) -> np.ndarray:
    """Per touchpoint, the persons among the journeys that met it (``touched`` per touchpoint).

    ``pair_code``: each pair's touchpoint shifted by its four flags (``touchpoint << 4 | ...``).

    A person of one journey counts once per pair; the pairs of those with several (after a
    conversion or a session gap) are told apart by sorting, nearly sorted by person already.
    """
    shared = ~_starts(local.actor)  # a person's journeys are adjacent
    shared[:-1] |= shared[1:]
    if not shared.any():
        return touched
    several = shared[pair_journey]
    size = len(touched)
    pair_touchpoint = pair_code[several] >> 4
    persons = touched - np.bincount(pair_touchpoint, minlength=size)
    keys = np.sort(local.actor[pair_journey[several]] * size + pair_touchpoint)
    distinct: np.ndarray = persons + np.bincount(keys[_starts(keys)] % size, minlength=size)
    return distinct.astype(np.int64)


def local_touchpoint_stats(
    local: LocalJourneys, journey_map: JourneyMap, touches: LocalTouches | None = None
) -> pa.Table:
    """:func:`~journeymap.engine.stats.touchpoint_stats` of the local journeys.

    ``touches`` is :func:`local_touches` of the journeys, if computed.
    """
    touches = touches if touches is not None else local_touches(local)
    counts = touches.journeys
    present = np.flatnonzero(touches.touched)
    columns = {
        "events": touches.events.sum(axis=(1, 2, 3, 4)),
        "journeys": touches.touched,
        "persons": touches.persons,
        "conversions": counts[:, 1].sum(axis=(1, 2, 3)),
        "repeat_journeys": counts[..., 1].sum(axis=(1, 2, 3)),
    }
    first = local.timestamps(touches.first_micros[present]).to_pylist()
    last = local.timestamps(touches.last_micros[present]).to_pylist()
    found: dict[str | None, dict[str, Any]] = {}
    for at, number in enumerate(present.tolist()):
        row: dict[str, Any] = {name: int(values[number]) for name, values in columns.items()}
        found[local.touchpoint_names[number]] = {
            **row,
            "first_seen": first[at],
            "last_seen": last[at],
        }
    return touchpoint_stats_table(found, journey_map)


def local_checkout_abandonment(
    local: LocalJourneys,
    journey_map: JourneyMap,
    options: JourneyOptions,
    touches: LocalTouches | None = None,
) -> pa.Table:
    """:func:`~journeymap.engine.dropoff.checkout_abandonment` of the local journeys.

    ``touches`` is :func:`local_touches` of the journeys, if computed.
    """
    targets = checkout_touchpoints(journey_map, options)
    if not targets:
        return checkout_table(targets, {})
    touches = touches if touches is not None else local_touches(local)
    found: dict[str, dict[str, Any]] = {}
    for number, name in enumerate(local.touchpoint_names):
        if name is not None and name in targets and touches.touched[number]:
            found[name] = {
                "reached": int(touches.touched[number]),
                "converted": int(touches.journeys[number, 1].sum()),
            }
    return checkout_table(targets, found)


def local_correlation(
    local: LocalJourneys,
    options: JourneyOptions,
    outcomes: Collection[str] = (),
    touches: LocalTouches | None = None,
) -> pa.Table:
    """:func:`~journeymap.engine.correlation.correlation` of the local journeys.

    Only touches before a journey's first conversion count, and the ``outcomes`` (the map's
    outcome touchpoints) are left out, as there. ``touches`` is :func:`local_touches` of the
    journeys, if computed. The local journeys hold no breakdown columns.
    """
    if options.breakdown:
        raise ValueError("local journeys hold no breakdown columns")
    touches = touches if touches is not None else local_touches(local)
    before = touches.journeys[:, :, 1]  # per touchpoint, converted, plain and repeat
    total = (local.journeys, int(local.converted.sum()))
    left_out = set(outcomes)
    rows = []
    for number, name in enumerate(local.touchpoint_names):
        counted = before[number]
        touched = int(counted.sum())
        if not touched or name in left_out:
            continue
        converted = int(counted[1].sum())
        plain = bool(counted[:, 1].sum())
        row = correlation_row(name, (touched, converted), total, plain, options)
        if row is not None:
            rows.append(row)
    return correlation_table(rows, [])


def outcome_events(local: LocalJourneys, outcomes: Collection[str]) -> np.ndarray:
    """Whether each event's touchpoint is one of ``outcomes`` (a missing one is none)."""
    lookup = np.zeros(len(local.touchpoint_names), dtype=bool)
    wanted = set(outcomes)
    lookup[[n for n, name in enumerate(local.touchpoint_names) if name in wanted]] = True
    found: np.ndarray = lookup[local.touchpoint]
    return found


def _first_outcomes(local: LocalJourneys, is_outcome: np.ndarray) -> np.ndarray:
    """Each journey's first outcome event (its number), or its end where it reached none."""
    at = np.flatnonzero(is_outcome)
    journeys = local.journey_of[at]
    first = _starts(journeys)
    stops: np.ndarray = local.offsets[1:].copy()
    stops[journeys[first]] = at[first]
    return stops


def local_dropoff(
    local: LocalJourneys, outcomes: Collection[str] = (), top: int | None = None
) -> pa.Table:
    """:func:`~journeymap.engine.dropoff.dropoff` of the local journeys.

    A journey that did not convert exits at its last event, or with ``outcomes`` at its last
    event that is no outcome before its first outcome (none, null, when that is its first
    event).
    """
    ended = np.flatnonzero(~local.converted)
    # Every event before a journey's first outcome is none: the exit is the one before it.
    stops = _first_outcomes(local, outcome_events(local, outcomes))[ended]
    found = stops > local.offsets[ended]
    exits = stops[found] - 1
    phases = len(local.phase_names)
    counts = np.bincount(
        local.touchpoint[exits].astype(np.int64) * phases + local.phase[exits],
        minlength=len(local.touchpoint_names) * phases,
    )
    # Per (touchpoint, phase): no exit counts as both missing, as a missing name does.
    rows: dict[tuple[str | None, str | None], int] = {}
    if len(exits) < len(ended):
        rows[None, None] = len(ended) - len(exits)
    for key in np.flatnonzero(counts).tolist():
        names = (local.touchpoint_names[key // phases], local.phase_names[key % phases])
        rows[names] = rows.get(names, 0) + int(counts[key])
    records: list[dict[str, Any]] = [
        {"last_phase": phase_name, "last_touchpoint": name, "journeys": count}
        for (name, phase_name), count in rows.items()
    ]
    return dropoff_table(records, top)


def local_outcomes(
    local: LocalJourneys, outcomes: Collection[str], touches: LocalTouches | None = None
) -> pa.Table:
    """:func:`~journeymap.engine.dropoff.outcomes` of the local journeys.

    ``touches`` is :func:`local_touches` of the journeys, if computed (it holds the journeys
    that reached each outcome).
    """
    names = list(dict.fromkeys(outcomes))
    if not names:
        return outcomes_table(names, {}, {})
    is_outcome = outcome_events(local, names)
    stops = _first_outcomes(local, is_outcome)
    reached = stops < local.offsets[1:]
    size = len(local.touchpoint_names)
    first = local.touchpoint[stops[reached]]
    journeys = np.bincount(first, minlength=size)
    converted = np.bincount(first, weights=local.converted[reached], minlength=size)
    found: dict[str | None, dict[str, Any]] = {
        None: {"journeys": int((~reached).sum()), "converted": int(local.converted[~reached].sum())}
    }
    met: dict[str, int] = {}
    at = np.flatnonzero(is_outcome)
    for number, name in enumerate(local.touchpoint_names):
        if name is None or name not in names:
            continue
        found[name] = {"journeys": int(journeys[number]), "converted": int(converted[number])}
        if touches is not None:
            met[name] = int(touches.touched[number])
        else:  # the journeys of its events, in order: one per run
            met[name] = int(_starts(local.journey_of[at[local.touchpoint[at] == number]]).sum())
    return outcomes_table(names, found, met)
