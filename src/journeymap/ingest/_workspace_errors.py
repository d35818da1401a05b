"""The workspace errors with an exit code of their own: busy (75) and missing (2)."""

from __future__ import annotations

from journeymap.errors import WorkspaceError
from journeymap.i18n.messages import _


class WorkspaceBusyError(WorkspaceError):
    """Another process holds the lock of a DuckDB workspace: try again later.

    DuckDB lets one process write to a database file, and none read it while one writes.
    The exit code is EX_TEMPFAIL (75), so a scheduler retries instead of failing the run.

    Attributes:
        pid: The process that holds the lock, when DuckDB names it.
    """

    exit_code = 75

    def __init__(self, message: str, pid: int | None = None) -> None:
        super().__init__(message)
        self.pid = pid


class WorkspaceMissingError(WorkspaceError):
    """A workspace opened to read is not there: the command names the wrong one (exit 2)."""

    exit_code = 2


def _busy(name: str, pid: int | None) -> WorkspaceBusyError:
    """The message for a DuckDB workspace another process holds, in journeymap's words."""
    if pid is None:
        holder = _("another process")
    else:
        holder = _("another process (PID {pid})").format(pid=pid)
    return WorkspaceBusyError(
        _(
            "the workspace {where} is in use by {holder}: DuckDB lets one process write to a "
            "workspace at a time, and none read it meanwhile. Wait until it is done and try "
            "again (journeymap import --wait SECONDS waits for it), or keep the workspace on "
            "PostgreSQL (--engine postgresql://...), where imports and analyses can run at once"
        ).format(where=name, holder=holder),
        pid,
    )
