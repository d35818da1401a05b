"""``journeymap render``: the journey map and report as HTML, SVG, PDF or PNG."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from journeymap.cli.app import _, console, handle_errors
from journeymap.cli.maps import map_errors

if TYPE_CHECKING:
    from journeymap.services.render import Rendered

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add ``render`` to ``app``."""

    @app.command("render")
    @handle_errors
    @map_errors
    def render_command(
        map_path: Annotated[Path, typer.Argument(metavar="MAP", help="The journey map file.")],
        analysis: Annotated[
            Path | None,
            typer.Option("--analysis", help="A folder saved by `journeymap analyze --out`."),
        ] = None,
        format: Annotated[
            str | None,
            typer.Option(
                "--format",
                "-f",
                help="html or pdf (the report), svg or png (the map alone); default: the "
                "--out file's suffix, else html.",
            ),
        ] = None,
        out: Annotated[
            Path | None,
            typer.Option("--out", "-o", help="Output file (default: MAP with the format suffix)."),
        ] = None,
        interactive: Annotated[
            bool,
            typer.Option(
                "--interactive",
                help="Only with --format html: interactive charts (inlines ~1 MB of offline JS).",
            ),
        ] = False,
        lang: Annotated[
            str | None,
            typer.Option("--lang", help="en, da or de (default: the map's own language)."),
        ] = None,
        persona: Annotated[
            list[str] | None,
            typer.Option(
                "--persona",
                help="Draw the map of this persona alone (id; repeat for a group): their "
                "cells, curves and cards with the buying center's, titled with their names.",
            ),
        ] = None,
        feedback: Annotated[
            Path | None,
            typer.Option(
                "--feedback",
                help="A workspace DuckDB file with feedback imported for the map: draw the "
                "measured feelings beside the designed emotions.",
            ),
        ] = None,
        feedback_engine: Annotated[
            str | None,
            typer.Option(
                "--feedback-engine",
                help="As --feedback, for a workspace at an Ibis connection URL (the --engine "
                "of `journeymap feedback import`), e.g. sqlite:///ws.sqlite or "
                "postgresql://user@host/db.",
            ),
        ] = None,
    ) -> None:
        """Draw the journey map and the report (measured overlay and charts with --analysis)."""
        from journeymap.services.render import render_file

        written = render_file(
            map_path,
            analysis,
            format,
            out,
            interactive=interactive,
            language=lang,
            personas=persona,
            feedback=feedback,
            feedback_engine=feedback_engine,
        )
        console.print(f"{_('Wrote')} {written.path}")
        if written.feedback_answers:
            console.print(
                _(
                    "Drew the measured feelings of {answers} feedback answers beside the "
                    "designed emotions."
                ).format(answers=written.feedback_answers),
                markup=False,
            )
        if analysis is not None and written.personas:
            console.print(_persona_note(written), markup=False)
        if analysis is None:
            console.print(
                _(
                    "Note: without --analysis this is the designed map alone; add --analysis "
                    "DIR (a folder written by journeymap analyze --out DIR) for the measured "
                    "figures and charts."
                ),
                markup=False,
            )
        if written.gone or written.unmeasured:
            console.print(_stale_note(written.gone, written.unmeasured), markup=False)


def _persona_note(written: Rendered) -> str:
    """Whose the figures are on a persona's map: all journeys', whatever the map draws."""
    from babel.lists import format_list

    from journeymap.i18n import current_language
    from journeymap.services.render import REPORT_FORMATS

    names = format_list(written.personas, locale=current_language())
    note = _(
        "Note: the map shows {personas} only, but its measured lanes are figures for all "
        "journeys, not only theirs."
    ).format(personas=names)
    if not written.by_persona:
        return (
            note
            + " "
            + _("For a phase funnel per persona, run journeymap analyze with --breakdown persona.")
        )
    if written.format in REPORT_FORMATS:
        return (
            note
            + " "
            + _(
                "The analysis is broken down by persona: the report's phase funnel by persona "
                "keeps the lines of {personas}."
            ).format(personas=names)
        )
    return (
        note
        + " "
        + _(
            "The analysis is broken down by persona: render --format html or pdf for the phase "
            "funnel of {personas}."
        ).format(personas=names)
    )


def _stale_note(gone: list[str], unmeasured: list[str]) -> str:
    """What changed in the map since the analysis, saying only what did ("and - were not")."""
    again = _("Run journeymap analyze again with this map for figures that fit it.")
    if gone and unmeasured:
        note = _(
            "Note: the map changed after the analysis: it no longer has {gone}, and {unmeasured} "
            "were not measured."
        )
    elif gone:
        note = _("Note: the map changed after the analysis: it no longer has {gone}.")
    else:
        note = _("Note: the map changed after the analysis: {unmeasured} were not measured.")
    return note.format(gone=", ".join(gone), unmeasured=", ".join(unmeasured)) + " " + again
