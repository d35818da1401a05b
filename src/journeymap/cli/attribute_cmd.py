"""``journeymap attribute``: attribution models side by side for a map's conversions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pyarrow as pa
import typer
from rich.table import Table

from journeymap.cli.app import _, console, handle_errors

__all__ = ["register", "side_by_side"]


def side_by_side(table: pa.Table) -> Table:
    """Rows = keys, columns = models; each cell shows credited conversions and share."""
    rows = table.to_pylist()
    models = list(dict.fromkeys(str(r["model"]) for r in rows))
    keys = list(dict.fromkeys(str(r["key"]) for r in rows))
    cells = {(str(r["model"]), str(r["key"])): r for r in rows}
    level = str(rows[0]["level"]) if rows else "touchpoint"
    out = Table(title=_("Attribution by {level}").format(level=level))
    out.add_column(_("Key"))
    for model in models:
        out.add_column(model, justify="right")
    for key in keys:
        values = []
        for model in models:
            row = cells.get((model, key))
            values.append(f"{row['conversions']:.2f} ({100 * row['share']:.1f}%)" if row else "-")
        out.add_row(key, *values)
    return out


def register(app: typer.Typer) -> None:
    """Add ``attribute`` to ``app``."""

    @app.command("attribute")
    @handle_errors
    def attribute_command(
        map_path: Annotated[Path, typer.Option("--map", help="The journey map file.")],
        db: Annotated[Path | None, typer.Option("--db", help="A DuckDB workspace file.")] = None,
        model: Annotated[
            list[str] | None, typer.Option("--model", help="A model (repeat for several).")
        ] = None,
        level: Annotated[
            str, typer.Option("--level", help="touchpoint, channel, phase, persona, account.")
        ] = "touchpoint",
        lookback: Annotated[
            str | None, typer.Option("--lookback", help="Lookback window, e.g. 30d.")
        ] = None,
        order: Annotated[int | None, typer.Option("--order", help="Markov order 1-4.")] = None,
    ) -> None:
        """Attribute conversions to touchpoints (or channels, phases, ...) with every model."""
        from journeymap.services.attribution import attribute_workspace

        table = attribute_workspace(
            map_path, db, models=model or None, level=level, lookback=lookback, order=order
        )
        console.print(side_by_side(table))
