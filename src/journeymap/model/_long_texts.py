"""Warnings at lane texts too long for a box of the drawn map, or with a word no line holds.

:func:`journeymap.model.validation.validate_map` gathers them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from journeymap.errors import ValidationIssue
from journeymap.i18n import current_language, format_integer
from journeymap.model._i18n import _

if TYPE_CHECKING:
    from journeymap.model.journey_map import JourneyMap


LONG_TEXT = 280
"""Characters a text of a lane holds before ``validate`` warns.

A box of the drawn map holds some 25 to 30 characters a line (``render/layout.py``); 280 are
ten lines or so, as much as one box of a wall map shows before it stretches its whole lane.
"""

LONG_WORD = 40
"""Characters of a word (no space or hyphen) before ``validate`` warns: no line holds it."""

_LANE_FIELDS = (
    "actions",
    "goals",
    "questions",
    "needs",
    "information_needs",
    "pain_points",
    "opportunities",
)


def _long_word(text: str) -> str | None:
    """The first word of ``text`` longer than :data:`LONG_WORD` (web and mail addresses aside)."""
    for word in text.split():
        if "://" in word or "@" in word or word.startswith("www."):
            continue  # an address is no word to hyphenate; a reader copies it whole
        for part in word.split("-"):
            if len(part) >= LONG_WORD:
                return part
    return None


def _long_texts(journey_map: JourneyMap) -> Iterable[ValidationIssue]:
    """Warnings at lane texts too long for a box of the map, or with a word no line holds."""
    language = current_language()
    for index, cell in enumerate(journey_map.cells):
        where = _("cell #{number}").format(number=index + 1)
        texts: list[tuple[str, int, str, tuple[str | int, ...]]] = [
            (lane, position, text, ("cells", index, lane, position))
            for lane in _LANE_FIELDS
            for position, text in enumerate(getattr(cell, lane))
        ]
        texts += [
            ("kpis", position, kpi.name, ("cells", index, "kpis", position, "name"))
            for position, kpi in enumerate(cell.kpis)
        ]
        for lane, position, text, path in texts:
            if len(text) > LONG_TEXT:
                yield ValidationIssue(
                    "warning",
                    "long-text",
                    _(
                        "{who}: item {item} of '{lane}' has {length} characters, more than the "
                        "{limit} a box of the wall map holds, so the map grows as tall as the "
                        "text; shorten it to at most {limit} characters"
                    ).format(
                        who=where,
                        item=position + 1,
                        lane=lane,
                        length=format_integer(len(text), language),
                        limit=format_integer(LONG_TEXT, language),
                    ),
                    path,
                )
            word = _long_word(text)
            if word is not None:
                shown = word if len(word) <= 24 else word[:23] + "…"
                yield ValidationIssue(
                    "warning",
                    "long-word",
                    _(
                        "{who}: item {item} of '{lane}' has a word of {length} characters "
                        "({word}), longer than a line of the map, so the map breaks it "
                        "anywhere, without a hyphen; put a hyphen or a space where it may break"
                    ).format(
                        who=where,
                        item=position + 1,
                        lane=lane,
                        length=format_integer(len(word), language),
                        word=repr(shown),
                    ),
                    path,
                )
