"""The row keys an import keeps as digests tell every key apart exactly, as a dict did.

An exact duplicate is a row whose key was read before; the import keeps the keys as 16-byte
digests (``_key_digests``) instead of strings. Keys of another form (``<key>#2``) and keys
whose first 8 bytes are alike must still be told apart: a row taken for a duplicate of
another is a row lost from the events.
"""

from __future__ import annotations

import hashlib
import random
import tracemalloc

import numpy as np

from journeymap.ingest._key_digests import KeyRuns, StoredKeys, merge_sorted


def _key(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _pool() -> list[str]:
    keys = [_key(str(number)) for number in range(400)]
    alike = _key("alike")
    keys += [alike[:16] + _key(str(number))[16:] for number in range(6)]  # same first half
    return [*keys, keys[0] + "#2", keys[1] + "#3", "0" * 32, keys[2].upper()]


def test_keys_read_are_told_apart_as_a_dict_tells_them() -> None:
    chooser = random.Random(7)
    pool = _pool()
    seen: dict[str, int] = {}
    counted: dict[str, int] = {}
    runs, copies = KeyRuns(numbers=True), KeyRuns(numbers=True)
    row = 0
    for _batch in range(40):
        keys = [chooser.choice(pool) for _ in range(chooser.randint(0, 120))]
        looked_at = np.array([chooser.random() < 0.9 for _ in keys], dtype=bool)
        rows = np.arange(row, row + len(keys), dtype=np.int64)
        row += len(keys)
        assert runs.holds(keys).tolist() == [key in seen for key in keys]
        earlier, first = runs.first(keys, rows, looked_at)
        expected_earlier, expected_first = [], []
        for key, number, wanted in zip(keys, rows.tolist(), looked_at.tolist(), strict=True):
            expected_earlier.append(wanted and key in seen)
            expected_first.append(seen.setdefault(key, number) if wanted else number)
        assert earlier.tolist() == expected_earlier
        assert first.tolist() == expected_first
        expected_copies = []
        for key in keys:
            counted[key] = counted.get(key, 0) + 1
            expected_copies.append(counted[key])
        assert copies.count(keys).tolist() == expected_copies
    assert len(runs) == len(seen)


def test_stored_keys_are_found_again_and_only_they() -> None:
    pool = _pool()
    stored = pool[::2]
    other = np.array([index % 3 == 0 for index in range(len(stored))], dtype=bool)
    keys = StoredKeys([(stored[:100], other[:100]), (stored[100:], other[100:])])
    slots = keys.slots(pool)
    assert [slot != -1 for slot in slots.tolist()] == [key in set(stored) for key in pool]
    found = slots[slots != -1]
    assert sorted(keys.keys(found)) == sorted(stored)
    assert sorted(keys.keys(found[keys.flags[found] == 1])) == sorted(
        key for key, flag in zip(stored, other.tolist(), strict=True) if flag
    )


def test_a_merge_needs_room_for_one_merged_column_beside_the_runs() -> None:
    """Merging two runs of digests made a merged copy of every column before it let go of
    any: the import of 45M events held its digests twice over at its largest merges. Now
    each column's inputs go as soon as it is merged: beside the runs, the merge needs one
    merged column, its mask and the second run's places."""
    n = 1_000_000
    rng = np.random.default_rng(3)
    tracemalloc.start()
    try:
        first: list[np.ndarray | None] = [
            np.sort(rng.integers(0, 1 << 62, n, dtype=np.uint64)),
            rng.integers(0, 1 << 63, n, dtype=np.uint64),
            np.arange(n, dtype=np.int64),
        ]
        second: list[np.ndarray | None] = [
            np.sort(rng.integers(0, 1 << 62, n, dtype=np.uint64)),
            rng.integers(0, 1 << 63, n, dtype=np.uint64),
            np.arange(n, 2 * n, dtype=np.int64),
        ]
        # An entry's number is its place among both runs' keys, which it must keep.
        keys = np.concatenate([first[0], second[0]])
        tracemalloc.reset_peak()
        runs = tracemalloc.get_traced_memory()[0]
        low, _high, number = merge_sorted(first, second)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert low is not None and number is not None
    assert (np.diff(low) >= 0).all()
    assert first == [None] * 3 and second == [None] * 3  # the runs are given up
    assert (keys[number] == low).all()
    column, mask, places = 2 * n * 8, 2 * n, n * 8
    assert peak - runs <= column + mask + places + (1 << 20), (
        f"a merge of two runs of {n:,} needed {(peak - runs) / 1e6:.0f} MB beside them"
    )
