"""Opening a DuckDB file another process holds: its lock recognised, and tried again."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from contextvars import ContextVar

import duckdb

from journeymap.ingest._workspace_errors import _busy
from journeymap.ingest._workspace_settings import duckdb_config

# Seconds between two tries to open a DuckDB workspace another process holds (see
# :func:`waiting_for_lock`).
LOCK_RETRY_SECONDS = 0.5


# How long opening a DuckDB workspace that another process holds keeps trying, and whom to
# tell that it waits (see waiting_for_lock).
_LOCK_WAIT: ContextVar[tuple[float, Callable[[int | None], None] | None]] = ContextVar(
    "journeymap_lock_wait", default=(0.0, None)
)


_LOCK_HELD = re.compile(r"Could not set lock on file|Conflicting lock is held", re.I)
_LOCK_PID = re.compile(r"\(PID (\d+)\)")


def _lock_holder(error: BaseException) -> tuple[bool, int | None]:
    """Whether ``error`` says another process holds the DuckDB file's lock, and its PID."""
    text = str(error)
    if not _LOCK_HELD.search(text):
        return False, None
    found = _LOCK_PID.search(text)
    return True, int(found.group(1)) if found else None


def _connect(path: str, read_only: bool, name: str) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection to ``path``; a held lock is tried again while waiting_for_lock says.

    Raises:
        WorkspaceBusyError: Another process holds the lock (after the wait, if any).
        duckdb.Error: Any other failure, for the caller to translate.
    """
    seconds, on_wait = _LOCK_WAIT.get()
    deadline = time.monotonic() + seconds
    told = False
    while True:
        try:
            return duckdb.connect(path, read_only=read_only, config=duckdb_config())
        except duckdb.Error as exc:
            held, pid = _lock_holder(exc)
            left = deadline - time.monotonic()
            if not held or left <= 0:
                if held:
                    raise _busy(name, pid) from None
                raise
            if on_wait is not None and not told:
                on_wait(pid)
                told = True
            time.sleep(min(LOCK_RETRY_SECONDS, left))
