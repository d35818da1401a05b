"""The import's one transaction: its writes, the staged re-import comparison, the deletes.

See :class:`_Writer`: atomic on DuckDB, PostgreSQL and SQLite; table by table elsewhere.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import ibis.expr.datatypes as dt
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from journeymap.ingest._same_events import FIELDS, SameEvents, digest_sql
from journeymap.ingest.report import DUPLICATE
from journeymap.ingest.workspace import EVENTS_SCHEMA, Workspace, quiet_driver_warnings

# The PostgreSQL advisory lock key imports hold (per database) until they commit.
IMPORT_LOCK = int.from_bytes(hashlib.blake2b(b"journeymap import", digest_size=7).digest(), "big")
_HEX_KEY = re.compile(r"[0-9a-f]+(#[0-9]+)?")


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
# Stored keys read at a time (see _Writer.existing_keys).
_KEY_BATCH_ROWS = 100_000


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

    def existing_keys(self, rules: str) -> Iterator[pa.RecordBatch]:
        """The keys in the workspace (``event_key``); ``other``: not mapped with ``rules``.

        In batches: an import keeps the keys as digests (``_keys._Keys``), never all of them as
        Python strings (fetched as tuples, a re-import of 455,564 rows peaked 87 MB higher
        reading them, in batches 28 MB).
        """
        if self.con is not None:
            found = self.con.sql(
                "SELECT event_key, rules_fingerprint IS DISTINCT FROM $rules AS other "
                "FROM events UNION SELECT event_key, rules_fingerprint IS DISTINCT FROM $rules "
                "FROM quarantine",
                params={"rules": rules},
            )
            yield from found.to_arrow_reader(_KEY_BATCH_ROWS)
            return
        for name in ("events", "quarantine"):
            table = self.workspace.table(name)
            other = table.rules_fingerprint.isnull() | (table.rules_fingerprint != rules)
            with quiet_driver_warnings():
                found = table.select("event_key", other=other).to_pyarrow()
            yield from found.to_batches(_KEY_BATCH_ROWS)

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
            text = dt.string
            columns = {"event_key": text, **{c: types[c] for c in COMPARED}, "reason": text}
            schema = ibis.schema({n: t.copy(nullable=True) for n, t in columns.items()})
            self.staged = f"journeymap_tmp_{uuid.uuid4().hex}"
            with quiet_driver_warnings():
                backend.create_table(self.staged, schema=schema, temp=True)
            if self.con is None and backend.name == "sqlite":
                # SQLite joins by nested loops: without an index the comparison took 19.4 s
                # for 23,399 events of UCI Online Shoppers (events_per_row), growing with
                # the square of the rows.
                self.workspace.execute(
                    f'CREATE INDEX "{self.staged}_key" ON "{self.staged}" (event_key)'
                )
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
            stored = events.select("event_key", *COMPARED, reason=ibis.null(dt.string)).union(
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
                replaced, schema=ibis.schema({"event_key": dt.string}), temp=True
            )
        self.insert(replaced, pa.table({"event_key": pa.array(keys, pa.string())}))
        for name in ("events", "quarantine"):
            self.workspace.execute(
                f'DELETE FROM {name} WHERE event_key IN (SELECT event_key FROM "{replaced}") '
                f"AND (rules_fingerprint IS NULL OR rules_fingerprint <> '{rules}')"
            )
        # Created inside the import's transaction: a failure above rolls it back with it.
        self.workspace.execute(f'DROP TABLE IF EXISTS "{replaced}"')

    def event_digests(self, same_events: SameEvents) -> dict[str, np.ndarray] | None:
        """The digests of the events stored (see :mod:`journeymap.ingest._same_events`).

        A DuckDB workspace hashes its events itself; another engine's are read (their
        fields and keys) and hashed by DuckDB: PostgreSQL read 907,631 events in 4.6 s.
        """
        if self.con is not None:
            stored = self.con.execute("SELECT count(*) FROM events").fetchall()
            if not stored or not stored[0][0]:
                return None
            found = self.con.execute(digest_sql("events", same_events.owners)).fetchnumpy()
            return {name: np.asarray(found[name], dtype=np.uint64) for name in found}
        events = self.workspace.events()
        with quiet_driver_warnings():
            if not int(events.count().execute()):
                return None
            owners = ("event_key",) if same_events.owners else ()
            table = events.select(*FIELDS, *owners).to_pyarrow()
        return same_events.digests(table)

    def quarantined(self, reason: str, keys: list[str]) -> list[tuple[str, str, int]]:
        """``(event key, source, row)`` of the quarantine rows of ``reason`` with ``keys``."""
        if not keys:
            return []
        with self._uploaded(pa.table({"event_key": pa.array(keys, pa.string())})) as name:
            return [
                (str(key), str(source), int(row))
                for key, source, row in self._fetch(
                    "SELECT event_key, source, row_number FROM quarantine "
                    f"WHERE reason = {_literal(reason)} "
                    f'AND event_key IN (SELECT event_key FROM "{name}")'
                )
            ]

    def quarantined_lines(self, reason: str, source: str) -> list[tuple[str, str]]:
        """``(event key, line)`` of the quarantined lines of ``reason`` from ``source``.

        Lines that were no row: their ``raw`` is ``{"line": ...}``.
        """
        import json

        quarantine = self.workspace.quarantine()
        chosen = quarantine.filter((quarantine.reason == reason) & (quarantine.source == source))
        with quiet_driver_warnings():
            found = chosen.select("event_key", "raw").to_pyarrow().to_pylist()
        lines = []
        for row in found:
            try:
                line = json.loads(row["raw"]).get("line")
            except (ValueError, AttributeError):
                continue
            if isinstance(line, str):
                lines.append((str(row["event_key"]), line))
        return lines

    def delete_quarantined(self, reason: str, rows: list[tuple[str, str, int]]) -> int:
        """Delete the quarantine rows of ``reason`` at ``(event key, source, row)``; how many."""
        if not rows:
            return 0
        keys, sources, numbers = zip(*rows, strict=True)
        table = pa.table(
            {
                "event_key": pa.array(keys, pa.string()),
                "source": pa.array(sources, pa.string()),
                "row_number": pa.array(numbers, pa.int64()),
            }
        )
        with self._uploaded(table) as name:
            where = (
                f'WHERE reason = {_literal(reason)} AND EXISTS (SELECT 1 FROM "{name}" AS t '
                "WHERE t.event_key = quarantine.event_key AND t.source = quarantine.source "
                "AND t.row_number = quarantine.row_number)"
            )
            found = self._fetch(f"SELECT count(*) FROM quarantine {where}")
            self.workspace.execute(f"DELETE FROM quarantine {where}")
        return int(found[0][0]) if found else 0

    def first_row(self, key: str) -> int | None:
        """The row number of the event or quarantine row (no exact duplicate) with ``key``."""
        if not _HEX_KEY.fullmatch(key):
            return None
        found = self._fetch(
            "SELECT min(row_number) FROM (SELECT row_number FROM events "
            f"WHERE event_key = '{key}' UNION ALL SELECT row_number FROM quarantine "
            f"WHERE event_key = '{key}' AND reason <> {_literal(DUPLICATE)}) AS found"
        )
        return int(found[0][0]) if found and found[0][0] is not None else None

    def _fetch(self, statement: str) -> list[tuple[Any, ...]]:
        """The rows of one query on the workspace's engine (inside the import's transaction)."""
        if self.con is not None:
            return self.con.execute(statement).fetchall()
        cursor = self.workspace.backend.raw_sql(statement)
        try:
            return list(cursor.fetchall())
        finally:
            cursor.close()

    @contextlib.contextmanager
    def _uploaded(self, rows: pa.Table) -> Iterator[str]:
        """``rows`` as a (temporary) table of the workspace's engine, named, in the block."""
        name = f"journeymap_tmp_{uuid.uuid4().hex}"
        if self.con is not None:
            self.con.register(name, rows)
            try:
                yield name
            finally:
                self.con.unregister(name)
            return
        import ibis

        with quiet_driver_warnings():
            self.workspace.backend.create_table(
                name, schema=ibis.Schema.from_pyarrow(rows.schema), temp=True
            )
        self.insert(name, rows)
        try:
            yield name
        finally:
            self.workspace.execute(f'DROP TABLE IF EXISTS "{name}"')

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
            # Not register/unregister: a view dropped inside the transaction lives on until
            # the commit, and with it the Arrow table it names. A first import of 4.5M rows
            # held every batch so, about 1 GB beyond DuckDB's memory_limit.
            self.con.from_arrow(rows).query(
                "_journeymap_staged",
                f"INSERT INTO {table_name} BY NAME SELECT * FROM _journeymap_staged",
            )
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


def _literal(text: str) -> str:
    """``text`` as an SQL string literal (for the reasons, constants of journeymap)."""
    return "'" + text.replace("'", "''") + "'"


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
