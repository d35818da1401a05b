"""Messages for map authors in their language (``JOURNEYMAP_LANG``, else ``LANG``)."""

from __future__ import annotations

from journeymap.i18n import current_language, gettext, ngettext

__all__ = ["_", "n_"]


def _(message: str) -> str:
    """Translate a message for the map author into the language of their environment."""
    return gettext(message, current_language())


def n_(singular: str, plural: str, count: int) -> str:
    """Translate a counted message for the map author (singular or plural form)."""
    return ngettext(singular, plural, count, current_language())
