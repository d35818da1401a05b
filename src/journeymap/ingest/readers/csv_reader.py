"""CSV and TSV: delimiter, quoting and encoding sniffed (or given), values kept as text."""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import pyarrow as pa
import pyarrow.csv as pacsv

from journeymap.errors import ReaderError
from journeymap.i18n.messages import _, count
from journeymap.ingest.readers._common import BATCH_ROWS

SAMPLE_BYTES = 64 * 1024


def open_bytes(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed when its name ends in ``.gz``."""
    if path.suffix.lower() == ".gz":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


@dataclass
class TextEncoding:
    """The encoding a file is read in, and the bytes that do not fit it.

    Attributes:
        name: A Python codec name (``utf-8``, ``utf-8-sig``, ``utf-16``, ``cp1252``, ...).
        detected: Detected rather than given.
        bad_bytes: Byte sequences that are not UTF-8 in a file read as UTF-8 nonetheless;
            each is read as U+FFFD, the replacement character.
        first_bad_byte: ``(byte as hex, line number)`` of the first of them.
    """

    name: str
    detected: bool = True
    bad_bytes: int = 0
    first_bad_byte: tuple[str, int] | None = None


def detect_encoding(path: Path) -> str:
    """The name of :func:`inspect_encoding`'s encoding."""
    return inspect_encoding(path).name


def inspect_encoding(path: Path) -> TextEncoding:
    """UTF-16 by its byte order mark, UTF-8 if it is that but for a few bytes, else cp1252.

    Excel's "Unicode text" is UTF-16 with a byte order mark. Other files are decoded in
    chunks, so a large file is never held in memory whole. A UTF-8 file with a stray byte of
    another encoding (one ``0xE9`` among thousands of UTF-8 accents) stays UTF-8, the byte
    read as U+FFFD and counted: read as cp1252, every accented value would be garbled
    (``gÃ©rance``). A file whose non-ASCII bytes are mostly no UTF-8 is cp1252 (latin-1 if
    it uses bytes cp1252 leaves undefined).
    """
    with open_bytes(path) as handle:
        start = handle.read(3)
    if start[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return TextEncoding("utf-16")
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    valid = bad = lines = 0
    first: tuple[str, int] | None = None
    with open_bytes(path) as handle:
        while chunk := handle.read(1 << 20):
            text = decoder.decode(chunk)
            found = text.count("\ufffd") - chunk.count(b"\xef\xbf\xbd")  # a real U+FFFD
            if found > 0 and first is None:
                first = _first_bad_byte(chunk, lines)
            bad += max(found, 0)
            # Characters beyond ASCII that decoded (U+FFFD aside): evidence of UTF-8.
            valid += len(text) - len(text.encode("ascii", "ignore")) - text.count("\ufffd")
            lines += chunk.count(b"\n")
        bad += decoder.decode(b"", final=True).count("\ufffd")
    if not bad:
        return TextEncoding("utf-8-sig" if start == codecs.BOM_UTF8 else "utf-8")
    # As many valid UTF-8 characters beyond ASCII as stray bytes: UTF-8 with a few strays (a
    # file with one 'ø' and one stray 0xE9 was read as cp1252, the 'ø' garbled). A cp1252
    # file's accents are no UTF-8: its valid count stays near 0.
    if valid >= bad:
        name = "utf-8-sig" if start == codecs.BOM_UTF8 else "utf-8"
        return TextEncoding(name, bad_bytes=bad, first_bad_byte=first)
    windows = codecs.getincrementaldecoder("cp1252")()
    try:
        with open_bytes(path) as handle:
            while chunk := handle.read(1 << 20):
                windows.decode(chunk)
    except UnicodeDecodeError:
        return TextEncoding("latin-1")  # latin-1 decodes every byte
    return TextEncoding("cp1252")


def _first_bad_byte(chunk: bytes, lines_before: int) -> tuple[str, int] | None:
    """The first byte of ``chunk`` that is no UTF-8, as hex, and its line in the file."""
    skip = 0  # the tail of a character the previous chunk began
    while skip < min(3, len(chunk)) and 0x80 <= chunk[skip] <= 0xBF:
        skip += 1
    try:
        chunk[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        position = skip + exc.start
        if len(chunk) - position < 4 and exc.reason == "unexpected end of data":
            return None  # a character the next chunk ends: not bad
        line = lines_before + chunk.count(b"\n", 0, position) + 1
        return f"0x{chunk[position]:02X}", line
    return None


class _Utf8Replaced(io.RawIOBase):
    """A byte stream's UTF-8, each sequence that is no UTF-8 replaced by U+FFFD."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.pending = b""
        self.done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.pending and not self.done:
            chunk = self.raw.read(1 << 20)
            self.done = not chunk
            self.pending = self.decoder.decode(chunk, final=self.done).encode("utf-8")
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size

    def close(self) -> None:
        self.raw.close()
        super().close()


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
    on_encoding: Callable[[TextEncoding], None] | None = None,
) -> Iterator[pa.RecordBatch]:
    """Stream a delimited text file (or a gzipped one) as batches of text columns.

    A line with the wrong number of fields is passed to ``on_malformed`` (the importer
    quarantines it) instead of stopping the read; without a callback it is a ReaderError.

    Args:
        path: The file (gzipped when its name ends in ``.gz``).
        delimiter: Field separator; sniffed from the first lines when not given.
        encoding: Text encoding; detected when not given (see :func:`inspect_encoding`).
        quotechar: Quote character; sniffed when not given.
        on_malformed: Receives the text of each line with the wrong number of fields.
        on_encoding: Receives the encoding the file is read in, given or detected, before
            the first batch.

    Raises:
        ReaderError: The file is missing, empty or not delimited text.
    """
    file = Path(path)
    if not file.is_file():
        raise ReaderError(_("file not found"), file)
    try:
        found = TextEncoding(encoding, detected=False) if encoding else inspect_encoding(file)
        encoding = found.name
        with open_bytes(file) as raw:
            sample = raw.read(SAMPLE_BYTES).decode(encoding, errors="replace")
    except (OSError, EOFError, zlib.error) as exc:  # a gzip file that is damaged or cut off
        raise ReaderError(
            _("cannot decompress the file: {reason}").format(reason=exc), file
        ) from None
    # Excel writes the delimiter it used on a first line of its own: ``sep=;``.
    declared = re.fullmatch(r"sep=(.)", sample.lstrip("\ufeff").split("\n", 1)[0].rstrip())
    if declared:
        delimiter = delimiter or declared.group(1)
        sample = sample.split("\n", 1)[1] if "\n" in sample else ""
    if not sample.strip():
        raise ReaderError(_("the file is empty"), file)
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
    if on_encoding is not None:
        on_encoding(found)
    rows = 0
    try:
        reader = pacsv.open_csv(
            # Arrow would refuse the bytes that are no UTF-8: they are read as U+FFFD.
            io.BufferedReader(_Utf8Replaced(open_bytes(file))) if found.bad_bytes else file,
            read_options=read,
            parse_options=parse,
            convert_options=convert,
        )
        for batch in reader:
            rows += batch.num_rows
            for offset in range(0, batch.num_rows, BATCH_ROWS):
                yield batch.slice(offset, BATCH_ROWS)
    except pa.ArrowInvalid as exc:
        raise ReaderError(
            _("cannot read as delimited text ({delimiter}): {reason}").format(
                delimiter=repr(sniffed_delimiter), reason=exc
            ),
            file,
        ) from None
    except (OSError, EOFError) as exc:  # the compressed stream breaks off further on
        raise ReaderError(
            _("cannot decompress the file: {reason}").format(reason=exc), file
        ) from None
    if rows == 0 and bad:
        fields = len(next(csv.reader([bad[0]], delimiter=sniffed_delimiter), []))
        raise ReaderError(
            _(
                "no line has the header's {fields} fields ({delimiter}-separated: {names}); all "
                "{count} lines after it are malformed, the first with {found}: {line}. Check the "
                "delimiter, and that the header is the file's first line"
            ).format(
                fields=len(names),
                delimiter=repr(sniffed_delimiter),
                names=", ".join(names),
                count=count(counted[0]),
                found=fields,
                line=repr(bad[0][:120]),
            ),
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
