"""The map's emotion lane: every emotion a map holds, each with its label beside it.

A cell's emotion has a score (-2..+2) and an optional label ("annoyed"): the score places
the point, the label says what the score means, so it is written beside the point (wrapped
to the room there, whole in the tooltip). What is drawn is what was entered, nothing filled
in (:meth:`~journeymap.model.JourneyMap.own_emotion_curve`):

- the whole buying center's curve (B2C: all personas), from the cells without persona and
  touchpoint, as a line of its own in grey, named in the legend;
- each persona's curve from the persona's own phase cells, from the phase it joins at; a
  phase without one is a gap in the line, not the buying center's value;
- each touchpoint cell's emotion as a diamond at the touchpoint's place in its phase (the
  phase's touchpoints spread over the column's left half in the order customers meet them),
  in the persona's colour when the cell has one; its label names the touchpoint.

Every curve point of a phase sits on the column's centre line; the labels are stacked in the
column's right half, spread vertically so that they never cover each other, and a label that
had to move away from its point is joined to it by a thin line. ``journeymap show`` prints
the same emotions (``services.maps.show_map``). Feedback given with
:func:`~journeymap.render.feedback_marks.measured_feelings` is drawn beside them.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from journeymap.i18n import N_, format_decimal, gettext
from journeymap.model import JourneyMap
from journeymap.render import feedback_marks as feedback
from journeymap.render.layout import (
    CHAR_WIDTH_EM,
    COLUMN_WIDTH,
    LABEL_WIDTH,
    MapLayout,
    label_lines,
    spread_boxes,
)

__all__ = [
    "ALL_COLOUR",
    "PERSONA_COLOURS",
    "PERSONA_DASHES",
    "LegendEntry",
    "axis_label",
    "emotion_lane_height",
    "emotion_legend",
    "emotion_svg",
    "emotion_y",
    "marker_path",
]

PERSONA_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2")
# Each persona's curve has its own dash pattern (the first solid): where personas feel the
# same, the curves lie on top of each other, and the gaps of the upper ones show the lower.
PERSONA_DASHES = ("", "9 5", "3 4", "12 4 3 4", "6 3", "2 6", "14 6")
ALL_COLOUR = "#666666"
"""The whole buying center's curve (and touchpoint emotions without a persona): grey."""
LABEL_FONT_SIZE = 10.0
LABEL_LINE = 12.0
"""One line of a label's box; boxes stack ``LABEL_GAP`` apart."""
LABEL_GAP = 1.0
LABEL_PAD = 3.0
LABEL_MAX_LINES = 4
"""A label longer than this many lines ends in an ellipsis (its tooltip has it whole)."""
# From the point to the label's box, and from the box to the column's right edge.
LABEL_OFFSET = 7.0
LABEL_MARGIN = 4.0
LANE_MARGIN = 4.0
"""The labels keep this far from the lane's top and bottom edges."""
LABEL_SLACK = 1.3
"""The lane is this much taller than the most labels of one phase stacked."""
MARKER_SIZE = 5.0
MARKER_INSET = 12.0
"""The diamonds keep this far from the column's left edge and from its centre line."""
LEGEND_TOP = 34.0
"""The first legend entry's baseline, below the lane's label."""
LEGEND_ROW = 16.0
LEGEND_TEXT_X = 28.0
AT_TOUCHPOINT = N_("at a touchpoint")


@dataclass(frozen=True)
class LegendEntry:
    """One line of the emotion lane's legend.

    Attributes:
        ref: The persona id; ``""`` for the whole buying center and for the touchpoints.
        name: What the line or marker stands for.
        colour: Its colour.
        dashes: Its dash pattern (``""`` solid).
        kind: ``persona``, ``all`` (the buying center's curve) or ``marker``.
    """

    ref: str
    name: str
    colour: str
    dashes: str
    kind: str


@dataclass(frozen=True)
class _Felt:
    """One emotion to draw: a curve point or a touchpoint's diamond."""

    ref: str
    phase: str
    score: float
    label: str
    tooltip: str
    colour: str
    order: int
    touchpoint: str | None = None


def _all_name(journey_map: JourneyMap) -> str:
    """The buying center's curve as the legend names it: B2C maps have personas, not one."""
    if journey_map.kind == "b2b":
        return gettext(N_("Whole buying center"), journey_map.language)
    return gettext(N_("All personas"), journey_map.language)


def _persona_style(index: int) -> tuple[str, str]:
    """The colour and dash pattern of the persona at ``index`` of the map."""
    colour = PERSONA_COLOURS[index % len(PERSONA_COLOURS)]
    return colour, PERSONA_DASHES[index % len(PERSONA_DASHES)]


def _curves(journey_map: JourneyMap) -> list[tuple[LegendEntry, list[tuple[str, _Felt | None]]]]:
    """Every curve with its points per phase (``None``: a gap), the buying center's first."""
    language = journey_map.language
    phase_names = {phase.id: phase.name for phase in journey_map.phases}
    curves = []
    owners: list[tuple[str | None, LegendEntry]] = [
        (None, LegendEntry("", _all_name(journey_map), ALL_COLOUR, "", "all"))
    ]
    for index, persona in enumerate(journey_map.personas):
        colour, dashes = _persona_style(index)
        owners.append(
            (persona.id, LegendEntry(persona.id, persona.display_name, colour, dashes, "persona"))
        )
    for order, (persona_id, entry) in enumerate(owners):
        points: list[tuple[str, _Felt | None]] = []
        for phase_id, emotion in journey_map.own_emotion_curve(persona_id):
            if emotion is None:
                points.append((phase_id, None))
                continue
            label = (emotion.label or "").strip()
            tip = f"{phase_names[phase_id]}: {format_decimal(emotion.score, language)}"
            if label:
                tip += f" ({label})"
            # A map without personas has one curve, which needs no name.
            if journey_map.personas or persona_id is not None:
                tip = f"{entry.name}, {tip}"
            felt = _Felt(entry.ref, phase_id, emotion.score, label, tip, entry.colour, order)
            points.append((phase_id, felt))
        if persona_id is None and not any(felt for _, felt in points):
            continue  # no emotion for the whole buying center: no grey line, no legend entry
        curves.append((entry, points))
    return curves


def _touchpoint_emotions(journey_map: JourneyMap) -> list[_Felt]:
    """The emotions of touchpoint cells, each named by its touchpoint (and persona)."""
    language = journey_map.language
    phase_names = {phase.id: phase.name for phase in journey_map.phases}
    styles = {p.id: _persona_style(i)[0] for i, p in enumerate(journey_map.personas)}
    joined = {
        p.id: {phase.id for phase in journey_map.joined_phases(p.id)} for p in journey_map.personas
    }
    felt = []
    for order, cell in enumerate(journey_map.cells):
        if cell.touchpoint is None or cell.emotion is None or cell.phase not in phase_names:
            continue
        if cell.persona is not None and cell.phase not in joined.get(cell.persona, set()):
            continue  # the persona is not there yet (as for the curves)
        touchpoint = journey_map.touchpoint(cell.touchpoint).name
        label = (cell.emotion.label or "").strip()
        whose = [touchpoint]
        if cell.persona is not None:
            whose.insert(0, journey_map.persona(cell.persona).display_name)
        tip = (
            f"{' · '.join(whose)}, {phase_names[cell.phase]}: "
            f"{format_decimal(cell.emotion.score, language)}"
        )
        if label:
            tip += f" ({label})"
        felt.append(
            _Felt(
                cell.persona or "",
                cell.phase,
                cell.emotion.score,
                f"{touchpoint}: {label}" if label else touchpoint,
                tip,
                styles.get(cell.persona or "", ALL_COLOUR),
                1000 + order,
                cell.touchpoint,
            )
        )
    return felt


def emotion_legend(journey_map: JourneyMap) -> list[LegendEntry]:
    """The emotion lane's legend: the buying center's curve, each persona, the touchpoints.

    The buying center and the touchpoint diamond are listed only when the map has such
    emotions; every persona is, so that the legend names the whole buying center.
    """
    entries = [entry for entry, _ in _curves(journey_map) if entry.kind == "all"]
    for index, persona in enumerate(journey_map.personas):
        colour, dashes = _persona_style(index)
        entries.append(LegendEntry(persona.id, persona.display_name, colour, dashes, "persona"))
    if _touchpoint_emotions(journey_map):
        name = gettext(AT_TOUCHPOINT, journey_map.language)
        entries.append(LegendEntry("", name, ALL_COLOUR, "", "marker"))
    for name, dashed in feedback.measured_legend(journey_map):  # render.feedback_marks
        dashes = feedback.FALLBACK_DASHES if dashed else ""
        entries.append(LegendEntry("", name, feedback.MEASURED_COLOUR, dashes, "measured"))
    return entries


def _label_room(column_width: float) -> int:
    """How many characters a line of a label has, right of a column's centre."""
    room = column_width / 2 - LABEL_OFFSET - LABEL_MARGIN - 2 * LABEL_PAD
    return max(4, int(room / (LABEL_FONT_SIZE * CHAR_WIDTH_EM)))


def _labelled(journey_map: JourneyMap) -> list[_Felt]:
    """Every drawn emotion with a label: curve points and touchpoint diamonds."""
    felt = [
        point
        for _, points in _curves(journey_map)
        for _, point in points
        if point is not None and point.label
    ]
    return felt + _touchpoint_emotions(journey_map)


def emotion_lane_height(journey_map: JourneyMap, minimum: float) -> float:
    """The emotion lane's height: ``minimum``, or what the most labels of one phase need."""
    chars = _label_room(COLUMN_WIDTH)
    needed: dict[str, float] = {}
    for felt in _labelled(journey_map):
        height = len(label_lines(felt.label, chars, LABEL_MAX_LINES)) * LABEL_LINE + LABEL_GAP
        needed[felt.phase] = needed.get(felt.phase, 0.0) + height
    tallest = max(needed.values(), default=0.0)
    rows = _legend_rows(emotion_legend(journey_map))
    legend = (rows[-1][2] + len(rows[-1][1]) * LABEL_LINE if rows else 0.0) + 2 * LEGEND_ROW
    # Some room to spare, so that the labels stay near their points.
    return max(minimum, legend, tallest * LABEL_SLACK + 2 * LANE_MARGIN)


def _label_svg(
    x: float, top: float, lines: list[str], text: str, colour: str, leader: str = ""
) -> str:
    """A label on a light box outlined in its curve's colour, its full text as tooltip."""
    longest = max(len(line) for line in lines)
    width = longest * LABEL_FONT_SIZE * CHAR_WIDTH_EM + 2 * LABEL_PAD
    height = len(lines) * LABEL_LINE - LABEL_GAP
    baseline = top + (LABEL_LINE - LABEL_GAP) / 2 + LABEL_FONT_SIZE * 0.36
    if len(lines) == 1:
        body = escape(lines[0])
    else:
        # Each line is a tspan of its own; the space between them keeps words apart when
        # the text is read out of the SVG (copying, search, screen readers).
        body = " ".join(
            f'<tspan x="{x + LABEL_PAD:.1f}" y="{baseline + i * LABEL_LINE:.1f}">'
            f"{escape(line)}</tspan>"
            for i, line in enumerate(lines)
        )
    return (
        f"<title>{escape(text)}</title>{leader}"
        f'<rect x="{x:.1f}" y="{top:.1f}" width="{width:.1f}" height="{height:g}" '
        f'rx="2" fill="#ffffff" fill-opacity="0.85" stroke="{colour}" stroke-width="0.8"/>'
        f'<text x="{x + LABEL_PAD:.1f}" y="{baseline:.1f}" '
        f'font-size="{LABEL_FONT_SIZE:g}" fill="#222">{body}</text>'
    )


def emotion_y(band: tuple[float, float], score: float) -> float:
    """The y of ``score`` (-2..+2) in the emotion lane's band ``(top, height)``."""
    top, height = band
    plot_top, plot_height = top + 12, height - 24
    return plot_top + (2 - score) / 4 * plot_height


def axis_label(score: int) -> str:
    """The emotion axis' tick label: ``+2``, ``0``, ``-2``."""
    return f"{score:+d}" if score else "0"


def marker_path(x: float, y: float, size: float = MARKER_SIZE) -> str:
    """The outline of a touchpoint's diamond centred on ``x, y``."""
    return (
        f"M{x:.1f},{y - size:.1f} L{x + size:.1f},{y:.1f} "
        f"L{x:.1f},{y + size:.1f} L{x - size:.1f},{y:.1f} Z"
    )


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


def _dash(dashes: str) -> str:
    return f' stroke-dasharray="{dashes}"' if dashes else ""


def _legend_rows(entries: list[LegendEntry]) -> list[tuple[LegendEntry, list[str], float]]:
    """Each legend entry with its name's lines (two at most) and its first line's offset."""
    chars = int((LABEL_WIDTH - LEGEND_TEXT_X - 4) / (LABEL_FONT_SIZE * CHAR_WIDTH_EM))
    rows = []
    offset = LEGEND_TOP
    for entry in entries:
        lines = label_lines(entry.name, chars, 2)
        rows.append((entry, lines, offset))
        offset += LEGEND_ROW + (len(lines) - 1) * LABEL_LINE
    return rows


def _legend_svg(entries: list[LegendEntry], top: float) -> list[str]:
    parts = []
    for entry, lines, offset in _legend_rows(entries):
        y = top + offset
        if entry.kind == "marker":
            sample = f'<path d="{marker_path(16, y - 4, 4)}" fill="{entry.colour}"/>'
        elif entry.kind == "measured":
            sample = feedback.measured_sample_svg(16, y - 4, dashed=bool(entry.dashes))
        else:
            width = 3 if entry.kind == "all" else 2.5
            sample = (
                f'<line x1="8" x2="24" y1="{y - 4:.1f}" y2="{y - 4:.1f}" '
                f'stroke="{entry.colour}" stroke-width="{width}"{_dash(entry.dashes)}/>'
            )
        # Persona entries keep the plain class: the legend names the whole buying center.
        css = "jm-legend" if entry.kind == "persona" else f"jm-legend jm-legend-{entry.kind}"
        ref = f" data-ref={quoteattr(entry.ref)}" if entry.kind == "persona" else ""
        cut = " ".join(lines) != " ".join(entry.name.split())
        tip = f"<title>{escape(entry.name)}</title>" if cut else ""
        # A cut name is read whole: screen readers take the entry as one image so named.
        whole = f' role="img" aria-label={quoteattr(entry.name)}' if cut else ""
        if len(lines) == 1:
            name = escape(lines[0])
        else:
            name = " ".join(
                f'<tspan x="{LEGEND_TEXT_X:g}" y="{y + i * LABEL_LINE:.1f}">{escape(line)}</tspan>'
                for i, line in enumerate(lines)
            )
        parts.append(
            f'<g class="{css}"{ref}{whole}>{tip}'
            f'<rect x="8" y="{y - 9:.1f}" width="16" height="10" fill="none" stroke="none"/>'
            f'{sample}<text x="{LEGEND_TEXT_X:g}" y="{y:.1f}" font-size="10">{name}</text></g>'
        )
    return parts


def _curve_svg(entry: LegendEntry, points: list[tuple[float, float]]) -> str:
    """One run of a curve without gaps."""
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    width = 3 if entry.kind == "all" else 2.5
    opacity = ' stroke-opacity="0.8"' if entry.kind == "all" else ""
    return (
        f'<polyline class="jm-emotion-line" data-ref={quoteattr(entry.ref)} '
        f'points="{path}" fill="none" stroke="{entry.colour}" stroke-width="{width}"'
        f"{opacity}{_dash(entry.dashes)}/>"
    )


def _marker_xs(journey_map: JourneyMap, layout: MapLayout, felt: list[_Felt]) -> dict[str, float]:
    """``phase/touchpoint`` -> the x of the touchpoint's diamonds in its phase's column.

    The phase's touchpoints share the column's left half in the order customers meet them;
    a touchpoint with a cell in a phase it is not drawn in comes after them.
    """
    xs: dict[str, float] = {}
    for phase_id, (left, width) in layout.columns.items():
        order = [tp.id for tp in journey_map.touchpoints_in(phase_id)]
        for item in felt:
            if item.phase == phase_id and item.touchpoint not in order:
                order.append(item.touchpoint or "")
        first, last = left + MARKER_INSET, left + width / 2 - MARKER_INSET
        for index, touchpoint in enumerate(order):
            xs[f"{phase_id}/{touchpoint}"] = first + (index + 0.5) * (last - first) / len(order)
    return xs


def emotion_svg(journey_map: JourneyMap, layout: MapLayout) -> str:
    """The emotion lane's curves, points, diamonds, labels and legend as one SVG group."""
    top, height = layout.lanes["emotion"]
    centres = {pid: left + width / 2 for pid, (left, width) in layout.columns.items()}

    def y_of(score: float) -> float:
        return emotion_y((top, height), score)

    parts = ['<g class="jm-emotion">', _axis_svg(layout, {s: y_of(s) for s in (-2, 0, 2)})]
    # (phase, x of the point, its y, what it is): labelled after everything else is drawn.
    labels: list[tuple[float, float, _Felt]] = []
    for entry, points in _curves(journey_map):
        run: list[tuple[float, float]] = []
        for phase_id, felt in [*points, ("", None)]:
            if felt is None or phase_id not in centres:
                if run:  # one line per run without gaps (a lone point's draws nothing)
                    parts.append(_curve_svg(entry, run))
                run = []
                continue
            run.append((centres[phase_id], y_of(felt.score)))
        for phase_id, felt in points:
            if felt is None or phase_id not in centres:
                continue
            x, y = centres[phase_id], y_of(felt.score)
            parts.append(
                f'<circle class="jm-emotion-point" data-ref={quoteattr(entry.ref)} '
                f'data-phase={quoteattr(phase_id)} cx="{x:.1f}" cy="{y:.1f}" r="3.5" '
                f'fill="{entry.colour}"><title>{escape(felt.tooltip)}</title></circle>'
            )
            if felt.label:
                labels.append((x, y, felt))
    touched = [felt for felt in _touchpoint_emotions(journey_map) if felt.phase in centres]
    xs = _marker_xs(journey_map, layout, touched)
    for felt in touched:
        x, y = xs[f"{felt.phase}/{felt.touchpoint}"], y_of(felt.score)
        parts.append(
            f'<g class="jm-emotion-marker" data-ref={quoteattr(felt.ref)} '
            f"data-phase={quoteattr(felt.phase)} "
            f"data-touchpoint={quoteattr(felt.touchpoint or '')}>"
            f"<title>{escape(felt.tooltip)}</title>"
            f'<path d="{marker_path(x, y)}" fill="{felt.colour}" stroke="#ffffff" '
            f'stroke-width="1"/></g>'
        )
        labels.append((x, y, felt))
    parts.append(feedback.measured_marks_svg(journey_map, layout, xs, y_of))
    parts.extend(_labels_svg(labels, layout, (top, height)))
    parts.extend(_legend_svg(emotion_legend(journey_map), top))
    parts.append("</g>")
    return "".join(parts)


def _labels_svg(
    labels: list[tuple[float, float, _Felt]], layout: MapLayout, band: tuple[float, float]
) -> list[str]:
    """Each phase's labels right of its centre line, spread so that no two overlap."""
    top, height = band
    parts = []
    for phase_id, (left, width) in layout.columns.items():
        # Of labels at one height the shorter ones go nearest to the points: above the
        # lane's middle the stack grows downwards from them, below it upwards.
        middle = top + height / 2
        entries = sorted(
            (
                (
                    y,
                    felt.order,
                    x,
                    felt,
                    label_lines(felt.label, _label_room(width), LABEL_MAX_LINES),
                )
                for x, y, felt in labels
                if felt.phase == phase_id
            ),
            key=lambda e: (e[0], len(e[4]) if e[0] < middle else -len(e[4]), e[1]),
        )
        if not entries:
            continue
        label_x = left + width / 2 + LABEL_OFFSET
        # Inside the lane: a label never reaches into the lanes above and below.
        low, high = top + LANE_MARGIN, top + height - LANE_MARGIN
        boxes = [(y, len(lines) * LABEL_LINE - LABEL_GAP) for y, _, _, _, lines in entries]
        tops = spread_boxes(boxes, LABEL_GAP + 1, low, high)
        for box_top, (y, _, x, felt, lines), (_, box_height) in zip(
            tops, entries, boxes, strict=True
        ):
            attrs = (
                f'class="jm-emotion-label" data-ref={quoteattr(felt.ref)} '
                f"data-phase={quoteattr(phase_id)}"
            )
            if felt.touchpoint is not None:
                attrs += f" data-touchpoint={quoteattr(felt.touchpoint)}"
            leader = ""
            if felt.touchpoint is not None or not box_top <= y <= box_top + box_height:
                # From the point (or diamond) to its label, when they are not side by side.
                end = min(max(y, box_top + 2), box_top + box_height - 2)
                leader = (
                    f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{label_x:.1f}" y2="{end:.1f}" '
                    f'stroke="{felt.colour}" stroke-width="0.8" stroke-dasharray="2 2"/>'
                )
            parts.append(
                f"<g {attrs}>"
                + _label_svg(label_x, box_top, lines, felt.label, felt.colour, leader)
                + "</g>"
            )
    return parts
