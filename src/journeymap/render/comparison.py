"""The comparison report: two analyses before and after, as one self-contained HTML or a PDF.

What ``journeymap compare`` prints, for a reader who does not run it: the headline change of
the conversion rate with its 95 % interval and, in words, whether it is more than chance; the
warnings that make the two less than comparable; the headline figures, a chart of the biggest
changes in the touchpoints' conversion rates, the phase funnel and the touchpoints before and
after, the touchpoints only one side has, each attribution model's shares and the time to
convert. It is drawn with the report's template environment, stylesheet and font
(:mod:`journeymap.render.report`), its chart like the report's (:mod:`journeymap.render.charts`),
and the PDF by WeasyPrint as the report's (:mod:`journeymap.render.export`).

Figures are written in the report's language: the one asked for, else the language journeymap
speaks to the user, which is the map's own when the user chose none (the map given, or the one
the analyses carry when they were made in this session).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from journeymap.errors import UsageError
from journeymap.i18n import (
    LANGUAGES,
    N_,
    current_language,
    document_language,
    gettext,
    language_code,
)
from journeymap.i18n.messages import _
from journeymap.model import JourneyMap
from journeymap.render import _comparison_tables as tables
from journeymap.render._comparison_cells import ARROW, DASH
from journeymap.render._comparison_chart import changes_chart, chart_alt_text, with_alt_text
from journeymap.render._wording import element_names
from journeymap.render.charts import render_chart_svg
from journeymap.render.export import write_pdf
from journeymap.render.report import _css, _environment, _svg_width, font_css

if TYPE_CHECKING:
    from journeymap.analysis.compare import Comparison

__all__ = ["DEFAULT_TOP", "render_comparison_html", "render_comparison_pdf"]

DEFAULT_TOP = 10
"""Each attribution model's touchpoints the report lists (the largest changes); 0: all."""

# The words of the page around its tables, in the order the page shows them.
WORDS = {
    "warnings": N_("Warnings"),
    "warnings_note": N_(
        "What makes the two analyses less than comparable one to one: read it before the figures."
    ),
    "significant": N_("significant"),
    "significance_note": N_(
        "Significant: the 95% interval of the change (Newcombe's hybrid score interval for "
        "the difference of two proportions) leaves out 0. Among many rows, expect about one "
        "in twenty figures that did not really change to be marked by chance."
    ),
    "chart_note": N_("The table of the touchpoints below holds every figure of the chart."),
    "scroll_hint": N_(
        "Wider than the screen: scroll sideways, or use the arrow keys, to see the rest."
    ),
}
TITLE = N_("Comparison: {before} → {after}")


def _the_map(comparison: Comparison, journey_map: JourneyMap | None) -> JourneyMap | None:
    if journey_map is not None:
        return journey_map
    return comparison.after.journey_map or comparison.before.journey_map


def _names(comparison: Comparison, journey_map: JourneyMap | None) -> dict[str, str]:
    """Display names of phases and touchpoints: the map's given, else the analyses' maps."""
    if journey_map is not None:
        return element_names(journey_map)
    names: dict[str, str] = {}
    for analysis in (comparison.before, comparison.after):
        if analysis.journey_map is not None:
            names.update(element_names(analysis.journey_map))
    return names


def _language(language: str | None) -> str:
    if language is None:
        return current_language()
    code = language_code(language)
    if code is None or code not in LANGUAGES:
        raise UsageError(
            _("unknown language {language}; choose one of: {languages}").format(
                language=repr(language), languages=", ".join(LANGUAGES)
            )
        )
    return code


def _side_name(side: dict[str, Any]) -> str:
    """What names a side in the title: its folder, or its period for an analysis object."""
    return str(side["label"] or side["period"])


def _chart(
    rows: list[dict[str, Any]], names: dict[str, str], language: str
) -> dict[str, Any] | None:
    spec = changes_chart(rows, names, language)
    if spec is None:
        return None
    title = spec["title"]
    svg = with_alt_text(
        render_chart_svg({**spec, "title": None}, language), chart_alt_text(spec, language)
    )
    return {
        "id": "changes",
        "title": title["text"],
        "note": title["subtitle"],
        "svg": Markup(svg),
        "width": _svg_width(svg),
    }


def render_comparison_html(
    comparison: Comparison,
    *,
    journey_map: JourneyMap | None = None,
    language: str | None = None,
    top: int = DEFAULT_TOP,
    embed_fonts: bool = True,
) -> str:
    """The comparison as one self-contained HTML document (CSS, font and chart inlined).

    Args:
        comparison: What :func:`journeymap.compare` returned.
        journey_map: The map both analyses measured: its phase and touchpoint names, and its
            language when the user chose none. Default: the map the analyses carry (made in
            this session); analyses read from folders carry none, and their ids are shown.
        language: ``en``, ``da`` or ``de``; default: the language journeymap speaks to the
            user (``JOURNEYMAP_LANG``, the locale), else the map's.
        top: Each attribution model's touchpoints listed, the largest changes first (0: all).
        embed_fonts: Inline DejaVu Sans as base64 (off for the PDF, which embeds fonts itself).

    Returns:
        HTML with no external resource.

    Raises:
        UsageError: for a language journeymap does not speak.

    Examples:
        >>> import pandas as pd
        >>> from journeymap import analyze, compare
        >>> from journeymap.examples import example_path
        >>> def month(people, converted):
        ...     return pd.DataFrame({
        ...         "person_id": people * 2,
        ...         "ts": pd.to_datetime(["2024-05-01 09:00"] * len(people)
        ...                              + ["2024-05-02 09:00"] * len(people), utc=True),
        ...         "touchpoint": ["social-ads"] * len(people) + ["checkout"] * len(people),
        ...         "conversion": [False] * len(people)
        ...                       + [p in converted for p in people],
        ...         "source": "crm",
        ...     }).assign(account_id=None, phase=None, persona=None, value=None)
        >>> yoga = example_path("online-yoga")
        >>> people = [f"p{i}" for i in range(200)]
        >>> april = analyze(yoga, month(people, people[:40]), attribution=False)
        >>> may = analyze(yoga, month(people, people[:80]), attribution=False)
        >>> html = render_comparison_html(compare(april, may, warn=False), language="en")
        >>> "20.0% → 40.0%" in html, "+20.0 pp" in html
        (True, True)
    """
    the_map = _the_map(comparison, journey_map)
    # The map's language where the user chose none; the warnings are worded again in it.
    with document_language(the_map.language if the_map is not None else None):
        chosen = _language(language)
        from journeymap.analysis._compare_inputs import comparison_notes

        notes = (
            comparison_notes(comparison.before, comparison.after)
            if chosen == current_language()
            else list(comparison.notes)
        )
    names = _names(comparison, journey_map)
    overall = comparison.table("overall").to_pylist()
    touchpoints = comparison.table("touchpoints").to_pylist()
    sides = tables.side_lines(comparison.summary, chosen)
    title = gettext(TITLE, chosen).format(before=_side_name(sides[0]), after=_side_name(sides[1]))
    words = {key: gettext(message, chosen) for key, message in WORDS.items()}
    sections = [
        tables.phase_table(comparison.table("phases").to_pylist(), names, chosen),
        tables.touchpoint_table(touchpoints, names, chosen),
    ]
    later = []
    if "attribution" in comparison.tables:
        later.append(
            tables.attribution_table(
                comparison.table("attribution").to_pylist(), names, chosen, top
            )
        )
    if "time_to_convert" in comparison.tables:
        later.append(tables.time_table(comparison.table("time_to_convert").to_pylist(), chosen))
    return (
        _environment()
        .get_template("comparison.html.j2")
        .render(
            language=chosen,
            title=title,
            map_name=the_map.name if the_map is not None else None,
            t=words,
            arrow=ARROW,
            dash=DASH,
            font_css=Markup(font_css() if embed_fonts else ""),
            css=Markup(_css()),
            sides=sides,
            headline=tables.headline(overall, chosen),
            notes=notes,
            overall=tables.overall_table(overall, chosen),
            chart=_chart(touchpoints, names, chosen),
            sections=sections,
            status_lists=tables.status_lists(touchpoints, names, chosen),
            later=later,
        )
    )


def render_comparison_pdf(
    comparison: Comparison,
    path: str | Path,
    *,
    journey_map: JourneyMap | None = None,
    language: str | None = None,
    top: int = DEFAULT_TOP,
) -> Path:
    """Write the comparison as a tagged PDF (PDF/UA-1, A3 landscape) to ``path``.

    The arguments are :func:`render_comparison_html`'s.

    Raises:
        MissingDependencyError: without WeasyPrint (the ``render`` extra).
        RenderError: when the file cannot be written.
    """
    return write_pdf(
        lambda: render_comparison_html(
            comparison, journey_map=journey_map, language=language, top=top, embed_fonts=False
        ),
        path,
        "The PDF comparison",
    )
