"""Unparseable timestamps: the import quotes the first and suggests a format that reads them.

An explicit ``timestamp_format`` that reads only some dates (``%m-%d-%Y`` on day-first dates:
those with a day up to 12, swapped) used to quarantine the rest without a word on why.
"""

from __future__ import annotations

from pathlib import Path

from import_cli import import_cli, stored
from shop_files import FILTERS

pytestmark = FILTERS

LEADS = "user,when,kind\na,01-02-2018,checkout\nb,20-10-2017,checkout\nc,13-01-2018,checkout\n"


def test_a_month_first_format_on_day_first_dates_names_the_day_first_one(tmp_path: Path) -> None:
    output, code = import_cli(
        tmp_path, LEADS, "person_id: user, timestamp: when, timestamp_format: '%m-%d-%Y'"
    )
    assert code == 0, output
    assert "imported 1" in output
    assert "unparseable timestamp 2" in output
    assert (
        "Note: timestamps that could not be read were quarantined (2); the first: '20-10-2017'. "
        "They read as %d-%m-%Y: set timestamp_format: '%d-%m-%Y' in the rules' columns and "
        "import again with --replace. The rows imported may have day and month swapped."
    ) in output
    # The one row read: 1 February read as 2 January, which the note warns of.
    assert stored(tmp_path, "SELECT month(ts), day(ts) FROM events") == [(1, 2)]


def test_dates_with_month_names_are_detected(tmp_path: Path) -> None:
    text = "user,when,kind\na,05 May 2009 10:00,checkout\nb,17 Jun 2009 09:30,checkout\n"
    output, code = import_cli(tmp_path, text, "person_id: user, timestamp: when")
    assert code == 0, output
    assert "imported 2" in output
    assert "Timestamps read as: %d %b %Y %H:%M" in output
    assert stored(tmp_path, "SELECT month(ts), day(ts) FROM events ORDER BY 1") == [
        (5, 5),
        (6, 17),
    ]


def test_every_row_quarantined_is_a_warning_with_the_format_that_reads_them(
    tmp_path: Path,
) -> None:
    text = "user,when,kind\na,05 May 2009 10:00,checkout\nb,17 Jun 2009 09:30,checkout\n"
    output, code = import_cli(
        tmp_path, text, "person_id: user, timestamp: when, timestamp_format: '%Y-%m-%d %H:%M'"
    )
    # The import did its job, atomically: every row is accounted for in the quarantine.
    assert code == 0, output
    assert "unparseable timestamp 2" in output
    assert (
        "Warning: every row was quarantined, nothing was imported; the reasons are counted "
        "above and the rows are in the quarantine table."
    ) in output
    assert (
        "Note: timestamps that could not be read were quarantined (2); the first: "
        "'05 May 2009 10:00'. They read as %d %b %Y %H:%M: set timestamp_format: "
        "'%d %b %Y %H:%M' in the rules' columns and import again with --replace."
    ) in output
    assert "day and month swapped" not in output


def test_values_no_format_reads_are_quoted_without_a_suggestion(tmp_path: Path) -> None:
    text = "user,when,kind\na,2025-03-01 10:00,checkout\nb,soon,checkout\n"
    output, code = import_cli(tmp_path, text, "person_id: user, timestamp: when")
    assert code == 0, output
    assert (
        "Note: timestamps that could not be read were quarantined (1); the first: 'soon'."
    ) in output
    assert "They read as" not in output
    assert "Warning" not in output
