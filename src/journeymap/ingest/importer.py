"""Import events into a workspace: every row becomes an event or a quarantine row, atomically."""

from __future__ import annotations

import codecs
import contextlib
import difflib
import gzip
import hashlib
import html
import io
import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from journeymap.errors import EngineError, IngestError, RulesError, from_engine
from journeymap.i18n.messages import _
from journeymap.ingest.readers import LINE_FORMATS, SPARSE_FORMATS, detect_format, read_events
from journeymap.ingest.readers.columnar import jsonl_encoding
from journeymap.ingest.readers.csv_reader import TextEncoding
from journeymap.ingest.report import DUPLICATE, ImportReport
from journeymap.ingest.rules import (
    RuleState,
    apply_rules,
    locate_missing_columns,
    missing_columns_error,
    used_columns,
)
from journeymap.ingest.workspace import (
    EVENTS_SCHEMA,
    QUARANTINE_SCHEMA,
    Workspace,
    quiet_driver_warnings,
)
from journeymap.mapfile import rules_from
from journeymap.model.mapping import MappingRules

__all__ = ["ProgressCallback", "import_events", "row_keys", "rules_fingerprint"]

MALFORMED = "malformed row"

# The PostgreSQL advisory lock key imports hold (per database) until they commit.
IMPORT_LOCK = int.from_bytes(hashlib.blake2b(b"journeymap import", digest_size=7).digest(), "big")
_HEX_KEY = re.compile(r"[0-9a-f]+(#[0-9]+)?")

ProgressCallback = Callable[[int], None]
"""Called after each batch with the number of rows read so far."""


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
        pc.fill_null(
            pc.binary_join_element_wise(
                pa.scalar(f"{name}\x01"), batch.column(name), pa.scalar("\x1f"), ""
            ),
            "",
        )
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

    Args:
        existing: Event keys already in the events or quarantine table.
        other_rules: Of those, the keys of rows mapped with other (or unrecorded) rules.
        replace: Map those rows again instead of skipping them.
    """

    def __init__(
        self, existing: set[str], other_rules: set[str], replace: bool, legacy: bool = False
    ) -> None:
        self.existing = existing
        self.other_rules = other_rules
        self.replace = replace
        self.replaced: list[str] = []
        # Keys counted in ``rows_other_rules`` by this import (once each, see already_imported).
        self.counted: set[str] = set()
        # Whether an earlier import stored keys of :func:`legacy_row_keys`.
        self.legacy = legacy
        self.stored = frozenset(existing) if legacy else frozenset()

    def resolve(self, batch: pa.RecordBatch, keys: list[str]) -> list[str]:
        """``keys``, with the legacy key of each row an earlier import stored under it.

        A workspace filled before :data:`KEY_SCHEME` 2 holds keys over every column of the
        batch a row came in; the same row, read again, is known by that key.
        """
        if not self.legacy:
            return keys
        return [
            old if key not in self.stored and old in self.stored else key
            for key, old in zip(keys, legacy_row_keys(batch), strict=True)
        ]

    def already_imported(self, key: str, report: ImportReport) -> bool:
        """Whether the row with ``key`` is skipped; counts it in ``report`` either way.

        A later exact copy of a row mapped with other rules is counted as already imported
        only, not again in ``rows_other_rules``: with ``replace`` such a copy is a duplicate
        only (not in ``rows_replaced``), so both imports name the same rows.
        """
        if key not in self.existing:
            return False
        if key in self.other_rules:
            if self.replace:
                # From now on the row is new: a later exact copy in the input is a duplicate.
                self.existing.discard(key)
                self.replaced.append(key)
                report.rows_replaced += 1
                return False
            if key not in self.counted:
                self.counted.add(key)
                report.rows_other_rules += 1
        report.rows_already_imported += 1
        return True


def _raw_json(names: list[str], columns: list[list[Any]], index: int) -> str:
    return json.dumps(
        {name: column[index] for name, column in zip(names, columns, strict=True)},
        ensure_ascii=False,
    )


def _default_name(source: Any) -> str:
    if isinstance(source, str | Path):
        return Path(source).name
    return type(source).__name__


# What an event is made of, beyond where it came from: a row whose new mapping differs from
# the stored one in any of these (or in its quarantine reason) is mapped differently.
COMPARED = tuple(
    column
    for column in EVENTS_SCHEMA
    if column not in {"source", "event_key", "row_number", "rules_fingerprint"}
)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Rows of a re-import staged before they are compared with the stored rows (see _Writer).
STAGED_ROWS = 1_000_000


def _new_outcomes(mapped: Any, keys: list[str], rows: list[int]) -> pa.Table:
    """The event (or quarantine reason) these rules make of the batch's ``rows``."""
    reasons = pa.array([mapped.reasons[i] for i in rows], pa.string())
    taken = pa.array(rows, pa.int64())
    is_event = pc.is_null(reasons)
    new = {"event_key": pa.array([keys[i] for i in rows], pa.string())}
    for column in COMPARED:
        values = mapped.columns[column].take(taken)
        new[column] = pc.if_else(is_event, values, pa.scalar(None, values.type))
    new["reason"] = reasons
    return pa.table(new)


class _Writer:
    """Inserts into the workspace inside one transaction (DuckDB, PostgreSQL, SQLite).

    Ibis connects to PostgreSQL with autocommit on, so an explicit ``BEGIN`` holds every
    statement of the import until ``COMMIT`` or ``ROLLBACK``. Ibis's SQLite backend commits
    after each insert and table it creates (its ``begin()``), so during an import that
    backend's ``begin()`` hands out cursors without committing (:func:`_held_sqlite`), inside
    the import's own ``BEGIN``. Engines not tried go table by table.
    """

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.con = workspace.duckdb
        name = workspace.backend.name if self.con is None else "duckdb"
        self.transaction = name in {"postgres", "sqlite"}
        self.held: contextlib.ExitStack | None = None  # SQLite: Ibis's commits held back
        self.staged: str | None = None  # the new outcomes of rows mapped with other rules
        self.staged_schema: pa.Schema | None = None
        self.staged_rows = 0  # rows staged since the last comparison
        self.changed = 0  # rows the comparisons so far found mapped differently

    def existing_keys(self, rules: str) -> tuple[set[str], set[str]]:
        """The keys in the workspace, and those of rows not mapped with the rules ``rules``."""
        keys: set[str] = set()
        other_rules: set[str] = set()
        if self.con is not None:
            rows = self.con.execute(
                "SELECT event_key, rules_fingerprint IS DISTINCT FROM $rules FROM events "
                "UNION SELECT event_key, rules_fingerprint IS DISTINCT FROM $rules "
                "FROM quarantine",
                {"rules": rules},
            ).fetchall()
            for key, other in rows:
                keys.add(key)
                if other:
                    other_rules.add(key)
            return keys, other_rules
        for name in ("events", "quarantine"):
            table = self.workspace.table(name)
            other = table.rules_fingerprint.isnull() | (table.rules_fingerprint != rules)
            with quiet_driver_warnings():
                found = table.select("event_key", other=other).to_pyarrow().to_pylist()
            for row in found:
                keys.add(row["event_key"])
                if row["other"]:
                    other_rules.add(row["event_key"])
        return keys, other_rules

    def stage_outcomes(self, outcomes: pa.Table, rules: str) -> None:
        """Keep the new outcomes of rows mapped with other rules, for :meth:`count_changed`.

        In a temporary table of the workspace's engine, compared with the stored rows every
        :data:`STAGED_ROWS` rows and at the end. A re-import of 4.5M rows with other rules:
        26.4 s and 1.7 GB peak without a comparison; compared per batch, which read the stored
        rows 70 times, 40.6 s; staged whole, 33.5 s and 4.1 GB; every million rows, 35.1 s and
        3.0 GB (the first import of that file: 24.9 s, 2.4 GB).
        """
        import ibis

        backend = self.workspace.backend
        if self.staged is None:
            types = self.workspace.events().schema()
            text = ibis.dtype("string")
            columns = {"event_key": text, **{c: types[c] for c in COMPARED}, "reason": text}
            schema = ibis.schema({n: t.copy(nullable=True) for n, t in columns.items()})
            self.staged = f"journeymap_tmp_{uuid.uuid4().hex}"
            with quiet_driver_warnings():
                backend.create_table(self.staged, schema=schema, temp=True)
            self.staged_schema = schema.to_pyarrow()
        staged = outcomes.cast(self.staged_schema)
        # A quarantined row has no time; Ibis cannot insert a null time into SQLite (NaT),
        # so it is staged as the epoch, which no comparison reads (see count_changed).
        ts = staged.schema.get_field_index("ts")
        staged = staged.set_column(
            ts, "ts", pc.fill_null(staged["ts"], pa.scalar(_EPOCH, staged.schema.field(ts).type))
        )
        self.insert(self.staged, staged)
        self.staged_rows += staged.num_rows
        if self.staged_rows >= STAGED_ROWS:
            self.changed += self._compare(rules)
            self.workspace.execute(f'DELETE FROM "{self.staged}"')
            self.staged_rows = 0

    def count_changed(self, rules: str) -> int:
        """How many rows staged by this import these rules map differently (then unstaged).

        Stored rows are those not mapped with ``rules`` (this import's rows carry them);
        exact duplicates in the quarantine are left out, their first copy is the event.
        """
        if self.staged is None:
            return self.changed
        self.changed += self._compare(rules)
        self.workspace.execute(f'DROP TABLE IF EXISTS "{self.staged}"')
        self.staged, self.staged_rows = None, 0
        return self.changed

    def _compare(self, rules: str) -> int:
        """How many staged rows differ from the stored event or quarantine reason."""
        import ibis

        if self.staged is None or not self.staged_rows:
            return 0
        with quiet_driver_warnings():
            new = self.workspace.backend.table(self.staged)

            def earlier(name: str) -> ibis.Table:
                table = self.workspace.table(name)
                other = table.rules_fingerprint.isnull() | (table.rules_fingerprint != rules)
                return table.filter(other).semi_join(new, "event_key")

            events, quarantine = earlier("events"), earlier("quarantine")
            quarantine = quarantine.filter(quarantine.reason != DUPLICATE)
            types = events.schema()
            stored = events.select("event_key", *COMPARED, reason=ibis.null("string")).union(
                quarantine.select(
                    "event_key",
                    **{c: ibis.null(types[c]) for c in COMPARED},
                    reason=quarantine.reason,
                )
            )
            stored = stored.rename({f"_old_{c}": c for c in (*COMPARED, "reason")})
            both = new.join(stored, "event_key")
            # Another quarantine reason, into or out of the quarantine, or another event (the
            # columns of two quarantined rows say nothing: the staged time is a placeholder).
            event = ibis.or_(*(~both[c].identical_to(both[f"_old_{c}"]) for c in COMPARED))
            reason = ~both.reason.identical_to(both._old_reason)
            changed = reason | (both.reason.isnull() & event)
            count = both.filter(changed).count().to_pyarrow().as_py()
        return int(count or 0)

    def delete_earlier_rows(self, keys: list[str], rules: str) -> None:
        """Delete the events and quarantine rows with ``keys`` not mapped with ``rules``.

        Rows this import stored carry ``rules``: they stay.
        """
        if not keys:
            return
        if self.con is not None:
            self.con.register("_journeymap_replaced", pa.table({"event_key": keys}))
            try:
                for name in ("events", "quarantine"):
                    self.con.execute(
                        f"DELETE FROM {name} WHERE rules_fingerprint IS DISTINCT FROM $rules "
                        "AND event_key IN (SELECT event_key FROM _journeymap_replaced)",
                        {"rules": rules},
                    )
            finally:
                self.con.unregister("_journeymap_replaced")
            return
        # The rules are a hex digest this module made: no quoting issue, and the Ibis
        # backends share no parameter style.
        if not _HEX_KEY.fullmatch(rules):
            raise ValueError("rules fingerprints are hex digests")
        # The keys go to a temporary table and one statement per table deletes by it. Listed
        # in statements of 500 keys, each a scan of the table (event_key has no index),
        # replacing the 262,200 rows of BPIC 2012 on PostgreSQL took 121 s (DuckDB: 15 s).
        import ibis

        replaced = f"journeymap_tmp_{uuid.uuid4().hex}"
        with quiet_driver_warnings():
            self.workspace.backend.create_table(
                replaced, schema=ibis.schema({"event_key": "string"}), temp=True
            )
        self.insert(replaced, pa.table({"event_key": pa.array(keys, pa.string())}))
        for name in ("events", "quarantine"):
            self.workspace.execute(
                f'DELETE FROM {name} WHERE event_key IN (SELECT event_key FROM "{replaced}") '
                f"AND (rules_fingerprint IS NULL OR rules_fingerprint <> '{rules}')"
            )
        # Created inside the import's transaction: a failure above rolls it back with it.
        self.workspace.execute(f'DROP TABLE IF EXISTS "{replaced}"')

    def has_legacy_keys(self) -> bool:
        """Whether an import made before :data:`KEY_SCHEME` 2 stored rows here."""
        imports = self.workspace.imports()
        with quiet_driver_warnings():
            found = imports.filter(imports.key_scheme.isnull()).count().execute()
        return bool(found > 0)

    def known_fingerprint(self, fingerprint: str) -> bool:
        imports = self.workspace.imports()
        with quiet_driver_warnings():
            found = imports.filter(imports.fingerprint == fingerprint).count().execute()
        return bool(found > 0)

    def begin(self) -> None:
        """Open the import's transaction, holding off any other import of the workspace.

        The keys already stored are read inside it (see :func:`import_events`), so two
        imports of the same rows at once cannot both find them new and store them twice: on
        PostgreSQL a transaction-scoped advisory lock makes a second import wait until the
        first has committed; SQLite's ``BEGIN IMMEDIATE`` takes the write lock at once (a
        second import waits for it, then fails as locked); a DuckDB file has one writer.
        """
        if self.con is not None:
            self.con.begin()
        elif self.transaction:
            if self.workspace.backend.name == "sqlite":
                self.held = contextlib.ExitStack()
                self.held.enter_context(_held_sqlite(self.workspace.backend))
                self.workspace.execute("BEGIN IMMEDIATE")
                return
            self.workspace.execute("BEGIN")
            if self.workspace.backend.name == "postgres":
                self.workspace.execute(f"SELECT pg_advisory_xact_lock({IMPORT_LOCK})")

    def insert(self, table_name: str, rows: pa.Table) -> None:
        """Insert ``rows`` into the workspace table (or a temporary one) ``table_name``."""
        if rows.num_rows == 0:
            return
        if self.con is not None:
            self.con.register("_journeymap_staged", rows)
            try:
                self.con.execute(
                    f"INSERT INTO {table_name} BY NAME SELECT * FROM _journeymap_staged"
                )
            finally:
                self.con.unregister("_journeymap_staged")
        elif self.workspace.backend.name == "postgres":
            _copy_into_postgres(self.workspace.backend.con, table_name, rows)
        else:
            self.workspace.backend.insert(table_name, rows)

    def commit(self) -> None:
        if self.con is not None:
            self.con.commit()
        elif self.transaction:
            self._release()
            self.workspace.execute("COMMIT")

    def rollback(self) -> None:
        if self.con is not None:
            self.con.rollback()
        elif self.transaction:
            self._release()
            self.workspace.execute("ROLLBACK")

    def _release(self) -> None:
        """Give Ibis's SQLite backend its own ``begin()`` back."""
        if self.held is not None:
            self.held.close()
            self.held = None


def _copy_into_postgres(connection: Any, table_name: str, rows: pa.Table) -> None:
    """Append ``rows`` to a PostgreSQL table with ``COPY``, in the open transaction.

    Ibis inserts an Arrow table row by row into a temporary table and copies that over: the
    first import of BPIC 2012 (262,200 rows) took 32 s, 15 s of them inserting.
    """
    columns = ", ".join(f'"{name}"' for name in rows.column_names)
    statement = f'COPY "{table_name}" ({columns}) FROM STDIN'
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for batch in rows.to_batches(max_chunksize=50_000):
            for row in zip(*(column.to_pylist() for column in batch.columns), strict=True):
                copy.write_row(row)


@contextlib.contextmanager
def _held_sqlite(backend: Any) -> Iterator[None]:
    """Within the block, ``backend.begin()`` yields a cursor and neither commits nor rolls back.

    Ibis's SQLite backend wraps every insert, and every table it creates (an uploaded Arrow
    table too), in ``begin()``, which commits: an import would be stored batch by batch.
    The block's statements then belong to the transaction the caller opened.
    """

    @contextlib.contextmanager
    def begin() -> Iterator[Any]:
        cursor = backend.con.cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    backend.begin = begin  # shadows the class's method on this connection only
    try:
        yield
    finally:
        del backend.begin


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
    input are kept once and the rest quarantined as ``exact duplicate``.

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
        The counts; ``rows_read`` equals imported + quarantined + already imported.

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
    state = RuleState()
    fingerprint = hashlib.sha256()
    malformed: list[str] = []
    encodings: list[TextEncoding] = []
    try:
        writer.begin()
        try:
            # Read inside the transaction: a concurrent import has committed or waits.
            keys = _Keys(
                *writer.existing_keys(report.rules_fingerprint),
                replace=replace,
                legacy=writer.has_legacy_keys(),
            )
            _run(
                writer,
                _batches(source, format, reader_options, malformed, encodings),
                rules,
                report,
                state,
                keys,
                fingerprint,
                progress,
                malformed,
                sparse=_sparse(source, format, reader_options.get("encoding")),
            )
            report.rows_mapped_differently = writer.count_changed(report.rules_fingerprint)
            writer.delete_earlier_rows(keys.replaced, report.rules_fingerprint)
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


def _run(
    writer: _Writer,
    batches: Iterable[pa.RecordBatch],
    rules: MappingRules,
    report: ImportReport,
    state: RuleState,
    keys_in_workspace: _Keys,
    fingerprint: Any,
    progress: ProgressCallback | None,
    malformed: list[str] | None = None,
    sparse: tuple[Path, str, str | None] | None = None,
) -> None:
    """Import the batches; ``sparse`` is the file and format of a JSON Lines or XES source."""
    seen: dict[str, int] = {}
    columns = _Columns(rules, sparse)
    for batch in batches:
        first_row = report.rows_read + 1
        keys = keys_in_workspace.resolve(batch, row_keys(batch))
        if rules.duplicates == "keep":
            keys = _number_copies(keys, seen)
        for key in keys:
            fingerprint.update(key.encode())
        mapped = apply_rules(
            columns.padded(batch), rules, source=report.source, first_row=first_row, state=state
        )
        earlier = {key: i for i, key in reversed(list(enumerate(keys))) if key not in seen}
        remapped = sorted(i for key, i in earlier.items() if key in keys_in_workspace.other_rules)
        if remapped:
            writer.stage_outcomes(_new_outcomes(mapped, keys, remapped), report.rules_fingerprint)
        names = list(batch.schema.names)
        raw_columns: list[list[Any]] | None = None
        event_rows: list[int] = []
        quarantine: dict[str, list[Any]] = {column: [] for column in QUARANTINE_SCHEMA}
        for index, key in enumerate(keys):
            if keys_in_workspace.already_imported(key, report):
                continue
            reason = DUPLICATE if key in seen else mapped.reasons[index]
            seen.setdefault(key, 1)
            if reason is None:
                event_rows.append(index)
                continue
            report.quarantined[reason] = report.quarantined.get(reason, 0) + 1
            if raw_columns is None:
                raw_columns = [column.to_pylist() for column in batch.columns]
            for column, value in (
                ("source", report.source),
                ("row_number", first_row + index),
                ("reason", reason),
                ("raw", _raw_json(names, raw_columns, index)),
                ("event_key", key),
                ("rules_fingerprint", report.rules_fingerprint),
            ):
                quarantine[column].append(value)
        report.rows_read += batch.num_rows
        indices = pa.array(event_rows, pa.int64())
        events = {column: array.take(indices) for column, array in mapped.columns.items()}
        events["event_key"] = pa.array([keys[i] for i in event_rows], pa.string())
        events["row_number"] = pa.array([first_row + i for i in event_rows], pa.int64())
        events["rules_fingerprint"] = pa.array(
            [report.rules_fingerprint] * len(event_rows), pa.string()
        )
        table = pa.table({column: events[column] for column in EVENTS_SCHEMA})
        report.rows_imported += table.num_rows
        report.conversions += int(pc.sum(table.column("conversion")).as_py() or 0)
        for found in pc.value_counts(table.column("touchpoint")).to_pylist():
            touchpoint, count = found["values"], found["counts"]
            report.touchpoints[touchpoint] = report.touchpoints.get(touchpoint, 0) + count
        writer.insert("events", table)
        if malformed:
            _malformed_rows(malformed, report, quarantine, keys_in_workspace, seen, fingerprint)
        writer.insert("quarantine", pa.table({c: quarantine[c] for c in QUARANTINE_SCHEMA}))
        if progress is not None:
            progress(report.rows_read)
    if malformed:  # lines after the last row (a reader yields no batch for them alone)
        quarantine = {column: [] for column in QUARANTINE_SCHEMA}
        _malformed_rows(malformed, report, quarantine, keys_in_workspace, seen, fingerprint)
        writer.insert("quarantine", pa.table({c: quarantine[c] for c in QUARANTINE_SCHEMA}))
        if progress is not None:
            progress(report.rows_read)
    columns.check()


class _Columns:
    """The columns the rules read that a batch of a sparse format lacks, added as nulls.

    A JSON Lines or XES file's batch has the fields read so far: one that first appears
    later (a UTM field on the first campaign hit) is missing from the batches before it, for
    no fault of the rules. Only a column no batch of the file had is a mistake, reported
    once the file is read (the import is then rolled back). In the other formats the first
    batch has every column, and ``apply_rules`` refuses a missing one at once.
    """

    def __init__(self, rules: MappingRules, sparse: tuple[Path, str, str | None] | None) -> None:
        self.sparse = sparse is not None
        derived = set(rules.constant)
        self.used = used_columns(rules) - derived
        self.unseen = set(self.used)
        self.available: dict[str, None] = {}
        self.file = sparse

    def padded(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        if not self.sparse:
            return batch
        names = batch.schema.names
        first = not self.available
        self.available.update(dict.fromkeys(names))
        self.unseen -= set(names)
        if first and self.unseen and self.file is not None:
            # A column the first batch lacks may come later, or be a typo: the file's bytes
            # tell at once (a pattern search, no parsing), where reading it all took 34 s of
            # BPIC 2012 into PostgreSQL before the typo was said.
            written = _field_names(*self.file)
            absent = self.unseen - set(written)
            if absent:
                # The file's names only where they may be meant: a log's own metadata may
                # write thousands of keys (BPIC 2012's list 12 MB of them).
                close = [
                    name
                    for missing in sorted(absent)
                    for name in difflib.get_close_matches(missing, list(written), n=3)
                ]
                raise missing_columns_error(absent, {**self.available, **dict.fromkeys(close)})
        for name in sorted(self.used - set(names)):
            batch = batch.append_column(name, pa.nulls(batch.num_rows, pa.string()))
        return batch

    def check(self) -> None:
        """Raise the rules error for columns no batch had."""
        if self.sparse and self.unseen:
            raise missing_columns_error(self.unseen, self.available)


# Field names as a file writes them: an XES attribute's key, a JSON object's key.
_FIELD_NAMES = {
    "xes": re.compile(rb'key="([^"]*)"'),
    "jsonl": re.compile(rb'"((?:[^"\\]|\\.)*)"\s*:'),
}


def _field_names(path: Path, format: str, encoding: str | None = None) -> dict[str, None]:
    """Every field name the (decompressed) file writes, in the order it first does.

    A pattern search of the bytes, no parsing: a name found may be text inside a value,
    which only leaves the check to the end of the import; a name not found is in no row.
    An XES key may be a trace's attribute, whose column is ``case:<key>``: both count.
    A JSON Lines file is searched as UTF-8 bytes when it is UTF-8, else as its text.
    """
    pattern = _FIELD_NAMES[format]
    found: dict[str, None] = {}
    with path.open("rb") as probe:
        compressed = probe.read(2) == b"\x1f\x8b"
    text_encoding = jsonl_encoding(path, encoding) if format == "jsonl" else "utf-8"
    if codecs.lookup(text_encoding).name != "utf-8":
        return _field_names_in_text(path, compressed, text_encoding)
    with gzip.open(path, "rb") if compressed else path.open("rb") as handle:
        tail = b""
        while chunk := handle.read(1 << 22):
            text = tail + chunk
            for match in pattern.finditer(text):
                raw = match.group(1).decode("utf-8", "replace")
                name = html.unescape(raw) if format == "xes" else _json_text(raw)
                found[name] = None
                if format == "xes":
                    found[f"case:{name}"] = None
            tail = text[-4096:]
    return found


_JSON_NAME = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:')


def _field_names_in_text(path: Path, compressed: bool, encoding: str) -> dict[str, None]:
    """The JSON field names of a JSON Lines file not in UTF-8, searched in its decoded text."""
    found: dict[str, None] = {}
    with (
        gzip.open(path, "rb") if compressed else path.open("rb") as raw,
        io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="") as handle,
    ):
        tail = ""
        while chunk := handle.read(1 << 22):
            text = tail + chunk
            for match in _JSON_NAME.finditer(text):
                found[_json_text(match.group(1))] = None
            tail = text[-4096:]
    return found


def _json_text(raw: str) -> str:
    """A JSON string's text (its escapes read); as written if it is no valid string."""
    try:
        return str(json.loads(f'"{raw}"'))
    except ValueError:
        return raw


def _sparse(
    source: Any, format: str | None, encoding: str | None = None
) -> tuple[Path, str, str | None] | None:
    """The file, format and given encoding of ``source`` if its fields may come later."""
    if not isinstance(source, str | Path):
        return None
    found = (format or detect_format(source)).lower()
    return (Path(source), found, encoding) if found in SPARSE_FORMATS else None


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


def _malformed_rows(
    lines: list[str],
    report: ImportReport,
    quarantine: dict[str, list[Any]],
    keys_in_workspace: _Keys,
    seen: dict[str, int],
    fingerprint: Any,
) -> None:
    """Quarantine lines the reader could not read as a row."""
    for text in lines:
        report.rows_read += 1
        key = hashlib.blake2b(b"malformed\x1d" + text.encode(), digest_size=16).hexdigest()
        fingerprint.update(key.encode())
        if keys_in_workspace.already_imported(key, report):
            continue
        reason = DUPLICATE if key in seen else MALFORMED
        seen.setdefault(key, 1)
        report.quarantined[reason] = report.quarantined.get(reason, 0) + 1
        quarantine["source"].append(report.source)
        quarantine["row_number"].append(report.rows_read)
        quarantine["reason"].append(reason)
        quarantine["raw"].append(json.dumps({"line": text}, ensure_ascii=False))
        quarantine["event_key"].append(key)
        quarantine["rules_fingerprint"].append(report.rules_fingerprint)
    lines.clear()


def _number_copies(keys: list[str], seen: dict[str, int]) -> list[str]:
    """Give the n-th copy of an equal row the key ``<hash>#n``: kept, and still idempotent."""
    numbered = []
    for key in keys:
        copy = seen.get(key + "#", 0) + 1
        seen[key + "#"] = copy
        numbered.append(key if copy == 1 else f"{key}#{copy}")
    return numbered


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
        }
    )
