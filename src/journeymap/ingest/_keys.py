"""How an import knows rows and rules again: event keys, the rules fingerprint, stored keys."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from journeymap.ingest._key_digests import COUNTED, DISCARDED, OTHER_RULES, StoredKeys
from journeymap.ingest.readers._common import framed
from journeymap.ingest.report import ImportReport
from journeymap.model.mapping import MappingRules


def row_keys(batch: pa.RecordBatch) -> list[str]:
    """A hash per row over its values with their column names: equal rows get equal keys.

    A row is its non-null values, in column-name order: a column the row has no value in
    does not count, so the key does not depend on the rows read with it. A JSON Lines or XES
    reader's batch has a column for every field seen so far, null where a row lacks it; with
    every column counted, an event after a new field appeared in the file, or in a longer
    export of the same events, got another key. An empty value is a value: it hashes unlike a
    missing one.
    """
    if batch.num_rows == 0:
        return []
    names = batch.schema.names
    pieces = [
        # ``name \x01 value \x1f``, or nothing for a null (pyarrow's own null skipping in
        # a join drops the rows where every value is null).
        pc.fill_null(framed(batch.column(name), f"{name}\x01", "\x1f"), "")
        for name in sorted(names)
    ]
    joined = pc.binary_join_element_wise(*pieces, "") if len(pieces) > 1 else pieces[0]
    return [
        hashlib.blake2b(_KEY_SCHEME_PREFIX + text.encode(), digest_size=16).hexdigest()
        for text in joined.to_pylist()
    ]


# Imports record the scheme their event keys were made with (``imports.key_scheme``): 2 is
# :func:`row_keys`; null (imports made before) is :func:`legacy_row_keys`.
KEY_SCHEME = 2
_KEY_SCHEME_PREFIX = b"2\x1d"


def legacy_row_keys(batch: pa.RecordBatch) -> list[str]:
    """The keys imports made before :data:`KEY_SCHEME` 2: over every column of the batch.

    Kept to recognise rows such an import stored (see ``_Keys.resolve``).
    """
    if batch.num_rows == 0:
        return []
    marked = [
        pc.fill_null(pc.binary_join_element_wise("\x01", column, ""), "\x00")
        for column in batch.columns
    ]
    joined = pc.binary_join_element_wise(*marked, "\x1f") if len(marked) > 1 else marked[0]
    prefix = "\x1e".join(batch.schema.names).encode() + b"\x1d"
    return [
        hashlib.blake2b(prefix + text.encode(), digest_size=16).hexdigest()
        for text in joined.to_pylist()
    ]


def rules_fingerprint(rules: MappingRules) -> str:
    """A hash of the validated rules: equal rules, however written, give the same hash.

    It is taken over the rules' canonical JSON without default values, so a rule spelled out
    with its default and one left out hash alike, and so do key order and YAML formatting.

    Examples:
        >>> columns = {"person_id": "user", "timestamp": "when"}
        >>> rules = MappingRules.model_validate({"columns": columns, "unmatched": "quarantine"})
        >>> same = MappingRules.model_validate({"columns": dict(reversed(columns.items()))})
        >>> rules_fingerprint(rules) == rules_fingerprint(same)
        True
        >>> keep = rules.model_copy(update={"unmatched": "keep"})
        >>> rules_fingerprint(rules) == rules_fingerprint(keep)
        False
    """
    canonical = json.dumps(
        rules.model_dump(mode="json", by_alias=True, exclude_defaults=True),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class _Keys:
    """Which rows are already in the workspace, and which of them to map again.

    The keys stored are kept as digests (``_key_digests.StoredKeys``: 17 bytes a key, where
    Python sets took 118), each batch's keys looked up at once (:meth:`already_imported`).

    Args:
        read: Reads the keys in the events or quarantine table, in batches of ``event_key``
            and ``other`` (whether the row was mapped with other, or unrecorded, rules); called
            again (``by_row``) when such rows are found.
        replace: Map the rows mapped with other rules again instead of skipping them.
        legacy: Whether an earlier import stored keys of :func:`legacy_row_keys`.
        by_row: Know rows by their row keys (``events_per_row``: a row's events are stored
            under ``<row key>/<entry>``); ``stored_keys`` then holds the stored keys of each
            row mapped with other rules.
    """

    def __init__(
        self,
        read: Callable[[], Iterable[pa.RecordBatch]],
        replace: bool,
        legacy: bool = False,
        by_row: bool = False,
    ) -> None:
        self.replace = replace
        self.legacy = legacy
        self.stored = StoredKeys(
            (_row_keys_of(batch) if by_row else _keys_of(batch), _other_of(batch))
            for batch in read()
        )
        self.has_other_rules = bool((self.stored.flags & OTHER_RULES).any())
        self.stored_keys: dict[str, list[str]] = defaultdict(list)
        if by_row and self.has_other_rules:
            for batch in read():
                rows = _row_keys_of(batch)
                slots = self.stored.slots(rows)
                other = np.flatnonzero(_flags(self.stored, slots) & OTHER_RULES).tolist()
                keys = _keys_of(batch)
                for index in other:
                    self.stored_keys[rows[index]].append(keys[index])

    def resolve(self, batch: pa.RecordBatch, keys: list[str]) -> list[str]:
        """``keys``, with the legacy key of each row an earlier import stored under it.

        A workspace filled before :data:`KEY_SCHEME` 2 holds keys over every column of the
        batch a row came in; the same row, read again, is known by that key.
        """
        if not self.legacy:
            return keys
        old_keys = legacy_row_keys(batch)
        new = self.stored.slots(keys) == -1
        old = self.stored.slots(old_keys) != -1
        return [old_keys[i] if new[i] and old[i] else key for i, key in enumerate(keys)]

    def already_imported(self, keys: Sequence[str], report: ImportReport) -> np.ndarray:
        """Which rows (with ``keys``, in order) are skipped; counts them in ``report``.

        A row mapped with other rules is counted in ``rows_other_rules`` once, a later exact
        copy of it as already imported only; with ``replace`` it is mapped again (from now
        on the row is new: a later exact copy in the input is a duplicate, not in
        ``rows_replaced``), so both imports name the same rows.
        """
        skipped: np.ndarray = np.zeros(len(keys), dtype=bool)
        if not len(self.stored) or not len(keys):
            return skipped
        slots = self.stored.slots(keys)
        flags = _flags(self.stored, slots)
        stored = (slots != -1) & (flags & DISCARDED == 0)
        other = stored & (flags & OTHER_RULES != 0)
        first = np.zeros(len(keys), dtype=bool)  # each key's first copy in the batch
        first[np.unique(slots, return_index=True)[1]] = True
        if self.replace:
            replaced = other & first
            self.stored.flags[slots[replaced]] |= DISCARDED
            report.rows_replaced += int(replaced.sum())
            skipped = stored & ~other
        else:
            counted = other & first & (flags & COUNTED == 0)
            self.stored.flags[slots[counted]] |= COUNTED
            report.rows_other_rules += int(counted.sum())
            skipped = stored
        report.rows_already_imported += int(skipped.sum())
        return skipped

    def other_rules(self, keys: Sequence[str]) -> np.ndarray:
        """Whether each row was stored mapped with other rules (replaced or not)."""
        if not self.has_other_rules:
            return np.zeros(len(keys), dtype=bool)
        other: np.ndarray = _flags(self.stored, self.stored.slots(keys)) & OTHER_RULES != 0
        return other

    def replaced(self) -> list[str]:
        """The stored keys of the rows this import mapped again (``replace``)."""
        slots = np.flatnonzero(self.stored.flags & DISCARDED)
        rows = self.stored.keys(slots)
        if not self.stored_keys:
            return rows
        return sorted({key for row in rows for key in self.stored_keys.get(row, [row])})


def _flags(stored: StoredKeys, slots: np.ndarray) -> np.ndarray:
    """The flags in ``slots``; 0 for -1 (not stored)."""
    flags: np.ndarray = np.where(slots == -1, 0, stored.flags[np.maximum(slots, 0)])
    return flags.astype(np.uint8)


def _keys_of(batch: pa.RecordBatch) -> list[str]:
    return [str(key) for key in batch.column(0).to_pylist()]


def _row_keys_of(batch: pa.RecordBatch) -> list[str]:
    """The row key of each stored key of ``batch`` (``<row key>/<entry>``: the part before /)."""
    split = pc.split_pattern(batch.column(0), "/", max_splits=1)
    return [str(key) for key in pc.list_element(split, 0).to_pylist()]


def _other_of(batch: pa.RecordBatch) -> np.ndarray:
    return np.asarray(pc.fill_null(batch.column(1), False).to_numpy(zero_copy_only=False), bool)
