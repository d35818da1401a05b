"""Columns of JSON Lines and XES files, whose fields may first appear late in the file.

A column the rules read that a batch lacks is padded with nulls; one the file never writes is
reported at once, from a pattern search of its bytes, instead of after reading it all.
"""

from __future__ import annotations

import codecs
import difflib
import gzip
import html
import io
import json
import re
from pathlib import Path
from typing import Any

import pyarrow as pa

from journeymap.ingest._rule_columns import missing_columns_error, used_columns
from journeymap.ingest.readers import SPARSE_FORMATS, detect_format
from journeymap.ingest.readers.columnar import jsonl_encoding
from journeymap.model.mapping import MappingRules


class _Columns:
    """The columns the rules read that a batch of a sparse format lacks, added as nulls.

    A JSON Lines or XES file's batch has the fields read so far: one that first appears
    later (a UTM field on the first campaign hit) is missing from the batches before it, for
    no fault of the rules. Only a column no batch of the file had is a mistake, reported
    once the file is read (the import is then rolled back). In the other formats the first
    batch has every column, and ``apply_rules`` refuses a missing one at once.
    """

    def __init__(self, rules: MappingRules, sparse: tuple[Path, str, str | None] | None) -> None:
        self.sparse = sparse is not None
        derived = set(rules.constant)
        self.used = used_columns(rules) - derived
        self.unseen = set(self.used)
        self.available: dict[str, None] = {}
        self.file = sparse

    def padded(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        if not self.sparse:
            return batch
        names = batch.schema.names
        first = not self.available
        self.available.update(dict.fromkeys(names))
        self.unseen -= set(names)
        if first and self.unseen and self.file is not None:
            # A column the first batch lacks may come later, or be a typo: the file's bytes
            # tell at once (a pattern search, no parsing), where reading it all took 34 s of
            # BPIC 2012 into PostgreSQL before the typo was said.
            written = _field_names(*self.file)
            absent = self.unseen - set(written)
            if absent:
                # The file's names only where they may be meant: a log's own metadata may
                # write thousands of keys (BPIC 2012's list 12 MB of them).
                close = [
                    name
                    for missing in sorted(absent)
                    for name in difflib.get_close_matches(missing, list(written), n=3)
                ]
                raise missing_columns_error(absent, {**self.available, **dict.fromkeys(close)})
        for name in sorted(self.used - set(names)):
            batch = batch.append_column(name, pa.nulls(batch.num_rows, pa.string()))
        return batch

    def check(self) -> None:
        """Raise the rules error for columns no batch had."""
        if self.sparse and self.unseen:
            raise missing_columns_error(self.unseen, self.available)


# Field names as a file writes them: an XES attribute's key, a JSON object's key.
_FIELD_NAMES = {
    "xes": re.compile(rb'key="([^"]*)"'),
    "jsonl": re.compile(rb'"((?:[^"\\]|\\.)*)"\s*:'),
}


def _field_names(path: Path, format: str, encoding: str | None = None) -> dict[str, None]:
    """Every field name the (decompressed) file writes, in the order it first does.

    A pattern search of the bytes, no parsing: a name found may be text inside a value,
    which only leaves the check to the end of the import; a name not found is in no row.
    An XES key may be a trace's attribute, whose column is ``case:<key>``: both count.
    A JSON Lines file is searched as UTF-8 bytes when it is UTF-8, else as its text.
    """
    pattern = _FIELD_NAMES[format]
    found: dict[str, None] = {}
    with path.open("rb") as probe:
        compressed = probe.read(2) == b"\x1f\x8b"
    text_encoding = jsonl_encoding(path, encoding) if format == "jsonl" else "utf-8"
    if codecs.lookup(text_encoding).name != "utf-8":
        return _field_names_in_text(path, compressed, text_encoding)
    with gzip.open(path, "rb") if compressed else path.open("rb") as handle:
        tail = b""
        while chunk := handle.read(1 << 22):
            text = tail + chunk
            for match in pattern.finditer(text):
                raw = match.group(1).decode("utf-8", "replace")
                name = html.unescape(raw) if format == "xes" else _json_text(raw)
                found[name] = None
                if format == "xes":
                    found[f"case:{name}"] = None
            tail = text[-4096:]
    return found


_JSON_NAME = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:')


def _field_names_in_text(path: Path, compressed: bool, encoding: str) -> dict[str, None]:
    """The JSON field names of a JSON Lines file not in UTF-8, searched in its decoded text."""
    found: dict[str, None] = {}
    with (
        gzip.open(path, "rb") if compressed else path.open("rb") as raw,
        io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="") as handle,
    ):
        tail = ""
        while chunk := handle.read(1 << 22):
            text = tail + chunk
            for match in _JSON_NAME.finditer(text):
                found[_json_text(match.group(1))] = None
            tail = text[-4096:]
    return found


def _json_text(raw: str) -> str:
    """A JSON string's text (its escapes read); as written if it is no valid string."""
    try:
        return str(json.loads(f'"{raw}"'))
    except ValueError:
        return raw


def _sparse(
    source: Any, format: str | None, encoding: str | None = None
) -> tuple[Path, str, str | None] | None:
    """The file, format and given encoding of ``source`` if its fields may come later."""
    if not isinstance(source, str | Path):
        return None
    found = (format or detect_format(source)).lower()
    return (Path(source), found, encoding) if found in SPARSE_FORMATS else None
