"""Translations of built-in names and CLI messages (gettext catalogs, managed with Babel).

English strings are the message ids. ``locale/<lang>/LC_MESSAGES/journeymap.po`` holds the
Danish and German catalogs; ``python -m journeymap.i18n.compile`` compiles them to ``.mo`` as
part of the build. When a compiled catalog is missing (a source checkout that was never built)
the ``.po`` file is compiled in memory, so translations never silently fall back to English.
Counted nouns go through :func:`ngettext` (the catalogs' ``Plural-Forms``), numbers through
:mod:`journeymap.i18n.numbers` (Babel's CLDR data).
"""

from __future__ import annotations

import gettext as _gettext
import io
import os
from functools import cache
from pathlib import Path
from typing import Literal, get_args

from journeymap.i18n.numbers import (
    format_decimal,
    format_fixed,
    format_integer,
    format_percent,
    format_share,
    number_symbols,
)

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "N_",
    "Language",
    "current_language",
    "format_decimal",
    "format_fixed",
    "format_integer",
    "format_percent",
    "format_share",
    "gettext",
    "ngettext",
    "number_symbols",
    "translations",
]

Language = Literal["en", "da", "de"]
LANGUAGES: tuple[str, ...] = get_args(Language)
DOMAIN = "journeymap"
LOCALE_DIR = Path(__file__).parent / "locale"


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """Return the gettext catalog for ``language`` (English is the identity catalog)."""
    if language not in LANGUAGES or language == "en":
        return _gettext.NullTranslations()
    mo_path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    po_path = mo_path.with_suffix(".po")
    if mo_path.exists() and (
        not po_path.exists() or mo_path.stat().st_mtime >= po_path.stat().st_mtime
    ):
        with mo_path.open("rb") as handle:
            return _gettext.GNUTranslations(handle)
    if po_path.exists():
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=language, domain=DOMAIN)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return _gettext.GNUTranslations(buffer)
    return _gettext.NullTranslations()


def gettext(message: str, language: str = "en") -> str:
    """Translate ``message`` into ``language`` (``en``, ``da`` or ``de``)."""
    return translations(language).gettext(message)


def ngettext(singular: str, plural: str, count: int, language: str = "en") -> str:
    """Translate a counted message, choosing the language's singular or plural form.

    Examples:
        >>> ngettext("{count} event", "{count} events", 1, "da").format(count=1)
        '1 hændelse'
        >>> ngettext("{count} event", "{count} events", 2, "de").format(count=2)
        '2 Ereignisse'
    """
    return translations(language).ngettext(singular, plural, count)


def current_language() -> str:
    """The language for CLI messages: ``JOURNEYMAP_LANG``, else ``LANG``'s prefix, else English."""
    for variable in ("JOURNEYMAP_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        prefix = value.split("_")[0].split(".")[0].lower()
        if prefix in LANGUAGES:
            return prefix
    return "en"
