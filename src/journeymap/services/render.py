"""Use case: render a map file (and optionally a saved analysis) to HTML, SVG, PDF or PNG."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from journeymap.errors import AnalysisError, UsageError
from journeymap.i18n import N_, gettext
from journeymap.i18n.messages import _
from journeymap.model import JourneyMap

__all__ = ["REPORT_FORMATS", "Rendered", "render_file", "stale_elements"]


@dataclass(frozen=True)
class Rendered:
    """What :func:`render_file` wrote, and how the map drifted from the analysis.

    Attributes:
        path: The written file.
        gone: Touchpoints and phases the analysis measured that the map no longer has.
        unmeasured: Phases and touchpoints of the map the analysis did not measure (added
            since).
        format: The format written (``html``, ``pdf``, ``svg`` or ``png``).
        personas: With ``personas``: the names of the personas whose map was drawn, as its
            title names them; empty for the whole map.
        by_persona: With ``personas`` and an analysis broken down by persona: the report
            (``html``, ``pdf``) keeps their lines of the phase funnel by persona. The measured
            lanes on the map are figures for all journeys either way.
        feedback_answers: With ``feedback``: the feedback answers drawn as measured feelings.
    """

    path: Path
    gone: list[str] = field(default_factory=list)
    unmeasured: list[str] = field(default_factory=list)
    format: str = "html"
    personas: list[str] = field(default_factory=list)
    by_persona: bool = False
    feedback_answers: int = 0


# A URL scheme (two letters at least: ``C:/`` is a Windows drive); a Path collapses ``//``.
_URL_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]+):/")
# The file name suffixes of the formats journeymap writes.
SUFFIXES = {".html": "html", ".htm": "html", ".pdf": "pdf", ".svg": "svg", ".png": "png"}
# The formats that are the report (the map, personas, tables, charts); svg and png: the map.
REPORT_FORMATS = ("html", "pdf")

# Under the title of a persona's report with an analysis, in the map's language: the map
# draws the persona's cells, but every measured figure counts all journeys.
_ALL_JOURNEYS = N_("The measured figures are for all journeys, not only for {personas}.")
_ALL_JOURNEYS_BUT_FUNNEL = N_(
    "The measured figures on the map are for all journeys, not only for {personas}; the "
    "phase funnel by persona shows their own."
)


def render_file(
    map_path: str | Path,
    analysis_dir: str | Path | None,
    format: str | None,
    out: str | Path | None = None,
    *,
    interactive: bool = False,
    language: str | None = None,
    personas: Sequence[str] | None = None,
    feedback: str | Path | None = None,
    feedback_engine: str | None = None,
) -> Rendered:
    """Load the map (and the analysis saved by ``journeymap analyze --out``) and render it.

    Args:
        map_path: The journey map file (YAML or JSON).
        analysis_dir: A folder written by ``Analysis.save``; ``None`` renders the designed map.
        format: ``html`` or ``pdf`` (the report), ``svg`` or ``png`` (the map alone); None:
            the one ``out``'s suffix names, else ``html``.
        out: The output file; default: the map file's name with the format's suffix. Its
            suffix must fit the format.
        interactive: For ``html``: interactive charts (the offline Vega bundle is inlined).
        language: ``en``, ``da`` or ``de`` instead of the map's own ``language``.
        personas: Persona ids: the map of these personas alone (a workshop with their team),
            see :meth:`JourneyMap.for_personas`; its title names them. The measured figures
            stay those of all journeys (the report says so under its title); an analysis
            broken down by persona keeps only their lines of the report's phase funnel by
            persona. None or empty: the whole map.
        feedback: A workspace DuckDB file with feedback imported for the map
            (``journeymap feedback import``): its measured feelings are drawn beside the
            designed emotions (:mod:`journeymap.render.feedback_marks`). Without it, an
            analysis holding a ``feedback`` table (analyze of a workspace with feedback)
            draws that one.
        feedback_engine: Instead of ``feedback``, the Ibis connection URL of a workspace
            with feedback imported for the map (``journeymap feedback import --engine URL``):
            SQLite (``sqlite:///ws.sqlite``) or PostgreSQL (``postgresql://user@host/db``).

    Returns:
        The written file, the map elements the analysis and the map disagree on
        (:func:`stale_elements`), and whose map it is.

    Raises:
        UsageError: for an unknown format, an ``out`` whose suffix names another format or
            none, ``interactive`` with a format other than ``html``, an unknown language, an
            unknown persona (with the ids it may mean), a missing analysis folder, both
            ``feedback`` and ``feedback_engine``, or a URL given as ``feedback``.
    """
    from journeymap.analysis import Analysis
    from journeymap.mapfile import load_map
    from journeymap.render import FORMATS, INTERACTIVE_FORMATS, render

    format = _format_for(format, out)
    if format not in FORMATS:
        raise UsageError(
            _("Unknown format {format}; choose one of: {formats}").format(
                format=repr(format), formats=", ".join(FORMATS)
            )
        )
    if interactive and format not in INTERACTIVE_FORMATS:
        raise UsageError(
            _(
                "--interactive takes only --format {formats} (the report with interactive "
                "charts); {format} is always static: leave out --interactive"
            ).format(formats=f" {_('or')} ".join(INTERACTIVE_FORMATS), format=format)
        )
    _check_feedback_options(feedback, feedback_engine)
    journey_map = load_map(map_path)
    if language is not None:
        from journeymap.i18n import LANGUAGES

        if language not in LANGUAGES:
            raise UsageError(
                _("unknown language {language}; choose one of: {languages}").format(
                    language=repr(language), languages=", ".join(LANGUAGES)
                )
            )
        journey_map = journey_map.model_copy(update={"language": language})
    whole_map = journey_map
    if personas:
        # After the language: the title names the personas' roles in the report's language.
        journey_map = journey_map.for_personas(personas)
    analysis = None
    if analysis_dir is not None:
        folder = Path(analysis_dir)
        if not folder.is_dir():
            # A missing input, as a missing map or events file (exit 1), not a usage error.
            raise AnalysisError(
                _(
                    "{folder} is not a folder; write one with "
                    "`journeymap analyze --map MAP --out {folder}`"
                ).format(folder=folder)
            )
        analysis = Analysis.load(folder)
    target = Path(out) if out is not None else Path(map_path).with_suffix(f".{format}")
    drawn: Any = analysis
    names: list[str] = []
    by_persona = False
    if personas:
        names = [persona.display_name for persona in journey_map.personas]
        if analysis is not None:
            by_persona = _has_persona_funnel(analysis.tables)
            journey_map, drawn = _persona_report(journey_map, analysis, names, by_persona, format)
    comparison: Any = None
    answers = 0
    if feedback is not None or feedback_engine is not None:
        from journeymap.services.feedback import workspace_comparison

        comparison = workspace_comparison(whole_map, db=feedback, engine=feedback_engine)
        answers = comparison.answers
    elif analysis is not None and "feedback" in analysis.tables:  # analyze took it along
        comparison = analysis.tables["feedback"].to_pylist()
        answers = sum(row["n"] for row in comparison if row["level"] == "phase")
    from journeymap.render.feedback_marks import measured_feelings

    with measured_feelings(comparison, personas=list(personas) if personas else None):
        written = render(journey_map, drawn, format, target, interactive=interactive)
    gone, unmeasured = stale_elements(whole_map, analysis) if analysis else ([], [])
    return Rendered(written, gone, unmeasured, format, names, by_persona, answers)


def _check_feedback_options(feedback: str | Path | None, feedback_engine: str | None) -> None:
    """Refuse both feedback workspaces at once, and a URL where a DuckDB file's path goes.

    ``--feedback postgresql://...`` would be read as the path ``postgresql:/...``, and answered
    "does not exist".

    Raises:
        UsageError: Both are given, or ``feedback`` is a URL.
    """
    if feedback is not None and feedback_engine is not None:
        raise UsageError(
            _(
                "give either --feedback (a DuckDB file) or --feedback-engine (a connection "
                "URL), not both"
            )
        )
    found = _URL_SCHEME.match(str(feedback)) if feedback is not None else None
    if found is not None:
        raise UsageError(
            _(
                "--feedback takes the path of a DuckDB file, not a URL ({scheme}://...); give "
                "a connection URL with --feedback-engine instead"
            ).format(scheme=found.group("scheme"))
        )


def _has_persona_funnel(tables: dict[str, Any]) -> bool:
    """Whether the analysis' phase funnel is broken down by persona (alone or with more)."""
    funnel = tables.get("phase_funnel")
    if funnel is None or "breakdown" not in funnel.column_names:
        return False
    return any(
        "persona" in str(breakdown).split(",")
        for breakdown in funnel.column("breakdown").to_pylist()
        if breakdown
    )


def _persona_report(
    journey_map: JourneyMap, analysis: Any, names: list[str], by_persona: bool, format: str
) -> tuple[JourneyMap, Any]:
    """The persona's map and analysis as the report draws them: whose the figures are.

    The measured lanes read the figures of all journeys (``touchpoint_stats``, the funnel's
    overall rows, attribution: none of them per persona), so they stay as measured, and the
    report says so under its title. Of a phase funnel by persona, only the personas' own lines
    stay: the report names the other personas' values by the map's personas, which this map no
    longer has.
    """
    if format not in REPORT_FORMATS:
        return journey_map, analysis
    from babel.lists import format_list

    message = _ALL_JOURNEYS_BUT_FUNNEL if by_persona else _ALL_JOURNEYS
    listed = format_list(names, locale=journey_map.language)
    note = gettext(message, journey_map.language).format(personas=listed)
    described = f"{journey_map.description} {note}".strip()
    journey_map = journey_map.model_copy(update={"description": described})
    if not by_persona:
        return journey_map, analysis
    import pyarrow as pa

    chosen = {persona.id for persona in journey_map.personas}
    funnel = analysis.tables["phase_funnel"]
    rows = [
        row
        for row in funnel.to_pylist()
        if not row.get("breakdown")
        or "persona" not in str(row["breakdown"]).split(",")
        or row.get("persona") in chosen
    ]
    tables = {**analysis.tables, "phase_funnel": pa.Table.from_pylist(rows, schema=funnel.schema)}
    return journey_map, (tables, dict(analysis.summary))


def stale_elements(journey_map: JourneyMap, analysis: Any) -> tuple[list[str], list[str]]:
    """(measured elements the map no longer has, phases and touchpoints the analysis lacks).

    A map edited after ``analyze`` keeps its id: the report then shows those figures under
    raw ids, and leaves the new phases and touchpoints unmeasured (the analysis lists every
    touchpoint of its map, events or not, so one it does not list was added since).
    """
    tables = analysis.tables
    stats = tables["touchpoint_stats"].to_pylist() if "touchpoint_stats" in tables else []
    touchpoints = {str(r["touchpoint"]) for r in stats if r.get("on_map")}
    listed = {str(r["touchpoint"]) for r in stats}
    phases = (
        {str(r["phase"]) for r in tables["phase_funnel"].to_pylist()}
        if "phase_funnel" in tables
        else set()
    )
    gone = sorted(touchpoints - {touchpoint.id for touchpoint in journey_map.touchpoints})
    gone += sorted(phases - {phase.id for phase in journey_map.phases})
    unmeasured = sorted({phase.id for phase in journey_map.phases} - phases) if phases else []
    if stats:
        unmeasured += sorted({tp.id for tp in journey_map.touchpoints} - listed)
    return gone, unmeasured


def _format_for(format: str | None, out: str | Path | None) -> str:
    """The format to write: as given, else as ``out``'s suffix names it, else ``html``.

    A PDF written into ``report.html`` (or HTML into ``report.docx``) opens as garbage.
    """
    given = format.lower() if format is not None else None
    if out is None:
        return given or "html"
    suffix = Path(out).suffix.lower()
    implied = SUFFIXES.get(suffix)
    if implied is None:
        raise UsageError(
            _(
                "{out}: journeymap writes {formats} files; name the output .html, .pdf, .svg "
                "or .png"
            ).format(out=out, formats=", ".join(sorted(set(SUFFIXES.values()))))
        )
    if given is not None and given != implied:
        raise UsageError(
            _(
                "--format {given} does not fit {out}, a {suffix} name; name the file "
                ".{given}, or leave out --format to write {implied}"
            ).format(given=given, out=out, suffix=suffix, implied=implied)
        )
    return implied
