"""Counted messages have both Danish and German forms; numbers follow the language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from journeymap.i18n import (
    LOCALE_DIR,
    format_decimal,
    format_fixed,
    format_integer,
    format_percent,
    ngettext,
    number_symbols,
)

SOURCE = Path(__file__).resolve().parents[2] / "src" / "journeymap"


def _counted_messages() -> set[tuple[str, str]]:
    return {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(SOURCE), method_map=[("**.py", "python")], keywords={"ngettext": (1, 2)}
        )
        if isinstance(message, tuple)
    }


@pytest.mark.parametrize("language", ["da", "de"])
def test_every_counted_message_has_a_singular_and_a_plural(language: str) -> None:
    with (LOCALE_DIR / language / "LC_MESSAGES" / "journeymap.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    counted = _counted_messages()
    assert len(counted) >= 3
    for singular, plural in counted:
        message = catalog.get(singular)
        assert message is not None and message.pluralizable, singular
        forms = list(message.string)
        assert len(forms) == 2 and all(forms), singular
        placeholders = set(re.findall(r"\{\w+\}", plural))
        assert all(set(re.findall(r"\{\w+\}", form)) == placeholders for form in forms)


@pytest.mark.parametrize(
    ("language", "one", "many"),
    [
        ("da", "1 hændelse", "2 hændelser"),
        ("de", "1 Ereignis", "2 Ereignisse"),
        ("en", "1 event", "2 events"),
    ],
)
def test_event_counts_agree_with_their_number(language: str, one: str, many: str) -> None:
    def said(count: int) -> str:
        return ngettext("{count} event", "{count} events", count, language).format(count=count)

    assert (said(1), said(2)) == (one, many)


@pytest.mark.parametrize(
    ("language", "integer", "percent", "decimal", "symbols"),
    [
        ("da", "12.330", "15,5\xa0%", "4,5", (",", ".")),
        ("de", "12.330", "15,5\xa0%", "4,5", (",", ".")),
        ("en", "12,330", "15.5%", "4.5", (".", ",")),
    ],
)
def test_numbers_are_written_the_languages_way(
    language: str, integer: str, percent: str, decimal: str, symbols: tuple[str, str]
) -> None:
    assert format_integer(12330, language) == integer
    assert format_percent(0.155, language, 1) == percent
    assert format_decimal(4.5, language) == decimal
    assert number_symbols(language) == symbols


@pytest.mark.parametrize(
    ("value", "whole", "one_place"),
    [
        (0.0, "0%", "0.0%"),
        (0.0145, "1%", "1.5%"),
        (0.0155, "2%", "1.6%"),
        (0.125, "13%", "12.5%"),
        (0.5, "50%", "50.0%"),
        (0.52, "52%", "52.0%"),
        (0.999, "100%", "99.9%"),
        (1.0, "100%", "100.0%"),
        # 0.0145 * 100 is 1.4500000000000002 and 0.0155 * 100 is 1.55 exactly: a half rounds
        # up either way, as a spreadsheet rounds, not by the bits a multiplication leaves.
        (0.0135, "1%", "1.4%"),
        (0.00125, "0%", "0.1%"),
    ],
)
def test_english_percentages_round_half_up(value: float, whole: str, one_place: str) -> None:
    assert format_percent(value, "en") == whole
    assert format_percent(value, "en", 1) == one_place


def test_a_sum_added_in_another_order_prints_the_same() -> None:
    """DuckDB and PostgreSQL add the same credits in different orders: 505.35 either way.

    BPIC 2012's full-path credit of A_SUBMITTED read 505.3 from DuckDB, 505.4 from PostgreSQL.
    """
    below, above = 505.34999999999997, 505.35000000000002
    assert below != above
    for language, expected in (("en", "505.4"), ("de", "505,4"), ("da", "505,4")):
        assert format_fixed(below, 1, language) == format_fixed(above, 1, language) == expected
    shares = [0.22499999999999998, 0.22500000000000003]
    assert {format_percent(share, "en", 1) for share in shares} == {"22.5%"}
    assert {format_percent(share, "de", 0) for share in shares} == {"23\xa0%"}
