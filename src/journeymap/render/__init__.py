"""Drawing and reports: the journey map as SVG/HTML/PNG, charts, the HTML and PDF report.

Also the comparison of two analyses (:func:`journeymap.compare`) as an HTML or PDF report
(:func:`render_comparison_html`, :func:`render_comparison_pdf`).

Render takes a :class:`~journeymap.model.JourneyMap` and optionally an
:class:`~journeymap.analysis.Analysis` (or a ``(tables, summary)`` pair with the same tables);
it never queries the engine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

from journeymap.errors import UsageError
from journeymap.model import JourneyMap
from journeymap.render.comparison import render_comparison_html, render_comparison_pdf
from journeymap.render.export import render_map_png, render_report_pdf, write_file
from journeymap.render.map_svg import render_map_svg
from journeymap.render.measured import AnalysisLike
from journeymap.render.notebook import render_analysis_html
from journeymap.render.report import render_map_html, render_report_html

__all__ = [
    "FORMATS",
    "INTERACTIVE_FORMATS",
    "AnalysisLike",
    "Format",
    "render",
    "render_analysis_html",
    "render_comparison_html",
    "render_comparison_pdf",
    "render_map_html",
    "render_map_png",
    "render_map_svg",
    "render_report_html",
    "render_report_pdf",
]

Format = Literal["html", "svg", "pdf", "png"]
FORMATS: tuple[str, ...] = get_args(Format)
INTERACTIVE_FORMATS: tuple[str, ...] = ("html",)
"""The formats that can hold interactive charts; the others are static drawings."""


def render(
    journey_map: JourneyMap,
    analysis: AnalysisLike | None,
    format: str,
    out: str | Path,
    *,
    interactive: bool = False,
) -> Path:
    """Write ``format`` to ``out``: the HTML or PDF report, or the map alone as SVG or PNG.

    ``interactive`` (HTML only) inlines the offline Vega bundle so the charts are interactive.

    Raises:
        UsageError: for an unknown format, ``interactive`` with a static format, or an
            analysis made with another map.
        RenderError: when the file cannot be written.
    """
    target = Path(out)
    if format not in FORMATS:
        raise UsageError(f"Unknown format {format!r}; choose one of: {', '.join(FORMATS)}")
    if interactive and format not in INTERACTIVE_FORMATS:
        raise UsageError(
            f"interactive charts are made only for {', '.join(INTERACTIVE_FORMATS)}, not for "
            f"{format}, which is always static"
        )
    if analysis is not None:
        summary = analysis[1] if isinstance(analysis, tuple) else analysis.summary
        measured = summary.get("map_id")
        if measured is not None and measured != journey_map.id:
            # Its figures would sit on touchpoints and phases they were not measured on.
            raise UsageError(
                f"the analysis measured the map {measured!r}, not {journey_map.id!r}: render "
                "it with the map it measured, or analyze the events again with this map"
            )
    if format == "pdf":
        return render_report_pdf(journey_map, analysis, target)
    if format == "png":
        return render_map_png(journey_map, analysis, target)
    text = (
        render_report_html(journey_map, analysis, interactive=interactive)
        if format == "html"
        else render_map_svg(journey_map, analysis)
    )
    write_file(target, text.encode("utf-8"))
    return target
