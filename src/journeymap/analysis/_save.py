"""Writing an analysis into a folder all or nothing, as far as the file system allows.

Everything is written into a hidden staging folder beside the target first, then moved in: a
new folder in one rename, an existing one file by file with ``analysis.json`` last, so a failure
leaves the folder as it was (see :meth:`journeymap.analysis.result.Analysis.save`).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from journeymap.errors import AnalysisError
from journeymap.i18n.messages import _

ANALYSIS_FILE = "analysis.json"


def _save_into(folder: Path, document: str, tables: Mapping[str, pa.Table]) -> None:
    """Write the analysis beside ``folder``, then move it in (see :meth:`Analysis.save`)."""
    if folder.exists() and not folder.is_dir():
        raise AnalysisError(
            _("cannot write the analysis to {folder}: {reason}").format(
                folder=folder, reason=_("it is a file, not a folder")
            )
        )
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = _staging_folder(folder)
    try:
        (staging / ANALYSIS_FILE).write_text(document, encoding="utf-8")
        for name, table in tables.items():
            pq.write_table(table, staging / f"{name}.parquet")
        _move_in(staging, folder, set(tables))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _staging_folder(folder: Path) -> Path:
    """A new hidden folder beside ``folder`` (same file system: moving out of it is a rename).

    Hidden, so that a job reading ``*.parquet`` next to the output does not read it; made
    with the user's default permissions, as ``folder`` itself would be. A folder the user may
    write in, inside one they may not (a mounted ``/output``), holds it itself instead.
    """
    resolved = folder.resolve()
    while True:
        staging = resolved.parent / f".{resolved.name}.tmp-{secrets.token_hex(4)}"
        try:
            staging.mkdir()
        except FileExistsError:
            continue
        except PermissionError:
            if not resolved.is_dir():
                raise
            staging = resolved / f".journeymap-save.tmp-{secrets.token_hex(4)}"
            staging.mkdir()
        return staging


def _move_in(staging: Path, folder: Path, names: set[str]) -> None:
    """Replace ``folder``'s analysis with the one written in ``staging``."""
    if not folder.exists():
        try:
            staging.rename(folder)  # the whole analysis appears at once
            return
        except OSError:
            if not folder.is_dir():  # not made by someone else meanwhile: a real failure
                raise
    files = [f"{name}.parquet" for name in sorted(names)]
    # A folder where a file goes fails the move half way: said before anything is touched.
    blocked = [name for name in [*files, ANALYSIS_FILE] if (folder / name).is_dir()]
    if blocked:
        raise AnalysisError(
            _("cannot write the analysis to {folder}: {reason}").format(
                folder=folder,
                reason=_("{names} is a folder there, where the analysis writes a file").format(
                    names=", ".join(blocked)
                ),
            )
        )
    # Tables of the previous analysis this one lacks go first: until its analysis.json goes,
    # it still reads them from there. Only tables its analysis.json lists: journeymap wrote
    # those; other files are the user's.
    for name in sorted(_tables_listed(folder) - names):
        stale = folder / f"{name}.parquet"
        if stale.is_file():
            stale.unlink()
    # Without analysis.json the folder holds no analysis (load and render refuse it) until the
    # new one is moved in last: never one run's summary with another's tables.
    (folder / ANALYSIS_FILE).unlink(missing_ok=True)
    for file in files:
        os.replace(staging / file, folder / file)
    os.replace(staging / ANALYSIS_FILE, folder / ANALYSIS_FILE)


def _tables_listed(folder: Path) -> set[str]:
    """The tables the analysis in ``folder`` lists (none if it has no readable one)."""
    try:
        document = json.loads((folder / ANALYSIS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    tables = document.get("tables") if isinstance(document, dict) else None
    return {str(name) for name in tables} if isinstance(tables, dict) else set()
