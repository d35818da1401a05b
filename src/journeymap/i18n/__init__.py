"""Translations of built-in names and CLI messages (gettext catalogs, managed with Babel).

English strings are the message ids. ``locale/<lang>/LC_MESSAGES/journeymap.po`` holds the
Danish and German catalogs; ``python -m journeymap.i18n.compile`` compiles them to ``.mo`` as
part of the build. When a compiled catalog is missing (a source checkout that was never built)
the ``.po`` file is compiled in memory, so translations never silently fall back to English.
Counted nouns go through :func:`ngettext` (the catalogs' ``Plural-Forms``), numbers through
:mod:`journeymap.i18n.numbers` (Babel's CLDR data).

Which language the command line speaks (:func:`language_choice`), first that applies:

1. ``JOURNEYMAP_LANG``: ``en``, ``da`` or ``de``, also as a locale (``de_DE.UTF-8``) or a name
   (``deutsch``, ``german``, ``dansk``, ``danish``, ``dk``); a value not understood is said
   once on stderr, with the choices, and the next step decides.
2. Danish or German in ``LC_ALL``, ``LC_MESSAGES`` or ``LANG`` (the first that names a language).
3. The language of the map a command works on (:func:`in_map_language`), e.g. ``language: de``.
4. English.

An English locale does not outrank the map: ``C.UTF-8`` and ``en_US.UTF-8`` are what servers,
containers and many desktops have without anyone choosing them, while a map's ``language:``
was chosen by its author. Whoever wants English anyway sets ``JOURNEYMAP_LANG=en``.
"""

from __future__ import annotations

import functools
import gettext as _gettext
import io
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, ParamSpec, TypeVar, get_args

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
    "LANGUAGE_VARIABLE",
    "N_",
    "Language",
    "LanguageChoice",
    "current_language",
    "document_language",
    "format_decimal",
    "format_duration",
    "format_fixed",
    "format_integer",
    "format_percent",
    "format_share",
    "gettext",
    "in_map_language",
    "language_choice",
    "language_code",
    "map_file_language",
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


# Units of a duration, largest first: a whole number of one is counted, else one decimal.
_DURATION_UNITS = (
    (86400, "{count} day", "{count} days", N_("{amount} days")),
    (3600, "{count} hour", "{count} hours", N_("{amount} hours")),
    (60, "{count} minute", "{count} minutes", N_("{amount} minutes")),
)


def format_duration(seconds: float, language: str = "en") -> str:
    """A length of time in the largest unit it reaches: ``30 days``, ``14.7 days``, ``5 hours``.

    Examples:
        >>> format_duration(2592000), format_duration(1270080, "da"), format_duration(42)
        ('30 days', '14,7 dage', '42 seconds')
    """
    seconds = abs(float(seconds))
    for unit, singular, plural, amount in _DURATION_UNITS:
        if seconds < unit:
            continue
        if seconds % unit == 0:
            count = int(seconds // unit)
            return ngettext(singular, plural, count, language).format(
                count=format_integer(count, language)
            )
        return gettext(amount, language).format(amount=format_fixed(seconds / unit, 1, language))
    count = round(seconds)
    return ngettext("{count} second", "{count} seconds", count, language).format(
        count=format_integer(count, language)
    )


LANGUAGE_VARIABLE = "JOURNEYMAP_LANG"
"""The environment variable that chooses the command line's language."""

_LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")
# The spellings people write for the three languages (lower case), beside the locale names.
_LANGUAGE_NAMES = {
    "en": "en",
    "eng": "en",
    "english": "en",
    "englisch": "en",
    "engelsk": "en",
    "da": "da",
    "dan": "da",
    "dk": "da",
    "dansk": "da",
    "danish": "da",
    "dänisch": "da",
    "daenisch": "da",
    "de": "de",
    "deu": "de",
    "ger": "de",
    "deutsch": "de",
    "german": "de",
    "tysk": "de",
}
_DOCUMENT_LANGUAGE: ContextVar[str | None] = ContextVar("journeymap_document", default=None)
_WARNED: set[str] = set()
# The largest map file whose language is looked up (mapfile.max_bytes refuses larger ones).
_MAP_FILE_READ_LIMIT = 64 * 1024 * 1024
# ``language: de`` at the top level of a YAML map (quoted or not, a comment after it).
_YAML_LANGUAGE = re.compile(
    r"""^language[ \t]*:[ \t]*(["']?)([A-Za-z][\w.@-]*)\1[ \t]*(?:#.*)?$""", re.M
)
_JSON_LANGUAGE = re.compile(r'"language"\s*:\s*"([^"]*)"')

P = ParamSpec("P")
R = TypeVar("R")


def language_code(value: str | None) -> str | None:
    """The language (``en``, ``da``, ``de``) that a locale or a language's name means.

    None for a value that names none of them (``C.UTF-8``, ``POSIX``, ``fr_FR``, empty).

    Examples:
        >>> [language_code(v) for v in ("de_DE.UTF-8", "deutsch", "DK", "Danish", "da-DK")]
        ['de', 'de', 'da', 'da', 'da']
        >>> [language_code(v) for v in ("en_US.UTF-8", "de_AT@euro", "fr_FR", "C.UTF-8", "")]
        ['en', 'de', None, None, None]
    """
    cleaned = (value or "").strip().lower().split(".")[0].split("@")[0]
    if cleaned in _LANGUAGE_NAMES:
        return _LANGUAGE_NAMES[cleaned]
    prefix = re.split(r"[_-]", cleaned, maxsplit=1)[0]
    return prefix if prefix in LANGUAGES else None


@dataclass(frozen=True)
class LanguageChoice:
    """The language the command line speaks and what chose it.

    Attributes:
        language: ``en``, ``da`` or ``de``.
        source: ``JOURNEYMAP_LANG``, ``LC_ALL``, ``LC_MESSAGES`` or ``LANG`` (the variable
            that named it), ``map`` (the language of the map a command works on) or
            ``default`` (English: nothing named a language).
        value: The text that named it (the variable's value, the map's ``language:``).
    """

    language: str
    source: str
    value: str = ""


def _locale_choice() -> LanguageChoice | None:
    for variable in _LOCALE_VARIABLES:
        value = os.environ.get(variable, "")
        code = language_code(value)
        if code is not None:
            return LanguageChoice(code, variable, value)
    return None


def _choice_without_variable() -> LanguageChoice:
    """Steps 2 to 4 of the order in this module's docstring."""
    from_locale = _locale_choice()
    if from_locale is not None and from_locale.language != "en":
        return from_locale
    document = _DOCUMENT_LANGUAGE.get()
    if document is not None:
        return LanguageChoice(document, "map", document)
    return from_locale or LanguageChoice("en", "default")


def language_choice() -> LanguageChoice:
    """The language the command line speaks, and what chose it (the order in the docstring).

    A ``JOURNEYMAP_LANG`` that names no language journeymap speaks is said once on stderr,
    with the choices; the rest of the order decides.
    """
    chosen = os.environ.get(LANGUAGE_VARIABLE, "").strip()
    code = language_code(chosen)
    if code is not None:
        return LanguageChoice(code, LANGUAGE_VARIABLE, chosen)
    fallback = _choice_without_variable()
    if chosen and chosen not in _WARNED:
        _WARNED.add(chosen)
        warning = gettext(
            N_(
                "Warning: {variable}={value} is not a language journeymap speaks; choose en "
                "(English), da (Danish) or de (German), also written as a locale such as "
                "de_DE.UTF-8 or as deutsch, german, dansk, danish, dk. Using {language}."
            ),
            fallback.language,
        )
        sys.stderr.write(
            warning.format(
                variable=LANGUAGE_VARIABLE, value=repr(chosen), language=fallback.language
            )
            + "\n"
        )
    return fallback


def current_language() -> str:
    """The language for CLI messages: ``en``, ``da`` or ``de`` (see :func:`language_choice`)."""
    return language_choice().language


@contextmanager
def document_language(language: str | None) -> Iterator[None]:
    """Speak ``language`` (a map's own) inside the block, where the user chose no language.

    ``JOURNEYMAP_LANG`` and a Danish or German locale still win (see this module's
    docstring); None (or a language journeymap does not speak) changes nothing.
    """
    token = _DOCUMENT_LANGUAGE.set(language_code(language))
    try:
        yield
    finally:
        _DOCUMENT_LANGUAGE.reset(token)


def map_file_language(path: str | Path | None) -> str | None:
    """The ``language:`` a map file declares, found without parsing the map.

    A map that does not parse (a tab, an unclosed quote) still names its language, so its
    errors are reported in it. None for no file, no ``language:`` key at the top level, or a
    language journeymap does not speak.
    """
    if path is None:
        return None
    file = Path(path)
    try:
        if not file.is_file():
            return None  # a pipe or a device: reading it here would eat the input
        with file.open("rb") as handle:
            text = handle.read(_MAP_FILE_READ_LIMIT).decode("utf-8-sig", errors="replace")
    except OSError:
        return None
    if text.lstrip().startswith("{"):
        found = _JSON_LANGUAGE.search(text)
        return language_code(found.group(1)) if found else None
    found = _YAML_LANGUAGE.search(text)
    return language_code(found.group(2)) if found else None


def in_map_language(*parameters: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Make a command speak the language of the map named by its argument ``parameters``.

    The first of the named keyword arguments (file paths) whose file declares a ``language:``
    sets the language of everything the command prints, its errors included, for the whole
    call (see :func:`document_language`). Put it outside the error handlers, so that they
    print in that language too.

    Examples:
        >>> @in_map_language("path")
        ... def show(path: str | None = None) -> str:
        ...     return current_language()
        >>> show(path=None) in LANGUAGES
        True
    """

    def decorate(command: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(command)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            language = None
            for name in parameters:
                language = map_file_language(_as_path(kwargs.get(name)))
                if language is not None:
                    break
            with document_language(language):
                return command(*args, **kwargs)

        return wrapper

    return decorate


def _as_path(value: Any) -> str | Path | None:
    return value if isinstance(value, str | Path) else None
