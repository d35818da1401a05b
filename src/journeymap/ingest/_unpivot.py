"""The import of rules with ``events_per_row``: each row read makes its entries' events.

:class:`EventsPerRow` takes the place of ``_convert.OneEventPerRow`` (the same loop,
``_convert.BatchLoop``) and keeps its promises: every row read is accounted for, once, and
importing again stores nothing twice.

- A row is known by its row key, as in any import (``_keys.row_keys``; ``<key>#n`` for the
  n-th copy with ``duplicates: keep``). Each event a row makes is stored under
  ``<row key>/<entry number>``, two digits (``.../01``, ``.../02``): the engine breaks ties in
  time by ``row_number`` and then by ``event_key``, so a row's events at one time keep the
  order of the entries. A row that makes no event is quarantined under its row key.
- A row is already imported when any key of it is in the workspace (its row key, or one of
  its events' keys): the import that stored it made all its events. With ``replace`` every
  stored key of such a row is replaced.
- A row refused whole (``filtered out``, ``missing person id``, ``exact duplicate``, no entry
  holds) is counted in ``ImportReport.quarantined``; an event refused alone (its own
  timestamp unparseable, ...) in ``events_quarantined``, with the original row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from journeymap.ingest._batch_steps import (
    Candidates,
    Quarantine,
    event_key,
    new_outcomes,
)
from journeymap.ingest._convert import BatchLoop
from journeymap.ingest._rule_entries import map_row_events
from journeymap.ingest._same_events import FIELDS, DigestLoader, SameEvents, digest_sql
from journeymap.ingest._transaction import _Writer
from journeymap.ingest.report import DUPLICATE
from journeymap.ingest.workspace import quiet_driver_warnings

__all__ = ["EventsPerRow", "event_key", "row_owned_digests"]


def row_owned_digests(writer: _Writer) -> DigestLoader:
    """The stored events' digests, each owned by its row (``writer.event_digests`` by event).

    With ``replace`` an event is no copy of one its own row made before: a row mapped again
    meets the events it is about to replace. Its events now have other keys (``<key>/01``
    where an import without ``events_per_row`` stored ``<key>``; entries added or moved), so
    they are owned by the row key: by the event key, the row's first contact, stored before,
    read as another row's, was quarantined and then deleted with the row's old events.
    """

    def load(same_events: SameEvents) -> dict[str, np.ndarray] | None:
        if not same_events.owners:
            return writer.event_digests(same_events)
        if writer.con is not None:
            stored = writer.con.execute("SELECT count(*) FROM events").fetchall()
            if not stored or not stored[0][0]:
                return None
            by_row = "(SELECT * REPLACE (split_part(event_key, '/', 1) AS event_key) FROM events)"
            found = writer.con.execute(digest_sql(by_row)).fetchnumpy()
            return {name: np.asarray(found[name], dtype=np.uint64) for name in found}
        events = writer.workspace.events()
        with quiet_driver_warnings():
            if not int(events.count().execute()):
                return None
            table = events.select(*FIELDS, "event_key").to_pyarrow()
        split = pc.split_pattern(table.column("event_key"), "/", max_splits=1)
        index = table.schema.get_field_index("event_key")
        return same_events.digests(table.set_column(index, "event_key", pc.list_element(split, 0)))

    return load


class EventsPerRow(BatchLoop):
    """Each row read makes its entries' events, or one quarantine row; an event may be too.

    ``seen`` holds the row each row key was first read at (for ``duplicate_example``).
    ``keys_in_workspace`` knows rows by their row keys (``by_row``).
    """

    first_rows = True

    def run(self, batches: Iterable[pa.RecordBatch]) -> None:
        """Import the batches."""
        self.report.events_per_row = True
        super().run(batches)

    def map(self, batch: pa.RecordBatch, first_row: int) -> Candidates:
        mapped = map_row_events(
            batch, self.rules, source=self.report.source, first_row=first_row, state=self.state
        )
        return Candidates(
            mapped.columns, mapped.reasons, mapped.rows, mapped.entries, mapped.row_reasons
        )

    def choose(self, keys: list[str], mapped: Candidates, quarantine: Quarantine) -> list[int]:
        open_rows = self._open_rows(keys, mapped, quarantine)
        for index in open_rows:
            if self.numbered and "#" in keys[index]:
                self.settled.stored(keys[index], quarantine.first_row + index)
        self.report.rows_with_events += len(open_rows)
        return _chosen_events(mapped, set(open_rows), keys, quarantine)

    def _open_rows(self, keys: list[str], mapped: Candidates, quarantine: Quarantine) -> list[int]:
        """The rows whose events this import makes; the others are skipped or quarantined."""
        report, first_row = self.report, quarantine.first_row
        assert mapped.row_reasons is not None
        skipped = self.keys_in_workspace.already_imported(keys, report)
        duplicate, first_read = self.read_before(keys, first_row, skipped)
        skipped_rows = skipped.tolist()
        open_rows: list[int] = []
        for index, key in enumerate(keys):
            if skipped_rows[index]:
                continue
            if duplicate[index]:
                if report.duplicate_example is None:
                    report.duplicate_example = (first_row + index, first_read[index])
                quarantine.add(index, DUPLICATE, key)
                continue
            reason = mapped.row_reasons[index]
            if reason is not None:
                quarantine.add(index, reason, key)
                continue
            open_rows.append(index)
        return open_rows

    def stage(self, mapped: Candidates, keys: list[str], rows: list[int]) -> None:
        """Count the rows mapped with other rules that these rules map differently.

        A row whose keys differ from the stored ones (an entry more or less holds, or the row
        was imported without ``events_per_row``) is mapped differently; the others are staged,
        event by event, for the writer to compare with the stored events and quarantine rows.
        """
        assert mapped.rows is not None and mapped.entries is not None
        wanted = set(rows)
        made: dict[int, set[str]] = defaultdict(set)
        for row, entry in zip(mapped.rows, mapped.entries, strict=True):
            if row in wanted:
                made[row].add(event_key(keys[row], entry))
        same = set()
        for row in rows:
            stored = set(self.keys_in_workspace.stored_keys.get(keys[row], ()))
            if any("/" in key for key in stored):
                # Beside its events, the row key is an exact duplicate's (quarantined under the
                # key of the row it repeats), which no comparison reads.
                stored.discard(keys[row])
            if (made.get(row) or {keys[row]}) == stored:
                same.add(row)
            else:
                self.writer.changed += 1
        if same:  # with the events made again as this import quarantines them
            outcomes = new_outcomes(mapped, keys, same)
            self.writer.stage_outcomes(outcomes, self.report.rules_fingerprint)


def _chosen_events(
    mapped: Candidates, open_rows: set[int], keys: list[str], quarantine: Quarantine
) -> list[int]:
    """The candidate events of the open rows that become events; the others are quarantined."""
    assert mapped.rows is not None and mapped.entries is not None
    chosen: list[int] = []
    for position, (row, entry) in enumerate(zip(mapped.rows, mapped.entries, strict=True)):
        if row not in open_rows:
            continue
        reason = mapped.reasons[position]
        if reason is None:
            chosen.append(position)
        else:
            quarantine.add(row, reason, event_key(keys[row], entry), event=True)
    return chosen
