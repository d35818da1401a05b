"""HTML fragments for Jupyter: an Analysis shows its headline figures and charts."""

from __future__ import annotations

from html import escape
from typing import Any

from journeymap.i18n import N_, format_integer, format_percent, gettext
from journeymap.model import JourneyMap
from journeymap.render.charts import chart_specs, render_chart_svg
from journeymap.render.measured import AnalysisLike, measured_from
from journeymap.render.sankey import render_sankey_svg

__all__ = ["render_analysis_html"]


def render_analysis_html(
    analysis: AnalysisLike, journey_map: JourneyMap | None = None, *, charts: bool = True
) -> str:
    """An Analysis as an HTML fragment (for ``Analysis._repr_html_``).

    Args:
        analysis: The analysis (or ``(tables, summary)``).
        journey_map: The map, for names and language; defaults to ``analysis.journey_map``
            when the analysis carries one, else ids are shown in English.
        charts: Include the Sankey and the Vega-Lite charts as static SVG.

    Returns:
        HTML with every text escaped and no script.
    """
    measured = measured_from(analysis)
    if measured is None:  # pragma: no cover - analysis is required
        return ""
    if journey_map is None and not isinstance(analysis, tuple):
        carried: Any = getattr(analysis, "journey_map", None)
        journey_map = carried if isinstance(carried, JourneyMap) else None
    language = journey_map.language if journey_map else "en"
    names: dict[str, str] = {}
    if journey_map is not None:
        names = {tp.id: tp.name for tp in journey_map.touchpoints}
        names.update({phase.id: phase.name for phase in journey_map.phases})
    s = measured.summary
    figures = []
    for key, label in (("journeys", N_("Journeys")), ("conversions", N_("Conversions"))):
        if isinstance(s.get(key), int | float):
            count = format_integer(s[key], language)
            figures.append(f"<b>{count}</b> {escape(gettext(label, language))}")
    if isinstance(s.get("conversion_rate"), int | float):
        rate = gettext(N_("Conversion rate"), language)
        share = format_percent(s["conversion_rate"], language, 1)
        figures.append(f"<b>{share}</b> {escape(rate)}")
    parts = [
        '<div class="journeymap-analysis">',
        f"<p>{escape(str(s.get('map_id') or ''))} — {' · '.join(figures)}</p>",
    ]
    if charts:
        sankey = measured.rows("sankey")
        if sankey:
            parts.append(render_sankey_svg(sankey, names, language))
        for spec in chart_specs(measured, names, language).values():
            parts.append(f"<div>{render_chart_svg(spec, language)}</div>")
    parts.append("</div>")
    return "".join(parts)
