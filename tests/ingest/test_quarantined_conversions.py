"""Quarantined rows the conversion rule matches are reported, by reason.

The bank-marketing import counted the conversions it imported, and never mentioned the
``y=yes`` rows quarantined as ``no rule matched``.
"""

from __future__ import annotations

from pathlib import Path

from import_cli import import_cli
from shop_files import FILTERS

pytestmark = FILTERS

COLUMNS = "person_id: user, timestamp: when"
CONVERSION = "  conversion: [{field: y, equals: 'yes'}]\n"


def test_quarantined_conversions_are_counted_by_reason(tmp_path: Path) -> None:
    text = (
        "user,when,kind,y\n"
        "a,2025-03-01 10:00,checkout,yes\n"
        "b,2025-03-01 10:00,phone,yes\n"
        "c,2025-03-01 10:00,phone,yes\n"
        "d,2025-03-01 10:00,phone,no\n"
        "e,later,checkout,yes\n"
    )
    output, code = import_cli(tmp_path, text, COLUMNS, CONVERSION)
    assert code == 0, output
    assert "of which conversions 1" in output
    assert (
        "Note: quarantined rows that match the conversion rule are not counted as conversions: "
        "3 (no rule matched: 2, unparseable timestamp: 1); see them in the quarantine table."
    ) in output


def test_no_note_when_no_quarantined_row_converts(tmp_path: Path) -> None:
    text = "user,when,kind,y\na,2025-03-01 10:00,checkout,yes\nb,2025-03-01 10:00,phone,no\n"
    output, code = import_cli(tmp_path, text, COLUMNS, CONVERSION)
    assert code == 0, output
    assert "match the conversion rule" not in output
