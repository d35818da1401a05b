"""Paths, Sankey edges and variants of the local journeys, as their Ibis twins count them.

The twins (:mod:`journeymap.engine.paths`, :mod:`journeymap.engine.variants`) group the
journeys by their touchpoint arrays. Here each journey's path is the touchpoint numbers its
events keep (:class:`_Paths`), and each path is a number, equal for equal paths
(:attr:`_Paths.keys`): a short path is its touchpoints as the digits of a number; the
longer ones are hashed and grouped by hash, every one checked event by event against its
group's first (should two share a hash, they are grouped exactly instead). The numbers are
counted by sorting them; text is written only for the paths that may rank. The paths of a
journeys' arrays are kept while the arrays live (:func:`_paths`): as the twins share the
path counts, the paths table and the Sankey read the same paths, the variants and their
total the same numbers.

What the twins make of a missing touchpoint, followed here:

- They group the arrays as text joined by U+001F and split back, which drops the missing
  touchpoints: a path of missing touchpoints only becomes a missing path (text and length
  null), one the Sankey leaves out. Where a touchpoint is empty or holds U+001F, the arrays
  themselves are grouped, missing touchpoints kept (:func:`_joinable`): the path's text skips
  them and a Sankey node of one is ``Other``.
- Collapsing repeats keeps a journey's first touchpoint and each one that differs from the
  one before, and a missing touchpoint differs from none: it is dropped after the first
  step, and so is the touchpoint after it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from journeymap.engine._columns import UNIT
from journeymap.engine._local_journeys import LocalJourneys, places, shared_property
from journeymap.engine.journeys import JourneyOptions
from journeymap.engine.paths import (
    CONVERTED,
    DROPPED,
    KINDS,
    OTHER,
    SEPARATOR,
    path_table,
    sankey_table,
)
from journeymap.engine.variants import variant_table

__all__ = ["local_paths", "local_sankey", "local_variants", "local_variants_total"]

_NODES = 12  # the Sankey's named touchpoints, as :func:`~journeymap.engine.paths.sankey`'s
_LONG = np.uint64(1 << 63)  # the keys of long paths start here


def local_paths(local: LocalJourneys, options: JourneyOptions) -> pa.Table:
    """:func:`~journeymap.engine.paths.paths` of the local journeys.

    Args:
        local: The journeys.
        options: ``top_paths`` and ``collapse_repeats``.
    """
    paths = _paths(local, options.collapse_repeats)
    keys, counts, wins = paths.groups
    text_of: Callable[[np.ndarray], pa.Array] = lambda at: paths.texts(keys[at])  # noqa: E731
    if paths.texts_may_meet:  # the twin groups by the text: group equal texts together
        encoded = pc.dictionary_encode(paths.texts(keys), null_encoding="encode")
        group = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
        counts = np.bincount(group, weights=counts).astype(np.int64)
        wins = np.bincount(group, weights=wins).astype(np.int64)
        texts = encoded.dictionary
        text_of = lambda at: texts.take(pa.array(at))  # noqa: E731
    per_kind = dict(zip(KINDS, (counts, wins, counts - wins), strict=True))
    tops: dict[str, list[tuple[str | None, int]]] = {}
    for kind, found in per_kind.items():
        ranked, shown = _top(found, options.top_paths, text_of)
        tops[kind] = [(text, int(n)) for text, n in zip(shown, found[ranked], strict=True)]
    return path_table(tops, {kind: int(found.sum()) for kind, found in per_kind.items()})


def local_sankey(
    local: LocalJourneys, options: JourneyOptions, depth: int | None = None, nodes: int = _NODES
) -> pa.Table:
    """:func:`~journeymap.engine.paths.sankey` of the local journeys.

    Args:
        local: The journeys.
        options: ``sankey_steps`` (the default ``depth``) and ``collapse_repeats``.
        depth: How many steps the edges cover.
        nodes: How many of the most visited touchpoints keep their name (the rest: ``Other``).
    """
    depth = depth or options.sankey_steps
    paths = _paths(local, options.collapse_repeats)
    names, codes = paths.names, paths.codes
    width = len(names) + 2  # what follows a touchpoint: the next, or the journey's end
    ends = np.where(local.converted, len(names), len(names) + 1).astype(np.int16)  # <= 258
    follows = np.repeat(ends, paths.lengths)
    position = paths.position
    goes_on = np.zeros(len(codes), dtype=bool)
    np.greater(position[1:], 0, out=goes_on[:-1])  # the next event is of the same path
    goes_on &= position < depth - 1
    np.copyto(follows[:-1], codes[1:], where=goes_on[:-1])
    # Per position (0..depth, then any later), touchpoint and what follows it: how many.
    # In place from here: one array of the events', 64-bit as bincount reads them.
    keys = np.minimum(position, depth + 1, dtype=np.int64)
    keys *= len(names)
    keys += codes
    keys *= width
    keys += follows
    counts = _counts(keys, (depth + 2) * len(names) * width)
    visits = np.bincount(
        counts[0] // width % len(names),
        weights=np.where(counts[0] < (depth + 1) * len(names) * width, counts[1], 0),
        minlength=len(names),
    )
    seen = np.flatnonzero(visits)  # the names sort as their numbers do, a missing one last
    frequent = seen[np.lexsort((seen, -visits[seen]))][:nodes]
    labels = [OTHER] * len(names) + [CONVERTED, DROPPED]
    for code in frequent:
        name = names[code]
        labels[code] = OTHER if name is None else name
    # Nodes are grouped by their text: a touchpoint may be called "Other".
    texts = sorted(set(labels))
    number = {text: at for at, text in enumerate(texts)}
    label = np.array([number[text] for text in labels], dtype=np.int64)
    edge = counts[0] < depth * len(names) * width
    key, n = counts[0][edge], counts[1][edge]
    size = len(texts)
    edges = _counts(
        (key // (len(names) * width) * size + label[key // width % len(names)]) * size
        + label[key % width],
        depth * size * size,
        n,
    )
    rows = [
        {
            "step": int(key // (size * size)) + 1,
            "source": texts[key // size % size],
            "target": texts[key % size],
            "journeys": int(journeys),
        }
        for key, journeys in zip(*edges, strict=True)
    ]
    rows.sort(key=lambda row: (row["step"], -row["journeys"], row["source"], row["target"]))
    return sankey_table(rows)


def _counts(
    keys: np.ndarray, size: int, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``keys`` (0 to below ``size``) and how many of each (or their weights)."""
    if size <= 1 << 22:
        found = np.bincount(keys, weights=weights, minlength=size)
        at = np.flatnonzero(found)
        return at, found[at].astype(np.int64)
    distinct, numbers = np.unique(keys, return_inverse=True)
    return distinct, np.bincount(numbers.reshape(-1), weights=weights).astype(np.int64)


def local_variants(local: LocalJourneys, top: int = 50) -> pa.Table:
    """:func:`~journeymap.engine.variants.variants` of the local journeys.

    Args:
        local: The journeys.
        top: How many of the most followed variants to list.
    """
    paths = _paths(local, collapse=False)
    keys, counts, wins = paths.groups
    ranked, shown = _top(counts, top, lambda at: paths.texts(keys[at]))
    # Each journey's row, if its variant is listed: by its key among the listed ones.
    order = np.argsort(keys[ranked])
    listed = keys[ranked][order]
    at = np.minimum(np.searchsorted(listed, paths.keys), max(len(listed) - 1, 0))
    journeys = np.flatnonzero(listed[at] == paths.keys) if len(listed) else at[:0]
    rows = order[at[journeys]]
    first = np.zeros(len(ranked), dtype=np.int64)
    first[rows[::-1]] = journeys[::-1]  # a journey of each row
    personas = len(local.persona_names)
    found: list[list[str | None]] = [[] for _ in ranked]
    for pair in np.unique(rows * personas + local.first_persona[journeys]):
        found[pair // personas].append(local.persona_names[pair % personas])
    return variant_table(
        {
            "variant": text,
            "length": int(length) if length else None,
            "journeys": int(n),
            "conversions": int(won),
            "_personas": names,
        }
        for text, length, n, won, names in zip(
            shown, paths.lengths[first], counts[ranked], wins[ranked], found, strict=True
        )
    )


def local_variants_total(local: LocalJourneys) -> int:
    """How many distinct touchpoint sequences (repeats kept): the summary's ``variants_total``.

    Grouped as :func:`local_variants` groups them (a missing path is one).
    """
    return len(_paths(local, collapse=False).groups[0])


def _paths(local: LocalJourneys, collapse: bool) -> _Paths:
    """:meth:`_Paths.of`, made once while the journeys' arrays live (see the module doc)."""
    return local.derived(("paths", collapse), lambda: _Paths.of(local, collapse))


@dataclass(frozen=True, eq=False)
class _Paths:
    """Every journey's path: the touchpoint numbers its events keep, journey after journey.

    ``codes`` per kept event; ``offsets`` per journey (one entry more, the end); ``names``
    the touchpoints' names; ``converted`` whether each journey converted; ``steps`` each
    event's step from 1, where the paths keep every event and the journeys know them.
    """

    names: tuple[str | None, ...]
    codes: np.ndarray
    offsets: np.ndarray
    converted: np.ndarray
    steps: np.ndarray | None = None

    @classmethod
    def of(cls, local: LocalJourneys, collapse: bool) -> _Paths:
        """The paths of ``local``, repeats back to back counted once with ``collapse``."""
        names = local.touchpoint_names
        missing = _missing(names)
        drop = missing is not None and _joinable(names)  # the missing touchpoints
        touchpoint = local.touchpoint
        if not collapse and not drop:
            return cls(names, touchpoint, local.offsets, local.converted, local.step)
        named = None if missing is None else touchpoint != missing
        if collapse:
            keep = np.empty(len(touchpoint), dtype=bool)
            np.not_equal(touchpoint[1:], touchpoint[:-1], out=keep[1:])
            if named is not None:
                keep[1:] &= named[1:]
                keep[1:] &= named[:-1]
            keep[local.offsets[:-1]] = True
            if drop:
                keep &= named
        else:
            assert named is not None  # dropping the missing touchpoints
            keep = named
        # Each journey's kept events added up per journey: arrays of the journeys' length.
        offsets = np.zeros(local.journeys + 1, dtype=np.int64)
        if local.journeys:
            starts = local.offsets[:-1]  # every journey has an event
            kept = np.add.reduceat(keep.view(np.uint8), starts, dtype=np.int64)
            np.cumsum(kept, out=offsets[1:])
        return cls(names, touchpoint[keep], offsets, local.converted)

    @shared_property
    def lengths(self) -> np.ndarray:
        """Each path's touchpoints."""
        lengths: np.ndarray = np.diff(self.offsets)
        return lengths

    @shared_property
    def position(self) -> np.ndarray:
        """Each kept event's position in its path, from 0."""
        if self.steps is not None:
            steps: np.ndarray = self.steps - 1  # of the steps' type (NEP 50)
            return steps
        return places(self.lengths, 0)

    @property
    def keys(self) -> np.ndarray:
        """Each path as a number, equal for equal paths (see :attr:`coded`)."""
        return self.coded[0]

    @shared_property
    def coded(self) -> tuple[np.ndarray, np.ndarray]:
        """Each path's key, and a journey of each long path's number.

        Below :data:`_LONG`, a path's touchpoint numbers plus 1 are the key's digits (base: the
        touchpoints plus 1), the first the lowest; a longer path's key is :data:`_LONG` plus
        its number among the longer ones (:func:`_long_ids`).
        """
        width, digits = _digits(len(self.names))
        # Each event's digit weight by its position (by its step, where the path keeps every
        # event), from a table that is zero past a key's digits; the weights are multiplied
        # and summed in place: one array of the events' length (at 10M generated journeys
        # each is 360 MB of fresh pages, benchmarks/README.md, stop 28).
        index, first = (self.steps, 1) if self.steps is not None else (self.position, 0)
        top = int(index.max()) if len(index) else 0
        table = np.zeros(max(top, first + digits) + 1, dtype=np.uint64)
        table[first : first + digits] = [width**digit for digit in range(digits)]
        sums = table[index]
        sums *= (self.codes + 1).astype(np.uint16)  # at most 257: unsigned keeps uint64
        np.cumsum(sums, out=sums)
        keys: np.ndarray = _sum_before(sums, self.offsets[1:]) - _sum_before(
            sums, self.offsets[:-1]
        )
        long = np.flatnonzero(self.lengths > digits)
        if not len(long):
            return keys, long
        ids, firsts = _long_ids(self.select(long))
        keys[long] = ids.astype(np.uint64) + _LONG
        return keys, long[firsts]

    @shared_property
    def groups(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The distinct paths' keys, in order, and each one's journeys and converted ones."""
        keys, journeys = _runs(np.sort(self.keys))
        won, wins = _runs(np.sort(self.keys[self.converted]))
        converted = np.zeros(len(keys), dtype=np.int64)
        converted[np.searchsorted(keys, won)] = wins
        return keys, journeys, converted

    @property
    def texts_may_meet(self) -> bool:
        """Whether two paths may read alike (joined by " > ").

        Where a name holds ">", or where paths keep missing touchpoints (the text skips them).
        """
        kept_missing = _missing(self.names) is not None and not _joinable(self.names)
        return kept_missing or any(">" in name for name in self.names if name is not None)

    def select(self, journeys: np.ndarray) -> _Paths:
        """The paths of ``journeys`` (their numbers), in that order."""
        starts = self.offsets[journeys]
        lengths = self.offsets[journeys + 1] - starts
        offsets = np.concatenate(([0], np.cumsum(lengths, dtype=np.int64)))
        at = np.repeat(starts - offsets[:-1], lengths) + np.arange(offsets[-1], dtype=np.int64)
        return _Paths(self.names, self.codes[at], offsets, self.converted[journeys])

    def texts(self, keys: np.ndarray) -> pa.Array:
        """The paths of ``keys`` (of :attr:`keys`) as :meth:`joined` writes them."""
        short = keys < _LONG
        width, digits = _digits(len(self.names))
        table = np.empty((int(short.sum()), digits), dtype=np.uint64)
        rest = keys[short]
        for digit in range(digits):  # the short paths, read off their keys
            table[:, digit] = rest % np.uint64(width)
            rest = rest // np.uint64(width)
        present = table > 0
        offsets = np.concatenate(([0], np.cumsum(present.sum(axis=1), dtype=np.int64)))
        codes = table[present].astype(np.int64) - 1
        decoded = _Paths(self.names, codes, offsets, np.zeros(len(offsets) - 1, dtype=bool))
        longer = self.select(self.coded[1][(keys[~short] - _LONG).astype(np.int64)])
        order = np.concatenate((np.flatnonzero(short), np.flatnonzero(~short)))
        texts = pa.concat_arrays([decoded.joined(), longer.joined()])
        return texts.take(pa.array(np.argsort(order)))

    def joined(self) -> pa.Array:
        """Each path's names joined by " > ", missing ones skipped; null where none is left."""
        codes, bounds = self.codes, self.offsets
        missing = _missing(self.names)
        if missing is not None:
            named = codes != missing
            codes = codes[named]
            bounds = np.concatenate(([0], np.cumsum(named, dtype=np.int64)))[bounds]
        values = pa.array(self.names, pa.string()).take(pa.array(codes, pa.int64()))
        joined = pc.binary_join(pa.ListArray.from_arrays(pa.array(bounds), values), SEPARATOR)
        return pc.if_else(pa.array(np.diff(bounds) > 0), joined, pa.scalar(None, pa.string()))


def _missing(names: tuple[str | None, ...]) -> int | None:
    """The number of the missing touchpoint, if there is one (it is the last)."""
    return len(names) - 1 if names and names[-1] is None else None


def _joinable(names: tuple[str | None, ...]) -> bool:
    """Whether the twins group the paths as text (no name is empty or holds U+001F)."""
    return not any(name == "" or UNIT in name for name in names if name is not None)


def _digits(touchpoints: int) -> tuple[int, int]:
    """The base of a short path's key, and how many touchpoints it holds below 2**63."""
    width = max(touchpoints + 1, 2)
    digits = 1
    while width ** (digits + 1) <= 1 << 63:
        digits += 1
    return width, digits


def _sum_before(sums: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The running ``sums`` (of the events' weights) before each position of ``at``: 0 at 0."""
    if not len(sums):
        return np.zeros(len(at), dtype=sums.dtype)
    found: np.ndarray = sums[np.maximum(at - 1, 0)]
    found[at == 0] = 0
    return found


def _runs(ordered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of sorted ``ordered``, and how many of each."""
    starts = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
    starts = np.concatenate(([0], starts)) if len(ordered) else starts
    return ordered[starts], np.diff(np.append(starts, len(ordered)))


def _long_ids(paths: _Paths) -> tuple[np.ndarray, np.ndarray]:
    """A number for each path, equal for equal paths, and a path of each number.

    The paths are hashed and grouped by hash, then every one is compared with its group's
    first, event by event: should two share a hash, they are grouped exactly instead.
    """
    _values, firsts, ids = np.unique(_hash(paths), return_index=True, return_inverse=True)
    ids = ids.reshape(-1)
    if _same(paths, ids, firsts):
        return ids, firsts
    return _exact_ids(paths)


_BASE = np.uint64(0x9E3779B97F4A7C15)  # odd: its powers can be divided by


def _mix(values: np.ndarray, seed: int) -> np.ndarray:
    """SplitMix64's finaliser of each value plus ``seed``: 64 bits that look random."""
    x = values.astype(np.uint64) + np.uint64(seed)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    mixed: np.ndarray = x ^ (x >> np.uint64(31))
    return mixed


def _hash(paths: _Paths) -> np.ndarray:
    """A 64-bit hash of each path: a polynomial of its touchpoints' mixes, and its length.

    The polynomial runs over all events at once (the i-th event times the base to the i),
    and each path's sum is divided by the base's power at its start, modulo 2**64.
    """
    powers = np.full(len(paths.codes) + 1, _BASE, dtype=np.uint64)
    powers[0] = 1
    np.multiply.accumulate(powers, out=powers)
    terms = _mix(np.arange(len(paths.names)), 0x2545F4914F6CDD1D)[paths.codes]
    terms *= powers[:-1]
    sums = np.zeros(len(terms) + 1, dtype=np.uint64)
    np.cumsum(terms, out=sums[1:])
    hashes: np.ndarray = sums[paths.offsets[1:]] - sums[paths.offsets[:-1]]
    hashes *= _inverse(powers[paths.offsets[:-1]])
    hashes ^= _mix(paths.lengths, 0x632BE59BD9B4E019)
    return hashes


def _inverse(odd: np.ndarray) -> np.ndarray:
    """The inverse of each odd number modulo 2**64 (Newton's iteration, bits doubling)."""
    inverse = odd.copy()  # right to 3 bits
    for _ in range(5):  # 6, 12, 24, 48, 96 bits
        inverse *= np.uint64(2) - odd * inverse
    return inverse


def _same(paths: _Paths, ids: np.ndarray, firsts: np.ndarray) -> bool:
    """Whether every path equals the path of its group's first."""
    first = firsts[ids]
    lengths = paths.lengths
    if not np.array_equal(lengths[first], lengths):
        return False
    at = np.repeat(paths.offsets[first] - paths.offsets[:-1], lengths)
    at += np.arange(len(at), dtype=np.int64)
    return bool(np.array_equal(paths.codes[at], paths.codes))


def _exact_ids(paths: _Paths) -> tuple[np.ndarray, np.ndarray]:
    """What :func:`_long_ids` returns, grouping the paths position by position (no hash)."""
    lengths = paths.lengths
    order = np.argsort(-lengths, kind="stable")  # the paths still going on come first
    going_on = np.bincount(lengths, minlength=1)[::-1].cumsum()[::-1]  # longer than k, k>=0
    ids = np.zeros(len(lengths), dtype=np.int64)
    width = np.int64(len(paths.names))
    for k in range(int(lengths.max(initial=0))):
        active = order[: going_on[k + 1] if k + 1 < len(going_on) else 0]
        keys = ids[active] * width + paths.codes[paths.offsets[active] + k]
        ids[active] = np.unique(keys, return_inverse=True)[1].reshape(-1)
    keys = lengths * np.int64(len(lengths) + 1) + ids
    _values, firsts, numbers = np.unique(keys, return_index=True, return_inverse=True)
    return numbers.reshape(-1).astype(np.int64), firsts.astype(np.int64)


def _top(
    counts: np.ndarray, top: int, text_of: Callable[[np.ndarray], pa.Array]
) -> tuple[np.ndarray, list[Any]]:
    """The ``top`` entries of ``counts`` above 0, and their texts (``text_of`` the entries).

    The most first; equal counts by text, a missing text last (as Arrow sorts by default).
    Text is written only for the entries that may rank.
    """
    found = np.flatnonzero(counts > 0)
    if top <= 0 or not len(found):
        return found[:0], []
    if len(found) > top:
        least = np.partition(counts[found], len(found) - top)[len(found) - top]
        found = found[counts[found] >= least]
    texts = text_of(found)
    table = pa.table({"n": pa.array(counts[found]), "text": texts})
    order = pc.sort_indices(table, sort_keys=[("n", "descending"), ("text", "ascending")])
    order = order.to_numpy()[:top]
    return found[order], texts.take(pa.array(order)).to_pylist()
