"""Where a DuckDB connection keeps the tables the engine computes once: memory, or disk.

DuckDB keeps a temporary table uncompressed: 16 bytes for every text, 8 for every time. The
journeys of 10M generated journeys (45M events) took about 5 GB so, of which 2.6 GB spilled
under a 2500MB cap, and every later query spilled beside them (21 GB written in one
analysis). The same table in a database file is compressed as it is written (1.35 GB on
disk, 546 MB of it in memory), and the queries that read it ran in about half the time.
Writing it costs more (21 s -> 30 s at 10M; 1.5 s -> 2.5 s at 1M), so a connection
attaches such a scratch file only when the journeys would take more than :data:`SHARE` of
the memory DuckDB may use; every table :func:`journeymap.engine._tables.materialize` makes
on it afterwards goes there. The file lives in a folder of its own under the system's
temporary folder and goes with the connection (or the process).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Any

import ibis.expr.types as ir

__all__ = ["SHARE", "memory_limit", "scratch_catalog", "use_scratch_if_large"]

SHARE = 0.5
"""The share of DuckDB's ``memory_limit`` the journeys may take before they go to disk."""

_CATALOG = "journeymap_scratch"
# The scratch catalog of each connection that attached one. Weak keys: it goes with the
# connection.
_ATTACHED: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
_UNITS = {"": 1, "B": 1, "BYTES": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}
_UNITS |= {"KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}
# What one value of a type takes in a temporary table (text: its 16-byte header; longer
# texts take more, so this errs low).
_WIDTHS = {"string": 16, "boolean": 1, "int8": 1, "int16": 2, "int32": 4, "float32": 4}


def scratch_catalog(backend: Any) -> str | None:
    """The catalog of ``backend``'s scratch database, or None: temporary tables."""
    return _ATTACHED.get(backend)


def use_scratch_if_large(backend: Any, rows: ir.Table, schema: dict[str, Any]) -> bool:
    """Attach the scratch database to a DuckDB ``backend`` if ``rows`` would crowd memory.

    ``rows`` is what is about to be stored (its row count is asked, a look at a file's
    metadata or one scan), ``schema`` its columns' types. Returns whether ``backend`` has a
    scratch database now. A connection that cannot attach one (a read-only folder, say)
    keeps its temporary tables.
    """
    if backend in _ATTACHED:
        return True
    if getattr(backend, "name", None) != "duckdb":
        return False
    limit = memory_limit(backend)
    if limit is None:
        return False
    width = sum(_WIDTHS.get(str(kind).removeprefix("!"), 8) for kind in schema.values())
    count = int(rows.count().to_pyarrow().as_py())
    if count * width <= limit * SHARE:
        return False
    return _attach(backend)


def memory_limit(backend: Any) -> int | None:
    """DuckDB's ``memory_limit`` in bytes (it answers as text: ``2.3 GiB``)."""
    text = backend.raw_sql("SELECT current_setting('memory_limit')").fetchall()[0][0]
    found = re.fullmatch(r"\s*([\d.]+)\s*([A-Za-z]*)\s*", str(text))
    if found is None or found.group(2).upper() not in _UNITS:
        return None
    return int(float(found.group(1)) * _UNITS[found.group(2).upper()])


def _attach(backend: Any) -> bool:
    import duckdb

    try:
        folder = Path(tempfile.mkdtemp(prefix="journeymap-scratch-"))
    except OSError:  # no writable temporary folder: the temporary tables, as before
        return False
    path = str(folder / "scratch.duckdb").replace("'", "''")
    try:
        # READ_WRITE: a workspace opened to read only may still write its own scratch.
        backend.raw_sql(f"ATTACH '{path}' AS {_CATALOG} (READ_WRITE)").fetchall()
    except duckdb.Error:  # refused (a full disk, say): the temporary tables, as before
        shutil.rmtree(folder, ignore_errors=True)
        return False
    _ATTACHED[backend] = _CATALOG
    weakref.finalize(backend, shutil.rmtree, folder, ignore_errors=True)
    return True
