"""Event readers: every format becomes a stream of Arrow record batches of text columns.

Values stay text as read so a rejected row can be stored in the quarantine exactly as it was;
the mapping rules parse timestamps and numbers afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from journeymap._lazy import lazy_names
from journeymap.errors import ReaderError
from journeymap.i18n.messages import _

if TYPE_CHECKING:
    from journeymap.ingest.readers.csv_reader import read_csv
    from journeymap.ingest.readers.xes import read_xes

__all__ = [
    "FORMATS",
    "LINE_FORMATS",
    "SPARSE_FORMATS",
    "detect_format",
    "read_csv",
    "read_events",
    "read_xes",
]

FORMATS = ("csv", "tsv", "parquet", "jsonl", "xes")
# Formats whose reader hands each line it cannot read as a row to ``on_malformed``.
LINE_FORMATS = ("csv", "tsv", "jsonl")
# Formats whose rows need not have every field: a batch has a column for each field read so
# far, so a field may first appear in a later batch.
SPARSE_FORMATS = ("jsonl", "xes")

# The readers are imported with the first file read: the engine reads ``_common`` alone.
__getattr__, __dir__ = lazy_names(
    __name__,
    {
        "read_csv": "journeymap.ingest.readers.csv_reader",
        "read_xes": "journeymap.ingest.readers.xes",
    },
    globals(),
)

_SUFFIXES = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".xes": "xes",
}


def detect_format(path: str | Path) -> str:
    """The format of a file from its name: csv, tsv, parquet, jsonl or xes (also ``.xes.gz``)."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] in _SUFFIXES:
        return _SUFFIXES[suffixes[-1]]
    raise ReaderError(
        _("cannot tell the format from the file name; pass format= one of {formats}").format(
            formats=", ".join(FORMATS)
        ),
        path,
    )


def read_events(source: Any, format: str | None = None, **options: Any) -> Iterator[pa.RecordBatch]:
    """Read events from a file path or an in-memory table as batches of text columns.

    Args:
        source: A path (CSV, TSV, Parquet, JSON Lines, XES, XES.gz), a pandas or polars
            DataFrame, or a pyarrow Table.
        format: One of ``csv``, ``tsv``, ``parquet``, ``jsonl``, ``xes``; taken from the file
            name when not given.
        **options: Reader options, e.g. ``delimiter`` and ``encoding`` for CSV.

    Raises:
        ReaderError: The format is unknown or the file cannot be read.

    Examples:
        >>> import pyarrow as pa
        >>> batches = list(read_events(pa.table({"id": [1, 2]})))
        >>> batches[0].column("id").to_pylist()
        ['1', '2']
    """
    from journeymap.ingest.readers.columnar import read_frame, read_jsonl, read_parquet
    from journeymap.ingest.readers.csv_reader import read_csv
    from journeymap.ingest.readers.xes import read_xes

    if not isinstance(source, str | Path):
        return read_frame(source)
    chosen = (format or detect_format(source)).lower()
    if chosen == "csv":
        return read_csv(source, **options)
    if chosen == "tsv":
        return read_csv(source, **{"delimiter": "\t", **options})
    if chosen == "parquet":
        return read_parquet(source)
    if chosen == "jsonl":
        return read_jsonl(source, **options)
    if chosen == "xes":
        return read_xes(source)
    raise ReaderError(
        _("unknown format {format}; use one of {formats}").format(
            format=repr(format), formats=", ".join(FORMATS)
        ),
        source,
    )
