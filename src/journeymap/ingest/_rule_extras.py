"""The events' ``extra`` column: kept raw columns, numeric bands, repaired spreadsheet ranges."""

from __future__ import annotations

import json
import re

import pyarrow as pa
import pyarrow.compute as pc

from journeymap.ingest._matching import _field
from journeymap.ingest._rule_state import RuleState
from journeymap.ingest.numbers import parse_loose, parse_number
from journeymap.model.mapping import MappingRules

_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        start=1,
    )
}
_MONTH_NUMBER = re.compile(r"^([A-Za-z]{3})-(\d{1,3})$")
_NUMBER_MONTH = re.compile(r"^(\d{1,2})-([A-Za-z]{3})$")
_MONTH_NAMES = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
_SPREADSHEET_DATE = rf"(?i)^(({_MONTH_NAMES})-\d{{1,3}}|\d{{1,2}}-({_MONTH_NAMES}))$"


def _number(text: str | None, decimal: str | None) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        return parse_number(text, decimal) if decimal else parse_loose(text)
    except ValueError:
        return None  # not a number: the band stays empty, the raw value stays in the row


def _with_bands(batch: pa.RecordBatch, rules: MappingRules) -> pa.RecordBatch:
    for band in rules.bands:
        values = batch.column(band.field).to_pylist()
        labels = [
            _band_label(_number(value, rules.columns.decimal), band.edges) for value in values
        ]
        batch = batch.append_column(band.name, pa.array(labels, pa.string()))
    return batch


def _band_label(value: float | None, edges: list[float]) -> str | None:
    if value is None:
        return None
    shown = [f"{edge:g}" for edge in edges]
    if value < edges[0]:
        return f"<{shown[0]}"
    for index in range(len(edges) - 1):
        if value < edges[index + 1]:
            upper = edges[index + 1] - 1 if all(e.is_integer() for e in edges) else edges[index + 1]
            return f"{shown[index]}-{upper:g}"
    return f"{shown[-1]}+"


def repair_range(text: str) -> str | None:
    """The range a spreadsheet turned into a date (``May-20`` -> ``5-20``), or ``None``."""
    match = _MONTH_NUMBER.match(text)
    if match and match.group(1).lower() in _MONTHS:
        return f"{_MONTHS[match.group(1).lower()]}-{int(match.group(2))}"
    match = _NUMBER_MONTH.match(text)
    if match and match.group(2).lower() in _MONTHS:
        return f"{int(match.group(1))}-{_MONTHS[match.group(2).lower()]}"
    return None


def _extras(batch: pa.RecordBatch, rules: MappingRules, state: RuleState) -> list[str | None]:
    repair = rules.repair_spreadsheet_ranges
    names = list(dict.fromkeys(rules.keep + repair + [band.name for band in rules.bands]))
    if not names:
        return [None] * batch.num_rows
    for name in names:
        if name not in repair and batch.num_rows:
            found = pc.sum(pc.match_substring_regex(_field(batch, name), _SPREADSHEET_DATE))
            if found.as_py():
                state.suspect[name] = state.suspect.get(name, 0) + found.as_py()
    columns = {name: batch.column(name).to_pylist() for name in names}
    for name in rules.repair_spreadsheet_ranges:
        if name not in columns:
            continue
        repaired = []
        for text in columns[name]:
            fixed = repair_range(str(text)) if text else None
            state.repaired += fixed is not None
            repaired.append(fixed if fixed is not None else text)
        columns[name] = repaired
    return [
        json.dumps({name: columns[name][i] for name in names}, ensure_ascii=False)
        for i in range(batch.num_rows)
    ]
