"""Pure geometry of the journey map: phase columns, lanes as rows, boxes that never overlap.

Text is measured with a fixed-width approximation of DejaVu Sans (the font the SVG asks for
and the report embeds): a character is ``CHAR_WIDTH_EM`` of the font size wide on average. Lane
heights are computed from the wrapped text of every phase, so the boxes of one lane can never
reach into the next lane, and columns are separated by a gutter.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

__all__ = [
    "BADGE_FONT_SIZE",
    "BADGE_LINE_HEIGHT",
    "CHAR_WIDTH_EM",
    "Box",
    "LaneSpec",
    "MapLayout",
    "label_lines",
    "layout_lanes",
    "shortened",
    "spread_boxes",
    "wrap_text",
]

CHAR_WIDTH_EM = 0.62
FONT_SIZE = 12.0
LINE_HEIGHT = 15.0
PADDING = 6.0
GAP = 6.0
GUTTER = 12.0
LABEL_WIDTH = 150.0
COLUMN_WIDTH = 240.0
HEADER_HEIGHT = 44.0
BADGE_FONT_SIZE = 9.0
BADGE_LINE_HEIGHT = 12.0
BADGE_ROOM = 50.0


def wrap_text(text: str, width_px: float, font_size: float = FONT_SIZE) -> list[str]:
    """Wrap ``text`` into lines that fit ``width_px`` at ``font_size`` (long words are split)."""
    chars = max(4, int(width_px / (font_size * CHAR_WIDTH_EM)))
    lines = textwrap.wrap(text, width=chars, break_long_words=True, break_on_hyphens=True)
    return lines or [""]


def shortened(text: str, chars: int) -> str:
    """``text`` cut to ``chars`` characters with an ellipsis, after a whole word if one fits.

    Examples:
        >>> shortened("annoyed", 16), shortened("relieved but still a little unsure", 16)
        ('annoyed', 'relieved but…')
    """
    if len(text) <= chars:
        return text
    cut = text[: chars - 1]
    space = cut.rfind(" ")
    if space >= chars // 2:  # a whole word, unless that leaves too little of the label
        cut = cut[:space]
    return cut.rstrip(" ,;:-/") + "…"


def label_lines(text: str, chars: int, max_lines: int = 4) -> list[str]:
    """``text`` wrapped to lines of ``chars``; a word too long for a line is hyphenated.

    Past ``max_lines`` the last line ends in an ellipsis.

    Examples:
        >>> label_lines("begeistert von der Testbearbeitung", 16)
        ['begeistert von', 'der', 'Testbearbeitung']
        >>> label_lines("Anlaufschwierigkeiten", 16)
        ['Anlaufschwierig-', 'keiten']
    """
    chars = max(chars, 4)
    lines: list[str] = []
    for line in textwrap.wrap(text, chars, break_long_words=False, break_on_hyphens=True):
        while len(line) > chars:
            lines.append(line[: chars - 1] + "-")
            line = line[chars - 1 :]
        lines.append(line)
    if len(lines) > max_lines:
        rest = " ".join(lines[max_lines - 1 :])
        lines = [*lines[: max_lines - 1], shortened(rest, chars)]
    return lines or [""]


def spread_boxes(
    wanted: list[tuple[float, float]], gap: float, low: float, high: float
) -> list[float]:
    """Tops of boxes ``(wanted centre, height)`` (sorted): apart by ``gap``, within low..high."""
    tops: list[float] = []
    bottom = low - gap
    for centre, height in wanted:
        top = max(centre - height / 2, low, bottom + gap)
        tops.append(top)
        bottom = top + height
    limit = high
    for index in range(len(tops) - 1, -1, -1):
        tops[index] = min(tops[index], limit - wanted[index][1])
        limit = tops[index] - gap
    return tops


@dataclass(frozen=True)
class Box:
    """One drawn rectangle with its wrapped text lines.

    Attributes:
        x: Left edge.
        y: Top edge.
        width: Width in px.
        height: Height in px.
        kind: What it shows (``header``, ``label``, ``touchpoint``, ``item``, ``metric``, ...).
        lines: Wrapped text lines.
        lane: The lane id the box belongs to.
        phase: The phase id of its column (``None`` for labels).
        ref: The id of the map element it shows, if any.
        badges: Short badge texts drawn in the box corner (touchpoints).
        fill: Optional fill colour (heat colours of the measured overlay).
    """

    x: float
    y: float
    width: float
    height: float
    kind: str
    lines: tuple[str, ...]
    lane: str
    phase: str | None = None
    ref: str | None = None
    badges: tuple[str, ...] = ()
    fill: str | None = None


@dataclass
class LaneSpec:
    """Content of one lane: per phase id, the box texts (one box each) in order.

    Attributes:
        id: Lane id (``touchpoints``, ``actions``, ...).
        label: The translated lane label.
        items: Phase id -> list of (text, ref, badges, fill).
        fixed_height: For drawn lanes (the emotion curve) a fixed height instead of boxes.
    """

    id: str
    label: str
    items: dict[str, list[tuple[str, str | None, tuple[str, ...], str | None]]] = field(
        default_factory=dict
    )
    fixed_height: float | None = None


@dataclass
class MapLayout:
    """The laid-out map: every box, the lane bands and the total size.

    Attributes:
        width: Total width.
        height: Total height.
        boxes: Every box (headers, labels, items).
        lanes: Lane id -> (top, height) band.
        columns: Phase id -> (left, width) of the column.
    """

    width: float
    height: float
    boxes: list[Box]
    lanes: dict[str, tuple[float, float]]
    columns: dict[str, tuple[float, float]]


def _box_height(lines: list[str], badges: int = 0) -> float:
    # Badges stack in the top right corner, one per BADGE_LINE_HEIGHT: a one-line card with
    # two badges is shorter than its badges, whose last one ran over its bottom edge.
    return max(len(lines) * LINE_HEIGHT, badges * BADGE_LINE_HEIGHT) + 2 * PADDING


def layout_lanes(
    phases: list[tuple[str, str]], lanes: list[LaneSpec], title_height: float = 0.0
) -> MapLayout:
    """Place phase headers, lane labels and item boxes.

    Args:
        phases: ``(phase id, display name)`` in journey order.
        lanes: Lanes top to bottom.
        title_height: Space reserved above the phase headers.

    Returns:
        The layout; boxes within a lane stack vertically per column, lanes stack without overlap.
    """
    columns: dict[str, tuple[float, float]] = {}
    x = LABEL_WIDTH + GUTTER
    for phase_id, _ in phases:
        columns[phase_id] = (x, COLUMN_WIDTH)
        x += COLUMN_WIDTH + GUTTER
    width = x
    boxes: list[Box] = []
    text_width = COLUMN_WIDTH - 2 * PADDING
    header_top = title_height
    header_height = HEADER_HEIGHT
    header_lines = {pid: wrap_text(name, text_width, 14.0) for pid, name in phases}
    if header_lines:
        header_height = max(header_height, *(_box_height(v) for v in header_lines.values()))
    for phase_id, _ in phases:
        left, col_width = columns[phase_id]
        boxes.append(
            Box(
                left,
                header_top,
                col_width,
                header_height,
                "header",
                tuple(header_lines[phase_id]),
                "phases",
                phase_id,
                phase_id,
            )
        )
    y = header_top + header_height + GUTTER
    bands: dict[str, tuple[float, float]] = {}
    label_width = LABEL_WIDTH - 2 * PADDING
    for lane in lanes:
        label_lines = wrap_text(lane.label, label_width)
        lane_height = _box_height(label_lines)
        placed: list[Box] = []
        if lane.fixed_height is not None:
            lane_height = max(lane_height, lane.fixed_height)
        else:
            for phase_id, _ in phases:
                left, col_width = columns[phase_id]
                top = y
                for text, ref, badges, fill in lane.items.get(phase_id, []):
                    badge_room = BADGE_ROOM if badges else 0.0
                    lines = wrap_text(text, text_width - badge_room)
                    height = _box_height(lines, len(badges))
                    placed.append(
                        Box(
                            left,
                            top,
                            col_width,
                            height,
                            "touchpoint" if lane.id == "touchpoints" else "item",
                            tuple(lines),
                            lane.id,
                            phase_id,
                            ref,
                            badges,
                            fill,
                        )
                    )
                    top += height + GAP
                lane_height = max(lane_height, top - GAP - y)
        boxes.append(Box(0.0, y, LABEL_WIDTH, lane_height, "label", tuple(label_lines), lane.id))
        boxes.extend(placed)
        bands[lane.id] = (y, lane_height)
        y += lane_height + GUTTER
    return MapLayout(width, y, boxes, bands, columns)
