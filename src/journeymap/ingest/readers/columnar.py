"""Parquet files, JSON Lines files, pandas/polars DataFrames and Arrow tables."""

from __future__ import annotations

import codecs
import gzip
import io
import json
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, cast

import pyarrow as pa
import pyarrow.parquet as pq

from journeymap.errors import ReaderError
from journeymap.i18n.messages import _, count
from journeymap.ingest.readers._common import (
    BATCH_ROWS,
    arrow_table,
    as_text_batch,
    table_batches,
)


def read_parquet(path: str | Path) -> Iterator[pa.RecordBatch]:
    """Stream a Parquet file as batches of text columns."""
    file = Path(path)
    if not file.is_file():
        raise ReaderError(_("file not found"), file)
    try:
        parquet = pq.ParquetFile(file)
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
            yield as_text_batch(batch)
    except (pa.ArrowInvalid, OSError) as exc:
        raise ReaderError(
            _("not a readable Parquet file: {reason}").format(reason=exc), file
        ) from None


def read_jsonl(
    path: str | Path,
    on_malformed: Callable[[str], None] | None = None,
    *,
    encoding: str | None = None,
) -> Iterator[pa.RecordBatch]:
    """Stream a JSON Lines file (one object per line) as batches of text columns.

    Nested values are kept as their JSON text. A line that is not a JSON object goes to
    ``on_malformed`` (its text, without the line break), as the CSV reader passes a line with
    the wrong number of fields; without it, it raises a :class:`ReaderError` naming the line.

    Args:
        path: The file, gzip-compressed or not.
        on_malformed: Receives the text of each line that is no JSON object.
        encoding: The text encoding. By default UTF-8 (JSON's own, RFC 8259), or UTF-16/32
            when the file starts with their byte order mark; a file in another encoding is
            refused with the line and byte that is not UTF-8, rather than guessed: a wrong
            guess between cp1252 and latin-1 would store other text, under other event keys.

    Raises:
        ReaderError: The file is missing, not in its encoding, or no line is a JSON object.
    """
    file = Path(path)
    if not file.is_file():
        raise ReaderError(_("file not found"), file)
    chosen = jsonl_encoding(file, encoding)
    names: list[str] = []
    rows: list[dict[str, Any]] = []
    objects = malformed = 0
    first_problem = ""
    for line_number, line in _lines(file, chosen, given=encoding is not None):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            problem = None if isinstance(record, dict) else _("expected a JSON object")
        except json.JSONDecodeError as exc:
            problem = _("not JSON ({reason})").format(reason=exc.msg)
        if problem is not None:
            where = _("line {line}: {problem}").format(line=line_number, problem=problem)
            if on_malformed is None:
                raise ReaderError(where, file)
            malformed += 1
            first_problem = first_problem or where
            on_malformed(line.rstrip("\r\n"))
            continue
        objects += 1
        for key in record:
            if key not in names:
                names.append(key)
        rows.append(record)
        if len(rows) >= BATCH_ROWS:
            yield _rows_batch(rows, names)
            rows = []
    if rows:
        yield _rows_batch(rows, names)
    if not objects and malformed:
        raise ReaderError(
            _(
                "no line is a JSON object: all {count} lines are malformed ({problem}). "
                "Is this a JSON Lines file?"
            ).format(count=count(malformed), problem=first_problem),
            file,
        )


# Byte order marks, longest first: UTF-32's little-endian mark starts with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _open_bytes(file: Path) -> IO[bytes]:
    """The file's bytes, decompressed when it is gzip (by its magic bytes, not its name)."""
    with file.open("rb") as probe:
        compressed = probe.read(2) == b"\x1f\x8b"
    return cast(IO[bytes], gzip.open(file, "rb")) if compressed else file.open("rb")


def jsonl_encoding(file: Path, encoding: str | None = None) -> str:
    """The encoding a JSON Lines file is read in: ``encoding``, else by its byte order mark.

    UTF-8 with or without a mark (``utf-8-sig`` reads both); UTF-16 and UTF-32 by theirs.
    """
    if encoding is not None:
        return "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding
    with _open_bytes(file) as handle:
        start = handle.read(4)
    return next((name for bom, name in _BOMS if start.startswith(bom)), "utf-8-sig")


def _lines(file: Path, encoding: str, *, given: bool) -> Iterator[tuple[int, str]]:
    """(line number, text) of each line; a line not in ``encoding`` is a ReaderError.

    Lines are split on their bytes and decoded one by one, so the error can name the line and
    the byte; UTF-16 and UTF-32 have line breaks of more than one byte and are decoded whole.
    """
    try:
        with _open_bytes(file) as raw:
            if codecs.lookup(encoding).name.startswith(("utf-16", "utf-32")):
                with io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
                    yield from enumerate(text, start=1)
                return
            for line_number, line in enumerate(raw, start=1):
                try:
                    yield line_number, line.decode(encoding)
                except UnicodeDecodeError as exc:
                    raise ReaderError(
                        _not_in_encoding(line, line_number, exc, given), file
                    ) from None
    except UnicodeDecodeError as exc:  # UTF-16/32 decoded whole: no line to name
        raise ReaderError(
            _(
                "not {encoding} text: {reason} at byte {position}; pass the file's encoding "
                "with --encoding (encoding= in Python)"
            ).format(encoding=encoding, reason=exc.reason, position=count(exc.start)),
            file,
        ) from None
    except (OSError, EOFError, zlib.error) as exc:  # a gzip file that is damaged or cut off
        raise ReaderError(
            _("cannot decompress the file: {reason}").format(reason=exc), file
        ) from None


def _not_in_encoding(line: bytes, line_number: int, exc: UnicodeDecodeError, given: bool) -> str:
    """Where a line is not in its encoding, what the byte may be, and how to say so."""
    byte = line[exc.start]
    where = _("line {line}, column {column}: byte {byte}").format(
        line=line_number, column=exc.start + 1, byte=f"0x{byte:02x}"
    )
    if given:
        return _("{where} is not {encoding} text; check the --encoding given").format(
            where=where, encoding=exc.encoding
        )
    guess = "cp1252"
    try:
        shown = line.decode(guess).rstrip("\r\n")
    except UnicodeDecodeError:
        guess = "latin-1"
        shown = line.decode(guess).rstrip("\r\n")
    excerpt = shown[max(0, exc.start - 20) : exc.start + 20]
    return _(
        "{where} is not UTF-8, the encoding of JSON Lines files (read as {guess}: {excerpt}); "
        "if the file is in another encoding, pass it with --encoding (e.g. --encoding {guess}; "
        "encoding= in Python)"
    ).format(where=where, guess=guess, excerpt=repr(excerpt))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _rows_batch(rows: list[dict[str, Any]], names: list[str]) -> pa.RecordBatch:
    arrays = [pa.array([_text(row.get(name)) for row in rows], pa.string()) for name in names]
    return pa.RecordBatch.from_arrays(arrays, names=names)


def read_frame(frame: Any) -> Iterator[pa.RecordBatch]:
    """Read a pandas or polars DataFrame, an Arrow table or record batch.

    Raises:
        ReaderError: The object is none of those.
    """
    table = arrow_table(frame)
    if table is not None:
        return table_batches(table)
    raise ReaderError(
        _(
            "cannot read events from a {type}; give a file path, a pandas or polars DataFrame, "
            "or a pyarrow Table"
        ).format(type=type(frame).__name__)
    )
