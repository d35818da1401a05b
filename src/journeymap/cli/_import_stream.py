"""Reading the events for ``journeymap import``: streams spooled, and the progress lines.

Standard input (``-``), ``/dev/stdin`` and named pipes are copied to a temporary file first
(some readers read a file twice); a long import off a terminal tells where it is.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from journeymap.cli.app import _, number
from journeymap.errors import ReaderError, UsageError

LARGE_FILE_BYTES = 5 * 1024 * 1024
# Read from standard input or a pipe in pieces of this size into the temporary file.
SPOOL_CHUNK_BYTES = 1 << 20


class _Progress:
    """Where an import is, for the progress lines off a terminal."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.rows = 0
        self.spooled = 0  # bytes of standard input or a pipe read so far
        self.waiting = False  # for a workspace another process holds
        self.started = time.monotonic()

    def describe(self) -> str:
        seconds = number(round(time.monotonic() - self.started))
        if self.waiting:
            return _("import {source}: waiting for the workspace ({seconds} s)").format(
                source=self.name, seconds=seconds
            )
        if self.spooled and not self.rows:
            return _("import {source}: {megabytes} MB read from the pipe ({seconds} s)").format(
                source=self.name, megabytes=number(self.spooled // 1_000_000), seconds=seconds
            )
        return _("import {source}: {rows} rows read ({seconds} s)").format(
            source=self.name, rows=number(self.rows), seconds=seconds
        )


def _large(events: Path) -> bool:
    """Whether the spinner is worth it: a big file, or a stream of unknown size."""
    try:
        if _is_stream(events):
            return True
        return events.is_file() and events.stat().st_size >= LARGE_FILE_BYTES
    except OSError:
        return False


def _is_stream(events: Path) -> bool:
    """Whether ``events`` is standard input (``-``) or a pipe (``/dev/stdin``, ``<(...)``)."""
    if str(events) == "-":
        return True
    try:
        return events.exists() and not events.is_file() and not events.is_dir()
    except OSError:
        return False


@contextmanager
def _readable(events: Path, format: str | None, progress: _Progress) -> Iterator[Path]:
    """A file the readers can open (more than once): ``events``, or a copy of a stream.

    Standard input and pipes can be read once only, while the CSV reader reads a file's start
    to detect its encoding and delimiter before it reads the whole; Parquet seeks. They are
    copied to a temporary file first, named so that the import's source is ``stdin.csv`` (or
    the pipe's own name), and removed afterwards.

    Raises:
        UsageError: A stream whose name does not tell the format, without ``--format``; an
            unknown format; standard input that is a terminal.
        ReaderError: Nothing came in.
    """
    if not _is_stream(events):
        yield events
        return
    from journeymap.ingest.readers import FORMATS, detect_format

    is_stdin = str(events) in {"-", "/dev/stdin"} or events.name == "stdin"
    where = _("standard input") if is_stdin else str(events)
    kind = format.lower() if format else None
    named = None
    with suppress(ReaderError):  # a pipe's name without a suffix: --format tells
        named = detect_format(events.name) if not is_stdin else None
    kind = kind or named
    if kind is None:
        raise UsageError(
            _(
                "{source} has no file name to tell the format from: give it with --format "
                "({formats})"
            ).format(source=where, formats=", ".join(FORMATS))
        )
    if kind not in FORMATS:
        raise UsageError(
            _("unknown --format {format}; use one of {formats}").format(
                format=repr(format), formats=", ".join(FORMATS)
            )
        )
    if str(events) == "-" and sys.stdin.isatty():
        raise UsageError(
            _(
                "standard input is a terminal: pipe the events in (cat events.csv | "
                "journeymap import - --format csv ...), or give the file's name"
            )
        )
    with tempfile.TemporaryDirectory(prefix="journeymap-import-") as folder:
        stem = events.name if named else ("stdin" if is_stdin else "pipe")
        target = Path(folder) / (stem if named else f"{stem}.{kind}")
        _spool(events, target, progress)
        if target.stat().st_size == 0:
            raise ReaderError(_("{source} is empty: nothing to import").format(source=where))
        if not named and kind in {"csv", "tsv"} and _gzipped(target):
            target = target.rename(target.with_name(target.name + ".gz"))
        yield target


def _spool(events: Path, target: Path, progress: _Progress) -> None:
    """Copy standard input or the pipe ``events`` into ``target``, counting the bytes."""
    source = sys.stdin.buffer if str(events) == "-" else events.open("rb")
    try:
        with target.open("wb") as out:
            while chunk := source.read(SPOOL_CHUNK_BYTES):
                out.write(chunk)
                progress.spooled += len(chunk)
    finally:
        if source is not sys.stdin.buffer:
            source.close()


def _gzipped(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(2) == b"\x1f\x8b"
