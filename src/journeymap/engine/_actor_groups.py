"""Each actor's (or journey's) event keys as one run per actor, for the coded journeys.

Two ways to read them from the engine, the first tried first:

- **In scan order** (:func:`scanned`): where a file or table holds each actor's events one
  after another (an export sorted by person, a process log by case, the benchmarks' files),
  reading the rows as they lie finds the runs with no grouping at all. At 1M generated
  journeys reading the keys took 0.20-0.28 s against 0.37-0.67 s for the grouping's lists
  (the two queries' SQL, six runs each in turn). Each run's actor must be one no other run
  has: where one comes back (events in time order, say), the reading stops at the first
  batch that shows it and the grouping takes over.
- **Grouped** (:func:`collected`): a hash grouping collects each actor's keys as a list, in
  no set order.

Either way the keys of an actor are not yet in order, and the conversions' values come with
their keys, so the caller can put both in order (``_coded_journeys``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from journeymap.engine._tables import record_batches

__all__ = ["Grouped", "actor_groups"]

# Rows read per batch in scan order: few enough to check each batch's actors as it comes.
_BATCH_ROWS = 1 << 20
# What the checks of each batch allocate comes from Arrow's pool, which keeps the pages it
# frees for the next batch, and is handed back once the reading ends: at 10M generated
# journeys the pool kept 360 MB otherwise, which the metrics' threads cannot reuse. The
# system's allocator instead maps fresh pages for each batch: at 1M, 0.56-0.74 s for the
# first-order Markov model against 0.51-0.54 s.
_POOL = pa.default_memory_pool()


@dataclass(frozen=True)
class Grouped:
    """Every event's key, actor after actor, and the conversions' keys and values.

    Attributes:
        keys: Each event's key, each actor's keys together but not yet in order.
        groups: Where each actor's keys start, and their end (``len + 1`` offsets).
        converted_keys: The conversions' keys, actor after actor, in no set order within.
        values: Each conversion's value, in the order of ``converted_keys``.
        actors: Each actor's id, in the actors' order, when asked for; else None.
    """

    keys: np.ndarray
    groups: np.ndarray
    converted_keys: np.ndarray
    values: np.ndarray
    conversion_groups: Callable[[], np.ndarray]
    """The actor number of each conversion, in the order of ``converted_keys``."""
    actors: pa.Array | None = None


def actor_groups(
    table: ir.Table,
    group: ir.Value,
    key: ir.IntegerValue,
    *,
    ids: bool,
    rows: int | None = None,
    converting: ir.BooleanValue | None = None,
) -> Grouped:
    """Each ``group``'s ``key`` values, and its conversions' keys and values.

    ``table`` holds ``conversion`` and ``value``, and ``rows`` rows where known. With ``ids``,
    :attr:`Grouped.actors` holds each group's id (no model or metric reads them: a million
    persons' ids are a million texts to hand over; the tests name journeys by them).

    With ``converting`` (whether a row's group ever converted), only the groups with a
    conversion are kept: read as they lie, every group is read and the others are left out
    here (a join of the rows with the converting groups hands them over in no set order: at
    1M generated journeys it took 0.3 s, and the reading then fell back to the grouping);
    grouped, the engine filters the rows first.
    """

    def selected(source: ir.Table) -> ir.Table:
        return source.select(
            _g=group,
            _k=key,
            _c=source.conversion.cast(dt.boolean).fill_null(False),
            _v=source.value.cast(dt.float64).fill_null(0.0),
        )

    found = scanned(selected(table), ids=ids, rows=rows)
    if found is not None:
        return found if converting is None else _converting(found)
    return collected(selected(table if converting is None else table.filter(converting)), ids=ids)


def _converting(found: Grouped) -> Grouped:
    """The groups of ``found`` with a conversion, alone."""
    numbers = found.conversion_groups()
    kept = np.zeros(len(found.groups) - 1, dtype=bool)
    kept[numbers] = True
    lengths = np.diff(found.groups)
    groups = np.append(0, np.cumsum(lengths[kept]))
    renumbered = np.cumsum(kept) - 1  # a kept group's number among those kept
    new_numbers: np.ndarray = renumbered[numbers]

    def conversion_groups() -> np.ndarray:
        return new_numbers

    return Grouped(
        found.keys[np.repeat(kept, lengths)],
        groups,
        found.converted_keys,
        found.values,
        conversion_groups,
        None if found.actors is None else found.actors.filter(pa.array(kept)),
    )


def scanned(table: ir.Table, *, ids: bool, rows: int | None = None) -> Grouped | None:
    """The groups of ``table`` (``_g``, ``_k``, ``_c``, ``_v``) as the engine's scan gives them.

    None where a group's rows do not all come together, or a group is null: the grouping
    must collect them. Where ``rows`` says how many rows there are, what is kept of each
    batch goes straight into arrays made at the start, and the batch is let go (see
    :class:`_Column`).
    """
    keys, starts = _Column(rows, np.int64), _Column(rows, np.int64)
    places = _Column(rows, np.int64)  # where each conversion lies among the rows
    values = _Column(rows, np.float64)
    heads = _Heads(keep=ids)
    last: pa.Scalar | None = None
    batches = record_batches(table.select("_g", "_k", "_c", "_v"), _BATCH_ROWS)
    try:
        for batch in batches:
            if not len(batch):
                continue
            actor = batch.column(0)
            if actor.null_count:
                return None
            at = _heads(actor, last)
            if not heads.add(pc.take(actor, pa.array(at), memory_pool=_POOL)):
                return None  # an actor's events come in two runs, or more
            converted = pc.indices_nonzero(batch.column(2), memory_pool=_POOL)
            conversion = converted.to_numpy().astype(np.int64)
            fitted = (
                starts.add(at + keys.size)
                and places.add(conversion + keys.size)
                and values.add(batch.column(3).to_numpy()[conversion])
                and keys.add(batch.column(1).to_numpy())
            )
            if not fitted:
                return None  # more rows than counted: the table changed meanwhile
            last = actor[len(actor) - 1]
    finally:
        batches.close()  # read to its end or not, the engine's result is let go
        _POOL.release_unused()  # what the checks held, back to the system
    if not heads.distinct():
        return None
    key = keys.joined()
    groups = np.append(starts.joined(), len(key))
    place = places.joined()

    def conversion_groups() -> np.ndarray:
        numbers: np.ndarray = np.searchsorted(groups, place, "right") - 1
        return numbers

    converted_keys = key[place]  # before the caller sorts the keys, maybe in place
    actors = heads.joined() if ids else None
    return Grouped(key, groups, converted_keys, values.joined(), conversion_groups, actors)


class _Column:
    """What each batch gives of one kind, one batch after another, copied from the batch.

    Where the rows are counted, into one array of that many made at the start, whose pages
    the system gives only as they are written: at 10M generated journeys a list of the
    batches' keys and its joined copy took 360 MB more at once, and the memory the batches'
    pieces had freed stayed with the process (its metrics' threads could not reuse it).
    """

    def __init__(self, rows: int | None, dtype: type) -> None:
        self._dtype = dtype
        self._whole: np.ndarray | None = None if rows is None else np.empty(rows, dtype=dtype)
        self._parts: list[np.ndarray] = []
        self.size = 0

    def add(self, values: np.ndarray) -> bool:
        """Take one batch's values; False where they are more than the rows counted."""
        end = self.size + len(values)
        if self._whole is None:
            self._parts.append(np.array(values, dtype=self._dtype))
        elif end > len(self._whole):
            return False
        else:
            self._whole[self.size : end] = values
        self.size = end
        return True

    def joined(self) -> np.ndarray:
        """Every value taken, in one array that may be written."""
        if self._whole is not None:
            return self._whole[: self.size]
        if not self._parts:
            return np.zeros(0, dtype=self._dtype)
        return np.concatenate(self._parts)


class _Heads:
    """The actor of each run, batch after batch, and whether no actor has two runs.

    Actors ascending (ids in a file sorted by them) show it as they come, with nothing kept
    but the last: at 10M generated journeys the 10M ids are 140 MB (10 bytes and a 4-byte
    offset each). Where the first two
    are not in order, every actor is kept (as where ``keep``: the caller wants them) and
    sorted at the end; where they were in order and a later one is not, the reading stops.
    """

    def __init__(self, *, keep: bool) -> None:
        self._keep = keep
        self._found: list[pa.Array] = []
        self._seen = 0
        self._ascending: bool | None = None  # not known before two actors
        self._last: pa.Scalar | None = None

    def add(self, actors: pa.Array) -> bool:
        """Take one batch's actors; False where one of them has come before, or may have."""
        if not len(actors):
            return True
        ascending = _ascending(actors) and (
            self._last is None or bool(pc.less(self._last, actors[0]).as_py())
        )
        self._seen += len(actors)
        if self._ascending is None and (not ascending or self._seen > 1):
            self._ascending = ascending
            if ascending and not self._keep:
                self._found.clear()
        if self._ascending and not ascending:
            return False  # the actors before were not kept: one of them may come back
        if self._ascending is False and not _distinct(actors):
            return False
        if self._keep or not self._ascending:
            self._found.append(actors)
        self._last = actors[len(actors) - 1]
        return True

    def distinct(self) -> bool:
        """Whether no actor has two runs, over every batch."""
        return self._ascending is not False or _distinct(self.joined())

    def joined(self) -> pa.Array:
        """Every run's actor (where kept)."""
        if not self._found:
            return pa.array([], pa.string())
        return pa.concat_arrays(self._found, memory_pool=_POOL)


def collected(rows: ir.Table, *, ids: bool) -> Grouped:
    """The groups of ``rows`` (``_g``, ``_k``, ``_c``, ``_v``) collected by a hash grouping."""
    grouped = (
        rows.group_by("_g")
        .aggregate(
            # Unsorted too: events mostly come in time order, and the caller sorts only the
            # lists that are not (at 1M generated journeys, raw SQL without the conversions'
            # lists: 0.39 s sorted, 0.31 s not; checking the order locally took 0.01 s).
            keys=rows._k.collect(),
            # Unsorted: the few conversions are put in order locally (sorting each list in
            # the engine cost more, 0.40 s against 0.38 s at 1M generated journeys).
            conversions=ibis.struct({"k": rows._k, "v": rows._v}).collect(where=rows._c),
        )
        .select(*(["_g"] if ids else []), "keys", "conversions")
        .to_pyarrow()
    )
    keys, groups = _list_values(grouped.column("keys"))
    conversions = grouped.column("conversions").combine_chunks()
    found = pc.list_flatten(conversions)

    def conversion_groups() -> np.ndarray:
        # A group without a conversion has a null list: an empty one between its offsets.
        counts = np.diff(conversions.offsets.to_numpy())
        converting = np.flatnonzero(counts)
        numbers: np.ndarray = np.repeat(converting, counts[converting])
        return numbers

    return Grouped(
        keys,
        groups,
        found.field("k").to_numpy(),
        found.field("v").to_numpy(),
        conversion_groups,
        grouped.column("_g").combine_chunks() if ids else None,
    )


def _heads(actor: pa.Array, last: pa.Scalar | None) -> np.ndarray:
    """Where each run of one actor starts in the batch (``last``: the actor of the row before)."""
    found = np.zeros(0, dtype=np.int64)
    if len(actor) > 1:
        changed = pc.not_equal(actor.slice(1), actor.slice(0, len(actor) - 1), memory_pool=_POOL)
        found = pc.indices_nonzero(changed, memory_pool=_POOL).to_numpy().astype(np.int64) + 1
    if last is not None and last.equals(actor[0]):
        return found
    return np.append(0, found)


def _ascending(actors: pa.Array) -> bool:
    """Whether each of ``actors`` (no nulls) lies below the next."""
    if len(actors) < 2:
        return True
    below = pc.less(actors.slice(0, len(actors) - 1), actors.slice(1), memory_pool=_POOL)
    return bool(pc.all(below).as_py())


def _distinct(actors: pa.Array) -> bool:
    """Whether no value of ``actors`` (no nulls) occurs twice: ascending, or once sorted."""
    if _ascending(actors):
        return True
    ordered = pc.take(actors, pc.sort_indices(actors, memory_pool=_POOL), memory_pool=_POOL)
    same = pc.equal(ordered.slice(0, len(ordered) - 1), ordered.slice(1), memory_pool=_POOL)
    return not pc.any(same).as_py()


def _list_values(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """A column of lists (no nulls) as its values in one array, and each list's offsets.

    One chunk is read without a copy; several are copied once, into an array that can then be
    sorted in place (at 10M generated journeys each copy of the keys is 360 MB, 1.2-1.7 s of
    fresh pages on these VMs).
    """
    values: list[np.ndarray] = []
    offsets: list[np.ndarray] = []
    base = 0
    for chunk in column.chunks:
        bounds = chunk.offsets.to_numpy()
        values.append(chunk.values.to_numpy()[bounds[0] : bounds[-1]])
        offsets.append((bounds[:-1] - bounds[0]).astype(np.int64) + base)
        base += int(bounds[-1] - bounds[0])
    if not values:
        return np.zeros(0, dtype=np.int64), np.zeros(1, dtype=np.int64)
    joined = values[0] if len(values) == 1 else np.concatenate(values)
    return joined, np.append(np.concatenate(offsets), base)
