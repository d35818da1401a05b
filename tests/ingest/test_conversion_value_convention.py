"""Conversion values: one decimal mark per column, settled by the values or given as ``decimal``.

``1,234.50`` and ``2,500,000`` say ``,`` groups thousands, so ``1,234`` in the same column is
1234 (it was read as 1.234, and ``2,500,000`` was quarantined); ``19,99`` says ``,`` is the
decimal mark.
"""

from __future__ import annotations

from pathlib import Path

from import_cli import import_cli, stored
from shop_files import FILTERS

pytestmark = FILTERS

COLUMNS = "person_id: user, timestamp: when, value: amount"


def _rows(amounts: list[str]) -> str:
    lines = [f'u{i},2025-03-0{1 + i % 9} 10:00,checkout,"{a}"' for i, a in enumerate(amounts)]
    return "user,when,kind,amount\n" + "\n".join(lines) + "\n"


def _values(tmp_path: Path) -> list[float]:
    return [row[0] for row in stored(tmp_path, "SELECT value FROM events ORDER BY row_number")]


def test_thousands_separators_read_alike_in_one_column(tmp_path: Path) -> None:
    output, code = import_cli(tmp_path, _rows(["1,234.50", "1,234", "2,500,000"]), COLUMNS)
    assert code == 0, output
    assert "imported 3" in output
    assert "unparseable value" not in output
    assert "fit both decimal marks" not in output
    assert _values(tmp_path) == [1234.5, 1234.0, 2_500_000.0]


def test_a_decimal_comma_column(tmp_path: Path) -> None:
    output, code = import_cli(tmp_path, _rows(["1.234,50", "19,99", "1.234"]), COLUMNS)
    assert code == 0, output
    assert _values(tmp_path) == [1234.5, 19.99, 1234.0]


def test_values_that_fit_both_marks_are_noted(tmp_path: Path) -> None:
    output, code = import_cli(tmp_path, _rows(["1,234", "250"]), COLUMNS)
    assert code == 0, output
    assert (
        "Note: conversion values fit both decimal marks (1; the first: '1,234') and were read "
        "with '.' as the decimal mark and ',' grouping thousands. If ',' is the decimal mark, "
        "set decimal: ',' in the rules' columns and import again with --replace."
    ) in output
    assert _values(tmp_path) == [1234.0, 250.0]


def test_the_rules_state_the_decimal_mark(tmp_path: Path) -> None:
    output, code = import_cli(tmp_path, _rows(["1,234", "250"]), COLUMNS + ", decimal: ','")
    assert code == 0, output
    assert "fit both decimal marks" not in output
    assert _values(tmp_path) == [1.234, 250.0]


def test_a_value_against_the_stated_mark_is_quarantined(tmp_path: Path) -> None:
    output, code = import_cli(tmp_path, _rows(["12,5", "7.5"]), COLUMNS + ", decimal: '.'")
    assert code == 0, output
    assert "unparseable value 1" in output
    assert _values(tmp_path) == [7.5]


def test_a_later_decimal_comma_after_ambiguous_values_stops_the_import(tmp_path: Path) -> None:
    output, code = import_cli(tmp_path, _rows(["1,234"] * 50_000 + ["12,5"]), COLUMNS)
    assert code != 0
    assert "row 50,001's amount '12,5' has the decimal mark ','" in output
    assert "50,000 values before it fit both conventions" in output
    assert "nothing was imported" in output
    assert "Set decimal: ',' in the rules' columns" in output
    assert stored(tmp_path, "SELECT count(*) FROM events") in ([], [(0,)])


def test_an_unknown_decimal_mark_is_refused(tmp_path: Path) -> None:
    output, code = import_cli(tmp_path, _rows(["1"]), COLUMNS + ", decimal: ';'")
    assert code != 0
    assert "decimal" in output
