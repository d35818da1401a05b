"""User error messages in the user's language, for the layers below the command line.

A :class:`~journeymap.errors.JourneymapError` raised in the engine, the analyses or the services
reaches the user as ``Error: ...``; its message is translated when it is raised, into
:func:`~journeymap.i18n.current_language` (``JOURNEYMAP_LANG``, else ``LANG``). The English text
is the message id, so English messages read as they always did. A message with values is a
template with named placeholders, filled in after translation:
``_(template).format(path=path)``; the catalogs keep every placeholder.

Only messages for a user's mistake are translated; errors that are our own bugs stay English.
A module where ``_`` is Ibis's deferred expression marks the text with ``N_`` and translates it
with ``translate(N_(template))``.
"""

from __future__ import annotations

from journeymap.i18n import current_language, format_integer, gettext, ngettext

__all__ = ["_", "count", "n_", "translate"]


def translate(message: str) -> str:
    """Translate a user message into the language of the user's environment."""
    return gettext(message, current_language())


_ = translate


def n_(singular: str, plural: str, number: int) -> str:
    """Translate a counted user message (the language's singular or plural form)."""
    return ngettext(singular, plural, number, current_language())


def count(value: int | float) -> str:
    """A count in a message as the user's language writes it (``12,330``, ``12.330``)."""
    return format_integer(value, current_language())
