"""A UTF-8 file with a stray byte of another encoding stays UTF-8, the byte noted.

One ``0xE9`` (é in cp1252) made the whole file decode as cp1252, every accented value stored
garbled (``gÃ©rance``). Now the byte is read as U+FFFD and the import names it and its line.
"""

from __future__ import annotations

from pathlib import Path

from import_cli import import_cli, stored
from shop_files import FILTERS

pytestmark = FILTERS

COLUMNS = "person_id: user, timestamp: when"
RULES = "  keep: [city]\n"


def _utf8_with_a_stray_byte(rows: int, stray_row: int) -> bytes:
    lines = [b"user,when,kind,city"]
    for index in range(1, rows + 1):
        city = "caf\xe9".encode("latin-1") if index == stray_row else "gérance".encode()
        lines.append(f"u{index},2025-03-01 10:00,checkout,".encode() + city)
    return b"\n".join(lines) + b"\n"


def test_a_stray_byte_keeps_the_file_utf8_and_is_noted(tmp_path: Path) -> None:
    output, code = import_cli(tmp_path, _utf8_with_a_stray_byte(50_000, 40_000), COLUMNS, RULES)
    assert code == 0, output
    assert "imported 50,000" in output
    assert "Encoding (detected): utf-8" in output
    assert (
        "Note: the file was read as UTF-8, but bytes that are not UTF-8 (1; the first: 0xE9 on "
        "line 40,001) were read as the replacement character \ufffd. If the file has another "
        "encoding, give it with --encoding."
    ) in output
    cities = stored(tmp_path, "SELECT extra->>'city', count(*) FROM events GROUP BY 1 ORDER BY 2")
    assert cities == [("caf\ufffd", 1), ("gérance", 49_999)]


def test_a_cp1252_file_is_still_read_as_cp1252(tmp_path: Path) -> None:
    text = "user,when,kind,city\na,2025-03-01 10:00,checkout,gérance\n".encode("cp1252")
    output, code = import_cli(tmp_path, text, COLUMNS, RULES)
    assert code == 0, output
    assert "Encoding (detected): cp1252" in output
    assert "not UTF-8" not in output
    assert stored(tmp_path, "SELECT extra->>'city' FROM events") == [("gérance",)]


def test_one_accent_and_one_stray_byte_is_utf8(tmp_path: Path) -> None:
    """One 'ø' and one stray 0xE9: the file was read as cp1252 without a word and stored the
    person 'pø5' as 'pÃ¸5', who then matched nobody imported from a clean file."""
    lines = [b"user,when,kind,city"]
    for index in range(1, 3001):
        user = "pø5" if index == 5 else f"u{index}"
        city = "caf\xe9".encode("latin-1") if index == 2500 else b"Aarhus"
        lines.append(f"{user},2025-03-01 10:00,checkout,".encode() + city)
    output, code = import_cli(tmp_path, b"\n".join(lines) + b"\n", COLUMNS, RULES)
    assert code == 0, output
    assert "Encoding (detected): utf-8" in output
    assert "(1; the first: 0xE9 on line 2,501)" in " ".join(output.split())
    assert stored(tmp_path, "SELECT person_id FROM events WHERE person_id LIKE 'p%'") == [("pø5",)]
