"""Row keys an import keeps while it reads: 16-byte digests in numpy arrays, not Python strings.

A row key is 32 hex digits, a 128-bit BLAKE2b digest (``_keys.row_keys``). An import keeps
every key it reads to know an exact duplicate, and every key stored before to know a row
imported already. As strings in a dict and sets, that took 115 bytes a row read and 118 a row
stored (tracemalloc, the 455,564 rows of a 100k-journey export: 50.0 and 51.5 MB), growing
with the file. Here a key is its 16 bytes, as two 64-bit halves, in sorted numpy runs searched
a batch at a time (``np.searchsorted``): 16 bytes a key, 24 with a number (the row it was
first read at, or how often it was read), 17 with the flags of a stored key (7.0 and 7.6 MB).

A key of another form (``<key>#2``, ``<key>/01``, anything not 32 lowercase hex digits) is
kept as it is, in a dict beside the runs: every key is told apart exactly, never by a hash of
it. Imports make few such keys (see ``_convert.BatchLoop``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, Self, TypeVar

import numpy as np

__all__ = [
    "COUNTED",
    "DISCARDED",
    "EMPTY",
    "OTHER_RULES",
    "Columns",
    "KeyRuns",
    "StoredKeys",
    "add_run",
    "digests",
    "hex_keys",
    "merge_sorted",
]

_HEX_KEY = re.compile(r"[0-9a-f]{32}")
_ABSENT = -1
EMPTY = np.zeros(0, dtype=np.uint64)  # what a run merged into another is left with


def digests(keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The two 64-bit halves (``low``, ``high``) of each key, and which keys are digests.

    A key that is no 32 lowercase hex digits has halves of 0 and False in the mask.
    """
    count = len(keys)
    joined = "".join(keys)
    raw = b""
    if len(joined) == 32 * count and not any(upper in joined for upper in "ABCDEF"):
        try:
            raw = bytes.fromhex(joined)  # skips whitespace: the length check below catches it
        except ValueError:
            raw = b""
    if len(raw) == 16 * count and (not count or set(map(len, keys)) == {32}):
        halves = np.frombuffer(raw, dtype="<u8").reshape(count, 2)
        return halves[:, 0].copy(), halves[:, 1].copy(), np.ones(count, dtype=bool)
    hexed = np.fromiter((_HEX_KEY.fullmatch(key) is not None for key in keys), bool, count)
    buffer = bytearray(16 * count)
    for index in np.flatnonzero(hexed).tolist():
        buffer[16 * index : 16 * index + 16] = bytes.fromhex(keys[index])
    halves = np.frombuffer(bytes(buffer), dtype="<u8").reshape(count, 2)
    return halves[:, 0].copy(), halves[:, 1].copy(), hexed


def hex_keys(low: np.ndarray, high: np.ndarray) -> list[str]:
    """The keys of digests (the inverse of :func:`digests` on 32-hex-digit keys)."""
    text = np.stack([low, high], axis=1).astype("<u8").tobytes().hex()
    return [text[start : start + 32] for start in range(0, len(text), 32)]


def sorted_order(low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The order sorting the digests (equal ones in their order), and which equal the previous.

    Returns:
        ``order`` and ``repeat``: ``repeat[i]`` whether the ``i``-th in that order is the
        same digest as the one before it.
    """
    order = np.argsort(low, kind="stable")  # half the time of a lexsort
    sorted_low, sorted_high = low[order], high[order]
    same_low = sorted_low[1:] == sorted_low[:-1]
    same_high = sorted_high[1:] == sorted_high[:-1]
    if (same_low & ~same_high).any():  # digests with a low half alike: by both halves
        order = np.lexsort((high, low))
        sorted_low, sorted_high = low[order], high[order]
        same_low = sorted_low[1:] == sorted_low[:-1]
        same_high = sorted_high[1:] == sorted_high[:-1]
    repeat = np.zeros(len(order), dtype=bool)
    repeat[1:] = same_low & same_high
    return order, repeat


Columns = list[np.ndarray | None]


def merge_sorted(first: Columns, second: Columns) -> Columns:
    """Two runs, each ``[keys, *columns]`` sorted by its keys, merged into one alike.

    ``second``'s entries go after equal keys of ``first``; a column missing (None) on either
    side is missing in the result. Both lists are emptied (None) column by column as each is
    merged, so a merge needs room for one merged column beside the runs rather than all of
    them (merges up to 45M digests of 24 bytes, simulated: a peak of 1,736 MB before, 1,270
    MB after).
    """
    keys = first[0]
    assert keys is not None and second[0] is not None
    size = len(keys) + len(second[0])
    placed = np.searchsorted(keys, second[0], "right") + np.arange(len(second[0]))
    del keys
    mine = np.ones(size, dtype=bool)
    mine[placed] = False
    merged: Columns = []
    for index in range(len(first)):
        a, b = first[index], second[index]
        first[index] = second[index] = None
        if a is None or b is None:
            merged.append(None)
            continue
        out = np.empty(size, dtype=a.dtype)
        out[mine] = a
        out[placed] = b
        del a, b  # the last references: the inputs go before the next column is made
        merged.append(out)
    return merged


class _Merging(Protocol):
    def __len__(self) -> int: ...
    def merged(self, other: Self) -> Self: ...


R = TypeVar("R", bound=_Merging)


def add_run(runs: list[R], run: R) -> None:
    """Append ``run`` to ``runs``, merging runs of like size.

    So a lookup searches few runs (the log of the entries), and a merge moves each entry
    a few times only.
    """
    if not len(run):
        return
    runs.append(run)
    while len(runs) > 1 and len(runs[-2]) <= 2 * len(runs[-1]):
        last = runs.pop()
        runs[-1] = runs[-1].merged(last)


@dataclass
class _Run:
    """Distinct digests sorted by ``low``, with a number each (or none)."""

    low: np.ndarray
    high: np.ndarray
    number: np.ndarray | None

    def __len__(self) -> int:
        return len(self.low)

    def find(self, low: np.ndarray, high: np.ndarray) -> np.ndarray:
        """Where each digest (``low`` sorted) is in this run, or -1."""
        left = np.searchsorted(self.low, low, "left")
        inside = np.minimum(left, len(self) - 1)
        same_low = self.low[inside] == low
        hit = same_low & (self.high[inside] == high)
        found = np.where(hit, inside, _ABSENT)
        # Another digest with the same low half there (of 50M keys, two share one in about
        # 1 in 15,000 imports): look along them.
        for index in np.flatnonzero(same_low & ~hit).tolist():
            position = int(left[index])
            while position < len(self) and self.low[position] == low[index]:
                if self.high[position] == high[index]:
                    found[index] = position
                    break
                position += 1
        return found

    def merged(self, other: _Run) -> _Run:
        """Both runs in one, sorted by ``low``; both are left empty."""
        low, high, number = merge_sorted(self.take(), other.take())
        assert low is not None and high is not None
        return _Run(low, high, number)

    def take(self) -> Columns:
        """``[low, high, number]``, leaving the run empty (see :func:`merge_sorted`)."""
        columns: Columns = [self.low, self.high, self.number]
        self.low = self.high = EMPTY
        self.number = None
        return columns


class KeyRuns:
    """Keys read so far, each with a number (``numbers``) or none; see the module docstring.

    Args:
        numbers: Whether each key keeps a number (:meth:`first` gives it back, :meth:`count`
            keeps one).
    """

    def __init__(self, numbers: bool = False) -> None:
        self.numbers = numbers
        self._runs: list[_Run] = []
        self._others: dict[str, int] = {}  # keys of another form, with their numbers

    def __len__(self) -> int:
        return sum(len(run) for run in self._runs) + len(self._others)

    def holds(self, keys: Sequence[str]) -> np.ndarray:
        """Whether each key was noted before (nothing is noted)."""
        low, high, hexed = digests(keys)
        held = np.zeros(len(keys), dtype=bool)
        chosen = np.flatnonzero(hexed)
        if self._runs and len(chosen):
            order = chosen[np.argsort(low[chosen], kind="stable")]
            found, _number = self._find(low[order], high[order])
            held[order] = found != _ABSENT
        for index in np.flatnonzero(~hexed).tolist():
            held[index] = keys[index] in self._others
        return held

    def first(
        self,
        keys: Sequence[str],
        numbers: np.ndarray | None = None,
        noted: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Note the keys in their order, as ``dict.setdefault`` would, one key at a time.

        Args:
            keys: The keys.
            numbers: Each key's number, kept with a key noted now (with ``numbers``).
            noted: Which of the keys to look at (all by default); the others are left out.

        Returns:
            Per key whether it was noted before (in an earlier call or earlier in this one),
            and the number kept with it (its own when it is new; 0 without ``numbers``).
        """
        count = len(keys)
        wanted = np.ones(count, dtype=bool) if noted is None else np.asarray(noted, dtype=bool)
        own = np.zeros(count, dtype=np.int64) if numbers is None else np.asarray(numbers, np.int64)
        earlier = np.zeros(count, dtype=bool)
        kept = own.copy()
        if not wanted.any():
            return earlier, kept
        low, high, hexed = digests(keys)
        for index in np.flatnonzero(wanted & ~hexed).tolist():
            key = keys[index]
            earlier[index] = key in self._others
            kept[index] = self._others.setdefault(key, int(own[index]))
        chosen = np.flatnonzero(wanted & hexed)
        order, repeat = sorted_order(low[chosen], high[chosen])
        at = chosen[order]  # the keys, by digest; equal ones in their order
        low, high, own_sorted = low[at], high[at], own[at]
        found, number = self._find(low, high)
        # A key new to the runs keeps the number of its first copy in this call.
        first = np.maximum.accumulate(np.where(repeat, 0, np.arange(len(at))))
        earlier[at] = (found != _ABSENT) | repeat
        kept[at] = np.where(found != _ABSENT, number, own_sorted[first])
        new = (found == _ABSENT) & ~repeat
        self._add(_Run(low[new], high[new], own_sorted[new] if self.numbers else None))
        return earlier, kept

    def count(self, keys: Sequence[str]) -> np.ndarray:
        """Note the keys; per key how often it has been noted so far, itself included."""
        low, high, hexed = digests(keys)
        copies = np.zeros(len(keys), dtype=np.int64)
        for index in np.flatnonzero(~hexed).tolist():
            key = keys[index]
            copies[index] = self._others[key] = self._others.get(key, 0) + 1
        chosen = np.flatnonzero(hexed)
        order, repeat = sorted_order(low[chosen], high[chosen])
        at = chosen[order]  # the keys, by digest; equal ones in their order
        starts = np.flatnonzero(~repeat)  # where each distinct key comes first
        group = np.cumsum(~repeat) - 1
        distinct_low, distinct_high = low[at][starts], high[at][starts]
        times = np.diff(np.append(starts, len(at)))  # how often each comes in this call
        before = np.zeros(len(starts), dtype=np.int64)
        new = np.ones(len(starts), dtype=bool)
        for run in self._runs:
            found = run.find(distinct_low, distinct_high)
            hit = found != _ABSENT
            assert run.number is not None
            before[hit] = run.number[found[hit]]
            run.number[found[hit]] += times[hit]
            new &= ~hit
        copies[at] = before[group] + np.arange(len(at)) - starts[group] + 1
        self._add(_Run(distinct_low[new], distinct_high[new], times[new].astype(np.int64)))
        return copies

    def _find(self, low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per digest (``low`` sorted) its place in a run (or -1) and its number there."""
        found = np.full(len(low), _ABSENT, dtype=np.int64)
        number = np.zeros(len(low), dtype=np.int64)
        for run in self._runs:
            at = run.find(low, high)
            hit = at != _ABSENT
            found[hit] = at[hit]
            if run.number is not None:
                number[hit] = run.number[at[hit]]
        return found, number

    def _add(self, run: _Run) -> None:
        add_run(self._runs, run)


# The flags of a stored key (StoredKeys.flags).
OTHER_RULES = 1  # mapped with other rules than the import's
DISCARDED = 2  # replaced by this import: no longer stored
COUNTED = 4  # counted in ``rows_other_rules``


class StoredKeys:
    """Distinct keys found stored, each with its flags (:data:`OTHER_RULES`, ...) in ``flags``.

    A key has a slot (:meth:`slots`): its place in ``flags``.

    Args:
        found: ``(keys, other rules)`` in parts: the keys (repeats allowed) and per key
            whether it was mapped with other rules (a key repeated is if any copy was).
    """

    def __init__(self, found: Iterable[tuple[Sequence[str], np.ndarray]]) -> None:
        lows: list[np.ndarray] = []
        highs: list[np.ndarray] = []
        others: list[np.ndarray] = []
        self._others: dict[str, int] = {}  # keys of another form: their slots
        other_flags: list[int] = []
        for keys, other in found:
            low, high, hexed = digests(keys)
            other = np.asarray(other, dtype=bool)
            lows.append(low[hexed])
            highs.append(high[hexed])
            others.append(other[hexed])
            for index in np.flatnonzero(~hexed).tolist():
                slot = self._others.setdefault(keys[index], len(other_flags))
                if slot == len(other_flags):
                    other_flags.append(0)
                other_flags[slot] |= OTHER_RULES if other[index] else 0
        low, high, other = (
            np.concatenate(parts) if parts else np.zeros(0, kind)
            for parts, kind in ((lows, np.uint64), (highs, np.uint64), (others, bool))
        )
        del lows, highs, others
        order, repeat = sorted_order(low, high)
        starts = np.flatnonzero(~repeat)  # each distinct key's first place
        self._run = _Run(low[order[starts]], high[order[starts]], None)
        del low, high
        flags = np.logical_or.reduceat(other[order], starts) if len(starts) else other
        self.flags = np.concatenate(
            [flags.astype(np.uint8) * OTHER_RULES, np.asarray(other_flags, dtype=np.uint8)]
        )
        self._other_keys = list(self._others)
        for key, slot in self._others.items():
            self._others[key] = slot + len(self._run)

    def __len__(self) -> int:
        return len(self.flags)

    def slots(self, keys: Sequence[str]) -> np.ndarray:
        """The slot of each key, or -1 for a key not stored."""
        found = np.full(len(keys), _ABSENT, dtype=np.int64)
        if not len(self):
            return found
        low, high, hexed = digests(keys)
        chosen = np.flatnonzero(hexed)
        if len(self._run) and len(chosen):
            order = chosen[np.argsort(low[chosen], kind="stable")]
            found[order] = self._run.find(low[order], high[order])
        for index in np.flatnonzero(~hexed).tolist():
            found[index] = self._others.get(keys[index], _ABSENT)
        return found

    def keys(self, slots: np.ndarray) -> list[str]:
        """The keys in ``slots`` (in the order of the slots)."""
        slots = np.sort(slots)
        hexed = slots[slots < len(self._run)]
        found = hex_keys(self._run.low[hexed], self._run.high[hexed])
        return found + [self._other_keys[slot - len(self._run)] for slot in slots[len(hexed) :]]
