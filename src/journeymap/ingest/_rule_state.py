"""What the rules learn from a file's first batches, keep for the rest, and report at the end."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from journeymap.ingest._reasons import BAD_TIMESTAMP, BAD_VALUE
from journeymap.ingest.numbers import NumberConvention
from journeymap.ingest.report import ImportReport
from journeymap.ingest.timestamps import DateOrder, TimestampNotes, suggest_format

# Bad timestamps kept to suggest a format that reads them.
_BAD_SAMPLE = 200


@dataclass
class RuleState:
    """What the rules learn from the first batch and keep for the rest of the file.

    Attributes beyond the timestamp format: ``date_order`` (a detected day-first or
    month-first order and whether a value has settled it), ``numbers`` (the value column's
    decimal mark), the first unparseable timestamp and a sample of such values,
    ``quarantined_conversions`` (rows quarantined though the conversion rule matches them,
    by reason, as the rules decided them: before duplicates and rows already imported),
    ``not_finite`` (values that read as NaN, an infinity or beyond a double's range, each
    quarantined as ``unparseable value``) and the first of them, ``conversion_rows`` (rows
    the rules make conversion events, whatever the importer then does with them).
    """

    timestamp_format: str | None = None
    timestamp_type: str | None = None
    format_known: bool = False
    formats: list[str] = field(default_factory=list)
    repaired: int = 0
    suspect: dict[str, int] = field(default_factory=dict)
    timestamp_notes: TimestampNotes = field(default_factory=TimestampNotes)
    date_order: DateOrder = field(default_factory=DateOrder)
    numbers: NumberConvention = field(default_factory=NumberConvention)
    timestamp_sample: list[str] = field(default_factory=list)
    bad_timestamps: list[str] = field(default_factory=list)
    first_bad_timestamp: str | None = None
    quarantined_conversions: dict[str, int] = field(default_factory=dict)
    not_finite: int = 0
    first_not_finite: str | None = None
    conversion_rows: int = 0

    def fill_report(self, report: ImportReport) -> None:
        """Put what the rules saw, beyond what the importer copies, into ``report``."""
        order = self.date_order
        if order.open and order.ambiguous and order.first_ambiguous is not None:
            report.timestamp_order_tie = order.first_ambiguous
        numbers = self.numbers
        if numbers.decimal is None and numbers.ambiguous:
            report.value_ambiguous = (numbers.first_ambiguous or "", numbers.ambiguous)
        # With events_per_row an entry's event is quarantined, not its row: both count.
        refused = dict(report.quarantined)
        for reason, count in report.events_quarantined.items():
            refused[reason] = refused.get(reason, 0) + count
        bad = refused.get(BAD_TIMESTAMP, 0)
        if bad and self.first_bad_timestamp is not None:
            report.timestamp_unparseable = self.first_bad_timestamp
            report.timestamp_suggestion = suggest_format(
                self.timestamp_sample + self.bad_timestamps, self.formats
            )
        bad_values = min(self.not_finite, refused.get(BAD_VALUE, 0))
        if bad_values and self.first_not_finite is not None:
            report.value_not_finite = (self.first_not_finite, bad_values)
        report.conversions_in_input = self.conversion_rows
        # The importer may have counted some of these rows as duplicates or as imported before.
        report.quarantined_conversions = {
            reason: min(count, refused.get(reason, 0))
            for reason, count in sorted(self.quarantined_conversions.items())
            if refused.get(reason, 0)
        }


def _note_quarantined(
    reasons: list[str | None],
    conversion: pa.Array,
    timestamp_text: pa.Array | None,
    state: RuleState,
) -> None:
    """Count conversions, those quarantined apart; keep the first unparseable timestamps."""
    converting = int(pc.sum(conversion).as_py() or 0)
    quarantined = [index for index, reason in enumerate(reasons) if reason is not None]
    if not quarantined:
        state.conversion_rows += converting
        return
    converts = conversion.to_pylist() if converting else [False] * len(reasons)
    for index in quarantined:
        if converts[index]:
            converting -= 1
            reason = str(reasons[index])
            state.quarantined_conversions[reason] = state.quarantined_conversions.get(reason, 0) + 1
    state.conversion_rows += converting
    if timestamp_text is None or len(state.bad_timestamps) >= _BAD_SAMPLE:
        return
    bad = pa.array([i for i in quarantined if reasons[i] == BAD_TIMESTAMP], pa.int64())
    if not len(bad):
        return
    texts = [str(text) for text in pc.unique(timestamp_text.take(bad)).to_pylist()]
    if state.first_bad_timestamp is None:
        state.first_bad_timestamp = texts[0]
    for text in texts:
        if len(state.bad_timestamps) >= _BAD_SAMPLE:
            break
        if text not in state.bad_timestamps:
            state.bad_timestamps.append(text)
