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


@pytest.mark.parametrize("value", [0.0, 0.0145, 0.0155, 0.125, 0.5, 0.52, 0.999, 1.0])
def test_english_percentages_round_exactly_as_before(value: float) -> None:
    assert format_percent(value, "en") == f"{value:.0%}"
    assert format_percent(value, "en", 1) == f"{value:.1%}"
