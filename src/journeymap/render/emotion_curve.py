"""The map's emotion lane: one curve per persona, each point with its label beside it.

A cell's emotion has a score (-2..+2) and an optional label ("annoyed"): the score places
the point, the label says what the score means to the persona, so it is written beside the
point, in the tooltip and by ``journeymap show`` (:func:`emotion_labels`). Every point of a
phase sits on the column's centre line, so the labels, drawn to its right, never cover a
point; labels of one column are spread apart vertically so that they never cover each other.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from journeymap.i18n import format_decimal
from journeymap.model import JourneyMap
from journeymap.render.layout import CHAR_WIDTH_EM, LABEL_WIDTH, MapLayout

__all__ = [
    "PERSONA_COLOURS",
    "PERSONA_DASHES",
    "axis_label",
    "emotion_labels",
    "emotion_svg",
    "emotion_y",
    "shortened",
]

PERSONA_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2")
# Each persona's curve has its own dash pattern (the first solid): where personas feel the
# same, the curves lie on top of each other, and the gaps of the upper ones show the lower.
PERSONA_DASHES = ("", "9 5", "3 4", "12 4 3 4", "6 3", "2 6", "14 6")
LABEL_FONT_SIZE = 10.0
# A label's box: one line of LABEL_FONT_SIZE with a little air, so stacked labels keep apart.
LABEL_ROW = 13.0
LABEL_PAD = 3.0
# From the point to the label's box, and from the box to the column's right edge.
LABEL_OFFSET = 7.0
LABEL_MARGIN = 4.0


def emotion_labels(journey_map: JourneyMap, persona_id: str | None) -> dict[str, str]:
    """Phase id -> the label of the emotion :meth:`JourneyMap.emotion_curve` scores there.

    The same cells in the same order as the score: the persona's own phase cell, else its
    touchpoint cells (their distinct labels joined, as their scores are averaged), else the
    phase's shared cell. Phases without a label are left out.
    """
    labels: dict[str, str] = {}
    for phase in journey_map.ordered_phases():
        own = [c.emotion for c in journey_map.cells_for(phase.id, persona_id) if c.emotion]
        touched = [
            c.emotion
            for c in journey_map.cells
            if c.phase == phase.id
            and c.persona == persona_id
            and c.touchpoint is not None
            and c.emotion is not None
        ]
        shared = [c.emotion for c in journey_map.cells_for(phase.id) if c.emotion]
        chosen = own[:1] or touched or shared[:1]
        text = " / ".join(dict.fromkeys(e.label.strip() for e in chosen if e.label))
        if text:
            labels[phase.id] = text
    return labels


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


def _spread(wanted: list[float], gap: float, low: float, high: float) -> list[float]:
    """Positions as near ``wanted`` (sorted) as keeping ``gap`` apart within low..high allows."""
    placed: list[float] = []
    for y in wanted:
        placed.append(max(y, low, placed[-1] + gap if placed else low))
    limit = high
    for index in range(len(placed) - 1, -1, -1):
        placed[index] = min(placed[index], limit)
        limit = placed[index] - gap
    return placed


def _label_svg(x: float, y: float, text: str, colour: str, chars: int) -> str:
    """A label on a light box outlined in the persona's colour, its full text as tooltip."""
    shown = shortened(text, chars)
    width = len(shown) * LABEL_FONT_SIZE * CHAR_WIDTH_EM + 2 * LABEL_PAD
    height = LABEL_ROW - 1
    return (
        f"<title>{escape(text)}</title>"
        f'<rect x="{x:.1f}" y="{y - height / 2:.1f}" width="{width:.1f}" height="{height:g}" '
        f'rx="2" fill="#ffffff" fill-opacity="0.85" stroke="{colour}" stroke-width="0.8"/>'
        f'<text x="{x + LABEL_PAD:.1f}" y="{y + LABEL_FONT_SIZE * 0.36:.1f}" '
        f'font-size="{LABEL_FONT_SIZE:g}" fill="#222">{escape(shown)}</text>'
    )


def emotion_y(band: tuple[float, float], score: float) -> float:
    """The y of ``score`` (-2..+2) in the emotion lane's band ``(top, height)``."""
    top, height = band
    plot_top, plot_height = top + 12, height - 24
    return plot_top + (2 - score) / 4 * plot_height


def axis_label(score: int) -> str:
    """The emotion axis' tick label: ``+2``, ``0``, ``-2``."""
    return f"{score:+d}" if score else "0"


def _axis_svg(layout: MapLayout, y_of: dict[int, float]) -> str:
    parts = []
    for score, y in y_of.items():
        parts.append(
            f'<line x1="{LABEL_WIDTH + 12:.1f}" x2="{layout.width:.1f}" y1="{y:.1f}" '
            f'y2="{y:.1f}" stroke="#dddddd" stroke-dasharray="{"" if score else "4 3"}"/>'
            f'<text x="{LABEL_WIDTH + 4:.1f}" y="{y + 4:.1f}" font-size="9" '
            f'fill="#888">{axis_label(score)}</text>'
        )
    return "".join(parts)


def emotion_svg(journey_map: JourneyMap, layout: MapLayout) -> str:
    """The emotion lane's curves, points, labels and persona legend as one SVG group."""
    top, height = layout.lanes["emotion"]
    centres = {pid: left + width / 2 for pid, (left, width) in layout.columns.items()}

    def y_of(score: float) -> float:
        return emotion_y((top, height), score)

    parts = ['<g class="jm-emotion">', _axis_svg(layout, {s: y_of(s) for s in (-2, 0, 2)})]
    phase_names = {phase.id: phase.name for phase in journey_map.phases}
    language = journey_map.language
    personas: list[tuple[str | None, str]] = [(p.id, p.display_name) for p in journey_map.personas]
    if not personas:
        personas = [(None, "")]
    # Phase id -> (point y, label, persona index): placed after every curve is drawn.
    labels: dict[str, list[tuple[float, str, int]]] = {}
    for index, (persona_id, name) in enumerate(personas):
        colour = PERSONA_COLOURS[index % len(PERSONA_COLOURS)]
        dashes = PERSONA_DASHES[index % len(PERSONA_DASHES)]
        dash = f' stroke-dasharray="{dashes}"' if dashes else ""
        ref = quoteattr(persona_id or "")
        texts = emotion_labels(journey_map, persona_id)
        # Nothing before the phase the persona joins at: the buying center's cells are not theirs.
        points = [
            (phase_id, emotion, centres[phase_id], y_of(emotion))
            for phase_id, emotion in journey_map.emotion_curve(persona_id, since_joining=True)
            if emotion is not None and phase_id in centres
        ]
        if points:
            path = " ".join(f"{x:.1f},{y:.1f}" for _, _, x, y in points)
            parts.append(
                f'<polyline class="jm-emotion-line" data-ref={ref} '
                f'points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>'
            )
        for phase_id, emotion, x, y in points:
            tip = f"{phase_names[phase_id]}: {format_decimal(emotion, language)}"
            if phase_id in texts:
                tip += f" ({texts[phase_id]})"
                labels.setdefault(phase_id, []).append((y, texts[phase_id], index))
            parts.append(
                f'<circle class="jm-emotion-point" data-ref={ref} data-phase={quoteattr(phase_id)} '
                f'cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}">'
                f"<title>{escape(f'{name}, {tip}' if name else tip)}</title></circle>"
            )
        if name:
            legend_y = top + 34 + index * 16
            # The legend draws each persona's line as the curve has it: colour and dashes.
            parts.append(
                f'<g class="jm-legend"><rect x="8" y="{legend_y - 9:.1f}" width="16" height="10" '
                f'fill="none" stroke="none"/><line x1="8" x2="24" y1="{legend_y - 4:.1f}" '
                f'y2="{legend_y - 4:.1f}" stroke="{colour}" stroke-width="2.5"{dash}/>'
                f'<text x="28" y="{legend_y:.1f}" font-size="10">'
                f"{escape(name[:22])}</text></g>"
            )
    parts.extend(_labels_svg(labels, layout, personas, (top, height)))
    parts.append("</g>")
    return "".join(parts)


def _labels_svg(
    labels: dict[str, list[tuple[float, str, int]]],
    layout: MapLayout,
    personas: list[tuple[str | None, str]],
    band: tuple[float, float],
) -> list[str]:
    """Each phase's labels right of its points, spread so that no two overlap."""
    top, height = band
    parts = []
    for phase_id, entries in labels.items():
        left, width = layout.columns[phase_id]
        x = left + width / 2 + LABEL_OFFSET
        room = left + width - LABEL_MARGIN - x - 2 * LABEL_PAD
        chars = max(4, int(room / (LABEL_FONT_SIZE * CHAR_WIDTH_EM)))
        entries = sorted(entries)
        # Inside the lane: a label never reaches into the lanes above and below.
        low, high = top + LABEL_ROW / 2 + 1, top + height - LABEL_ROW / 2 - 1
        spread = _spread([y for y, _, _ in entries], LABEL_ROW, low, high)
        for y, (_, text, index) in zip(spread, entries, strict=True):
            persona_id = personas[index][0] or ""
            colour = PERSONA_COLOURS[index % len(PERSONA_COLOURS)]
            parts.append(
                f'<g class="jm-emotion-label" data-ref={quoteattr(persona_id)} '
                f"data-phase={quoteattr(phase_id)}>"
                + _label_svg(x, y, text, colour, chars)
                + "</g>"
            )
    return parts
