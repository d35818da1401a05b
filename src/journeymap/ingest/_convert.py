"""Batch conversion: read the batches, map each, send every row to the events or the quarantine.

:class:`BatchLoop` is the loop, for both shapes of rows; :class:`OneEventPerRow` the shape
of one event per row (``_unpivot.EventsPerRow``: several, with ``events_per_row``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from journeymap.ingest._batch_steps import (
    Candidates,
    ProgressCallback,
    Quarantine,
    new_outcomes,
    number_copies,
    other_events,
    store_events,
)
from journeymap.ingest._key_digests import KeyRuns
from journeymap.ingest._keys import _Keys, row_keys
from journeymap.ingest._quarantine import _malformed_rows
from journeymap.ingest._requarantine import Settled, choose_copies
from journeymap.ingest._rule_state import RuleState
from journeymap.ingest._same_events import SameEvents
from journeymap.ingest._sparse_fields import _Columns
from journeymap.ingest._transaction import _Writer
from journeymap.ingest.readers import LINE_FORMATS, detect_format, read_events
from journeymap.ingest.readers.csv_reader import TextEncoding
from journeymap.ingest.report import DUPLICATE, MALFORMED, ImportReport
from journeymap.ingest.rules import apply_rules
from journeymap.ingest.workspace import QUARANTINE_SCHEMA
from journeymap.model.mapping import MappingRules

__all__ = ["BatchLoop", "OneEventPerRow", "settle"]


class BatchLoop:
    """The import's loop over the batches; a shape of rows (a subclass) fills in three steps.

    Each batch: its rows keyed (``_keys.row_keys``; ``<key>#n`` for the n-th copy with
    ``duplicates: keep``), mapped (:meth:`map`), sorted into the events to store and the
    rows and events to quarantine (:meth:`choose`), the events made already left out, the
    rows an earlier import mapped with other rules staged (:meth:`stage`), the events and
    quarantine rows written, the progress reported.

    The keys read are kept as digests (``_key_digests.KeyRuns``: 16 bytes a key, where a dict
    of strings took 115): ``seen``, the keys of the rows read, with ``first_rows`` the row each
    was first read at; ``copies``, with ``numbered``, how often each row was read. A numbered
    import notes no row key in ``seen``: each of its rows has a key of its own (the n-th copy
    of a row ``<key>#n``), none a duplicate.

    ``same_events`` quarantines events made again from other rows (``same event already
    imported``); ``settled`` gathers what this import settles in the quarantine; ``sparse``
    is the file and format of a JSON Lines or XES source.
    """

    def __init__(
        self,
        writer: _Writer,
        rules: MappingRules,
        report: ImportReport,
        state: RuleState,
        keys_in_workspace: _Keys,
        fingerprint: Any,
        progress: ProgressCallback | None,
        malformed: list[str] | None = None,
        sparse: tuple[Path, str, str | None] | None = None,
        same_events: SameEvents | None = None,
        settled: Settled | None = None,
    ) -> None:
        self.writer, self.rules, self.report, self.state = writer, rules, report, state
        self.keys_in_workspace, self.fingerprint = keys_in_workspace, fingerprint
        self.progress, self.malformed, self.same_events = progress, malformed, same_events
        self.settled = settled if settled is not None else Settled()
        self.columns = _Columns(rules, sparse)
        self.numbered = rules.duplicates == "keep"
        self.seen = KeyRuns(numbers=self.first_rows)  # the row keys read so far
        self.copies = KeyRuns(numbers=True)  # with ``numbered``: the copies of each row so far

    first_rows = False  # whether ``seen`` keeps the row each key was first read at

    def map(self, batch: pa.RecordBatch, first_row: int) -> Candidates:
        """The batch's candidate events (``first_row``: the number of its first row)."""
        raise NotImplementedError

    def choose(self, keys: list[str], mapped: Candidates, quarantine: Quarantine) -> list[int]:
        """The candidate events to store, in order; the rows and events refused quarantined.

        Rows already imported are skipped (``keys_in_workspace.already_imported``), rows
        read before are quarantined as ``exact duplicate`` (:meth:`read_before`).
        """
        raise NotImplementedError

    def read_before(
        self, keys: list[str], first_row: int, skipped: np.ndarray
    ) -> tuple[list[bool], list[int]]:
        """Note the rows not ``skipped`` in ``seen``; whether each was read before, and where.

        Returns:
            Per row whether an earlier row had its key (the row is an exact duplicate), and
            the row that key was first read at (with ``first_rows``).
        """
        noted = np.zeros(len(keys), dtype=bool) if self.numbered else ~skipped
        rows = np.arange(first_row, first_row + len(keys), dtype=np.int64)
        earlier, first = self.seen.first(keys, rows, noted)
        return earlier.tolist(), first.tolist()

    def stage(self, mapped: Candidates, keys: list[str], rows: list[int]) -> None:
        """Stage for the writer's comparison what these rules make of ``rows``.

        Rows (first read in this import) an earlier import mapped with other rules.
        """
        raise NotImplementedError

    def run(self, batches: Iterable[pa.RecordBatch]) -> None:
        """Import ``batches``: each row read ends up an event or in the quarantine, once."""
        report = self.report
        for batch in batches:
            first_row = report.rows_read + 1
            self.settled.see(batch, first_row)
            keys = self.keys_in_workspace.resolve(batch, row_keys(batch))
            if self.numbered:
                keys = number_copies(keys, self.copies)
            # The keys in one piece: the same digest as one update per key, a third faster.
            self.fingerprint.update("".join(keys).encode())
            mapped = self.map(self.columns.padded(batch), first_row)
            remapped = self._remapped(keys)
            quarantine = Quarantine(batch, keys, first_row, report)
            chosen = self.choose(keys, mapped, quarantine)
            if self.same_events is not None and chosen:
                chosen = other_events(self.same_events, mapped, keys, chosen, quarantine)
            if remapped:  # with the events made again as this import quarantines them
                self.stage(mapped, keys, remapped)
            report.rows_read += batch.num_rows
            store_events(self.writer, mapped, keys, chosen, first_row, report)
            self._write_quarantine(quarantine.rows)
        if self.malformed:  # lines after the last row (a reader yields no batch for them alone)
            self._write_quarantine({column: [] for column in QUARANTINE_SCHEMA})
        self.columns.check()

    def _remapped(self, keys: list[str]) -> list[int]:
        """The rows (first copies new to this import) an earlier import mapped with other rules."""
        other_rules = self.keys_in_workspace.other_rules(keys)
        if not other_rules.any():
            return []
        first: dict[str, int] = {}
        for index in np.flatnonzero(other_rules & ~self.seen.holds(keys)).tolist():
            first.setdefault(keys[index], index)
        return sorted(first.values())

    def _write_quarantine(self, rows: dict[str, list[Any]]) -> None:
        """Insert a batch's quarantine ``rows``, with the malformed lines read so far."""
        if self.malformed:
            _malformed_rows(
                self.malformed,
                self.report,
                rows,
                self.keys_in_workspace,
                self.seen,
                self.fingerprint,
            )
        self.writer.insert("quarantine", pa.table({c: rows[c] for c in QUARANTINE_SCHEMA}))
        if self.progress is not None:
            self.progress(self.report.rows_read)


class OneEventPerRow(BatchLoop):
    """Each row read makes one event, stored under the row key, or one quarantine row."""

    def map(self, batch: pa.RecordBatch, first_row: int) -> Candidates:
        mapped = apply_rules(
            batch, self.rules, source=self.report.source, first_row=first_row, state=self.state
        )
        return Candidates(mapped.columns, mapped.reasons)

    def choose(self, keys: list[str], mapped: Candidates, quarantine: Quarantine) -> list[int]:
        first_row, settled = quarantine.first_row, self.settled
        skipped = self.keys_in_workspace.already_imported(keys, self.report)
        duplicate, _first = self.read_before(keys, first_row, skipped)
        skipped_rows = skipped.tolist()
        event_rows: list[int] = []
        for index, key in enumerate(keys):
            if skipped_rows[index]:
                continue
            if self.numbered and "#" in key:
                settled.stored(key, first_row + index)
            reason = DUPLICATE if duplicate[index] else mapped.reasons[index]
            if reason is None:
                event_rows.append(index)
                continue
            if reason == DUPLICATE:
                settled.duplicate(key, first_row + index)
            quarantine.add(index, reason)
        return event_rows

    def stage(self, mapped: Candidates, keys: list[str], rows: list[int]) -> None:
        self.writer.stage_outcomes(new_outcomes(mapped, keys, rows), self.report.rules_fingerprint)


def settle(writer: _Writer, settled: Settled, report: ImportReport) -> None:
    """Take out of the quarantine the rows this import settled (see :mod:`._requarantine`).

    Before the rows of ``replace`` are deleted: those deletes take duplicates of their rows
    along, unsaid.
    """
    if settled.copies:
        keys = sorted({key for key, _row in settled.copies})
        chosen = choose_copies(settled.copies, writer.quarantined(DUPLICATE, keys), report.source)
        if removed := writer.delete_quarantined(DUPLICATE, chosen):
            report.unquarantined[DUPLICATE] = removed
    if settled.cut_lines:
        complete = set(settled.cut_lines.complete())
        if complete:
            rows = [
                (key, source, row)
                for key, source, row in writer.quarantined(MALFORMED, sorted(complete))
                if source == report.source
            ]
            if removed := writer.delete_quarantined(MALFORMED, rows):
                report.unquarantined[MALFORMED] = removed
    if settled.first_duplicate is not None:
        row, key = settled.first_duplicate
        first = writer.first_row(key)
        if first is not None:
            report.duplicate_example = (row, first)


def _batches(
    source: Any,
    format: str | None,
    options: dict[str, Any],
    malformed: list[str],
    encodings: list[TextEncoding],
) -> Iterable[pa.RecordBatch]:
    """The reader's batches; lines that are no row go to ``malformed``.

    A CSV line with the wrong number of fields, a JSON Lines line that is no JSON object. A
    CSV file's text encoding (and its stray bytes) goes to ``encodings``.
    """
    if isinstance(source, str | Path):
        found = (format or detect_format(source)).lower()
        if found in LINE_FORMATS:
            options = {"on_malformed": malformed.append, **options}
        if found in {"csv", "tsv"}:
            options = {"on_encoding": encodings.append, **options}
    return read_events(source, format, **options)
