"""CSV and TSV: delimiter, quoting and encoding sniffed (or given), values kept as text."""

from __future__ import annotations

import codecs
import csv
import gzip
import re
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, cast

import pyarrow as pa
import pyarrow.csv as pacsv

from journeymap.errors import ReaderError
from journeymap.ingest.readers._common import BATCH_ROWS

ENCODINGS = ("utf-8-sig", "utf-8", "cp1252", "latin-1")
SAMPLE_BYTES = 64 * 1024


def open_bytes(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed when its name ends in ``.gz``."""
    if path.suffix.lower() == ".gz":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def detect_encoding(path: Path) -> str:
    """UTF-16 by its byte order mark, else the first of utf-8, cp1252, latin-1 that decodes it.

    Excel's "Unicode text" is UTF-16 with a byte order mark. Other files are decoded in
    chunks, so a large file is never held in memory whole.
    """
    with open_bytes(path) as handle:
        if handle.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            return "utf-16"
    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open_bytes(path) as handle:
                while chunk := handle.read(1 << 20):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"  # pragma: no cover - latin-1 decodes every byte


def sniff_dialect(sample: str, delimiter: str | None) -> tuple[str, str]:
    """(delimiter, quote character) of a text sample; ``delimiter`` wins when given."""
    quotechar = '"'
    if delimiter is None:
        lines = sample.splitlines()[:20]
        best, best_score = ",", -1
        for candidate in (",", ";", "\t", "|"):
            counts = [line.count(candidate) for line in lines if line.strip()]
            if not counts or counts[0] == 0:
                continue
            # a delimiter appears as often in every line; quoted fields may add a few
            consistent = sum(1 for count in counts if count == counts[0])
            score = consistent * 100 + counts[0]
            if score > best_score:
                best, best_score = candidate, score
        delimiter = best
        try:
            quotechar = csv.Sniffer().sniff(sample, delimiters=delimiter).quotechar or '"'
        except csv.Error:
            quotechar = '"'
    return delimiter, quotechar


def read_csv(
    path: str | Path,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
    quotechar: str | None = None,
    on_malformed: Callable[[str], None] | None = None,
) -> Iterator[pa.RecordBatch]:
    """Stream a delimited text file (or a gzipped one) as batches of text columns.

    A line with the wrong number of fields is passed to ``on_malformed`` (the importer
    quarantines it) instead of stopping the read; without a callback it is a ReaderError.

    Args:
        path: The file (gzipped when its name ends in ``.gz``).
        delimiter: Field separator; sniffed from the first lines when not given.
        encoding: Text encoding; the first of utf-8, cp1252, latin-1 that decodes it otherwise.
        quotechar: Quote character; sniffed when not given.
        on_malformed: Receives the text of each line with the wrong number of fields.

    Raises:
        ReaderError: The file is missing, empty or not delimited text.
    """
    file = Path(path)
    if not file.is_file():
        raise ReaderError("file not found", file)
    try:
        encoding = encoding or detect_encoding(file)
        with open_bytes(file) as raw:
            sample = raw.read(SAMPLE_BYTES).decode(encoding, errors="replace")
    except (OSError, EOFError, zlib.error) as exc:  # a gzip file that is damaged or cut off
        raise ReaderError(f"cannot decompress the file: {exc}", file) from None
    # Excel writes the delimiter it used on a first line of its own: ``sep=;``.
    declared = re.fullmatch(r"sep=(.)", sample.lstrip("\ufeff").split("\n", 1)[0].rstrip())
    if declared:
        delimiter = delimiter or declared.group(1)
        sample = sample.split("\n", 1)[1] if "\n" in sample else ""
    if not sample.strip():
        raise ReaderError("the file is empty", file)
    sniffed_delimiter, sniffed_quote = sniff_dialect(sample, delimiter)
    header = next(csv.reader([sample.splitlines()[0]], delimiter=sniffed_delimiter))
    names = _unique_names(header)
    convert = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in names},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    read = pacsv.ReadOptions(
        encoding=encoding.replace("-sig", "") if encoding == "utf-8-sig" else encoding,
        column_names=names,
        skip_rows=2 if declared else 1,
        block_size=1 << 22,
    )
    bad: list[str] = []  # the first line with the wrong number of fields, kept for a message
    counted = [0]

    def malformed(text: str) -> None:
        if not bad:
            bad.append(text)
        counted[0] += 1
        if on_malformed is not None:
            on_malformed(text)

    parse = pacsv.ParseOptions(
        delimiter=sniffed_delimiter,
        quote_char=quotechar or sniffed_quote,
        newlines_in_values=True,
        invalid_row_handler=_handler(malformed if on_malformed is not None else None),
    )
    rows = 0
    try:
        reader = pacsv.open_csv(
            file, read_options=read, parse_options=parse, convert_options=convert
        )
        for batch in reader:
            rows += batch.num_rows
            for offset in range(0, batch.num_rows, BATCH_ROWS):
                yield batch.slice(offset, BATCH_ROWS)
    except pa.ArrowInvalid as exc:
        raise ReaderError(
            f"cannot read as delimited text ({sniffed_delimiter!r}): {exc}", file
        ) from None
    except (OSError, EOFError) as exc:  # the compressed stream breaks off further on
        raise ReaderError(f"cannot decompress the file: {exc}", file) from None
    if rows == 0 and bad:
        fields = len(next(csv.reader([bad[0]], delimiter=sniffed_delimiter), []))
        raise ReaderError(
            f"no line has the header's {len(names)} fields ({sniffed_delimiter!r}-separated: "
            f"{', '.join(names)}); all {counted[0]:,} lines after it are malformed, the first "
            f"with {fields}: {bad[0][:120]!r}. Check the delimiter, and that the header is the "
            "file's first line",
            file,
        )


def _handler(on_malformed: Callable[[str], None] | None) -> Callable[[Any], str] | None:
    if on_malformed is None:
        return None

    def handle(row: Any) -> str:
        on_malformed(str(row.text))
        return "skip"

    return handle


def _unique_names(header: list[str]) -> list[str]:
    names: list[str] = []
    for index, raw in enumerate(header):
        name = raw.strip().lstrip("\ufeff") or f"column_{index + 1}"
        while name in names:
            name += "_"
        names.append(name)
    return names
