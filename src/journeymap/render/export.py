"""Files: the report as PDF (WeasyPrint) and the map alone as PNG (vl-convert's resvg).

Both run without a browser and without network access. In the PDF the map gets pages of its
own at a legible scale (:mod:`journeymap.render.map_pages`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from journeymap.errors import MissingDependencyError, RenderError
from journeymap.model import JourneyMap
from journeymap.render.map_pages import map_print_pages
from journeymap.render.map_svg import render_map_svg
from journeymap.render.measured import AnalysisLike
from journeymap.render.report import render_report_html

__all__ = ["render_map_png", "render_report_pdf", "write_file", "write_pdf"]

PDF_VARIANT = "pdf/ua-1"
"""The PDF's conformance: tagged for accessibility (WeasyPrint 62 and later, offline)."""


def write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (parents created); OS errors become a RenderError."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as error:
        raise RenderError(f"Cannot write {path}: {error.strerror or error}") from error


def render_report_pdf(
    journey_map: JourneyMap, analysis: AnalysisLike | None, path: str | Path
) -> Path:
    """Write the report as a tagged PDF (A3 landscape pages) to ``path``; return the path.

    The map gets pages of its own at a legible scale (:func:`map_print_pages`). The PDF is
    PDF/UA-1 (:data:`PDF_VARIANT`): tagged, with the report's language and title.
    """
    return write_pdf(
        lambda: render_report_html(
            journey_map, analysis, embed_fonts=False, paginate_map=map_print_pages
        ),
        path,
        "The PDF report",
    )


def write_pdf(html: Callable[[], str], path: str | Path, what: str) -> Path:
    """Write the page ``html()`` gives as a tagged PDF to ``path``; return the path.

    WeasyPrint is looked for before the page is made: without it (the ``render`` extra),
    :class:`MissingDependencyError` names ``what`` (``"The PDF report"``). The PDF is
    PDF/UA-1 (:data:`PDF_VARIANT`): headings, tables and reading order for a screen reader,
    where an untagged PDF is one stream of text.
    """
    try:
        from weasyprint import HTML
    except ImportError as error:  # pragma: no cover - depends on the install
        raise MissingDependencyError("weasyprint", "render", what) from error
    page = html()
    # WeasyPrint logs every unsupported CSS property as a warning; our pages' CSS is ours.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    pdf = HTML(string=page).write_pdf(pdf_variant=PDF_VARIANT)
    if pdf is None:  # pragma: no cover - write_pdf returns bytes without a target
        raise RenderError("WeasyPrint produced no PDF")
    target = Path(path)
    write_file(target, bytes(pdf))
    return target


def render_map_png(
    journey_map: JourneyMap, analysis: AnalysisLike | None, path: str | Path, scale: float = 1.5
) -> Path:
    """Write the map alone as a PNG to ``path`` and return the path."""
    try:
        import vl_convert
    except ImportError as error:  # pragma: no cover - depends on the install
        raise MissingDependencyError("vl-convert-python", "render", "The PNG map") from error
    svg = render_map_svg(journey_map, analysis)
    target = Path(path)
    write_file(target, bytes(vl_convert.svg_to_png(svg, scale=scale)))
    return target
