"""The journey map as SVG: phases as columns, lanes as rows, emotion curves, measured overlay.

Every user text goes through :func:`xml.sax.saxutils.escape` (and ``quoteattr`` for
attributes), so map content can never become markup.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from journeymap.i18n import N_, format_decimal, format_share, gettext
from journeymap.model import JourneyMap, StageCell
from journeymap.render.emotion_curve import PERSONA_COLOURS, emotion_lane_height, emotion_svg
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
from journeymap.render.map_measured import (
    dropoff_tips,
    ended_here_colour,
    ended_here_svg,
    ended_here_text,
    events_text,
    heat_colour,
    map_legend,
    measured_lanes,
    text_colour,
)
from journeymap.render.measured import AnalysisLike, EndedHere, Measured, measured_from

__all__ = [
    "ORIGINS",
    "PERSONA_COLOURS",
    "ROLE_LABELS",
    "box_svg",
    "build_layout",
    "draw_map_svg",
    "ended_here_colour",
    "evidence_for",
    "heat_colour",
    "phase_tips",
    "render_map_svg",
    "touchpoint_tips",
]

NOTE_FONT_SIZE = 11.0
"""The funnel's notes under the map's legend, as large as the legend."""
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
FILLS = {
    "header": "#34495e",
    "label": "#ecf0f1",
    "touchpoint": "#e8f1fb",
    "item": "#ffffff",
}
OUTCOME_FILL = "#fdf1e3"
"""An outcome touchpoint's card (declined, won, closed): an end state, apart from the touches."""
DESCRIPTION_FILL = "#f4f6f8"
"""The phase descriptions' cards, under the phase headers: a tint apart from the lanes."""
ORIGINS = {"internal": N_("internal"), "external": N_("external")}


def _cell_prefix(journey_map: JourneyMap, cell: StageCell) -> str:
    """``Nils Newcomer · Product pages: ``: whose and where an item is, when not the phase's.

    Without it a need of one persona, or one touchpoint's pain point, read as the whole
    phase's.
    """
    scope = []
    if cell.persona is not None:
        scope.append(journey_map.persona(cell.persona).display_name)
    if cell.touchpoint is not None:
        scope.append(journey_map.touchpoint(cell.touchpoint).name)
    return " · ".join(scope) + ": " if scope else ""


def _cell_lanes(journey_map: JourneyMap, language: str) -> list[LaneSpec]:
    lanes: list[LaneSpec] = []
    for attr, label in CELL_LANES:
        lane = LaneSpec(attr, gettext(label, language))
        for phase in journey_map.ordered_phases():
            texts: list[str] = []
            for cell in journey_map.cells:
                if cell.phase != phase.id:
                    continue
                prefix = _cell_prefix(journey_map, cell)
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


def evidence_for(journey_map: JourneyMap, element_id: str) -> list[str]:
    """``CRM export (internal)``: the evidence sources that back a phase, persona or touchpoint."""
    language = journey_map.language
    return [
        f"{source.name} ({gettext(ORIGINS[source.origin], language)})"
        for source in journey_map.evidence
        if element_id in source.backs
    ]


def _backed_by(journey_map: JourneyMap, element_id: str) -> list[str]:
    sources = evidence_for(journey_map, element_id)
    if not sources:
        return []
    text = gettext(N_("Backed by: {sources}"), journey_map.language)
    return [text.format(sources="; ".join(sources))]


def touchpoint_tips(journey_map: JourneyMap) -> dict[str, str]:
    """Touchpoint id -> its card's tooltip: name, owner, description and the evidence behind it."""
    language = journey_map.language
    tips = {}
    for touchpoint in journey_map.touchpoints:
        lines = [touchpoint.name]
        if touchpoint.owner:
            owner = gettext(N_("Owner: {owner}"), language)
            lines.append(owner.format(owner=touchpoint.owner))
        if touchpoint.description.strip():
            lines.append(touchpoint.description.strip())
        lines.extend(_backed_by(journey_map, touchpoint.id))
        if len(lines) > 1:
            tips[touchpoint.id] = "\n".join(lines)
    return tips


def phase_tips(journey_map: JourneyMap) -> dict[str, str]:
    """Phase id -> the description card's tooltip: the description and the evidence behind it."""
    tips = {}
    for phase in journey_map.phases:
        lines = [phase.description.strip(), *_backed_by(journey_map, phase.id)]
        if lines[0]:
            tips[phase.id] = "\n".join(lines)
    return tips


def _description_lane(journey_map: JourneyMap, language: str) -> LaneSpec | None:
    """The phases' descriptions, a card under each phase header (none without any)."""
    phases = journey_map.ordered_phases()
    if not any(phase.description.strip() for phase in phases):
        return None
    lane = LaneSpec("description", gettext(N_("Description"), language))
    for phase in phases:
        text = " ".join(phase.description.split())
        lane.items[phase.id] = [(text, phase.id, (), DESCRIPTION_FILL)] if text else []
    return lane


def _touchpoint_lane(journey_map: JourneyMap, measured: Measured | None, language: str) -> LaneSpec:
    lane = LaneSpec("touchpoints", gettext(N_("Touchpoints"), language))
    unused = set(measured.unused) if measured else set()
    for phase in journey_map.ordered_phases():
        entries: list[tuple[str, str | None, tuple[str, ...], str | None]] = []
        for tp in journey_map.touchpoints_in(phase.id):
            badges: tuple[str, ...] = (
                gettext(N_("online") if tp.mode == "online" else N_("offline"), language),
                gettext(N_("direct") if tp.influence == "direct" else N_("indirect"), language),
            )
            text = tp.name
            fill = None
            if tp.outcome:
                # An end state, not a touch (met neither online nor offline): said in its
                # badge, read out with its text, and set apart by its card's tint.
                badges = (gettext(N_("outcome"), language),)
                fill = OUTCOME_FILL
            if measured is not None:
                row = measured.touchpoint_rows.get(tp.id)
                events = int(row["events"] or 0) if row else 0
                text += f" — {events_text(events, language)}"
                if tp.id in measured.attribution_share:
                    # Written as the summary and the attribution chart write it: a Markov
                    # share a hair below zero reads "0%", not "-0%", and 0.6% not "1%".
                    share = format_share(measured.attribution_share[tp.id], language)
                    # One message: Danish words it as a share of the conversions, not as
                    # the English "14 % attribution".
                    text += ", " + gettext(N_("{share} attribution"), language).format(share=share)
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


def build_layout(
    journey_map: JourneyMap, analysis: AnalysisLike | None = None
) -> tuple[MapLayout, Measured | None]:
    """Lay out the whole map (pure geometry, no SVG yet)."""
    language = journey_map.language
    measured = measured_from(analysis)
    personas = journey_map.personas or []
    emotion_height = emotion_lane_height(journey_map, max(140.0, (len(personas) + 2) * EMOTION_ROW))
    described = _description_lane(journey_map, language)
    lanes = [described] if described is not None else []
    lanes.append(_touchpoint_lane(journey_map, measured, language))
    lanes.extend(_cell_lanes(journey_map, language))
    lanes.append(LaneSpec("emotion", gettext(N_("Emotion"), language), fixed_height=emotion_height))
    if journey_map.personas:
        lanes.append(_buying_center_lane(journey_map, language))
    if measured is not None:
        lanes.extend(measured_lanes(journey_map, measured, language))
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


def box_svg(
    box: Box,
    language: str,
    accent: EndedHere | None = None,
    tip: str | None = None,
    *,
    css_class: str | None = None,
) -> str:
    """One card; ``accent`` draws the exit bar at its foot, ``tip`` is its tooltip.

    ``css_class`` replaces the group's ``jm-box jm-{kind}`` classes (for a copy of the card
    drawn outside the map, which the map's own selectors must not count).
    """
    fill = box.fill or FILLS.get(box.kind, "#ffffff")
    # Dark text on the drop-off lane's dark browns was unreadable: the text turns white there.
    colour = "#ffffff" if box.kind == "header" else text_colour(fill)
    size = 14.0 if box.kind == "header" else FONT_SIZE
    classes = css_class or f"jm-box jm-{box.kind}"
    attrs = f'class="{classes}" data-lane={quoteattr(box.lane)}'
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
        ended = ended_here_text(accent, language)
        tip = f"{ended}\n\n{tip}" if tip else ended
        parts.append(ended_here_svg(box, accent))
    if tip is not None:
        parts.insert(1, f"<title>{escape(tip)}</title>")
    for i, badge in enumerate(box.badges):
        parts.append(
            f'<text x="{box.x + box.width - PADDING:.1f}" '
            f'y="{box.y + PADDING + (i + 1) * BADGE_LINE_HEIGHT - 2:.1f}" '
            f'font-size="{BADGE_FONT_SIZE:g}" text-anchor="end" '
            f'fill="#2c6fad">{escape(badge)}</text>'
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
    return draw_map_svg(journey_map, layout, measured)


def draw_map_svg(journey_map: JourneyMap, layout: MapLayout, measured: Measured | None) -> str:
    """Draw a map laid out by :func:`build_layout` (what :func:`render_map_svg` returns)."""
    language = journey_map.language
    accents = measured.ended_here() if measured is not None else {}
    tips = dropoff_tips(journey_map, measured, language) if measured is not None else {}
    card_tips = {
        "touchpoints": touchpoint_tips(journey_map),
        "description": phase_tips(journey_map),
    }
    width, height = layout.width, layout.height
    legend, legend_height = ("", 0.0)
    if accents or tips:
        model = measured.attribution_model if measured is not None else None
        legend, legend_height = map_legend(
            height, width, language, lane=bool(tips), bars=bool(accents), model=model
        )
        height += legend_height
    notes, notes_height = ("", 0.0)
    if measured is not None:
        notes, notes_height = _funnel_notes_svg(journey_map, measured, height, width, language)
        height += notes_height
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="jm-map" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        "font-family=\"'DejaVu Sans', Verdana, sans-serif\">",
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#fafbfc"/>',
        _title_svg(journey_map.name, len(journey_map.phases)),
    ]
    for box in layout.boxes:
        accent = accents.get(box.ref or "") if box.kind == "touchpoint" else None
        tip = tips.get(box.phase or "") if box.lane == "dropoff" else None
        if box.lane in card_tips:
            tip = card_tips[box.lane].get(box.ref or "")
        parts.append(box_svg(box, language, accent, tip))
    if "emotion" in layout.lanes:
        parts.append(emotion_svg(journey_map, layout))
    parts.append(legend)
    parts.append(notes)
    parts.append("</svg>")
    return "".join(parts)


def _funnel_notes_svg(
    journey_map: JourneyMap, measured: Measured, top: float, width: float, language: str
) -> tuple[str, float]:
    """The funnel's notes under the legend, and their height ("" and 0 when there are none).

    The notes that explain a contradiction the map shows: "Decision: reached 0" beside
    "Contract signed — 842 events" when no journey reached an earlier phase, or a first phase
    that fewer journeys reached than there are. The report prints them above the map; the
    map image, shown on its own on a slide, had none.
    """
    from journeymap.analysis.notes import first_phase_note, unreached_phase_note

    found = [unreached_phase_note(measured, journey_map, language)]
    if isinstance(measured.summary.get("journeys"), int) and isinstance(
        measured.summary.get("conversions"), int
    ):
        found.insert(0, first_phase_note(measured, language))
    notes = [note for note in found if note]
    if not notes:
        return "", 0.0
    lines = [line for note in notes for line in wrap_text(note, width - 16, NOTE_FONT_SIZE)]
    spans = " ".join(
        f'<tspan x="8" y="{PADDING + (i + 1) * LINE_HEIGHT - 3:.1f}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    svg = (
        f'<g class="jm-ended-legend jm-map-notes" transform="translate(0 {top:.1f})">'
        f'<text font-size="{NOTE_FONT_SIZE:g}" fill="#8a3b12">{spans}</text></g>'
    )
    return svg, PADDING + len(lines) * LINE_HEIGHT + PADDING
