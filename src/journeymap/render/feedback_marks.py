"""The measured feeling beside the designed emotion: feedback means with their 95 % whiskers.

When a feedback comparison (:func:`journeymap.analysis.feedback.compare_feedback`) is given
to the renderer with :func:`measured_feelings`, the emotion lane draws, for every touchpoint
and phase with feedback, a hollow black circle at the measured mean and a whisker with caps
over its 95 % interval: at the touchpoint's place in its phase (right of its diamond when it
has a designed one), or left of the phase's curve point. Shape and fill tell it from the
designed points without colour (the designed are filled circles and diamonds); a gap whose
interval excludes the designed emotion has a thicker outline and an exclamation mark. Every
mark is named for screen readers (``role="img"`` and ``aria-label``: "Checkout: designed
+1.5, measured -0.8 (n=412, 95 % -1.0..-0.7)") and in its tooltip; the lane's legend has an
entry for it. A persona's map draws the persona's answers against its design, and all answers
(dashed, and said so in the label and the legend) only where the persona has none.

Examples:
    >>> import pyarrow as pa
    >>> from journeymap.analysis.feedback import compare_feedback
    >>> from journeymap.examples import example_path
    >>> from journeymap.mapfile import load_map
    >>> from journeymap.render import render_map_svg
    >>> shop = load_map(example_path("fashion-webshop"))
    >>> answers = pa.table({"touchpoint": ["checkout"] * 6, "score": [-1.0, -1, -2, -1, 0, -1]})
    >>> with measured_feelings(compare_feedback(shop, answers)):
    ...     svg = render_map_svg(shop)
    >>> svg.count('class="jm-feedback-mark jm-feedback-significant"')
    2
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from journeymap.i18n import N_, format_fixed, format_integer, gettext
from journeymap.model import JourneyMap
from journeymap.render.layout import MapLayout

__all__ = [
    "FALLBACK",
    "FALLBACK_DASHES",
    "MEASURED_COLOUR",
    "MEASURED_OF",
    "measured_feelings",
    "measured_legend",
    "measured_marks_svg",
    "measured_sample_svg",
    "measured_text",
]

MEASURED_COLOUR = "#111111"
# The outline of a mark of all answers on a persona's map, and of its legend sample.
FALLBACK_DASHES = "2 1.5"
# From a touchpoint's diamond to its measured mark, and from a phase's curve point.
BESIDE_DIAMOND = 9.0
BESIDE_POINT = -8.0
RADIUS = 3.5
CAP = 3.0
MEASURED = N_("feedback, 95 % interval")
_FINDING = N_("{name}: designed {designed}, measured {measured} (n={n}, 95 % {interval})")
_NOT_DESIGNED = N_("{name}: measured {measured} (n={n}, 95 % {interval}); no designed emotion")
_SIGNIFICANT = N_("the interval excludes the designed emotion")
MEASURED_OF = N_("feedback of {personas}, 95 % interval")
FALLBACK = N_("dashed: all answers (none from {personas})")
_FALLBACK_NOTE = N_("all answers: none from {personas} here")


@dataclass(frozen=True)
class _Given:
    """What :func:`measured_feelings` was given."""

    rows: list[dict[str, Any]]
    comparison: Any = None  # a FeedbackComparison, when given one
    personas: tuple[str, ...] | None = None  # whose map is drawn, when said


_GIVEN: ContextVar[_Given | None] = ContextVar("journeymap_feedback", default=None)


@contextmanager
def measured_feelings(comparison: Any, personas: Iterable[str] | None = None) -> Iterator[None]:
    """Inside the block, every map drawn shows the measured feelings of ``comparison``.

    On a persona's map (:meth:`~journeymap.model.JourneyMap.for_personas`) the marks are the
    persona's answers (a group's pooled, when ``comparison`` holds its answers); where the
    persona has none for a touchpoint or phase, all answers, drawn dashed and named so.

    Args:
        comparison: A :class:`~journeymap.analysis.feedback.FeedbackComparison` (or its
            rows as dicts); None draws none.
        personas: The ids of the personas whose map is drawn; None: told from the map drawn
            (a comparison knows its map's name and personas; of rows alone, a map that lacks
            a persona they name is a persona's map).
    """
    given = None
    if comparison is not None:
        rows = comparison if isinstance(comparison, list) else comparison.rows()
        whose = None if personas is None else tuple(personas) or None
        given = _Given(rows, None if isinstance(comparison, list) else comparison, whose)
    token = _GIVEN.set(given)
    try:
        yield
    finally:
        _GIVEN.reset(token)


def _whose(journey_map: JourneyMap, given: _Given) -> tuple[str, ...] | None:
    """The personas whose map ``journey_map`` is, or None for the whole map's."""
    if given.personas is not None:
        return given.personas
    drawn = tuple(persona.id for persona in journey_map.personas)
    if not drawn:
        return None
    named = getattr(given.comparison, "map_personas", None)
    if named is not None:
        name = getattr(given.comparison, "map_name", None) or ""
        # for_personas keeps the id and renames the map "Map — Persona (role)".
        fewer = set(drawn) < set(named)
        renamed = set(drawn) == set(named) and journey_map.name.startswith(f"{name} — ")
        return drawn if fewer or renamed else None
    others = {row["persona"] for row in given.rows if row["persona"] is not None}
    return drawn if others - set(drawn) else None


def _drawn(journey_map: JourneyMap) -> list[dict[str, Any]]:
    """The touchpoint and phase rows drawn on this map, each with ``place`` and ``fallback``.

    On a persona's map a touchpoint's or phase's row is the persona's (or the group's), else
    the row of all answers with ``fallback`` set.
    """
    given = _GIVEN.get()
    if given is None:
        return []
    phases = {phase.id for phase in journey_map.phases}
    touchpoints = {tp.id for tp in journey_map.touchpoints}
    every = [
        {**row, "place": row["level"], "fallback": False}
        for row in given.rows
        if row["phase"] in phases
        and (
            (row["level"] == "touchpoint" and row["touchpoint"] in touchpoints)
            or row["level"] == "phase"
        )
    ]
    whose = _whose(journey_map, given)
    if whose is None:
        return every
    own = _own_rows(given, whose)
    return [
        {**own[(row["place"], row["phase"], row["touchpoint"])], "place": row["place"]}
        if (row["place"], row["phase"], row["touchpoint"]) in own
        else {**row, "fallback": True}
        for row in every
    ]


def _own_rows(given: _Given, whose: tuple[str, ...]) -> dict[tuple[str, str, str | None], Any]:
    """The personas' rows by (place, phase, touchpoint): one persona's, or a group's pooled."""
    if len(whose) == 1:
        levels = {"persona_touchpoint": "touchpoint", "persona": "phase"}
        return {
            (levels[row["level"]], row["phase"], row["touchpoint"]): {**row, "fallback": False}
            for row in given.rows
            if row["level"] in levels and row["persona"] == whose[0]
        }
    pooled = getattr(given.comparison, "for_personas", None)
    found = pooled(whose) if pooled is not None else None
    if found is None:
        return {}  # rows alone cannot be pooled: all answers, named so
    return {
        (row["level"], row["phase"], row["touchpoint"]): {**row, "fallback": False}
        for row in found.rows()
        if row["level"] in {"touchpoint", "phase"}
    }


def _names(journey_map: JourneyMap) -> str:
    """The names of the map's personas as a list in its language: ``Ulrich and Nadine``."""
    from babel.lists import format_list

    names = [persona.display_name for persona in journey_map.personas]
    return format_list(names, locale=journey_map.language) if names else ""


def measured_legend(journey_map: JourneyMap) -> list[tuple[str, bool]]:
    """The legend's entries of the measured marks, when the map draws any (else empty).

    Each is (name, dashed). On a persona's map: whose feedback the marks are, and, where
    some are all answers instead, a dashed entry saying so.
    """
    drawn = _drawn(journey_map)
    if not drawn:
        return []
    given = _GIVEN.get()
    if given is None or _whose(journey_map, given) is None:
        return [(gettext(MEASURED, journey_map.language), False)]
    personas = _names(journey_map)
    entries = [(gettext(MEASURED_OF, journey_map.language).format(personas=personas), False)]
    if any(row["fallback"] for row in drawn):
        entries.append((gettext(FALLBACK, journey_map.language).format(personas=personas), True))
    return entries


def _signed(value: float | None, language: str) -> str:
    if value is None:
        return "–"
    text = format_fixed(value, 1, language)
    return text if text.startswith("-") or round(value, 1) == 0 else "+" + text


def measured_text(row: dict[str, Any], language: str) -> str:
    """``Checkout: designed +1.5, measured -0.8 (n=412, 95 % -1.0..-0.7)`` in ``language``."""
    interval = (
        f"{_signed(row['low'], language)}..{_signed(row['high'], language)}"
        if row["low"] is not None
        else "–"
    )
    message = _FINDING if row["designed"] is not None else _NOT_DESIGNED
    text = gettext(message, language).format(
        name=row["name"],
        designed=_signed(row["designed"], language),
        measured=_signed(row["mean"], language),
        n=format_integer(row["n"], language),
        interval=interval,
    )
    if row["significant"]:
        text += "; " + gettext(_SIGNIFICANT, language)
    return text


def measured_sample_svg(x: float, y: float, *, dashed: bool = False) -> str:
    """The legend's sample: a hollow circle on a capped whisker, dashed as the marks it names.

    Examples:
        >>> "stroke-dasharray" in measured_sample_svg(16, 40, dashed=True)
        True
    """
    return _mark_svg(x, y, y - 6, y + 6, significant=False, dashed=dashed)


def _mark_svg(
    x: float, y: float, top: float, bottom: float, *, significant: bool, dashed: bool = False
) -> str:
    width = 2.2 if significant else 1.3
    dashes = f' stroke-dasharray="{FALLBACK_DASHES}"' if dashed else ""
    parts = [
        f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top:.1f}" y2="{bottom:.1f}" '
        f'stroke="{MEASURED_COLOUR}" stroke-width="1.2"/>'
    ]
    for end in (top, bottom):
        parts.append(
            f'<line x1="{x - CAP:.1f}" x2="{x + CAP:.1f}" y1="{end:.1f}" y2="{end:.1f}" '
            f'stroke="{MEASURED_COLOUR}" stroke-width="1.2"/>'
        )
    parts.append(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{RADIUS:g}" fill="#ffffff" '
        f'stroke="{MEASURED_COLOUR}" stroke-width="{width:g}"{dashes}/>'
    )
    return "".join(parts)


def measured_marks_svg(
    journey_map: JourneyMap,
    layout: MapLayout,
    marker_xs: dict[str, float],
    y_of: Callable[[float], float],
) -> str:
    """Every measured mark, each a group of its own (the page splitter places them by x).

    Args:
        journey_map: The map drawn.
        layout: Its layout (the phase columns).
        marker_xs: ``phase/touchpoint`` -> the x of the touchpoint's diamonds.
        y_of: The y of a score in the emotion lane.
    """
    language = journey_map.language
    diamonds = {(c.phase, c.touchpoint) for c in journey_map.cells if c.touchpoint and c.emotion}
    parts = []
    drawn = _drawn(journey_map)
    fallback_note = ""
    if any(row["fallback"] for row in drawn):
        fallback_note = gettext(_FALLBACK_NOTE, language).format(personas=_names(journey_map))
    for row in drawn:
        column = layout.columns.get(row["phase"])
        if column is None:
            continue
        left, width = column
        if row["place"] == "touchpoint":
            at = marker_xs.get(f"{row['phase']}/{row['touchpoint']}", left + width / 4)
            # Beside the designed diamond; on the touchpoint's place when it has none.
            x = at + (BESIDE_DIAMOND if (row["phase"], row["touchpoint"]) in diamonds else 0.0)
        else:
            x = left + width / 2 + BESIDE_POINT
        y = y_of(row["mean"])
        top = y_of(row["high"]) if row["high"] is not None else y
        bottom = y_of(row["low"]) if row["low"] is not None else y
        text = measured_text(row, language)
        classes = "jm-feedback-mark" + (" jm-feedback-significant" if row["significant"] else "")
        if row["fallback"]:
            text += "; " + fallback_note
            classes += " jm-feedback-fallback"
        flag = (
            f'<text x="{x + RADIUS + 2:.1f}" y="{top - 2:.1f}" font-size="10" '
            f'font-weight="bold" fill="{MEASURED_COLOUR}" aria-hidden="true">!</text>'
            if row["significant"]
            else ""
        )
        parts.append(
            f'<g class="{classes}" role="img" aria-label={quoteattr(text)} '
            f"data-level={quoteattr(row['level'])} data-phase={quoteattr(row['phase'])} "
            f"data-touchpoint={quoteattr(row['touchpoint'] or '')} "
            f"data-persona={quoteattr(row['persona'] or '')} "
            f'data-n="{row["n"]}" data-mean="{row["mean"]:.3f}">'
            + _mark_svg(
                x, y, top, bottom, significant=bool(row["significant"]), dashed=row["fallback"]
            )
            + flag
            + f"<title>{escape(text)}</title></g>"
        )
    return "".join(parts)
