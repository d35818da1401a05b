"""How a workspace URL is named: its database file, its path in messages, its password hidden."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

from journeymap.settings import resolve


def workspace_name(url: str | None = None) -> str:
    """How messages name the workspace at ``url``, the same in every command.

    A DuckDB or SQLite file is named by its path: relative to the working directory when it
    lies inside it (``w4/ws.duckdb``, whether the command got ``duckdb:///w4/ws.duckdb`` or
    the absolute path), else absolute. Any other URL is shown without its password.

    Examples:
        >>> import os
        >>> workspace_name(f"duckdb:///{os.getcwd()}/w4/ws.duckdb")
        'w4/ws.duckdb'
        >>> workspace_name("duckdb:///w4/ws.duckdb")
        'w4/ws.duckdb'
        >>> workspace_name("postgresql://lukas:geheim@db/journeys")
        'postgresql://lukas:***@db/journeys'
    """
    url = str(resolve("workspace.url", url))
    path = _database_file(url)
    if path is None:
        return redact_url(url)
    if path == ":memory:":
        return f"{url.split(':', 1)[0]}:// (in memory)"
    absolute = Path(path).absolute()
    with contextlib.suppress(OSError, RuntimeError):
        absolute = absolute.resolve()
    try:
        here = Path.cwd().resolve()
    except OSError:
        return str(absolute)
    return str(absolute.relative_to(here)) if absolute.is_relative_to(here) else str(absolute)


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


def _database_file(url: str) -> str | None:
    """The file of a DuckDB or SQLite workspace URL (``:memory:`` for none), else ``None``.

    Examples:
        >>> import os
        >>> _database_file("sqlite:///ev.sqlite") == f"{os.getcwd()}/ev.sqlite"
        True
        >>> _database_file("sqlite:////data/ev.sqlite")
        '/data/ev.sqlite'
        >>> _database_file("postgresql://db/journeys") is None
        True
    """
    path = _duckdb_path(url)
    if path is not None:
        return path
    sqlite = _sqlite_url(url)
    if not sqlite.lower().startswith("sqlite:///"):
        return None
    file = "/" + sqlite[len("sqlite:///") :].split("?", 1)[0].lstrip("/")
    return ":memory:" if file in ("/", "/:memory:") else file


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
