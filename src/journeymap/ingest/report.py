"""What an import did, row by row accounted for."""

from __future__ import annotations

from dataclasses import dataclass, field

from journeymap.i18n import N_
from journeymap.model import UNMAPPED

__all__ = ["DUPLICATE", "MALFORMED", "SAME_EVENT", "ImportReport"]

DUPLICATE = "exact duplicate"
# A line the reader could not read as a row (see journeymap.ingest._quarantine).
MALFORMED = "malformed row"
# Another row made the same event (every mapped field equal): stored before, or earlier in
# the same input. Rows differ in their text, the events they make do not: a re-export.
SAME_EVENT = N_("same event already imported")


@dataclass
class ImportReport:
    """The counts of one import; ``rows_read`` always equals imported + quarantined + already.

    Rows mapped again (``rows_replaced``, an import with ``replace``) are counted as imported or
    quarantined, where this import put them, and not as already imported.

    With ``events_per_row`` a row can make several events, so rows and events are counted
    apart: ``rows_read`` equals ``rows_with_events`` + ``rows_quarantined`` +
    ``rows_already_imported``, and the events those rows made equal ``rows_imported`` (events
    stored) + ``rows_events_quarantined``.

    Attributes:
        source: The source name stored with every event.
        fingerprint: A hash of the input's rows; the same data gives the same fingerprint.
        rules_fingerprint: A hash of the mapping rules this import used (see
            :func:`journeymap.ingest.importer.rules_fingerprint`).
        rows_read: Rows the reader produced.
        rows_imported: Rows this import put in the events table (mapped again ones included):
            events, which with ``events_per_row`` are more than the rows that made them.
        quarantined: Rows put in the quarantine, by reason (``exact duplicate`` and ``same
            event already imported`` included); with ``events_per_row``, the rows that made
            no event at all (``no entry of events_per_row matched``, ``filtered out``, ...).
        rows_already_imported: Rows already in the workspace from an earlier import (skipped).
        rows_other_rules: Of those, the rows an earlier import mapped with other mapping rules
            (or before journeymap recorded the rules): they keep that earlier mapping. An import
            with ``replace`` maps them again instead.
        rows_mapped_differently: Of the rows an earlier import mapped with other rules (kept
            or replaced), those these rules map to another event (any of its columns) or
            another quarantine reason, or move into or out of the quarantine.
        rows_replaced: Rows an earlier import had mapped with other rules whose events and
            quarantine rows this import replaced (``replace``); a later exact copy of such a
            row in the same input is counted as a duplicate only.
        rows_same_event_stored: Rows quarantined as ``same event already imported`` because
            an event stored before this import, from another row, is equal in every mapped
            field (person, account, time as an instant, touchpoint, phase, persona,
            conversion, value, kept columns): the same events exported again in another form.
        rows_same_event_in_input: Rows quarantined as ``same event already imported`` because
            an earlier row of this input made the same event.
        same_event_example: ``(row, earlier row)``: the first row of this input whose event an
            earlier row of it made; else None.
        duplicate_example: ``(row, first row)``: the first exact duplicate quarantined and the
            row it repeats (None when there is none, or that row is gone).
        unquarantined: Rows an earlier import had quarantined that this import took out of the
            quarantine, by their reason there: ``exact duplicate`` rows that this import (with
            ``duplicates: keep``) stored, ``malformed row`` lines cut off in an earlier file
            of the same name that this one holds whole.
        file_already_imported: The same data was imported before (same fingerprint).
        timestamp_format: The timestamp format given or detected (``ISO 8601`` or strptime).
        timestamp_type: The source's own timestamp or date type (Arrow's name, e.g.
            ``timestamp[us, tz=UTC]``) when the timestamps came typed (Parquet, DataFrames,
            Arrow tables); None for text. Such values are read through their ISO 8601 text.
        timestamps_naive: Some timestamps had a time of day but no UTC offset (a typed
            source's tz-naive values too) and the rules give no ``timezone``: they were read
            as UTC, which shifts local times by their offset.
        timestamp_format_hint: The ``timestamp_format`` the timestamps look like
            (``epoch_s``, ``epoch_ms`` or ``epoch_us``) when no value of the first batch
            could be read and all are digits of that epoch's length; None otherwise.
        timestamp_misread: ``(format, first value as read)`` when the timestamps were read
            with an epoch format whose unit their digits contradict (seconds read as
            milliseconds land in January 1970): the format they look like; else None.
        timestamp_order_tie: The first date that fits both day-first and month-first order,
            when no date of the import settled the order: the order of ``timestamp_format``
            was a tie-break (``/`` dates month-first, ``-`` and ``.`` day-first); else None.
        timestamp_unparseable: The first timestamp quarantined as ``unparseable timestamp``
            (its raw text, columns joined by a space), or None.
        timestamp_suggestion: A ``timestamp_format`` that reads more of the timestamps (the
            unparseable ones included) than the one used, or None.
        value_not_finite: ``(first value, count)`` of the values quarantined as ``unparseable
            value`` for being no finite number (``NaN``, ``inf``, ``1e400``); else None.
        dst_gap: Local times (read in ``timezone``) that do not exist there: they fall in the
            hour the clocks skip. Each is read with the offset in force before the change
            (``02:30`` in Copenhagen on 2025-03-30 as ``01:30`` UTC).
        dst_gap_first: ``(as written, as read in UTC)`` for the first of them.
        dst_overlap: Local times that happen twice in ``timezone`` (the hour repeated when the
            clocks go back), each read as its first occurrence, on the summer offset.
        dst_overlap_first: ``(as written, as read in UTC)`` for the first of them.
        timezone: The rules' ``timezone`` the local times were read in.
        value_ambiguous: ``(first value, count)`` when values of the value column fit both
            decimal marks (``1,234``) and no value settled it: they were read with ``.`` as
            the decimal mark; else None.
        quarantined_conversions: Quarantined rows the conversion rule matches, by reason.
        encoding: The text encoding a CSV/TSV file was read in (set by the import use case).
        encoding_detected: Whether ``encoding`` was detected rather than given.
        bad_bytes: Byte sequences of a file read as UTF-8 that are not UTF-8, each read as
            U+FFFD (the replacement character).
        first_bad_byte: ``(byte as hex, line)`` of the first of them.
        repaired_values: Spreadsheet-mangled values restored in kept columns.
        suspect_values: Per kept column, values that look like ranges a spreadsheet turned
            into dates (``May-20``); list the column in ``repair_spreadsheet_ranges`` to fix.
        touchpoints: Events imported per touchpoint.
        conversions: Of the events imported, the conversions.
        conversions_in_input: Rows of the whole input these rules make conversion events,
            whether imported now, imported before or quarantined as duplicates: 0 says the
            conversion rule meets no row that becomes an event (``conversions`` can be 0 when
            the rows this import added merely do not convert).
        conversion_rule: Whether the rules have a conversion rule at all (a file of leads may
            bring none, its conversions coming from another file).
        rows_are_journeys: Whether each row is its own person (``person_from_row``): equal
            rows are then likely distinct sessions, not copies.
        events_per_row: The rules make several events of a row (``events_per_row``).
        rows_with_events: With ``events_per_row``: rows whose entries made events (stored,
            or quarantined in ``events_quarantined``).
        events_quarantined: With ``events_per_row``: events of those rows put in the
            quarantine, by reason (``unparseable timestamp`` of an entry's own timestamp
            column, ``unparseable value``, ``no rule matched``, ``same event already
            imported``); each quarantine row keeps the original row, its ``event_key`` ends
            in ``/`` and the entry's number.
        off_map: Of those, the touchpoints the journey map does not have (set by an import
            checked against a map; ``unmapped`` is not counted, it is reported on its own).
    """

    source: str
    fingerprint: str = ""
    rules_fingerprint: str = ""
    rows_read: int = 0
    rows_imported: int = 0
    quarantined: dict[str, int] = field(default_factory=dict)
    rows_already_imported: int = 0
    rows_other_rules: int = 0
    rows_replaced: int = 0
    rows_mapped_differently: int = 0
    rows_same_event_stored: int = 0
    rows_same_event_in_input: int = 0
    same_event_example: tuple[int, int] | None = None
    duplicate_example: tuple[int, int] | None = None
    unquarantined: dict[str, int] = field(default_factory=dict)
    file_already_imported: bool = False
    timestamp_format: str | None = None
    timestamp_type: str | None = None
    timestamps_naive: bool = False
    timestamp_format_hint: str | None = None
    timestamp_misread: tuple[str, str] | None = None
    timestamp_order_tie: str | None = None
    timestamp_unparseable: str | None = None
    timestamp_suggestion: str | None = None
    value_not_finite: tuple[str, int] | None = None
    dst_gap: int = 0
    dst_gap_first: tuple[str, str] | None = None
    dst_overlap: int = 0
    dst_overlap_first: tuple[str, str] | None = None
    timezone: str | None = None
    value_ambiguous: tuple[str, int] | None = None
    quarantined_conversions: dict[str, int] = field(default_factory=dict)
    encoding: str | None = None
    encoding_detected: bool = False
    bad_bytes: int = 0
    first_bad_byte: tuple[str, int] | None = None
    repaired_values: int = 0
    suspect_values: dict[str, int] = field(default_factory=dict)
    touchpoints: dict[str, int] = field(default_factory=dict)
    off_map: dict[str, int] = field(default_factory=dict)
    conversions: int = 0
    conversions_in_input: int = 0
    conversion_rule: bool = True
    rows_are_journeys: bool = False
    events_per_row: bool = False
    rows_with_events: int = 0
    events_quarantined: dict[str, int] = field(default_factory=dict)

    @property
    def rows_quarantined(self) -> int:
        """All quarantined rows, whatever the reason."""
        return sum(self.quarantined.values())

    @property
    def unmapped(self) -> int:
        """Events kept with the touchpoint ``unmapped`` (rows no rule matched, kept)."""
        return self.touchpoints.get(UNMAPPED, 0)

    @property
    def rows_duplicate(self) -> int:
        """Exact duplicates of an earlier row of the same input (quarantined)."""
        return self.quarantined.get(DUPLICATE, 0)

    @property
    def rows_same_event(self) -> int:
        """Rows quarantined because their event was imported already (stored or earlier)."""
        return self.quarantined.get(SAME_EVENT, 0)

    @property
    def rows_events_quarantined(self) -> int:
        """Events of ``events_per_row`` quarantined, whatever the reason."""
        return sum(self.events_quarantined.values())

    def count_rows(self) -> list[tuple[str, int]]:
        """(label, count) lines for printing: read, imported, each quarantine reason, ..."""
        if self.events_per_row:
            return self._count_rows_and_events() + self._count_others()
        lines = [("read", self.rows_read), ("imported", self.rows_imported)]
        if self.unmapped:
            lines.append(("  of which unmapped", self.unmapped))
        lines.append(("  of which conversions", self.conversions))
        lines.append(("quarantined", self.rows_quarantined))
        lines += [(f"  {reason}", count) for reason, count in sorted(self.quarantined.items())]
        return lines + self._count_others()

    def _count_rows_and_events(self) -> list[tuple[str, int]]:
        """Rows and the events they made, each under its own label (``events_per_row``)."""
        lines = [("read", self.rows_read), ("rows with events", self.rows_with_events)]
        lines.append(("events imported", self.rows_imported))
        if self.unmapped:
            lines.append(("  of which unmapped", self.unmapped))
        lines.append(("  of which conversions", self.conversions))
        lines.append(("events quarantined", self.rows_events_quarantined))
        lines += [
            (f"  {reason}", count) for reason, count in sorted(self.events_quarantined.items())
        ]
        lines.append(("rows quarantined", self.rows_quarantined))
        lines += [(f"  {reason}", count) for reason, count in sorted(self.quarantined.items())]
        return lines

    def _count_others(self) -> list[tuple[str, int]]:
        lines: list[tuple[str, int]] = []
        lines.append(("already imported", self.rows_already_imported))
        if self.rows_other_rules:
            lines.append(("  of which mapped with other rules", self.rows_other_rules))
        if self.rows_replaced:
            lines.append(("mapped again (replaced)", self.rows_replaced))
        if self.repaired_values:
            lines.append(("spreadsheet values repaired", self.repaired_values))
        lines += [
            (f"looks spreadsheet-mangled: {column}", count)
            for column, count in sorted(self.suspect_values.items())
        ]
        return lines

    def __str__(self) -> str:
        note = " (this data was imported before)" if self.file_already_imported else ""
        body = ", ".join(f"{label.strip()}: {count:,}" for label, count in self.count_rows())
        return f"{self.source}{note}: {body}"
