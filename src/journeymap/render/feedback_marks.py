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
entry for it.

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

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from journeymap.i18n import N_, format_fixed, format_integer, gettext
from journeymap.model import JourneyMap
from journeymap.render.layout import MapLayout

__all__ = [
    "MEASURED_COLOUR",
    "measured_feelings",
    "measured_legend",
    "measured_marks_svg",
    "measured_sample_svg",
    "measured_text",
]

MEASURED_COLOUR = "#111111"
# From a touchpoint's diamond to its measured mark, and from a phase's curve point.
BESIDE_DIAMOND = 9.0
BESIDE_POINT = -8.0
RADIUS = 3.5
CAP = 3.0
MEASURED = N_("feedback, 95 % interval")
_FINDING = N_("{name}: designed {designed}, measured {measured} (n={n}, 95 % {interval})")
_NOT_DESIGNED = N_("{name}: measured {measured} (n={n}, 95 % {interval}); no designed emotion")
_SIGNIFICANT = N_("the interval excludes the designed emotion")

_GIVEN: ContextVar[list[dict[str, Any]] | None] = ContextVar("journeymap_feedback", default=None)


@contextmanager
def measured_feelings(comparison: Any) -> Iterator[None]:
    """Inside the block, every map drawn shows the measured feelings of ``comparison``.

    Args:
        comparison: A :class:`~journeymap.analysis.feedback.FeedbackComparison` (or its
            rows as dicts); None draws none.
    """
    rows = None
    if comparison is not None:
        rows = comparison if isinstance(comparison, list) else comparison.rows()
    token = _GIVEN.set(rows)
    try:
        yield
    finally:
        _GIVEN.reset(token)


def _drawn(journey_map: JourneyMap) -> list[dict[str, Any]]:
    """The touchpoint and phase rows of the comparison given, for this map's elements."""
    rows = _GIVEN.get() or []
    phases = {phase.id for phase in journey_map.phases}
    touchpoints = {tp.id for tp in journey_map.touchpoints}
    return [
        row
        for row in rows
        if row["phase"] in phases
        and (
            (row["level"] == "touchpoint" and row["touchpoint"] in touchpoints)
            or row["level"] == "phase"
        )
    ]


def measured_legend(journey_map: JourneyMap) -> list[str]:
    """The legend's name of the measured marks, when the map draws any (else empty)."""
    if not _drawn(journey_map):
        return []
    return [gettext(MEASURED, journey_map.language)]


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


def measured_sample_svg(x: float, y: float) -> str:
    """The legend's sample: a hollow circle on a capped whisker."""
    return _mark_svg(x, y, y - 6, y + 6, significant=False)


def _mark_svg(x: float, y: float, top: float, bottom: float, *, significant: bool) -> str:
    width = 2.2 if significant else 1.3
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
        f'stroke="{MEASURED_COLOUR}" stroke-width="{width:g}"/>'
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
    for row in _drawn(journey_map):
        column = layout.columns.get(row["phase"])
        if column is None:
            continue
        left, width = column
        if row["level"] == "touchpoint":
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
            f'data-mean="{row["mean"]:.3f}">'
            + _mark_svg(x, y, top, bottom, significant=bool(row["significant"]))
            + flag
            + f"<title>{escape(text)}</title></g>"
        )
    return "".join(parts)
