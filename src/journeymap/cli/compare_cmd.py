"""``journeymap compare``: what changed between two analyses, and whether it is more than chance.

The tables go to the terminal; ``--out`` also writes the comparison as JSON (``.json``) or as
a report to send (``.html``, ``.pdf``: :mod:`journeymap.render.comparison`). With ``--map``
the command speaks the map's language (unless the user chose one) and the report names its
phases and touchpoints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from journeymap.cli.app import _, console, echo_json, error_console, handle_errors
from journeymap.cli.maps import map_errors
from journeymap.errors import UsageError
from journeymap.i18n import in_map_language

__all__ = ["register"]

# Rows of the touchpoint and attribution tables on a terminal; --top 0 shows all.
DEFAULT_TOP = 10
# What --out writes, by the file name's suffix; any other is refused.
OUT_FORMATS = {".json": "json", ".html": "html", ".htm": "html", ".pdf": "pdf"}


def register(app: typer.Typer) -> None:
    """Add ``compare`` to ``app``."""

    @app.command("compare")
    @in_map_language("map_path")
    @handle_errors
    @map_errors
    def compare_command(
        before: Annotated[
            Path,
            typer.Argument(
                help="The earlier analysis: a folder `journeymap analyze --out` wrote.",
                show_default=False,
            ),
        ],
        after: Annotated[
            Path,
            typer.Argument(help="The later analysis (after the change).", show_default=False),
        ],
        out: Annotated[
            Path | None,
            typer.Option(
                "--out",
                help="Also write the comparison to this file: .json (the comparison as JSON), "
                ".html or .pdf (a report to send).",
            ),
        ] = None,
        map_path: Annotated[
            Path | None,
            typer.Option(
                "--map",
                help="The journey map both analyses measured: the report names its phases and "
                "touchpoints and speaks its language.",
            ),
        ] = None,
        as_json: Annotated[
            bool,
            typer.Option("--json", help="Print the comparison as JSON instead of tables."),
        ] = False,
        top: Annotated[
            int,
            typer.Option(
                "--top",
                min=0,
                help="Rows of the touchpoint and attribution tables (0: all).",
            ),
        ] = DEFAULT_TOP,
    ) -> None:
        """Compare two analyses: what changed, and which changes are more than chance."""
        from journeymap.analysis.compare import compare

        written = _out_format(out)
        journey_map = None
        if map_path is not None:
            from journeymap.mapfile import load_map

            journey_map = load_map(map_path)
        comparison = compare(before, after, warn=False)
        if journey_map is not None:
            _check_map(journey_map.id, comparison.summary)
        # Before the figures: what makes them less than comparable is read first.
        for note in comparison.notes:
            error_console.print(f"[bold yellow]{escape(_('Warning'))}:[/] " + escape(note))
        if as_json:
            echo_json(comparison.to_dict())
        else:
            from journeymap.cli._compare_output import print_comparison

            print_comparison(comparison, top)
        if out is not None:
            _write(comparison, out, written, journey_map, top)
            if not as_json:
                console.print(f"{_('Wrote')} {escape(str(out))}")


def _out_format(out: Path | None) -> str | None:
    """What ``--out`` writes by its suffix: ``json``, ``html`` or ``pdf``.

    Raises:
        UsageError: for any other suffix, naming the accepted ones.
    """
    if out is None:
        return None
    found = OUT_FORMATS.get(out.suffix.lower())
    if found is None:
        raise UsageError(
            _(
                "--out writes the comparison as JSON (.json) or as a report (.html, .htm or "
                ".pdf); give a file name ending in one of them (not {name})"
            ).format(name=out.name)
        )
    return found


def _check_map(map_id: str, summary: dict[str, Any]) -> None:
    """Refuse a ``--map`` that neither analysis measured: its names would sit on other ids."""
    measured = list(dict.fromkeys(str(summary[side]["map_id"]) for side in ("before", "after")))
    if map_id not in measured:
        raise UsageError(
            _(
                "the analyses measured the map {measured}, not {map}: give --map the map they "
                "measured"
            ).format(measured=" / ".join(measured), map=map_id)
        )


def _write(comparison: Any, out: Path, written: str | None, journey_map: Any, top: int) -> None:
    """Write the comparison to ``out``: JSON, or the HTML or PDF report."""
    if written == "json":
        comparison.save(out)
        return
    from journeymap.render import render_comparison_html, render_comparison_pdf
    from journeymap.render.export import write_file

    if written == "pdf":
        render_comparison_pdf(comparison, out, journey_map=journey_map, top=top)
    else:
        html = render_comparison_html(comparison, journey_map=journey_map, top=top)
        write_file(out, html.encode("utf-8"))
