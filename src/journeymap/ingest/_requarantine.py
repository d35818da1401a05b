"""Quarantine rows a later import settles: duplicate copies now kept, cut lines now whole.

Every row read ends up in the events or in the quarantine, once. Two cases broke that:

- Rows quarantined as ``exact duplicate`` stayed there when an import with ``duplicates:
  keep`` (the import's own advice for sessions that look alike) stored them: 12,455 rows
  accounted for of 12,330 read. Such an import stores the n-th copy of a row under the key
  ``<key>#n``; for each, one ``exact duplicate`` row of ``<key>`` leaves the quarantine (the
  one at the same source and row first), in the import's transaction.
- A line quarantined as ``malformed row`` because the file was cut off while written stayed
  there after the next night's whole file was imported. A line of an earlier import of a file
  of the same name leaves the quarantine when this import reads exactly one row that the line
  is the beginning of: the fields before the cut equal, the field cut is the start of the
  row's (a JSON Lines line: each field complete before the cut equal). The rows are not
  matched by number: the reader numbers a malformed line after the rows of the block it was
  read with (see docs/contracts.md), not at its place in the file.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from journeymap.ingest.readers.columnar import _text as json_text

__all__ = ["CutLines", "Settled"]

# Cut lines of an earlier import looked at, at most: a file of broken lines is no cut file.
MAX_CUT_LINES = 10_000
_DELIMITERS = (",", ";", "\t", "|")


@dataclass
class _Reading:
    """One way to read a cut line: fields (column index or name, text) and the cut field."""

    key: str
    fields: list[tuple[int | str, str]]
    cut: tuple[int, str] | None  # (column index, start of the value) for a delimited line


def _delimited(key: str, line: str) -> list[_Reading]:
    readings = []
    for delimiter in _DELIMITERS:
        if delimiter not in line:
            continue
        values = next(csv.reader([line], delimiter=delimiter, strict=False), [])
        if len(values) < 2:
            continue
        fields: list[tuple[int | str, str]] = list(enumerate(values[:-1]))
        readings.append(_Reading(key, fields, (len(values) - 1, values[-1])))
    return readings


def _json_fields(key: str, line: str) -> list[_Reading]:
    """The fields of a JSON object cut off, complete before the cut (the last value may not be)."""
    decoder = json.JSONDecoder()
    text = line.strip()
    if not text.startswith("{"):
        return []
    fields: list[tuple[int | str, str]] = []
    position = 1
    while True:
        try:
            name, position = decoder.raw_decode(text, _skip(text, position))
            position = _skip(text, position)
            if not isinstance(name, str) or text[position : position + 1] != ":":
                break
            value, position = decoder.raw_decode(text, _skip(text, position + 1))
        except ValueError:
            break
        position = _skip(text, position)
        if position >= len(text):  # the value ends the line: it may be cut (12 of 123)
            break
        text_value = json_text(value)
        if text_value is not None:
            fields.append((name, text_value))
        if text[position] != ",":
            break
        position += 1
    return [_Reading(key, fields, None)] if fields else []


def _skip(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


class CutLines:
    """Malformed lines of earlier imports of a file of this name, and the rows they begin.

    Args:
        lines: ``(event key, line text)`` of each such quarantined line.
    """

    def __init__(self, lines: list[tuple[str, str]]) -> None:
        self.readings: list[_Reading] = []
        for key, line in lines[:MAX_CUT_LINES]:
            self.readings += _json_fields(key, line) or _delimited(key, line)
        self.matches: dict[str, set[int]] = defaultdict(set)

    def __bool__(self) -> bool:
        return bool(self.readings)

    def see(self, batch: pa.RecordBatch, first_row: int) -> None:
        """Note the rows of ``batch`` (the first numbered ``first_row``) a cut line begins."""
        names = batch.schema.names
        # Readings by their first field's column and value: one lookup per column a batch.
        by_first: dict[str, dict[str, list[_Reading]]] = defaultdict(lambda: defaultdict(list))
        for reading in self.readings:
            if len(self.matches[reading.key]) > 1:
                continue  # more than one row: not settled, whatever else matches
            column = _column(reading.fields[0][0], names)
            if column is not None:
                by_first[column][reading.fields[0][1]].append(reading)
        for column, by_value in by_first.items():
            values = pa.array(list(by_value), pa.string())
            hits = pc.indices_nonzero(pc.fill_null(pc.is_in(batch.column(column), values), False))
            if not len(hits):
                continue
            rows = batch.take(hits).to_pylist()
            for hit, row in zip(hits.to_pylist(), rows, strict=True):
                for reading in by_value[row[column]]:
                    if _begins(reading, row, names):
                        self.matches[reading.key].add(first_row + hit)

    def complete(self) -> list[str]:
        """The keys of the lines exactly one row read begins."""
        return sorted(key for key, rows in self.matches.items() if len(rows) == 1)


def _column(field: int | str, names: list[str]) -> str | None:
    if isinstance(field, int):
        return names[field] if field < len(names) else None
    return field if field in names else None


def _begins(reading: _Reading, row: dict[str, Any], names: list[str]) -> bool:
    for place, value in reading.fields:
        column = _column(place, names)
        if column is None or row.get(column) != value:
            return False
    if reading.cut is not None:
        place, start = reading.cut
        # No such column: the line had as many fields as the row or more, it is not cut.
        column = _column(place, names)
        if column is None or not str(row.get(column) or "").startswith(start):
            return False
    return True


@dataclass
class Settled:
    """What an import settles in the quarantine, gathered while reading.

    Attributes:
        copies: ``(row key, row)`` of every later copy of an equal row this import stored
            under a numbered key (``duplicates: keep``).
        cut_lines: Cut lines of earlier imports of a file of this name.
        first_duplicate: ``(row, row key)`` of the first row quarantined as an exact duplicate.
    """

    copies: list[tuple[str, int]] = field(default_factory=list)
    cut_lines: CutLines | None = None
    first_duplicate: tuple[int, str] | None = None

    def stored(self, key: str, row: int) -> None:
        """Note a row this import stored (as an event or in the quarantine)."""
        if "#" in key:
            self.copies.append((key.split("#", 1)[0], row))

    def duplicate(self, key: str, row: int) -> None:
        """Note a row quarantined as an exact duplicate."""
        if self.first_duplicate is None:
            self.first_duplicate = (row, key)

    def see(self, batch: pa.RecordBatch, first_row: int) -> None:
        """Look at every row read for the cut lines it completes."""
        if self.cut_lines:
            self.cut_lines.see(batch, first_row)


def choose_copies(
    copies: list[tuple[str, int]], quarantined: list[tuple[str, str, int]], source: str
) -> list[tuple[str, str, int]]:
    """The quarantined duplicates to take out: one per copy stored, the same row's first.

    Args:
        copies: ``(row key, row)`` of each numbered copy this import stored.
        quarantined: ``(row key, source, row)`` of the ``exact duplicate`` rows of those keys.
        source: This import's source name.

    Examples:
        >>> choose_copies([("k", 7)], [("k", "a.csv", 3), ("k", "a.csv", 7)], "a.csv")
        [('k', 'a.csv', 7)]
    """
    waiting: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for stored in quarantined:
        waiting[stored[0]].append(stored)
    chosen: list[tuple[str, str, int]] = []
    left: list[str] = []
    for key, row in copies:
        same = next((q for q in waiting[key] if q[1] == source and q[2] == row), None)
        if same is not None:
            waiting[key].remove(same)
            chosen.append(same)
        else:
            left.append(key)
    for key in left:  # the file moved: any duplicate of that row
        if waiting[key]:
            chosen.append(waiting[key].pop(0))
    return chosen
