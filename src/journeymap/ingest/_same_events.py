"""Events made again from other rows: equal in every mapped field to one imported already.

The event key (:mod:`journeymap.ingest._keys`) knows a row again by its text, which is right
for ``replace`` (a row mapped again after the rules changed is the same row). A nightly export
changes that text while the events stay the same: a column added, ``Z`` written for ``+00``,
CSV for Parquet, a file cut off while written and exported whole the next night. Each such
row got a key of its own, and every event was imported again: 3 imports of the same 907,631
events stored 2,722,893, and tripled the conversions.

So each event an import would store is known by a digest of its mapped fields (:data:`FIELDS`:
person, account, time as an instant, touchpoint, phase, persona, conversion, value and the
kept columns), and one equal to an event stored before (from another row), or to an event of
an earlier row of the same input, is quarantined as ``same event already imported``, unless
the rules say ``duplicates: keep``. Not the source or the row: the same event from another
file is still the same event.

The digests are two 64-bit DuckDB ``hash`` values over the fields in opposite orders (with a
salt): 0.3 s for 4.5M events, where an MD5 took 20 s. They are computed by DuckDB on every
engine (a PostgreSQL or SQLite workspace's events are read once, when the first row that may
become an event comes), so stored and new events are hashed alike. They live in memory only,
in sorted numpy runs (about 32 bytes an event), merged as they grow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from journeymap.ingest._key_digests import EMPTY, Columns, add_run, merge_sorted
from journeymap.ingest.timestamps import TS_TYPE

__all__ = ["FIELDS", "SameEvents", "digest_sql", "identity_table"]

# The mapped fields that make an event: equal in all of them, two events are one.
FIELDS = (
    "person_id",
    "account_id",
    "ts",
    "touchpoint",
    "phase",
    "persona",
    "conversion",
    "value",
    "extra",
)
_TYPES = {
    "person_id": pa.string(),
    "account_id": pa.string(),
    "ts": TS_TYPE,
    "touchpoint": pa.string(),
    "phase": pa.string(),
    "persona": pa.string(),
    "conversion": pa.bool_(),
    "value": pa.float64(),
    "extra": pa.string(),
    "event_key": pa.string(),
}
# ``value + 0.0`` makes -0.0 the 0.0 it equals.
_IN_ORDER = ", ".join("value + 0.0" if name == "value" else name for name in FIELDS)
_REVERSED = ", ".join(
    ["'journeymap'", *("value + 0.0" if name == "value" else name for name in reversed(FIELDS))]
)


def digest_sql(table: str, owners: bool = True) -> str:
    """The query giving each event of ``table`` its digest (``low``, ``high``) and ``owner``.

    ``owner`` hashes the event key: an event is no copy of the event its own row made before
    (a row mapped again with ``replace``). Without ``owners`` it is left out: only rows mapped
    again can meet their own event, and hashing the keys took a quarter of the time.
    """
    owner = ", hash(event_key) AS owner" if owners else ""
    return f"SELECT hash({_IN_ORDER}) AS low, hash({_REVERSED}) AS high{owner} FROM {table}"


def identity_table(table: pa.Table) -> pa.Table:
    """The fields of :data:`FIELDS` (and ``event_key``, if any) of ``table``, as hashed."""
    return pa.table(
        {
            name: table.column(name).cast(kind, safe=False)
            for name, kind in _TYPES.items()
            if name in table.column_names
        }
    )


@dataclass
class _Run:
    """Digests sorted by ``low``, with their rows (0: stored before the import) and owners.

    Without owners (None) no event is its own row's: the import maps no row again.
    """

    low: np.ndarray
    high: np.ndarray
    owner: np.ndarray | None
    row: np.ndarray

    def __len__(self) -> int:
        return len(self.low)

    @classmethod
    def sorted(
        cls, low: np.ndarray, high: np.ndarray, owner: np.ndarray | None, row: np.ndarray
    ) -> _Run:
        order = np.argsort(low, kind="stable")
        return cls(low[order], high[order], None if owner is None else owner[order], row[order])

    def merged(self, other: _Run) -> _Run:
        """Both runs in one, sorted: ``other``'s digests go after equal ones of this run."""
        low, high, owner, row = merge_sorted(self.take(), other.take())
        assert low is not None and high is not None and row is not None
        return _Run(low, high, owner, row)

    def take(self) -> Columns:
        """``[low, high, owner, row]``, leaving the run empty (see :func:`merge_sorted`)."""
        columns: Columns = [self.low, self.high, self.owner, self.row]
        self.low = self.high = self.row = EMPTY
        self.owner = None
        return columns

    def _other_owner(self, at: np.ndarray | int, owner: np.ndarray | None, index: Any) -> Any:
        if self.owner is None or owner is None:
            return True
        return self.owner[at] != owner[index]

    def find(
        self, low: np.ndarray, high: np.ndarray, owner: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Which digests this run holds from another owner, and the row each was found at."""
        found = np.zeros(len(low), dtype=bool)
        rows = np.zeros(len(low), dtype=np.int64)
        if not len(self) or not len(low):
            return found, rows
        left = np.searchsorted(self.low, low, "left")
        inside = np.minimum(left, len(self) - 1)
        equal = self.low[inside] == low
        at = inside[equal]
        hit = (self.high[at] == high[equal]) & self._other_owner(at, owner, equal)
        found[np.flatnonzero(equal)[hit]] = True
        rows[np.flatnonzero(equal)[hit]] = self.row[at[hit]]
        # Another digest with the same low half next to it (rare): look along them all.
        following = np.minimum(at + 1, len(self) - 1)
        for index in np.flatnonzero(equal)[~hit & (self.low[following] == low[equal])]:
            position = int(left[index])
            while position < len(self) and self.low[position] == low[index]:
                if self.high[position] == high[index] and self._other_owner(position, owner, index):
                    found[index] = True
                    rows[index] = self.row[position]
                    break
                position += 1
        return found, rows


DigestLoader = Callable[["SameEvents"], "dict[str, np.ndarray] | None"]
"""Returns the digests (``low``, ``high``, ``owner``) of the events stored before the import.

It is given the :class:`SameEvents` asking, to hash with its :meth:`SameEvents.digests`.
"""


class SameEvents:
    """The events an import has met so far, to know one made again from another row.

    Args:
        stored: Reads the digests of the events stored before the import (None: there are
            none); called once, when the first candidate events come.
        owners: Whether rows are mapped again (``replace``): an event is then no copy of the
            event its own row made before.
    """

    def __init__(self, stored: DigestLoader, owners: bool = False) -> None:
        self._stored = stored
        self.owners = owners
        self._loaded = False
        self._runs: list[_Run] = []
        self._connection: duckdb.DuckDBPyConnection | None = None

    def digests(self, table: pa.Table) -> dict[str, np.ndarray]:
        """``low``, ``high`` and ``owner`` of each event of ``table`` (see :func:`digest_sql`)."""
        if self._connection is None:
            # One thread: the digests come back in the table's row order.
            self._connection = duckdb.connect(config={"threads": 1})
        connection = self._connection
        connection.register("_journeymap_events", identity_table(table))
        try:
            found = connection.execute(digest_sql("_journeymap_events", self.owners)).fetchnumpy()
        finally:
            connection.unregister("_journeymap_events")
        return {name: np.asarray(column, dtype=np.uint64) for name, column in found.items()}

    def check(self, events: pa.Table, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Which of ``events`` (a batch's candidates, in row order) were made already.

        The others are remembered: a later equal event is then made again.

        Args:
            events: The candidate events' :data:`FIELDS` and ``event_key``.
            rows: Their row numbers in the input.

        Returns:
            Per event whether it was made already, and where: the input's row that made it,
            or 0 for an event stored before the import.
        """
        if not self._loaded:
            self._loaded = True
            stored = self._stored(self)
            if stored is not None and len(stored["low"]):
                zeros = np.zeros(len(stored["low"]), dtype=np.int64)
                owners = stored.get("owner") if self.owners else None
                self._add(_Run.sorted(stored["low"], stored["high"], owners, zeros))
        digests = self.digests(events)
        # In the order of their digests: the lookups then walk each run forward, and the
        # batch's new events are a sorted run already. Equal digests keep their row order.
        order = np.argsort(digests["low"], kind="stable")
        low, high = digests["low"][order], digests["high"][order]
        owner = digests["owner"][order] if "owner" in digests else None
        at = np.asarray(rows, dtype=np.int64)[order]
        made = np.zeros(len(low), dtype=bool)
        where = np.zeros(len(low), dtype=np.int64)
        for run in self._runs:
            found, found_rows = run.find(low, high, owner)
            new = found & ~made
            made |= found
            where[new] = found_rows[new]
        # Equal events within the batch, side by side now: the first (lowest row) stays.
        if len(low) > 1:
            same = np.zeros(len(low), dtype=bool)
            same[1:] = (low[1:] == low[:-1]) & (high[1:] == high[:-1])
            first = np.maximum.accumulate(np.where(same, 0, np.arange(len(low))))
            later = same & ~made
            made[later] = True
            where[later] = at[first[later]]
        kept = ~made
        self._add(_Run(low[kept], high[kept], None if owner is None else owner[kept], at[kept]))
        made_in_rows = np.empty_like(made)
        made_in_rows[order] = made
        where_in_rows = np.empty_like(where)
        where_in_rows[order] = where
        return made_in_rows, where_in_rows

    def _add(self, run: _Run) -> None:
        add_run(self._runs, run)

    def close(self) -> None:
        """Free the digests and the hashing connection."""
        self._runs.clear()
        if self._connection is not None:
            self._connection.close()
            self._connection = None
