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
from journeymap.ingest.readers._common import BATCH_ROWS

ATTRIBUTE_TAGS = {"string", "date", "int", "float", "boolean", "id"}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


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
        raise ReaderError("file not found", file)
    names: list[str] = []
    rows: list[dict[str, str]] = []
    trace_attributes: dict[str, str] = {}
    event: dict[str, str] | None = None
    depth = 0  # nesting depth inside <trace>/<event>: only direct children are attributes
    in_trace = False
    try:
        with _open(file) as handle:
            for action, element in ET.iterparse(handle, events=("start", "end")):
                tag = _local(element.tag)
                if action == "start":
                    if tag == "trace":
                        in_trace, trace_attributes, depth = True, {}, 0
                    elif tag == "event" and in_trace:
                        event, depth = {}, 0
                    elif in_trace and tag in ATTRIBUTE_TAGS:
                        depth += 1
                    continue
                if tag == "event" and event is not None:
                    row = {**trace_attributes, **event}
                    for key in row:
                        if key not in names:
                            names.append(key)
                    rows.append(row)
                    event = None
                    element.clear()
                    if len(rows) >= BATCH_ROWS:
                        yield _batch(rows, names)
                        rows = []
                elif tag == "trace":
                    in_trace = False
                    element.clear()
                elif in_trace and tag in ATTRIBUTE_TAGS:
                    depth -= 1
                    key, value = element.get("key"), element.get("value")
                    if depth == 0 and key is not None and value is not None:
                        if event is not None:
                            event[key] = value
                        else:
                            trace_attributes[f"case:{key}"] = value
                elif not in_trace and tag in ATTRIBUTE_TAGS | {"global", "extension", "classifier"}:
                    element.clear()
    except (ET.ParseError, OSError, EOFError) as exc:
        raise ReaderError(f"not a readable XES log: {exc}", file) from None
    if rows:
        yield _batch(rows, names)


def _batch(rows: list[dict[str, str]], names: list[str]) -> pa.RecordBatch:
    arrays = [pa.array([row.get(name) for row in rows], pa.string()) for name in names]
    return pa.RecordBatch.from_arrays(arrays, names=names)
