"""``journeymap compare``: what changed between two analyses, and whether it is more than chance."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from journeymap.cli.app import _, console, echo_json, error_console, handle_errors
from journeymap.errors import UsageError

__all__ = ["register"]

# Rows of the touchpoint and attribution tables on a terminal; --top 0 shows all.
DEFAULT_TOP = 10
# What --out writes; a report's file name is refused rather than filled with JSON.
NOT_JSON = (".html", ".htm", ".pdf", ".png", ".svg", ".csv", ".parquet")


def register(app: typer.Typer) -> None:
    """Add ``compare`` to ``app``."""

    @app.command("compare")
    @handle_errors
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
            typer.Option("--out", help="Also write the comparison to this JSON file."),
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

        if out is not None and out.suffix.lower() in NOT_JSON:
            raise UsageError(
                _(
                    "--out writes the comparison as JSON; give a file name ending in .json "
                    "(not {name})"
                ).format(name=out.name)
            )
        comparison = compare(before, after, warn=False)
        # Before the figures: what makes them less than comparable is read first.
        for note in comparison.notes:
            error_console.print(f"[bold yellow]{escape(_('Warning'))}:[/] " + escape(note))
        if as_json:
            echo_json(comparison.to_dict())
        else:
            from journeymap.cli._compare_output import print_comparison

            print_comparison(comparison, top)
        if out is not None:
            comparison.save(out)
            if not as_json:
                console.print(f"{_('Wrote')} {escape(str(out))}")
