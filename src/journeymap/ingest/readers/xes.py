"""XES event logs (IEEE 1849), plain or gzip-compressed, streamed event by event.

Each event becomes one row: the trace's attributes (``concept:name`` as ``case:concept:name``
and every other trace attribute as ``case:<key>``) followed by the event's attributes
(``concept:name``, ``lifecycle:transition``, ``time:timestamp``, ``org:resource``, ...).
Elements are cleared as soon as they are read, so memory stays flat on large logs.
"""

from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import IO, cast

import pyarrow as pa

from journeymap.errors import ReaderError
from journeymap.i18n.messages import _
from journeymap.ingest.readers._common import BATCH_ROWS

ATTRIBUTE_TAGS = {"string", "date", "int", "float", "boolean", "id"}


_LOCAL_NAMES: dict[str, str] = {}


def _local(tag: str) -> str:
    """The tag without its namespace (memoised: a log has a handful of distinct tags)."""
    local = _LOCAL_NAMES.get(tag)
    if local is None:
        local = _LOCAL_NAMES[tag] = tag.rsplit("}", 1)[-1]
    return local


def _open(path: Path) -> IO[bytes]:
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return cast(IO[bytes], gzip.GzipFile(path, "rb"))
    return path.open("rb")


def read_xes(path: str | Path) -> Iterator[pa.RecordBatch]:
    """Stream an ``.xes`` or ``.xes.gz`` log as batches of one row per event.

    Raises:
        ReaderError: The file is missing, not XML, or not gzip when it says so.
    """
    file = Path(path)
    if not file.is_file():
        raise ReaderError(_("file not found"), file)
    names: list[str] = []
    rows: list[dict[str, str]] = []
    try:
        with _open(file) as handle:
            # Only element ends are reported; a trace is handled whole when it closes (its
            # attributes may come before or after its events) and then cleared.
            for _action, element in ET.iterparse(handle, events=("end",)):
                if _local(element.tag) != "trace":
                    continue
                trace_attributes = {f"case:{key}": value for key, value in _attributes(element)}
                for child in element:
                    if _local(child.tag) != "event":
                        continue
                    row = {**trace_attributes, **dict(_attributes(child))}
                    for key in row:
                        if key not in names:
                            names.append(key)
                    rows.append(row)
                element.clear()
                if len(rows) >= BATCH_ROWS:
                    yield _batch(rows, names)
                    rows = []
    except (ET.ParseError, OSError, EOFError) as exc:
        raise ReaderError(_("not a readable XES log: {reason}").format(reason=exc), file) from None
    if rows:
        yield _batch(rows, names)


def _attributes(element: ET.Element) -> list[tuple[str, str]]:
    """The (key, value) of an element's direct attribute children (nested ones are skipped)."""
    found = []
    for child in element:
        if _local(child.tag) in ATTRIBUTE_TAGS:
            key, value = child.get("key"), child.get("value")
            if key is not None and value is not None:
                found.append((key, value))
    return found


def _batch(rows: list[dict[str, str]], names: list[str]) -> pa.RecordBatch:
    arrays = [pa.array([row.get(name) for row in rows], pa.string()) for name in names]
    return pa.RecordBatch.from_arrays(arrays, names=names)
