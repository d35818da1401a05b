"""The workspace: one database (DuckDB file by default) holding events, quarantine and imports.

Driver errors (duckdb, ibis) are translated into :class:`WorkspaceError` / :class:`EngineError`
here, at the boundary; nothing above this module sees them.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import ibis

from journeymap.errors import EngineError, WorkspaceError
from journeymap.i18n.messages import _
from journeymap.settings import Setting, register, resolve

__all__ = [
    "DEFAULT_URL",
    "EVENTS_SCHEMA",
    "IMPORTS_SCHEMA",
    "QUARANTINE_SCHEMA",
    "Workspace",
    "duckdb_config",
    "open_for_import",
]

DEFAULT_URL = "duckdb:///journeymap.duckdb"

register(
    Setting(
        name="workspace.url",
        default=DEFAULT_URL,
        help="Where events live: a DuckDB file (duckdb:///path), duckdb:// for memory, or any "
        "Ibis connection URL.",
    )
)


def _memory_limit(text: str | None) -> str | None:
    cleaned = str(text or "").strip()
    return None if cleaned.lower() in {"", "none", "off"} else cleaned


register(
    Setting(
        name="workspace.memory_limit",
        default=None,
        help="Most memory a DuckDB workspace may use (e.g. 3GB); beyond it DuckDB spills to "
        "disk. none: DuckDB's default, 80% of the machine's memory.",
        parse=_memory_limit,
    )
)


def duckdb_config() -> dict[str, str | bool | int | float | list[str]]:
    """The DuckDB connection settings the journeymap settings ask for (``memory_limit``)."""
    limit = _memory_limit(resolve("workspace.memory_limit"))
    return {"memory_limit": limit} if limit else {}


EVENTS_SCHEMA: dict[str, str] = {
    "person_id": "VARCHAR NOT NULL",
    "account_id": "VARCHAR",
    "ts": "TIMESTAMPTZ NOT NULL",
    "touchpoint": "VARCHAR NOT NULL",
    "phase": "VARCHAR",
    "persona": "VARCHAR",
    "conversion": "BOOLEAN NOT NULL",
    "value": "DOUBLE",
    "source": "VARCHAR NOT NULL",
    "event_key": "VARCHAR NOT NULL",
    "row_number": "BIGINT NOT NULL",
    "extra": "VARCHAR",
    "rules_fingerprint": "VARCHAR",
}
QUARANTINE_SCHEMA: dict[str, str] = {
    "source": "VARCHAR NOT NULL",
    "row_number": "BIGINT NOT NULL",
    "reason": "VARCHAR NOT NULL",
    "raw": "VARCHAR NOT NULL",
    "event_key": "VARCHAR NOT NULL",
    "rules_fingerprint": "VARCHAR",
}
IMPORTS_SCHEMA: dict[str, str] = {
    "source": "VARCHAR NOT NULL",
    "fingerprint": "VARCHAR NOT NULL",
    "imported_at": "TIMESTAMPTZ NOT NULL",
    "rows_read": "BIGINT NOT NULL",
    "rows_imported": "BIGINT NOT NULL",
    "rows_quarantined": "BIGINT NOT NULL",
    "rows_duplicate": "BIGINT NOT NULL",
    "rules_fingerprint": "VARCHAR",
    "rows_replaced": "BIGINT",
    "key_scheme": "BIGINT",
}
TABLES = {"events": EVENTS_SCHEMA, "quarantine": QUARANTINE_SCHEMA, "imports": IMPORTS_SCHEMA}
# ``rules_fingerprint`` (the mapping rules that made a row), ``rows_replaced`` and
# ``key_scheme`` (how its event keys were made) came later: opening an older workspace adds
# them, empty (NULL: not recorded). Columns added this way must be nullable.


@contextmanager
def quiet_driver_warnings() -> Iterator[None]:
    """Silence deprecations ibis 12 triggers in duckdb 2.0; they are not the user's concern."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=r"fetch_arrow_table\(\) is deprecated", category=DeprecationWarning
        )
        yield


def _duckdb_path(url: str) -> str | None:
    """The database path of a ``duckdb://`` URL (``:memory:`` for none), else ``None``.

    Text without a scheme is a DuckDB file's path (``Workspace("journeymap.duckdb")``): Ibis
    would open it with its own DuckDB connection, which fails on DuckDB 2.
    """
    if "://" not in url:
        return url
    if not url.startswith("duckdb://"):
        return None
    rest = url[len("duckdb://") :]
    if rest in ("", "/", "/:memory:", ":memory:"):
        return ":memory:"
    return rest[1:] if rest.startswith("/") else rest


def _sqlite_url(url: str) -> str:
    """``url`` with the path of a ``sqlite:///`` URL resolved against the working directory.

    ``sqlite:///ev.sqlite`` names ``ev.sqlite`` here, as ``duckdb:///ev.duckdb`` does (see
    :func:`_duckdb_path`); Ibis reads the path after the third slash as absolute, and wrote
    the workspace to ``/ev.sqlite``. ``sqlite:////data/ev.sqlite`` stays absolute.

    Examples:
        >>> import os
        >>> _sqlite_url("sqlite:///ev.sqlite") == f"sqlite://{os.getcwd()}/ev.sqlite"
        True
        >>> _sqlite_url("sqlite:////data/ev.sqlite")
        'sqlite:////data/ev.sqlite'
    """
    prefix = "sqlite:///"
    if not url.lower().startswith(prefix) or url.startswith("/", len(prefix)):
        return url
    rest = url[len(prefix) :]
    if rest.split("?", 1)[0] in ("", ":memory:"):
        return url
    return f"sqlite://{Path(rest).absolute().as_posix()}"


class Workspace:
    """A workspace database opened by URL.

    Args:
        url: ``duckdb:///path/file.duckdb`` or just the file's path (created if missing),
            ``duckdb://`` (in memory) or another Ibis connection URL. Defaults to the
            ``workspace.url`` setting (``journeymap.duckdb`` in the working directory).
        read_only: Only read (analyses): a DuckDB file is opened with a shared lock, so
            several readers can use it at once; it must exist, and its tables are neither
            created nor migrated. Nor are another engine's (see :meth:`has_table`).

    Raises:
        WorkspaceError: The database cannot be opened (locked, not a DuckDB file, ...).

    Examples:
        >>> with Workspace("duckdb://") as workspace:
        ...     workspace.events().columns[:4]
        ('person_id', 'account_id', 'ts', 'touchpoint')
    """

    def __init__(self, url: str | None = None, *, read_only: bool = False) -> None:
        self.url = str(resolve("workspace.url", url))
        path = _duckdb_path(self.url)
        # Only to read (an analysis): the database is left as it is on every engine, without
        # journeymap's tables if it has none (a typo in a URL names another database). An
        # in-memory DuckDB has nothing to read unless they are made.
        create_tables = not read_only or path == ":memory:"
        self._duckdb: duckdb.DuckDBPyConnection | None = None
        self._closed = False
        # A DuckDB file opened to read only takes a shared lock: several analyses of one
        # workspace can run at once (a writer still excludes them). Temporary tables work.
        only_reads = read_only
        read_only = read_only and path is not None and path != ":memory:"
        try:
            if path is not None:
                if read_only and not Path(path).is_file():
                    raise WorkspaceError(
                        _(
                            "{path} does not exist; import events first with `journeymap import`"
                        ).format(path=path)
                    )
                if path != ":memory:":
                    Path(path).parent.mkdir(parents=True, exist_ok=True)
                self._duckdb = duckdb.connect(path, read_only=read_only, config=duckdb_config())
                self.backend: Any = ibis.duckdb.from_connection(self._duckdb)
            else:
                url = _sqlite_url(self.url)
                # Reading a SQLite file that is not there would create it, empty.
                file = url.removeprefix("sqlite://") if url.startswith("sqlite:///") else None
                if (
                    only_reads
                    and file
                    and not file.endswith(":memory:")
                    and not Path(file).is_file()
                ):
                    raise WorkspaceError(
                        _(
                            "{path} does not exist; import events first with `journeymap import`"
                        ).format(path=file)
                    )
                self.backend = ibis.connect(url)
        except WorkspaceError:
            raise
        except duckdb.Error as exc:
            raise WorkspaceError(
                _("cannot open the workspace {url}: {reason}").format(url=self.url, reason=exc)
            ) from None
        except Exception as exc:  # ibis raises many types for a bad URL or driver
            shown = redact_url(self.url)
            reason = redact_text(str(exc), self.url)
            if re.search(r'database "[^"]*" does not exist', reason):
                reason += _(
                    "; journeymap does not create databases: create it first (createdb NAME, "
                    "or CREATE DATABASE in psql), or fix the name in the URL"
                )
            raise WorkspaceError(
                _("cannot connect to {url}: {reason}").format(url=shown, reason=reason)
            ) from None
        if create_tables:
            self._create_tables()

    @property
    def duckdb(self) -> duckdb.DuckDBPyConnection | None:
        """The raw DuckDB connection of a DuckDB workspace (``None`` for other engines)."""
        return self._duckdb

    def _create_tables(self) -> None:
        try:
            if self._duckdb is not None:
                for name, schema in TABLES.items():
                    columns = ", ".join(f"{col} {kind}" for col, kind in schema.items())
                    self._duckdb.execute(f"CREATE TABLE IF NOT EXISTS {name} ({columns})")
                    described = self._duckdb.execute(f"SELECT * FROM {name} LIMIT 0")
                    present = {column[0] for column in described.description or []}
                    for column in _missing_columns(name, schema, present):
                        self.execute(f"ALTER TABLE {name} ADD COLUMN {column}")
                return
            existing = set(self.backend.list_tables())
            for name, schema in TABLES.items():
                if name not in existing:
                    self.backend.create_table(name, schema=ibis.schema(_ibis_types(schema)))
                    continue
                with quiet_driver_warnings():
                    present = set(self.backend.table(name).columns)
                for column in _missing_columns(name, schema, present):
                    self.execute(f"ALTER TABLE {name} ADD COLUMN {column}")
        except WorkspaceError:
            raise
        except (duckdb.Error, Exception) as exc:
            raise WorkspaceError(
                _("the workspace {url} cannot hold journeymap tables: {reason}").format(
                    url=self.display_url, reason=exc
                )
            ) from None

    def execute(self, statement: str) -> None:
        """Run one SQL statement that returns nothing (ALTER, DELETE) on the workspace's engine.

        Driver errors pass through: callers translate them (they know what was being done).
        """
        if self._duckdb is not None:
            self._duckdb.execute(statement)
            return
        cursor = self.backend.raw_sql(statement)
        close = getattr(cursor, "close", None)
        if close is not None:  # DB-API cursors (SQLite, PostgreSQL) hold a result until closed
            close()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called (at the end of ``with Workspace(...)``, say)."""
        return self._closed

    def check_open(self) -> None:
        """Raise a :class:`WorkspaceError` saying what to do if the workspace was closed.

        The driver's own words were "Connection Error: Connection has already been closed",
        under "the workspace has no readable table 'events'".
        """
        if self._closed:
            raise WorkspaceError(
                _(
                    "the workspace {url} was closed (at the end of its 'with Workspace(...)' "
                    "block, or by close()); use it inside the block, or open it again: "
                    "Workspace({shown})"
                ).format(url=self.display_url, shown=repr(redact_url(self.url)))
            )

    def table(self, name: str) -> ibis.Table:
        """One of the workspace tables (``events``, ``quarantine``, ``imports``)."""
        self.check_open()
        try:
            with quiet_driver_warnings():
                return self.backend.table(name)
        except Exception as exc:
            raise EngineError(
                _("the workspace has no readable table {name}: {reason}").format(
                    name=repr(name), reason=exc
                )
            ) from None

    def events(self) -> ibis.Table:
        """The events table (the events contract plus ``event_key``, ``row_number``, ``extra``)."""
        return self.table("events")

    def quarantine(self) -> ibis.Table:
        """Rows that did not become events, with ``reason`` and the original row in ``raw``."""
        return self.table("quarantine")

    def imports(self) -> ibis.Table:
        """One row per import: source, data and rules fingerprints, time and counts."""
        return self.table("imports")

    def close(self) -> None:
        """Close the connection (safe to call twice)."""
        self._closed = True
        try:
            if self._duckdb is not None:
                self._duckdb.close()
            else:
                self.backend.disconnect()
        except Exception:
            pass

    def __enter__(self) -> Workspace:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Workspace({redact_url(self.url)!r})"

    @property
    def display_url(self) -> str:
        """The URL to show in messages: a password in it reads ``***``."""
        return redact_url(self.url)

    def has_table(self, name: str) -> bool:
        """Whether the workspace database has the table ``name`` (a read-only one may not)."""
        if self._duckdb is not None:
            found = self._duckdb.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
            ).fetchall()
            return bool(found and found[0][0])
        try:
            return name in self.backend.list_tables()
        except Exception as exc:
            raise EngineError(
                _("cannot list the workspace's tables: {reason}").format(reason=exc)
            ) from None


_PASSWORD = re.compile(r"^(?P<head>[a-z][a-z0-9+.-]*://[^/@:]*):(?P<password>[^/@]*)@", re.I)


def redact_url(url: str) -> str:
    """``url`` with its password, if any, as ``***`` (for messages and logs).

    Examples:
        >>> redact_url("postgresql://lukas:geheim@db.bank.de:5432/journeys")
        'postgresql://lukas:***@db.bank.de:5432/journeys'
        >>> redact_url("duckdb:///journeymap.duckdb")
        'duckdb:///journeymap.duckdb'
    """
    return _PASSWORD.sub(r"\g<head>:***@", url)


def redact_text(text: str, url: str) -> str:
    """``text`` (a driver's message) without the password of ``url`` in it."""
    match = _PASSWORD.match(url)
    if not match or not match.group("password"):
        return text
    password = match.group("password")
    from urllib.parse import unquote

    for form in {password, unquote(password)}:
        text = text.replace(form, "***")
    return text


def _new_files(url: str | None) -> list[Path]:
    """The files and folders opening the DuckDB workspace at ``url`` would create, deepest first."""
    path_text = _duckdb_path(str(resolve("workspace.url", url)))
    if path_text is None or path_text == ":memory:":
        return []
    path = Path(path_text)
    if path.exists():
        return []
    log = path.with_name(path.name + ".wal")
    created = [path] if log.exists() else [path, log]
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        created.append(folder)
        folder = folder.parent
    return created


@contextmanager
def open_for_import(url: str | None = None) -> Iterator[Workspace]:
    """Open a workspace for an import; a DuckDB file this opened is removed if the import fails.

    A failed import leaves an existing workspace as it was (the import is one transaction) and
    leaves no new, empty workspace file behind: the file, its write-ahead log and any folders
    created for it are removed again when the block raises.

    Args:
        url: As for :class:`Workspace`.

    Examples:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> try:
        ...     with open_for_import(f"duckdb:///{folder / 'new' / 'ws.duckdb'}"):
        ...         raise ValueError("the import failed")
        ... except ValueError:
        ...     pass
        >>> list(folder.iterdir())
        []
    """
    created = _new_files(url)
    try:
        with Workspace(url) as workspace:
            yield workspace
    except BaseException:
        for path in created:
            with contextlib.suppress(OSError):  # a folder someone else filled stays
                if path.is_dir():
                    path.rmdir()
                else:
                    path.unlink(missing_ok=True)
        raise


def _missing_columns(name: str, schema: dict[str, str], present: set[str]) -> list[str]:
    """``column TYPE`` of each column of ``schema`` an older workspace's table lacks.

    Raises:
        WorkspaceError: A missing column may not be empty (not added by journeymap later).
    """
    missing = [column for column in schema if column not in present]
    required = [column for column in missing if "NOT NULL" in schema[column]]
    if required:
        raise WorkspaceError(
            _(
                "the workspace's {name} table lacks the columns {columns}; it was not made by "
                "journeymap"
            ).format(name=name, columns=", ".join(required))
        )
    return [f"{column} {schema[column]}" for column in missing]


def _ibis_types(schema: dict[str, str]) -> dict[str, str]:
    kinds = {
        "VARCHAR": "string",
        "TIMESTAMPTZ": "timestamp('UTC')",
        "BOOLEAN": "boolean",
        "DOUBLE": "float64",
        "BIGINT": "int64",
    }
    out = {}
    for column, kind in schema.items():
        base = kind.split()[0]
        nullable = "NOT NULL" not in kind
        out[column] = ("" if nullable else "!") + kinds[base]
    return out
