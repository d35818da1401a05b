"""Import events into a workspace: every row becomes an event or a quarantine row, atomically."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from journeymap.errors import EngineError, IngestError, RulesError, from_engine
from journeymap.i18n.messages import _
from journeymap.ingest._batch_steps import ProgressCallback
from journeymap.ingest._convert import OneEventPerRow, _batches, settle
from journeymap.ingest._keys import KEY_SCHEME, _Keys, row_keys, rules_fingerprint

# Named here by docs/contracts.md: the keys of imports made before KEY_SCHEME 2.
from journeymap.ingest._keys import legacy_row_keys as legacy_row_keys
from journeymap.ingest._requarantine import CutLines, Settled
from journeymap.ingest._rule_columns import locate_missing_columns
from journeymap.ingest._rule_state import RuleState
from journeymap.ingest._same_events import SameEvents
from journeymap.ingest._sparse_fields import _sparse
from journeymap.ingest._transaction import _Writer
from journeymap.ingest._unpivot import EventsPerRow, row_owned_digests
from journeymap.ingest.readers.csv_reader import TextEncoding
from journeymap.ingest.report import MALFORMED, ImportReport
from journeymap.ingest.workspace import Workspace
from journeymap.mapfile import rules_from
from journeymap.model.mapping import MappingRules

__all__ = ["ProgressCallback", "import_events", "row_keys", "rules_fingerprint"]


def _default_name(source: Any) -> str:
    if isinstance(source, str | Path):
        return Path(source).name
    return type(source).__name__


def import_events(
    workspace: Workspace,
    source: Any,
    rules: MappingRules | Mapping[str, Any] | str | Path,
    *,
    source_name: str | None = None,
    format: str | None = None,
    progress: ProgressCallback | None = None,
    unmatched: str | None = None,
    replace: bool = False,
    **reader_options: Any,
) -> ImportReport:
    """Read ``source``, map it with ``rules`` and store events and quarantine rows.

    The import is atomic on DuckDB, PostgreSQL and SQLite (one transaction: a failure leaves
    the workspace as it was) and idempotent everywhere: rows already in the workspace (same event
    key) are counted as already imported and not stored again; exact duplicate rows inside the
    input are kept once and the rest quarantined as ``exact duplicate``. A row whose event is
    equal in every mapped field to one stored before from another row (the same events
    exported again: another format, a column added, ``Z`` for ``+00``), or to the event of an
    earlier row of the input, is quarantined as ``same event already imported``. With
    ``duplicates: keep`` in the rules both are imported instead; such an import takes the
    copies it stores out of the quarantine an earlier import put them in, and so are lines an
    earlier import of a file of this name quarantined as cut off (``malformed row``) when this
    input holds the whole row (``ImportReport.unquarantined``).

    Every stored row carries the fingerprint of the rules that mapped it. Rows an earlier
    import mapped with other rules keep that mapping and are counted in ``rows_other_rules``
    (``rows_mapped_differently``: those these rules would turn into another event or
    quarantine reason, staged and compared with the stored rows every million rows);
    with ``replace`` their events and quarantine rows are replaced by this import's mapping
    instead (``rows_replaced``), in the same transaction. Rows mapped with these very rules
    are never touched, so importing again with the same rules adds and replaces nothing.

    Args:
        workspace: Where to store the events.
        source: A file path or an in-memory table (see :func:`read_events`).
        rules: The mapping rules: validated rules, a dict of them (the ``mapping`` section of
            a map) or a rules file's path.
        source_name: Stored in ``source``; the file name by default.
        format: The file format when the name does not tell it.
        progress: Called with the rows read so far after every batch.
        unmatched: ``quarantine`` or ``keep``; overrides ``rules.unmatched`` when given.
        replace: Map rows imported before with other rules again, replacing their events and
            quarantine rows.
        **reader_options: Passed to the reader (``delimiter``, ``encoding`` for CSV).

    Returns:
        The counts; ``rows_read`` equals imported + quarantined + already imported (with the
        rules' ``events_per_row``: rows with events + rows quarantined + already imported).

    Raises:
        ReaderError: The input cannot be read.
        RulesError: The rules do not fit the data.
        EngineError: The workspace rejected the data.
        WorkspaceError: The workspace was closed.
    """
    workspace.check_open()
    rules = read_rules = rules_from(rules)
    if unmatched is not None:
        rules = rules.model_copy(update={"unmatched": unmatched})
    name = source_name or _default_name(source)
    report = ImportReport(
        source=name,
        rules_fingerprint=rules_fingerprint(rules),
        conversion_rule=bool(rules.conversion),
        rows_are_journeys=rules.columns.person_from_row,
    )
    writer = _Writer(workspace)
    same_events = None
    if rules.duplicates != "keep":
        stored = row_owned_digests(writer) if rules.events_per_row else writer.event_digests
        same_events = SameEvents(stored, owners=replace)
    settled = Settled()
    state = RuleState()
    fingerprint = hashlib.sha256()
    malformed: list[str] = []
    encodings: list[TextEncoding] = []
    try:
        writer.begin()
        try:
            # Read inside the transaction: a concurrent import has committed or waits.
            keys = _Keys(
                lambda: writer.existing_keys(report.rules_fingerprint),
                replace=replace,
                legacy=writer.has_legacy_keys(),
                by_row=bool(rules.events_per_row),
            )
            settled.cut_lines = CutLines(writer.quarantined_lines(MALFORMED, name))
            batches = _batches(source, format, reader_options, malformed, encodings)
            (EventsPerRow if rules.events_per_row else OneEventPerRow)(
                writer,
                rules,
                report,
                state,
                keys,
                fingerprint,
                progress,
                malformed,
                sparse=_sparse(source, format, reader_options.get("encoding")),
                same_events=same_events,
                settled=settled,
            ).run(batches)
            report.rows_mapped_differently = writer.count_changed(report.rules_fingerprint)
            settle(writer, settled, report)
            writer.delete_earlier_rows(keys.replaced(), report.rules_fingerprint)
            report.fingerprint = fingerprint.hexdigest()
            report.file_already_imported = writer.known_fingerprint(report.fingerprint)
            report.timestamp_format = state.timestamp_format
            report.timestamp_type = state.timestamp_type
            # Local times read as UTC only because the rules name no zone (not even UTC).
            report.timestamps_naive = state.timestamp_notes.naive and (
                "timezone" not in rules.columns.model_fields_set
            )
            report.timestamp_format_hint = state.timestamp_notes.epoch_hint
            report.timestamp_misread = state.timestamp_notes.misread
            _daylight_saving(report, state, rules.columns.timezone)
            report.repaired_values = state.repaired
            report.suspect_values = dict(state.suspect)
            state.fill_report(report)
            for used in encodings[-1:]:  # a CSV's text encoding, given or detected
                report.encoding, report.encoding_detected = used.name, used.detected
                report.bad_bytes, report.first_bad_byte = used.bad_bytes, used.first_bad_byte
            writer.insert("imports", _imports_row(report))
        except BaseException:
            writer.rollback()
            raise
        finally:
            if same_events is not None:
                same_events.close()
        writer.commit()
    except RulesError as error:
        # A column the events lack, named where the rules file names it.
        raise locate_missing_columns(error, read_rules) from None
    except IngestError:
        raise
    except Exception as exc:
        if _interrupted(exc):
            # Ctrl-C inside a driver call: its clean-up failed on the connection the
            # interruption left (PostgreSQL: 'cursor "ibis_postgres_cursor_..." does not
            # exist'). The import was rolled back all the same; it is the user's interruption.
            raise KeyboardInterrupt from exc
        if from_engine(exc, "ibis"):
            raise EngineError(
                _("the workspace rejected the import of {name}: {reason}").format(
                    name=name, reason=exc
                )
            ) from None
        raise
    return report


def _daylight_saving(report: ImportReport, state: RuleState, timezone: str) -> None:
    """Local times in a daylight saving gap or overlap of ``timezone``, and how they were read."""
    notes = state.timestamp_notes
    report.dst_gap, report.dst_gap_first = notes.gap, notes.first_gap
    report.dst_overlap, report.dst_overlap_first = notes.overlap, notes.first_overlap
    if notes.gap or notes.overlap:
        report.timezone = timezone


def _interrupted(error: BaseException) -> bool:
    """Whether a KeyboardInterrupt is in the chain (cause or context) of ``error``."""
    seen: set[int] = set()
    found: BaseException | None = error
    while found is not None and id(found) not in seen:
        if isinstance(found, KeyboardInterrupt):
            return True
        seen.add(id(found))
        found = found.__cause__ or found.__context__
    return False


def _imports_row(report: ImportReport) -> pa.Table:
    return pa.table(
        {
            "source": [report.source],
            "fingerprint": [report.fingerprint],
            "imported_at": pa.array([datetime.now(UTC)], pa.timestamp("us", tz="UTC")),
            "rows_read": [report.rows_read],
            "rows_imported": [report.rows_imported],
            "rows_quarantined": [report.rows_quarantined],
            "rows_duplicate": [report.rows_duplicate],
            "rules_fingerprint": [report.rules_fingerprint],
            "rows_replaced": [report.rows_replaced],
            "key_scheme": [KEY_SCHEME],
            # Rows and events apart (events_per_row): rows_imported counts events stored,
            # rows_quarantined the rows refused whole, this the events refused alone.
            "events_quarantined": pa.array(
                [report.rows_events_quarantined if report.events_per_row else None], pa.int64()
            ),
        }
    )
