"""``journeymap quarantine``: the rows an import did not take, counted by reason and shown."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from journeymap.cli.app import _, console, handle_errors, number
from journeymap.i18n import current_language, ngettext


def _ngettext(singular: str, plural: str, count: int) -> str:
    return ngettext(singular, plural, count, current_language())


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("quarantine")(handle_errors(quarantine_command))


def quarantine_command(
    db: Annotated[Path | None, typer.Option("--db", help="The workspace DuckDB file.")] = None,
    engine: Annotated[str | None, typer.Option("--engine", help="An Ibis connection URL.")] = None,
    reason: Annotated[
        str | None,
        typer.Option(
            "--reason", help="Only rows quarantined for this reason, e.g. 'no rule matched'."
        ),
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Only rows of this imported file.")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", help="How many quarantined rows to show (0: none).")
    ] = 10,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write every selected row to this .csv or .parquet file."),
    ] = None,
) -> None:
    """Show the quarantine: rows counted by file and reason, then the first rows as read."""
    from journeymap.cli.import_cmd import reason_id, reason_label
    from journeymap.services.quarantine import inspect_quarantine

    if reason is not None:
        reason = reason_id(reason)  # the label the table shows, translated, names it too

    summary = inspect_quarantine(
        db=db, engine=engine, reason=reason, source=source, limit=limit, out=out
    )
    if not summary.total:
        console.print(_("No quarantined rows."), markup=False)
    else:
        counts = Table(title=_("Quarantined rows: {rows}").format(rows=number(summary.total)))
        counts.add_column(_("source"))
        counts.add_column(_("reason"))
        counts.add_column(_("rows"), justify="right")
        for name, why, rows in summary.counts:
            counts.add_row(name, reason_label(why), number(rows))
        console.print(counts)
    if summary.rows:
        title = (
            _ngettext("The quarantined row", "The {rows} quarantined rows", summary.total)
            if len(summary.rows) == summary.total
            else _("The first {shown} of {rows} rows")
        )
        shown = Table(
            title=title.format(shown=number(len(summary.rows)), rows=number(summary.total))
        )
        shown.add_column(_("source"))
        shown.add_column(_("row"), justify="right")
        shown.add_column(_("reason"))
        shown.add_column(_("original row"), overflow="fold")
        for row in summary.rows:
            shown.add_row(row.source, str(row.row_number), reason_label(row.reason), row.raw)
        console.print(shown)
    if out is not None:
        console.print(
            _ngettext(
                "Wrote {rows} row to {path}", "Wrote {rows} rows to {path}", summary.written
            ).format(rows=number(summary.written), path=out),
            markup=False,
        )
