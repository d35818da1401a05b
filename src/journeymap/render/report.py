"""The self-contained HTML report: map, personas, charts and a written summary.

Rendered with jinja2 (autoescape on: every map text is escaped); CSS and the DejaVu Sans font
are inlined, charts are inline SVG, so the file opens with no network access.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Sequence
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from journeymap.i18n import N_, format_integer, gettext, translations
from journeymap.model import JourneyMap, Persona
from journeymap.render._chart_tables import _chart_table, _sankey_table
from journeymap.render._written_summary import written_summary
from journeymap.render.charts import chart_specs, model_name, render_chart_svg
from journeymap.render.context import (
    breakdown_funnels,
    element_names,
    figure_tables,
    measurement_scope,
)
from journeymap.render.interactive import embed_script, vega_bundle
from journeymap.render.map_pages import FIRST_CAPTION_PT, PAGE_HEIGHT_PT, heading_room_pt
from journeymap.render.map_sticky import sticky_map
from journeymap.render.map_svg import (
    ORIGINS,
    ROLE_LABELS,
    build_layout,
    draw_map_svg,
    evidence_for,
    render_map_svg,
)
from journeymap.render.measured import AnalysisLike, Measured, measured_from
from journeymap.render.sankey import render_sankey_svg

__all__ = ["render_map_html", "render_report_html"]

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = (("DejaVuSans.ttf", "normal"), ("DejaVuSans-Bold.ttf", "bold"))
MIN_SCREEN_SCALE = 0.85
"""On a screen, a map wider than the window shrinks to fit it down to this scale (its cards'
text at 10 px), then scrolls (report.css)."""
MIN_CHART_SCALE = 0.5
"""On a screen, a chart wider than the window shrinks to fit it down to this scale (its
10-11 px labels at 5 px, legible zoomed in), then scrolls in its box, with a hint (report.css)."""


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("journeymap.render", "templates"),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True),
    )


@cache
def _css() -> str:
    return files("journeymap.render").joinpath("templates/report.css").read_text("utf-8")


@cache
def font_css() -> str:
    """``@font-face`` rules embedding DejaVu Sans as base64 (empty when the font is absent)."""
    rules = []
    for name, weight in FONT_FILES:
        path = FONT_DIR / name
        if path.exists():
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            rules.append(
                "@font-face { font-family: 'DejaVu Sans'; font-weight: "
                f"{weight}; src: url(data:font/ttf;base64,{data}) format('truetype'); }}"
            )
    return "\n".join(rules)


def map_heading(language: str) -> str:
    """The map's section heading: "Kunderejsekort" in Danish, "Journey Map" in German.

    The catalogs' "Journey map" stays English in Danish (the CLI's messages say "journey
    map"), while a Danish reader of the report looks for the word the command line's help
    uses, "kunderejsekort"; a message context keeps the two apart.
    """
    return translations(language).pgettext("report heading", "Journey map")


def _persona_card(persona: Persona, journey_map: JourneyMap) -> dict[str, Any]:
    language = journey_map.language
    facts = [
        str(persona.age) if persona.age is not None else None,
        persona.job,
        persona.company,
        persona.industry,
        persona.residence,
        gettext(ROLE_LABELS[persona.role], language) if persona.role else None,
    ]
    phases = {phase.id: phase.name for phase in journey_map.phases}
    employees = format_integer(persona.employees, language) if persona.employees else None
    # The persona sheet's other fields, each named: "650.000 kr." alone would not say what it is.
    details = [
        (N_("Income"), persona.income),
        (N_("Marital status"), persona.marital_status),
        (N_("Career level"), persona.career_level),
        (N_("Company size"), persona.company_size),
        (N_("Employees"), employees),
        (N_("Budget"), persona.budget),
        (N_("Competitors"), ", ".join(persona.competitors)),
        (N_("Joins at"), phases.get(persona.joins_at or "")),
    ]
    lists = [
        (gettext(N_("Goals"), language), persona.goals),
        (gettext(N_("Needs"), language), persona.needs),
        (gettext(N_("Questions"), language), persona.questions),
        (gettext(N_("Frustrations"), language), persona.frustrations),
    ]
    return {
        "id": persona.id,
        "name": persona.display_name,
        "facts": " · ".join(fact for fact in facts if fact),
        "details": [(gettext(label, language), value) for label, value in details if value],
        "quote": persona.quote,
        "description": persona.description,
        "lists": [(heading, items) for heading, items in lists if items],
    }


def _touchpoint_rows(journey_map: JourneyMap) -> list[dict[str, Any]]:
    """Each touchpoint with its phases, kind, owner, description and evidence (in map order).

    Empty when no touchpoint has an owner, a description or evidence: the map names them all.
    """
    language = journey_map.language
    phases = journey_map.ordered_phases()
    rows = []
    for touchpoint in journey_map.touchpoints:
        kind = (
            gettext(N_("online") if touchpoint.mode == "online" else N_("offline"), language),
            gettext(N_("direct") if touchpoint.influence == "direct" else N_("indirect"), language),
        )
        rows.append(
            {
                "id": touchpoint.id,
                "name": touchpoint.name,
                "phases": ", ".join(p.name for p in phases if p.id in touchpoint.phases),
                "kind": " · ".join(kind),
                "owner": touchpoint.owner or "",
                "description": touchpoint.description.strip(),
                "evidence": "; ".join(evidence_for(journey_map, touchpoint.id)),
            }
        )
    if not any(row["owner"] or row["description"] or row["evidence"] for row in rows):
        return []
    return rows


def _evidence_rows(journey_map: JourneyMap) -> list[dict[str, Any]]:
    """Each evidence source: internal or external, where from, and what of the map it backs."""
    language = journey_map.language
    groups = (
        (N_("Phases"), {phase.id: phase.name for phase in journey_map.ordered_phases()}),
        (N_("Personas"), {p.id: p.display_name for p in journey_map.personas}),
        (N_("Touchpoints"), {t.id: t.name for t in journey_map.touchpoints}),
    )
    rows = []
    for source in journey_map.evidence:
        backs = []
        for heading, names in groups:
            backed = [name for element_id, name in names.items() if element_id in source.backs]
            if backed:
                backs.append((gettext(heading, language), ", ".join(backed)))
        rows.append(
            {
                "id": source.id,
                "name": source.name,
                "origin": source.origin,
                "origin_text": gettext(ORIGINS[source.origin], language),
                "department": source.department or "",
                # As text: the report loads and links to nothing outside it.
                "link": (source.link or "").strip(),
                "notes": source.notes.strip(),
                "backs": backs,
            }
        )
    return rows


def _charts(
    journey_map: JourneyMap, measured: Measured
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Each chart as SVG with its figures as a table (for screen readers and a closer look)."""
    language = journey_map.language
    names = element_names(journey_map)
    charts: list[dict[str, Any]] = []
    sankey_rows = measured.rows("sankey")
    if sankey_rows:
        svg = render_sankey_svg(sankey_rows, names, language)
        charts.append(
            {
                "id": "sankey",
                "title": gettext(N_("Observed paths"), language),
                "svg": Markup(svg),
                "width": _svg_width(svg),
                "data": _sankey_table(sankey_rows, names, language),
            }
        )
    titled = chart_specs(measured, names, language)
    specs = {chart_id: {**spec, "title": None} for chart_id, spec in titled.items()}
    for chart_id, spec in titled.items():
        # A title with a subtitle (what a chart's numbers are) becomes caption and note.
        title = spec["title"] if isinstance(spec["title"], dict) else {"text": spec["title"]}
        svg = render_chart_svg(specs[chart_id], language)
        charts.append(
            {
                "id": chart_id,
                "title": title["text"],
                "note": title.get("subtitle"),
                "svg": Markup(svg),
                "width": _svg_width(svg),
                "data": _chart_table(chart_id, spec, language),
            }
        )
    return charts, specs


def _svg_width(svg: str) -> int | None:
    """The width an SVG is drawn at (its root's ``width``), for its least size on a screen."""
    match = re.search(r'<svg\b[^>]*?\swidth="([\d.]+)"', svg)
    return round(float(match.group(1)) * MIN_CHART_SCALE) if match else None


def render_report_html(
    journey_map: JourneyMap,
    analysis: AnalysisLike | None = None,
    *,
    embed_fonts: bool = True,
    interactive: bool = False,
    paginate_map: Callable[[str, float], Sequence[str]] | None = None,
) -> str:
    """The whole report as one self-contained HTML document.

    Args:
        journey_map: The map.
        analysis: Measured figures (an Analysis or ``(tables, summary)``); without it the report
            holds the designed map and the personas only.
        embed_fonts: Inline DejaVu Sans as base64 (off for the PDF, which embeds fonts itself).
        interactive: Also inline Vega/vega-embed (offline bundle) so the Vega-Lite charts
            become interactive (tooltips, zoom); the static SVGs stay as the fallback.
        paginate_map: Cuts the map SVG into print pages (the PDF's
            :func:`~journeymap.render.map_pages.map_print_pages`), given the room above the
            first page's drawing; each is shown on a page of its own instead of the one
            scrollable map. Without measured figures the map starts on the first page, under
            the report's heading (unless it would be cut in two there but fits a page of its
            own: then the personas come first, under the heading, and the map whole on the
            next page); after them, on a page of its own.

    Returns:
        HTML with CSS, font and charts inlined; no external resource.
    """
    language = journey_map.language
    measured = measured_from(analysis)
    template = _environment().get_template("report.html.j2")
    charts, specs = _charts(journey_map, measured) if measured else ([], {})
    scripts = None
    if interactive and specs:
        scripts = {
            "bundle": Markup(vega_bundle()),
            "embed": Markup(embed_script(specs)),
        }
    t = {
        "summary": gettext(N_("Summary"), language),
        "dropoffs": gettext(N_("Biggest drop-offs"), language),
        "funnel_dropoffs": gettext(N_("In the phase funnel"), language),
        "exits": gettext(N_("Exit touchpoints of the journeys that did not convert"), language),
        "dropoffs_note": gettext(
            N_(
                "Two different counts: the funnel counts each journey in the furthest phase it "
                "reached in the map's order, within the conversion window (a journey that "
                "never reached the first phase is in none); an exit touchpoint is the last "
                "touchpoint of a journey that did not convert, whatever its phase. They need "
                "not add up."
            ),
            language,
        ),
        "notes": gettext(N_("Notes on the figures"), language),
        "attributed": gettext(N_("Top touchpoints by attribution"), language),
        "map": map_heading(language),
        "map_page": gettext(N_("Journey map ({page}/{pages})"), language),
        "chart_data": gettext(N_("The chart's figures as a table"), language),
        "scroll_hint": gettext(
            N_("Wider than the screen: scroll sideways, or use the arrow keys, to see the rest."),
            language,
        ),
        "personas": gettext(N_("Personas"), language),
        "charts": gettext(N_("Charts"), language),
        "scope": gettext(N_("What was measured"), language),
        "converted": gettext(N_("Converted"), language),
        "conversion_rate": gettext(N_("Conversion rate"), language),
        "touchpoints": gettext(N_("Touchpoints"), language),
        "touchpoint": gettext(N_("Touchpoint"), language),
        "phases": gettext(N_("Phases"), language),
        "kind": gettext(N_("Kind"), language),
        "owner": gettext(N_("Owner"), language),
        "description": gettext(N_("Description"), language),
        "backed_by": gettext(N_("Backed by"), language),
        "evidence": gettext(N_("Evidence"), language),
        "source": gettext(N_("Source"), language),
        "origin": gettext(N_("Origin"), language),
        "department": gettext(N_("Department"), language),
        "backs": gettext(N_("Backs"), language),
    }
    map_notes = []
    if measured is not None and measured.ended_here():
        # The legend under the map says it too, but on a phone its lines run past the
        # screen's edge, and a card's tooltip needs a mouse: the bars' meaning goes above.
        map_notes.append(
            gettext(
                N_(
                    "Bar at the foot of a touchpoint (exit touchpoint): of the journeys that "
                    "touched it, the share that did not convert and touched it last (longer "
                    "and darker = more)"
                ),
                language,
            )
            + "."
        )
    if measured is not None and measured.attribution_model:
        attribution_note = gettext(
            N_("Attribution on the map: each touchpoint's share of conversions ({model})."),
            language,
        ).format(model=model_name(measured.attribution_model, language))
        if any(len(touchpoint.phases) > 1 for touchpoint in journey_map.touchpoints):
            # A CMO adding up the cards must not count such a touchpoint twice.
            attribution_note += " " + gettext(
                N_(
                    "A touchpoint drawn in several phases shows its whole share in each: "
                    "count it once when adding up."
                ),
                language,
            )
        map_notes.append(attribution_note)
    map_note = " ".join(map_notes) or None
    layout, _ = build_layout(journey_map, measured_pair(measured))
    map_svg = draw_map_svg(journey_map, layout, measured)
    # Nothing stands between the heading and the map without measured figures: the map then
    # begins on the first page, unless the heading takes half of it.
    heading = heading_room_pt(journey_map.name, journey_map.description)
    map_leads = measured is None and heading <= PAGE_HEIGHT_PT / 2
    first_caption = FIRST_CAPTION_PT + (heading if map_leads else 0.0)
    map_pages = list(paginate_map(map_svg, first_caption)) if paginate_map else []
    personas_first = False
    if paginate_map and map_leads and len(map_pages) > 1 and journey_map.personas:
        # Cut in two under the heading, but whole on a page of its own: the personas fill
        # the first page, and the map (its emotion curve with its lanes) gets the next.
        alone = list(paginate_map(map_svg, FIRST_CAPTION_PT))
        if len(alone) == 1:
            map_pages, map_leads, personas_first = alone, False, True
    # A phone keeps the lane labels and phase headers in view (hidden on wider screens).
    sticky = None if map_pages else sticky_map(journey_map, layout)
    return template.render(
        map=journey_map,
        language=language,
        t=t,
        font_css=Markup(font_css() if embed_fonts else ""),
        css=Markup(_css()),
        summary=written_summary(journey_map, measured) if measured else None,
        scope=measurement_scope(journey_map, measured) if measured else [],
        breakdowns=breakdown_funnels(journey_map, measured) if measured else [],
        figure_tables=figure_tables(journey_map, measured) if measured else [],
        notes=_notes(journey_map, measured, language) if measured else [],
        map_svg=Markup(map_svg),
        map_min_width=round(layout.width * MIN_SCREEN_SCALE),
        map_pages=[Markup(page) for page in map_pages],
        sticky=sticky,
        sticky_lanes=Markup(sticky.lanes_svg) if sticky else None,
        sticky_phases=Markup(sticky.phases_svg) if sticky else None,
        map_leads=map_leads,
        map_note=map_note,
        personas=[_persona_card(p, journey_map) for p in journey_map.personas],
        personas_first=personas_first,
        touchpoints=_touchpoint_rows(journey_map),
        evidence=_evidence_rows(journey_map),
        charts=charts,
        scripts=scripts,
    )


def _notes(journey_map: JourneyMap, measured: Measured, language: str) -> list[str]:
    """What ``journeymap analyze`` notes under its tables, for the report's reader too.

    Every note of :func:`journeymap.analysis.notes.figure_notes` but the one on the touchpoint
    funnel, a table of the analysis' files that the report does not show.
    """
    from journeymap.analysis.notes import figure_notes

    return figure_notes(measured, journey_map, language, touchpoint_funnel=False)


def measured_pair(measured: Measured | None) -> AnalysisLike | None:
    """A normalised analysis back as a ``(tables, summary)`` pair (for nested renderers)."""
    return None if measured is None else (measured.tables, measured.summary)


def render_map_html(journey_map: JourneyMap, analysis: AnalysisLike | None = None) -> str:
    """The map as an HTML fragment (for Jupyter ``_repr_html_``): a scrollable inline SVG."""
    svg = render_map_svg(journey_map, analysis)
    return f'<div class="journeymap" style="overflow-x:auto">{svg}</div>'
