"""The journey map as SVG: phases as columns, lanes as rows, emotion curves, measured overlay.

Every user text goes through :func:`xml.sax.saxutils.escape` (and ``quoteattr`` for
attributes), so map content can never become markup.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from journeymap.i18n import (
    N_,
    format_decimal,
    format_integer,
    format_percent,
    format_share,
    gettext,
    ngettext,
)
from journeymap.model import JourneyMap
from journeymap.render.charts import model_name
from journeymap.render.layout import (
    BADGE_FONT_SIZE,
    BADGE_LINE_HEIGHT,
    COLUMN_WIDTH,
    FONT_SIZE,
    GUTTER,
    LABEL_WIDTH,
    LINE_HEIGHT,
    PADDING,
    Box,
    LaneSpec,
    MapLayout,
    layout_lanes,
    wrap_text,
)
from journeymap.render.measured import AnalysisLike, EndedHere, Measured, measured_from

__all__ = [
    "PERSONA_COLOURS",
    "ROLE_LABELS",
    "build_layout",
    "ended_here_colour",
    "heat_colour",
    "render_map_svg",
]

PERSONA_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2")
# Each persona's curve has its own dash pattern (the first solid): where personas feel the
# same, the curves lie on top of each other, and the gaps of the upper ones show the lower.
PERSONA_DASHES = ("", "9 5", "3 4", "12 4 3 4", "6 3", "2 6", "14 6")
TITLE_HEIGHT = 40.0
TITLE_FONT_SIZE = 18.0
TITLE_LINE_HEIGHT = 24.0
EMOTION_ROW = 26.0

CELL_LANES: tuple[tuple[str, str], ...] = (
    ("actions", N_("Actions")),
    ("goals", N_("Goals")),
    ("questions", N_("Questions")),
    ("needs", N_("Needs")),
    ("information_needs", N_("Information needs")),
    ("pain_points", N_("Pain points")),
    ("opportunities", N_("Opportunities")),
    ("kpis", N_("KPIs")),
)
ROLE_LABELS = {
    "initiator": N_("initiator"),
    "user": N_("user"),
    "influencer": N_("influencer"),
    "decider": N_("decider"),
    "buyer": N_("buyer"),
    "gatekeeper": N_("gatekeeper"),
}
# The bar on a touchpoint card: ColorBrewer's YlOrBr, light yellow to dark brown. Its lightness
# falls steadily, so the scale reads the same in grey and to red-green colour-blind readers;
# the bar's filled length says the same again.
ENDED_HERE_SCALE = ("#fee391", "#fec44f", "#fe9929", "#d95f0e", "#993404")
ENDED_HERE_TRACK = "#dde3e9"
ENDED_HERE_THICKNESS = 4.0
LEGEND_FONT_SIZE = 11.0
LEGEND_BAR = 40.0
LEGEND_SWATCH = 96.0
FILLS = {
    "header": "#34495e",
    "label": "#ecf0f1",
    "touchpoint": "#e8f1fb",
    "item": "#ffffff",
}


def heat_colour(rate: float) -> str:
    """A heat colour from green (no drop-off) through yellow to red (everyone drops off)."""
    rate = min(1.0, max(0.0, rate))
    if rate < 0.5:
        red, green = int(255 * rate * 2), 200
    else:
        red, green = 255, int(200 * (1 - (rate - 0.5) * 2))
    return f"#{red:02x}{green:02x}66"


def ended_here_colour(share: float) -> str:
    """The bar colour of a touchpoint card: light yellow (0 %) through orange to dark brown (100 %).

    Examples:
        >>> ended_here_colour(0.0), ended_here_colour(1.0)
        ('#fee391', '#993404')
    """
    share = min(1.0, max(0.0, share))
    position = share * (len(ENDED_HERE_SCALE) - 1)
    index = min(int(position), len(ENDED_HERE_SCALE) - 2)
    low, high = ENDED_HERE_SCALE[index], ENDED_HERE_SCALE[index + 1]
    weight = position - index
    channels = (
        round(int(low[i : i + 2], 16) * (1 - weight) + int(high[i : i + 2], 16) * weight)
        for i in (1, 3, 5)
    )
    return "#" + "".join(f"{channel:02x}" for channel in channels)


def _percent(value: object, language: str) -> str:
    return format_percent(float(value or 0.0), language) if isinstance(value, int | float) else "–"


def _events_text(count: int, language: str) -> str:
    """``12.330 hændelser``, ``1 hændelse``: a count of events in the map's language."""
    message = ngettext("{count} event", "{count} events", count, language)
    return message.format(count=format_integer(count, language))


def _cell_lanes(journey_map: JourneyMap, language: str) -> list[LaneSpec]:
    lanes: list[LaneSpec] = []
    for attr, label in CELL_LANES:
        lane = LaneSpec(attr, gettext(label, language))
        for phase in journey_map.ordered_phases():
            texts: list[str] = []
            for cell in journey_map.cells:
                if cell.phase != phase.id:
                    continue
                prefix = ""
                if cell.persona is not None:
                    prefix = journey_map.persona(cell.persona).display_name + ": "
                if attr == "kpis":
                    values = [
                        kpi.name
                        + (
                            f" ({format_decimal(kpi.target, language)}"
                            f"{' ' + kpi.unit if kpi.unit else ''})"
                            if kpi.target is not None
                            else ""
                        )
                        for kpi in cell.kpis
                    ]
                else:
                    values = list(getattr(cell, attr))
                texts.extend(prefix + value for value in values)
            lane.items[phase.id] = [(text, None, (), None) for text in dict.fromkeys(texts)]
        lanes.append(lane)
    return lanes


def _touchpoint_lane(journey_map: JourneyMap, measured: Measured | None, language: str) -> LaneSpec:
    lane = LaneSpec("touchpoints", gettext(N_("Touchpoints"), language))
    unused = set(measured.unused) if measured else set()
    for phase in journey_map.ordered_phases():
        entries: list[tuple[str, str | None, tuple[str, ...], str | None]] = []
        for tp in journey_map.touchpoints_in(phase.id):
            badges = (
                gettext(N_("online") if tp.mode == "online" else N_("offline"), language),
                gettext(N_("direct") if tp.influence == "direct" else N_("indirect"), language),
            )
            text = tp.name
            fill = None
            if measured is not None:
                row = measured.touchpoint_rows.get(tp.id)
                events = int(row["events"] or 0) if row else 0
                text += f" — {_events_text(events, language)}"
                if tp.id in measured.attribution_share:
                    # Written as the summary and the attribution chart write it: a Markov
                    # share a hair below zero reads "0%", not "-0%", and 0.6% not "1%".
                    share = format_share(measured.attribution_share[tp.id], language)
                    text += f", {share} {gettext(N_('attribution'), language)}"
                if tp.id in unused or row is None:
                    text += f" [{gettext(N_('unused'), language)}]"
                    fill = "#eeeeee"
            entries.append((text, tp.id, badges, fill))
        lane.items[phase.id] = entries
    return lane


def _buying_center_lane(journey_map: JourneyMap, language: str) -> LaneSpec:
    # A buying center is a B2B notion: a B2C map's lane names its personas.
    title = N_("Buying center") if journey_map.kind == "b2b" else N_("Personas")
    lane = LaneSpec("buying_center", gettext(title, language))
    phases = journey_map.ordered_phases()
    for phase in phases:
        lane.items[phase.id] = []
    for persona in journey_map.personas:
        joins = persona.joins_at or (phases[0].id if phases else None)
        if joins is None or joins not in lane.items:
            continue
        text = persona.display_name
        if persona.role:
            text += f" ({gettext(ROLE_LABELS[persona.role], language)})"
        lane.items[joins].append((text, persona.id, (), None))
    return lane


def _measured_lanes(journey_map: JourneyMap, measured: Measured, language: str) -> list[LaneSpec]:
    reached = LaneSpec("reached", gettext(N_("Reached"), language))
    converted = LaneSpec("converted", gettext(N_("Converted"), language))
    dropoff = LaneSpec("dropoff", gettext(N_("Drop-off"), language))
    for phase in journey_map.ordered_phases():
        row = measured.phase_rows.get(phase.id)
        if row is None:
            continue
        reach = _percent(row.get("reach_rate"), language)
        reached.items[phase.id] = [
            (f"{format_integer(row['reached'] or 0, language)} ({reach})", None, (), None)
        ]
        converted.items[phase.id] = [
            (format_integer(row["converted"] or 0, language), None, (), None)
        ]
        rate = float(row.get("dropoff_rate") or 0.0)
        dropped = f"{format_integer(row['dropped'] or 0, language)} "
        dropoff.items[phase.id] = [
            (dropped + f"({format_percent(rate, language)})", None, (), heat_colour(rate))
        ]
    lanes = [reached, converted, dropoff]
    unmapped = measured.unmapped
    phases = journey_map.ordered_phases()
    if unmapped and phases:
        lane = LaneSpec("unmapped", gettext(N_("Events not on the map"), language))
        lane.items[phases[0].id] = [
            (f"{tp} — {_events_text(count, language)}", tp, (), "#fdebd0") for tp, count in unmapped
        ]
        lanes.append(lane)
    return lanes


def build_layout(
    journey_map: JourneyMap, analysis: AnalysisLike | None = None
) -> tuple[MapLayout, Measured | None]:
    """Lay out the whole map (pure geometry, no SVG yet)."""
    language = journey_map.language
    measured = measured_from(analysis)
    personas = journey_map.personas or []
    emotion_height = max(140.0, (len(personas) + 2) * EMOTION_ROW)
    lanes = [_touchpoint_lane(journey_map, measured, language)]
    lanes.extend(_cell_lanes(journey_map, language))
    lanes.append(LaneSpec("emotion", gettext(N_("Emotion"), language), fixed_height=emotion_height))
    if journey_map.personas:
        lanes.append(_buying_center_lane(journey_map, language))
    if measured is not None:
        lanes.extend(_measured_lanes(journey_map, measured, language))
    phases = [(phase.id, phase.name) for phase in journey_map.ordered_phases()]
    title_lines = _title_lines(journey_map.name, len(phases))
    title_height = TITLE_HEIGHT + (len(title_lines) - 1) * TITLE_LINE_HEIGHT
    return layout_lanes(phases, lanes, title_height), measured


def _title_lines(title: str, phase_count: int) -> list[str]:
    """The map's name wrapped to the width of the drawing (a long name is not cut off)."""
    width = LABEL_WIDTH + GUTTER + max(1, phase_count) * (COLUMN_WIDTH + GUTTER)
    return wrap_text(title, width - 16, TITLE_FONT_SIZE * 1.1)  # bold runs wider


def _title_svg(title: str, phase_count: int) -> str:
    spans = " ".join(
        f'<tspan x="8" y="{26 + index * TITLE_LINE_HEIGHT:.0f}">{escape(line)}</tspan>'
        for index, line in enumerate(_title_lines(title, phase_count))
    )
    return (
        f'<text class="jm-title" x="8" y="26" font-size="{TITLE_FONT_SIZE:g}" '
        f'font-weight="bold" fill="#222">{spans}</text>'
    )


def _text_lines(x: float, y: float, lines: tuple[str, ...], size: float, fill: str) -> str:
    # The space between the lines is not drawn (every line starts at its own x and y), but
    # text read out of the SVG (copying, search, screen readers) would otherwise run the last
    # word of one line into the first of the next: "3,094hændelser".
    spans = " ".join(
        f'<tspan x="{x:.1f}" y="{y + PADDING + (i + 1) * LINE_HEIGHT - 3:.1f}">{escape(line)}'
        "</tspan>"
        for i, line in enumerate(lines)
    )
    return f'<text font-size="{size:g}" fill="{fill}">{spans}</text>'


def _ended_here_text(ended_here: EndedHere, language: str) -> str:
    """``34% of the 1,234 journeys that touched it ended here without converting``."""
    message = ngettext(
        "{share} of the {count} journey that touched it ended here without converting",
        "{share} of the {count} journeys that touched it ended here without converting",
        ended_here.journeys,
        language,
    )
    return message.format(
        share=format_percent(ended_here.share, language),
        count=format_integer(ended_here.journeys, language),
    )


def _ended_here_bar(x: float, y: float, length: float, share: float) -> str:
    """A track ``length`` long, filled from the left to ``share`` of it in the scale's colour."""
    filled = length * min(1.0, max(0.0, share))
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{length:.1f}" height="{ENDED_HERE_THICKNESS:g}" '
        f'fill="{ENDED_HERE_TRACK}"/>'
        f'<rect class="jm-ended-fill" x="{x:.1f}" y="{y:.1f}" width="{filled:.1f}" '
        f'height="{ENDED_HERE_THICKNESS:g}" fill="{ended_here_colour(share)}"/>'
    )


def _ended_here_svg(box: Box, ended_here: EndedHere) -> str:
    # Along the card's foot, inside its padding: under the last line's descenders, clear of the
    # rounded corners.
    top = box.y + box.height - ENDED_HERE_THICKNESS - 2
    return (
        f'<g class="jm-ended" data-share="{ended_here.share:.4f}" '
        f'data-ended="{ended_here.ended}" data-journeys="{ended_here.journeys}">'
        + _ended_here_bar(box.x + PADDING, top, box.width - 2 * PADDING, ended_here.share)
        + "</g>"
    )


def _ended_here_legend(
    top: float, width: float, language: str, model: str | None = None
) -> tuple[str, float]:
    """The legend of the cards' bars, below the map: its SVG and its height.

    With ``model`` (the attribution model whose shares the cards show), it names it too: a
    map image shown on its own says under which model "12 % attribution" was measured.
    """
    text = gettext(
        N_(
            "Bar at the foot of a touchpoint: the share of the journeys that touched it and "
            "ended there without converting (longer and darker = more)"
        ),
        language,
    )
    if model:
        text += ". " + gettext(
            N_("Attribution on a touchpoint: its share of the conversions under {model}"),
            language,
        ).format(model=model_name(model, language))
    lines = wrap_text(text, width - 16, LEGEND_FONT_SIZE)
    spans = " ".join(
        f'<tspan x="8" y="{PADDING + (i + 1) * LINE_HEIGHT - 3:.1f}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    parts = [
        f'<g class="jm-ended-legend" transform="translate(0 {top:.1f})">',
        f'<text font-size="{LEGEND_FONT_SIZE:g}" fill="#444">{spans}</text>',
    ]
    row = PADDING + len(lines) * LINE_HEIGHT + 6
    steps = len(ENDED_HERE_SCALE)
    for index in range(steps):
        share = index / (steps - 1)
        x = 8 + index * LEGEND_SWATCH
        parts.append(_ended_here_bar(x, row + 4, LEGEND_BAR, share))
        parts.append(
            f'<text x="{x + LEGEND_BAR + 6:.1f}" y="{row + 9:.1f}" '
            f'font-size="{LEGEND_FONT_SIZE - 1:g}" fill="#444">'
            f"{escape(format_percent(share, language))}</text>"
        )
    parts.append("</g>")
    return "".join(parts), row + LINE_HEIGHT + PADDING


def _box_svg(box: Box, language: str, accent: EndedHere | None = None) -> str:
    fill = box.fill or FILLS.get(box.kind, "#ffffff")
    colour = "#ffffff" if box.kind == "header" else "#222222"
    size = 14.0 if box.kind == "header" else FONT_SIZE
    attrs = f'class="jm-box jm-{box.kind}" data-lane={quoteattr(box.lane)}'
    if box.ref is not None:
        attrs += f" data-ref={quoteattr(box.ref)}"
    parts = [
        f"<g {attrs}>",
        f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.width:.1f}" '
        f'height="{box.height:.1f}" rx="4" fill="{fill}" stroke="#b0b8c0"/>',
        _text_lines(box.x + PADDING, box.y, box.lines, size, colour),
    ]
    if accent is not None:
        # On the card, so hovering anywhere on it (the bar included) explains the bar.
        parts.insert(1, f"<title>{escape(_ended_here_text(accent, language))}</title>")
        parts.append(_ended_here_svg(box, accent))
    for i, badge in enumerate(box.badges):
        parts.append(
            f'<text x="{box.x + box.width - PADDING:.1f}" '
            f'y="{box.y + PADDING + (i + 1) * BADGE_LINE_HEIGHT - 2:.1f}" '
            f'font-size="{BADGE_FONT_SIZE:g}" text-anchor="end" '
            f'fill="#2c6fad">{escape(badge)}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def _emotion_svg(journey_map: JourneyMap, layout: MapLayout) -> str:
    top, height = layout.lanes["emotion"]
    plot_top, plot_height = top + 12, height - 24
    centres = {pid: left + width / 2 for pid, (left, width) in layout.columns.items()}

    def y_of(score: float) -> float:
        return plot_top + (2 - score) / 4 * plot_height

    parts = ['<g class="jm-emotion">']
    right = layout.width
    for score in (-2, 0, 2):
        parts.append(
            f'<line x1="{LABEL_WIDTH + 12:.1f}" x2="{right:.1f}" y1="{y_of(score):.1f}" '
            f'y2="{y_of(score):.1f}" stroke="#dddddd" stroke-dasharray="{"" if score else "4 3"}"/>'
            f'<text x="{LABEL_WIDTH + 4:.1f}" y="{y_of(score) + 4:.1f}" font-size="9" '
            f'fill="#888">{f"{score:+d}" if score else "0"}</text>'
        )
    phase_names = {phase.id: phase.name for phase in journey_map.phases}
    personas: list[tuple[str | None, str]] = [(p.id, p.display_name) for p in journey_map.personas]
    if not personas:
        personas = [(None, "")]
    for index, (persona_id, name) in enumerate(personas):
        colour = PERSONA_COLOURS[index % len(PERSONA_COLOURS)]
        dashes = PERSONA_DASHES[index % len(PERSONA_DASHES)]
        dash = f' stroke-dasharray="{dashes}"' if dashes else ""
        ref = quoteattr(persona_id or "")
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
            tip = f"{phase_names[phase_id]}: {format_decimal(emotion, journey_map.language)}"
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
    parts.append("</g>")
    return "".join(parts)


def render_map_svg(journey_map: JourneyMap, analysis: AnalysisLike | None = None) -> str:
    """Draw the journey map as a standalone SVG document string.

    Args:
        journey_map: The map to draw.
        analysis: Optional measured figures (an Analysis or ``(tables, summary)``).

    Returns:
        The SVG markup; every user text is escaped.
    """
    layout, measured = build_layout(journey_map, analysis)
    language = journey_map.language
    accents = measured.ended_here() if measured is not None else {}
    width, height = layout.width, layout.height
    legend, legend_height = ("", 0.0)
    if accents:
        model = measured.attribution_model if measured is not None else None
        legend, legend_height = _ended_here_legend(height, width, language, model)
        height += legend_height
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="jm-map" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        "font-family=\"'DejaVu Sans', Verdana, sans-serif\">",
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#fafbfc"/>',
        _title_svg(journey_map.name, len(journey_map.phases)),
    ]
    parts.extend(
        _box_svg(box, language, accents.get(box.ref or "") if box.kind == "touchpoint" else None)
        for box in layout.boxes
    )
    if "emotion" in layout.lanes:
        parts.append(_emotion_svg(journey_map, layout))
    parts.append(legend)
    parts.append("</svg>")
    return "".join(parts)
