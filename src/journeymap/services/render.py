"""Use case: render a map file (and optionally a saved analysis) to HTML, SVG, PDF or PNG."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from journeymap.errors import AnalysisError, UsageError
from journeymap.i18n.messages import _
from journeymap.model import JourneyMap

__all__ = ["Rendered", "render_file", "stale_elements"]


@dataclass(frozen=True)
class Rendered:
    """What :func:`render_file` wrote, and how the map drifted from the analysis.

    Attributes:
        path: The written file.
        gone: Touchpoints and phases the analysis measured that the map no longer has.
        unmeasured: Phases and touchpoints of the map the analysis did not measure (added
            since).
    """

    path: Path
    gone: list[str] = field(default_factory=list)
    unmeasured: list[str] = field(default_factory=list)


# The file name suffixes of the formats journeymap writes.
SUFFIXES = {".html": "html", ".htm": "html", ".pdf": "pdf", ".svg": "svg", ".png": "png"}


def render_file(
    map_path: str | Path,
    analysis_dir: str | Path | None,
    format: str | None,
    out: str | Path | None = None,
    *,
    interactive: bool = False,
    language: str | None = None,
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

    Returns:
        The written file, and the map elements the analysis and the map disagree on
        (:func:`stale_elements`).

    Raises:
        UsageError: for an unknown format, an ``out`` whose suffix names another format or
            none, ``interactive`` with a format other than ``html``, an unknown language, or
            a missing analysis folder.
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
    written = render(journey_map, analysis, format, target, interactive=interactive)
    gone, unmeasured = stale_elements(journey_map, analysis) if analysis else ([], [])
    return Rendered(written, gone, unmeasured)


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
