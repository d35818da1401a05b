"""The workspace: one database (DuckDB file by default) holding events, quarantine and imports.

Driver errors (duckdb, ibis) are translated into :class:`WorkspaceError` / :class:`EngineError`
here, at the boundary; nothing above this module sees them. Two of them carry an exit code of
their own: :class:`WorkspaceBusyError` (another process holds a DuckDB workspace's lock: try
again later, 75) and :class:`WorkspaceMissingError` (a workspace to read is not there, 2).
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import ibis

from journeymap.errors import EngineError, WorkspaceError
from journeymap.i18n.messages import _
from journeymap.ingest._workspace_errors import WorkspaceBusyError, WorkspaceMissingError
from journeymap.ingest._workspace_lock import _LOCK_WAIT, _connect
from journeymap.ingest._workspace_names import (
    _database_file,
    _duckdb_path,
    _sqlite_url,
    workspace_name,
)
from journeymap.ingest._workspace_names import redact_text as redact_text
from journeymap.ingest._workspace_names import redact_url as redact_url
from journeymap.ingest._workspace_settings import DEFAULT_URL, duckdb_config
from journeymap.ingest._workspace_tables import (
    EVENTS_SCHEMA,
    IMPORTS_SCHEMA,
    QUARANTINE_SCHEMA,
    TABLES,
    _ibis_types,
    _missing_columns,
)
from journeymap.settings import resolve

__all__ = [
    "DEFAULT_URL",
    "EVENTS_SCHEMA",
    "IMPORTS_SCHEMA",
    "QUARANTINE_SCHEMA",
    "Workspace",
    "WorkspaceBusyError",
    "WorkspaceMissingError",
    "duckdb_config",
    "new_workspace_file",
    "open_for_import",
    "waiting_for_lock",
    "workspace_name",
]


@contextmanager
def waiting_for_lock(
    seconds: float, on_wait: Callable[[int | None], None] | None = None
) -> Iterator[None]:
    """Inside the block, a DuckDB workspace held by another process is tried again.

    Every :class:`Workspace` opened inside (by a service, say) keeps trying for up to
    ``seconds`` before it raises :class:`WorkspaceBusyError`; ``on_wait`` is called once with
    the holder's PID (None when DuckDB does not name it) when it starts to wait.

    Examples:
        >>> with waiting_for_lock(30):
        ...     with Workspace("duckdb://") as workspace:
        ...         workspace.has_table("events")
        True
    """
    token = _LOCK_WAIT.set((max(0.0, float(seconds)), on_wait))
    try:
        yield
    finally:
        _LOCK_WAIT.reset(token)


@contextmanager
def quiet_driver_warnings() -> Iterator[None]:
    """Silence deprecations ibis 12 triggers in duckdb 2.0; they are not the user's concern."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=r"fetch_arrow_table\(\) is deprecated", category=DeprecationWarning
        )
        yield


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
                    raise WorkspaceMissingError(
                        _(
                            "{path} does not exist; import events first with `journeymap import`"
                        ).format(path=self.display_url)
                    )
                if path != ":memory:":
                    Path(path).parent.mkdir(parents=True, exist_ok=True)
                self._duckdb = _connect(path, read_only, self.display_url)
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
                    raise WorkspaceMissingError(
                        _(
                            "{path} does not exist; import events first with `journeymap import`"
                        ).format(path=self.display_url)
                    )
                self.backend = ibis.connect(url)
        except WorkspaceError:
            raise
        except duckdb.Error as exc:
            raise WorkspaceError(
                _("cannot open the workspace {url}: {reason}").format(
                    url=self.display_url, reason=exc
                )
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
        """The workspace as messages name it (see :func:`workspace_name`).

        A DuckDB file's path, the same whichever command opened it, or the URL with a
        password as ``***``.
        """
        return workspace_name(self.url)

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


def new_workspace_file(url: str | None = None) -> tuple[Path, list[Path]] | None:
    """The database file opening ``url`` to write would create, and the folders made for it.

    None when the workspace exists already, lives in memory or on a server (PostgreSQL:
    journeymap does not create databases). An import says when it made a new workspace: a
    typo in ``--db`` otherwise starts an empty one, quietly.

    Examples:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> file, folders = new_workspace_file(f"duckdb:///{folder / 'new' / 'ws.duckdb'}")
        >>> file.name, [made.name for made in folders]
        ('ws.duckdb', ['new'])
        >>> new_workspace_file("duckdb://") is None
        True
    """
    path_text = _database_file(str(resolve("workspace.url", url)))
    if path_text is None or path_text == ":memory:":
        return None
    path = Path(path_text)
    if path.exists():
        return None
    folders = []
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folders.append(folder)
        folder = folder.parent
    return path, folders[::-1]


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
