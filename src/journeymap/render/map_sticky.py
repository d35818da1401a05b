"""The map's frozen panes on a phone: the lane labels and the phase headers as small SVGs.

On a phone the map scrolls inside its box, both ways. The report lays two small drawings
over it, made from the same layout (:func:`sticky_map`): the lane label column, which
``position: sticky; left: 0`` keeps on the box's left edge, and the row of phase headers,
which ``top: 0`` keeps on its top edge (``report.css``). The label column is narrower than
the map's own (``PHONE_COLUMN`` px, about a quarter of a phone's width): each label is
wrapped to it at the largest font size from ``LABEL_FONT_SIZES`` at which it still fits its
lane. The map itself is drawn unchanged and moved left by ``shift`` px under the column, so
its first phase begins right beside it. On a wider screen and in print the panes are hidden.

The panes are copies of what the map shows (``aria-hidden`` in the report): a screen reader
reads the map's own labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from journeymap.model import JourneyMap
from journeymap.render.emotion_curve import (
    axis_label,
    emotion_legend,
    emotion_y,
    marker_path,
)
from journeymap.render.layout import (
    CHAR_WIDTH_EM,
    GUTTER,
    LABEL_WIDTH,
    Box,
    MapLayout,
    shortened,
    wrap_text,
)
from journeymap.render.map_svg import FILLS, box_svg

__all__ = ["PHONE_COLUMN", "StickyMap", "sticky_map"]

PHONE_COLUMN = 108.0
"""The sticky column's width on a phone: the label boxes and the gutter beside them."""
PHONE_LABEL_BOX = 96.0
"""A label box's width; the emotion axis' ticks sit in the gutter to its right."""
LABEL_FONT_SIZES = (11.0, 10.0, 9.0, 8.0)
"""Tried in turn: the first at which a label's wrapped lines fit its lane's height."""
LINE_FACTOR = 1.2
LABEL_PAD_X = 3.0
LABEL_PAD_Y = 2.0
LEGEND_FONT_SIZE = 9.0
LEGEND_LINES = 2
"""A persona's name in the emotion lane's legend: wrapped to at most this many lines."""
BACKGROUND = "#fafbfc"
EDGE = 3.0
"""The panes begin this far above the phase headers (under the map's title)."""
SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" class="{cls}" width="{width:.0f}" '
FONT = "font-family=\"'DejaVu Sans', Verdana, sans-serif\""


@dataclass(frozen=True)
class StickyMap:
    """The panes laid over the map on a phone, and where they go.

    Attributes:
        lanes_svg: The lane label column (left pane), from the phase headers' top down.
        phases_svg: The row of phase headers (top pane), from the first phase's left edge.
        top: Where both panes begin in the map: just above the phase headers, under the title.
        header_height: The top pane's height: the headers and half a gutter under them.
        shift: How far the map is moved left, so that its first phase begins beside the
            column (its own label column lies under it).
        column: The label column's width (``PHONE_COLUMN``).
    """

    lanes_svg: str
    phases_svg: str
    top: float
    header_height: float
    shift: float
    column: float = PHONE_COLUMN


def _fitted(text: str, width: float, height: float) -> tuple[float, list[str]]:
    """The largest font size whose wrapped lines fit ``width`` x ``height``, and the lines.

    A size that would split a word ("Opportunitie / s") is passed over while a smaller one
    keeps every word whole and still fits.
    """
    longest = max((len(word) for word in text.split()), default=0)
    fitting = []
    for size in LABEL_FONT_SIZES:
        lines = wrap_text(text, width, size)
        if len(lines) * size * LINE_FACTOR + 2 * LABEL_PAD_Y <= height:
            if longest * size * CHAR_WIDTH_EM <= width:
                return size, lines
            fitting.append((size, lines))
    if fitting:
        return fitting[0]
    size = LABEL_FONT_SIZES[-1]
    return size, wrap_text(text, width, size)


def _lines_svg(x: float, top: float, lines: list[str], size: float, fill: str = "#222") -> str:
    step = size * LINE_FACTOR
    spans = " ".join(
        f'<tspan x="{x:.1f}" y="{top + (index + 1) * step - size * 0.25:.1f}">{escape(line)}'
        "</tspan>"
        for index, line in enumerate(lines)
    )
    return f'<text font-size="{size:g}" fill="{fill}">{spans}</text>'


def _label_svg(box: Box, label: str) -> tuple[str, float]:
    """A lane's label box at the column's width, and the y under its text."""
    size, lines = _fitted(label, PHONE_LABEL_BOX - 2 * LABEL_PAD_X, box.height)
    text_height = len(lines) * size * LINE_FACTOR
    # At the top like the map's labels, with less padding when the lane is only a line high.
    top = box.y + min(6.0, max(LABEL_PAD_Y, (box.height - text_height) / 2))
    svg = (
        f'<g class="jm-sticky-label" data-lane={quoteattr(box.lane)}>'
        f"<title>{escape(label)}</title>"
        f'<rect x="0" y="{box.y:.1f}" width="{PHONE_LABEL_BOX:g}" height="{box.height:.1f}" '
        f'rx="4" fill="{FILLS["label"]}" stroke="#b0b8c0"/>'
        + _lines_svg(LABEL_PAD_X, top, lines, size)
        + "</g>"
    )
    return svg, top + text_height


def _emotion_legend(journey_map: JourneyMap, top: float) -> str:
    """The emotion lane's legend as the map has it: a line (colour, dashes) or a diamond."""
    parts = []
    x = 20.0
    name_width = PHONE_LABEL_BOX - x - LABEL_PAD_X
    for entry in emotion_legend(journey_map):
        dash = f' stroke-dasharray="{entry.dashes}"' if entry.dashes else ""
        lines = wrap_text(entry.name, name_width, LEGEND_FONT_SIZE)
        if len(lines) > LEGEND_LINES:
            last = " ".join(lines[LEGEND_LINES - 1 :])
            lines = [*lines[: LEGEND_LINES - 1], shortened(last, len(lines[LEGEND_LINES - 1]))]
        middle = top + LEGEND_FONT_SIZE * LINE_FACTOR / 2
        if entry.kind == "marker":
            sample = f'<path d="{marker_path(10.5, middle, 4)}" fill="{entry.colour}"/>'
        else:
            sample = (
                f'<line x1="4" x2="17" y1="{middle:.1f}" y2="{middle:.1f}" '
                f'stroke="{entry.colour}" stroke-width="2.5"{dash}/>'
            )
        parts.append(
            f'<g class="jm-sticky-legend" data-ref={quoteattr(entry.ref)} '
            f"data-kind={quoteattr(entry.kind)}><title>{escape(entry.name)}</title>"
            + sample
            + _lines_svg(x, top, lines, LEGEND_FONT_SIZE)
            + "</g>"
        )
        top += len(lines) * LEGEND_FONT_SIZE * LINE_FACTOR + 4
    return "".join(parts)


def _lanes_svg(journey_map: JourneyMap, layout: MapLayout, top: float) -> str:
    height = layout.height - top
    parts = [
        SVG_OPEN.format(cls="jm-map-lanes", width=PHONE_COLUMN)
        + f'height="{height:.0f}" viewBox="0 {top:.1f} {PHONE_COLUMN:g} {height:.1f}" {FONT}>',
        f'<rect x="0" y="{top:.1f}" width="{PHONE_COLUMN:g}" height="{height:.1f}" '
        f'fill="{BACKGROUND}"/>',
    ]
    labels = [box for box in layout.boxes if box.kind == "label"]
    for box in labels:
        label = " ".join(box.lines)
        svg, under = _label_svg(box, label)
        parts.append(svg)
        if box.lane == "emotion":
            parts.append(_emotion_legend(journey_map, under + 6))
            band = layout.lanes["emotion"]
            parts.extend(
                f'<text class="jm-sticky-axis" x="{PHONE_COLUMN - 1:g}" '
                f'y="{emotion_y(band, score) + 4:.1f}" font-size="9" text-anchor="end" '
                f'fill="#888">{axis_label(score)}</text>'
                for score in (2, 0, -2)
            )
    parts.append("</svg>")
    return "".join(parts)


def _phases_svg(layout: MapLayout, language: str, top: float, height: float) -> str:
    left = min((left for left, _ in layout.columns.values()), default=LABEL_WIDTH + GUTTER)
    width = max(layout.width - left, 1.0)
    parts = [
        SVG_OPEN.format(cls="jm-map-phases", width=width)
        + f'height="{height:.0f}" viewBox="{left:.1f} {top:.1f} {width:.1f} {height:.1f}" '
        f"{FONT}>",
        f'<rect x="{left:.1f}" y="{top:.1f}" width="{width:.1f}" height="{height:.1f}" '
        f'fill="{BACKGROUND}"/>',
    ]
    parts.extend(
        box_svg(box, language, css_class="jm-sticky-header")
        for box in layout.boxes
        if box.kind == "header"
    )
    parts.append("</svg>")
    return "".join(parts)


def sticky_map(journey_map: JourneyMap, layout: MapLayout) -> StickyMap:
    """The phone's panes of a map laid out by :func:`~journeymap.render.map_svg.build_layout`.

    Args:
        journey_map: The map (its personas name the emotion lane's legend).
        layout: The map's layout, as the map SVG was drawn from it.

    Returns:
        The two panes as SVG and where the report places them.
    """
    headers = [box for box in layout.boxes if box.kind == "header"]
    labels = [box for box in layout.boxes if box.kind == "label"]
    if headers:
        # From a little above the headers: the top pane covers their outline's outer half.
        top = headers[0].y - EDGE
        header_height = EDGE + headers[0].height + GUTTER / 2
    else:  # a map without phases: no headers, the labels begin under the title
        top = labels[0].y if labels else 0.0
        header_height = 0.0
    return StickyMap(
        lanes_svg=_lanes_svg(journey_map, layout, top),
        phases_svg=_phases_svg(layout, journey_map.language, top, header_height),
        top=top,
        header_height=header_height,
        shift=LABEL_WIDTH + GUTTER - PHONE_COLUMN,
    )
