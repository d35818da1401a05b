"""Translated bundled examples: the same map, ids included, with every text in another language.

Every bundled example is written in English (``NAME.yaml``, ``language: en``). A translation
sits beside it as ``NAME.LANG.yaml`` (``industrial-machinery.de.yaml``): the same phases,
personas, touchpoints, cells and evidence under the same ids, so mapping rules, events and
``journeymap diff`` work across the languages, while names, texts and comments are the reader's.

Examples:
    >>> example_languages("industrial-machinery")
    ['en', 'da', 'de']
    >>> example_languages("online-yoga")
    ['en']
    >>> translated_example_path("industrial-machinery", "de").name
    'industrial-machinery.de.yaml'
"""

from __future__ import annotations

from pathlib import Path

from journeymap.errors import UsageError
from journeymap.examples import example_path
from journeymap.i18n import LANGUAGES
from journeymap.i18n.messages import _

__all__ = ["EXAMPLE_LANGUAGE", "example_languages", "translated_example_path"]

EXAMPLE_LANGUAGE = "en"
"""The language every bundled example is written in; translations sit beside it."""


def _translation_file(name: str, language: str) -> Path:
    return example_path(name).with_name(f"{name}.{language}.yaml")


def example_languages(name: str) -> list[str]:
    """The languages a bundled example can be written in: English first, then its translations.

    Raises:
        UsageError: if there is no example with this name (the message lists them).
    """
    translated = [
        language
        for language in LANGUAGES
        if language != EXAMPLE_LANGUAGE and _translation_file(name, language).is_file()
    ]
    return [EXAMPLE_LANGUAGE, *translated]


def translated_example_path(name: str, language: str = EXAMPLE_LANGUAGE) -> Path:
    """The file of a bundled example in ``language``: the example itself or its translation.

    Raises:
        UsageError: if there is no example with this name, or it has no translation into
            ``language`` (the message names the languages it has).
    """
    if language == EXAMPLE_LANGUAGE:
        return example_path(name)
    languages = example_languages(name)
    if language not in languages:
        raise UsageError(
            _(
                "the example {name} is written in {languages}, not in {language}; leave out "
                "--lang for the English original, or choose one of these languages"
            ).format(name=name, languages=", ".join(languages), language=repr(language))
        )
    return _translation_file(name, language)
