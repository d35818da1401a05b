"""Day-first or month-first: decided by values that settle it, never by the first batch alone.

A date such as ``03/04/2025`` fits both orders. While every value fits both, the order the
detector chose (``/`` month-first) is a tie-break: a later value that only reads the other way
(a day after the 12th) stops the import, since the rows before it would be stored misread; a
whole import that never settles it says so.
"""

from __future__ import annotations

from pathlib import Path

from import_cli import import_cli, stored
from shop_files import FILTERS

pytestmark = FILTERS

COLUMNS = "person_id: user, timestamp: when"


def _january(rows: int, ambiguous: int) -> str:
    """``rows`` January events in time order, dd/mm/yyyy; the first ``ambiguous`` on days 1-12."""
    lines = ["user,when,kind"]
    for index in range(rows):
        if index < ambiguous:
            day = 1 + index * 12 // ambiguous
        else:
            day = 13 + (index - ambiguous) * 19 // (rows - ambiguous)
        lines.append(f"u{index % 700},{day:02d}/01/2025 {index % 24:02d}:{index % 60:02d},checkout")
    return "\n".join(lines) + "\n"


def test_a_later_day_after_the_12th_stops_the_import_it_would_misread(tmp_path: Path) -> None:
    output, code = import_cli(tmp_path, _january(60_000, 50_000), COLUMNS)
    assert code != 0
    assert "row 50,001's timestamp '13/01/2025 " in output
    assert "only reads day-first" in output
    # 01/01 reads the same either way: the other days of 1-12 January were misread.
    assert "but 45,833 dates before it fit both orders and were read month-first" in output
    assert "nothing was imported" in output
    assert "Set timestamp_format: '%d/%m/%Y %H:%M' in the rules' columns" in output
    assert stored(tmp_path, "SELECT count(*) FROM events") in ([], [(0,)])


def test_the_suggested_format_imports_every_row_in_january(tmp_path: Path) -> None:
    output, code = import_cli(
        tmp_path, _january(60_000, 50_000), COLUMNS + ", timestamp_format: '%d/%m/%Y %H:%M'"
    )
    assert code == 0, output
    assert "imported 60,000" in output
    assert "Timestamps read as: %d/%m/%Y %H:%M (day first)" in output
    assert stored(tmp_path, "SELECT DISTINCT month(ts) FROM events") == [(1,)]


def test_a_settling_value_deep_in_the_first_batch_decides_for_the_whole_batch(
    tmp_path: Path,
) -> None:
    # 3,000 distinct ambiguous times before the first day 13: past the detector's sample.
    output, code = import_cli(tmp_path, _january(4_000, 3_000), COLUMNS)
    assert code == 0, output
    assert "imported 4,000" in output
    assert "unparseable timestamp" not in output
    assert "Timestamps read as: %d/%m/%Y %H:%M (day first)" in output
    assert stored(tmp_path, "SELECT DISTINCT month(ts) FROM events") == [(1,)]


def test_dates_that_fit_both_orders_say_the_order_was_a_tie_break(tmp_path: Path) -> None:
    output, code = import_cli(tmp_path, "user,when,kind\na,03/04/2025 10:00,checkout\n", COLUMNS)
    assert code == 0, output
    assert "Timestamps read as: %m/%d/%Y %H:%M (month first)" in output
    assert (
        "Note: every date fits both day-first and month-first order (the first: "
        "'03/04/2025 10:00'), so they were read month-first. If they are day-first, set "
        "timestamp_format: '%d/%m/%Y %H:%M' in the rules' columns and import again with "
        "--replace."
    ) in output
    assert stored(tmp_path, "SELECT month(ts), day(ts) FROM events") == [(3, 4)]


def test_a_settled_order_gives_no_tie_break_note(tmp_path: Path) -> None:
    text = "user,when,kind\na,03/04/2025 10:00,checkout\nb,25/04/2025 10:00,checkout\n"
    output, code = import_cli(tmp_path, text, COLUMNS)
    assert code == 0, output
    assert "Timestamps read as: %d/%m/%Y %H:%M (day first)" in output
    assert "fits both" not in output
    assert stored(tmp_path, "SELECT month(ts), day(ts) FROM events ORDER BY 2") == [
        (4, 3),
        (4, 25),
    ]
