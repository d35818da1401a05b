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

from collections.abc import Callable, Iterator
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


def actor_groups(table: ir.Table, group: ir.Value, key: ir.IntegerValue, *, ids: bool) -> Grouped:
    """Each ``group``'s ``key`` values, and its conversions' keys and values.

    ``table`` holds ``conversion`` and ``value``. With ``ids``, :attr:`Grouped.actors` holds
    each group's id (no model or metric reads them: a million persons' ids are a million texts
    to hand over; the tests name journeys by them).
    """
    rows = table.select(
        _g=group,
        _k=key,
        _c=table.conversion.cast(dt.boolean).fill_null(False),
        _v=table.value.cast(dt.float64).fill_null(0.0),
    )
    found = scanned(rows, ids=ids)
    return found if found is not None else collected(rows, ids=ids)


def scanned(rows: ir.Table, *, ids: bool) -> Grouped | None:
    """The groups of ``rows`` (``_g``, ``_k``, ``_c``, ``_v``) as the engine's scan gives them.

    None where a group's rows do not all come together, or a group is null: the grouping
    must collect them.
    """
    keys: list[np.ndarray] = []
    starts: list[np.ndarray] = []
    places: list[np.ndarray] = []  # where each conversion lies among the rows
    values: list[np.ndarray] = []
    heads: list[pa.Array] = []
    size = 0
    last: pa.Scalar | None = None
    batches = record_batches(rows.select("_g", "_k", "_c", "_v"), _BATCH_ROWS)
    try:
        for batch in batches:
            if not len(batch):
                continue
            actor = batch.column(0)
            if actor.null_count:
                return None
            at = np.flatnonzero(_firsts(actor, last))
            head = actor.take(pa.array(at))
            if not _distinct(head):
                return None  # an actor's events come in two runs, or more
            heads.append(head)
            starts.append(at + size)
            keys.append(batch.column(1).to_numpy())
            conversion = np.flatnonzero(batch.column(2).to_numpy(zero_copy_only=False))
            places.append(conversion + size)
            values.append(batch.column(3).to_numpy()[conversion])
            size += len(batch)
            last = actor[len(actor) - 1]
    finally:
        _closed(batches)
    every = pa.concat_arrays(heads) if heads else pa.array([], pa.string())
    if len(heads) > 1 and not _distinct(every):
        return None
    groups = np.append(_joined(starts, np.int64), size).astype(np.int64)
    key = _joined(keys, np.int64)
    place = _joined(places, np.int64)

    def conversion_groups() -> np.ndarray:
        numbers: np.ndarray = np.searchsorted(groups, place, "right") - 1
        return numbers

    converted = key[place]  # before the caller sorts the keys, maybe in place
    return Grouped(
        key,
        groups,
        converted,
        _joined(values, np.float64),
        conversion_groups,
        every if ids else None,
    )


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


def _joined(arrays: list[np.ndarray], dtype: type) -> np.ndarray:
    """The arrays one after another; one array as it is, read-only or not (no copy)."""
    if len(arrays) == 1:
        return arrays[0]
    if not arrays:
        return np.zeros(0, dtype=dtype)
    return np.concatenate(arrays)


def _firsts(actor: pa.Array, last: pa.Scalar | None) -> np.ndarray:
    """Whether each row starts a run of its actor (``last``: the actor of the row before)."""
    first = np.ones(len(actor), dtype=bool)
    if len(actor) > 1:
        changed = pc.not_equal(actor.slice(1), actor.slice(0, len(actor) - 1))
        first[1:] = changed.to_numpy(zero_copy_only=False)
    if last is not None and last.equals(actor[0]):
        first[0] = False
    return first


def _distinct(actors: pa.Array) -> bool:
    """Whether no value of ``actors`` (no nulls) occurs twice.

    Actors ascending (ids in a file sorted by them) show it in one comparison of neighbours;
    else a sort does.
    """
    if len(actors) < 2:
        return True
    if pc.all(pc.less(actors.slice(0, len(actors) - 1), actors.slice(1))).as_py():
        return True
    ordered = actors.take(pc.sort_indices(actors))
    same = pc.equal(ordered.slice(0, len(ordered) - 1), ordered.slice(1))
    return not pc.any(same).as_py()


def _closed(batches: Iterator[pa.RecordBatch]) -> None:
    """Let go of the engine's result, read to its end or not."""
    close = getattr(batches, "close", None)
    if close is not None:
        close()


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
