"""Use case: render a map file (and optionally a saved analysis) to HTML, SVG, PDF or PNG."""

from __future__ import annotations

from pathlib import Path

from journeymap.errors import UsageError

__all__ = ["render_file"]


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
) -> Path:
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
        The written file.

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
        raise UsageError(f"Unknown format {format!r}; choose one of: {', '.join(FORMATS)}")
    if interactive and format not in INTERACTIVE_FORMATS:
        raise UsageError(
            f"--interactive takes only --format {' or '.join(INTERACTIVE_FORMATS)} (the report "
            f"with interactive charts); {format} is always static: leave out --interactive"
        )
    journey_map = load_map(map_path)
    if language is not None:
        from journeymap.i18n import LANGUAGES

        if language not in LANGUAGES:
            raise UsageError(
                f"unknown language {language!r}; choose one of: {', '.join(LANGUAGES)}"
            )
        journey_map = journey_map.model_copy(update={"language": language})
    analysis = None
    if analysis_dir is not None:
        folder = Path(analysis_dir)
        if not folder.is_dir():
            raise UsageError(
                f"{folder} is not a folder; write one with "
                f"`journeymap analyze --map MAP --out {folder}`"
            )
        analysis = Analysis.load(folder)
    target = Path(out) if out is not None else Path(map_path).with_suffix(f".{format}")
    return render(journey_map, analysis, format, target, interactive=interactive)


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
            f"{out}: journeymap writes {', '.join(sorted(set(SUFFIXES.values())))} files; "
            f"name the output .html, .pdf, .svg or .png"
        )
    if given is not None and given != implied:
        raise UsageError(
            f"--format {given} does not fit {out}, a {suffix} name; name the file "
            f".{given}, or leave out --format to write {implied}"
        )
    return implied
