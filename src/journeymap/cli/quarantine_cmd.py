"""``journeymap quarantine``: the rows an import did not take, counted by reason and shown."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from journeymap.cli.app import _, console, handle_errors, number
from journeymap.errors import UsageError
from journeymap.i18n.messages import n_


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
    from journeymap.cli._import_labels import reason_id, reason_label
    from journeymap.services.quarantine import QuarantineSummary, inspect_quarantine

    if reason is not None:
        reason = reason_id(reason)  # the label the table shows, translated, names it too

    if limit < 0:
        raise UsageError(_("--limit must be 0 or more, not {limit}").format(limit=limit))
    if (reason is not None or source is not None) and _nothing_selected(db, engine, reason, source):
        # A known reason or an imported source without quarantined rows: a clean night.
        summary = QuarantineSummary()
        if out is not None:
            _write_empty(out)
    else:
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
            n_("The quarantined row", "The {rows} quarantined rows", summary.total)
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
            reason = reason_label(row.reason)
            if row.duplicate_of is not None:
                reason += " " + _("(a copy of row {row})").format(row=number(row.duplicate_of))
            shown.add_row(row.source, str(row.row_number), reason, row.raw)
        console.print(shown)
    if out is not None:
        console.print(
            n_("Wrote {rows} row to {path}", "Wrote {rows} rows to {path}", summary.written).format(
                rows=number(summary.written), path=out
            ),
            markup=False,
        )


def _nothing_selected(
    db: Path | None, engine: str | None, reason: str | None, source: str | None
) -> bool:
    """Whether the reason and source asked for are known but have no quarantined row.

    That is a clean night, not a mistake: a reason journeymap gives, a source imported.

    Raises:
        UsageError: A reason journeymap does not give (with the one meant, if close), or a
            source never imported into the workspace (with the ones imported).
    """
    from journeymap.cli._import_labels import REASONS
    from journeymap.ingest.workspace import Workspace, quiet_driver_warnings
    from journeymap.services.imports import workspace_url

    with Workspace(workspace_url(db, engine), read_only=True) as workspace:
        if not workspace.has_table("quarantine"):
            return False  # the service says nothing was imported into it
        with quiet_driver_warnings():
            quarantine = workspace.quarantine()
            present = {
                (row["source"], row["reason"])
                for row in quarantine.select("source", "reason").distinct().to_pyarrow().to_pylist()
            }
            imported = {name for name, _why in present}
            if workspace.has_table("imports"):
                listed = workspace.imports().select("source").distinct().to_pyarrow()
                imported |= set(listed.column("source").to_pylist())
    known = sorted(set(REASONS) | {why for _name, why in present})
    if reason is not None and reason not in known:
        raise _unknown_reason(reason, known, sorted({why for _name, why in present}))
    stored = source
    if source is not None and source not in imported:
        stored = Path(source).name
        if stored not in imported:
            names = sorted(imported)
            close = difflib.get_close_matches(stored, names, n=1)
            hint = _("; did you mean '{name}'?").format(name=close[0]) if close else ""
            raise UsageError(
                _("nothing was imported from --source '{given}'{hint} (imported: {known})").format(
                    given=source,
                    hint=hint,
                    known=", ".join(map(repr, names)) or _("nothing"),
                )
            )
    return not any(
        (stored is None or name == stored) and (reason is None or why == reason)
        for name, why in present
    )


def _unknown_reason(given: str, known: list[str], present: list[str]) -> UsageError:
    """A ``--reason`` journeymap does not give: the one meant, if close, and the ones there are."""
    from journeymap.cli._import_labels import reason_label

    # The reasons as the user may have typed them: stored (English) or translated.
    spelled = {_(why): why for why in known} | {why: why for why in known}
    close = difflib.get_close_matches(given, list(spelled), n=1)
    hint = _("; did you mean '{name}'?").format(name=close[0]) if close else ""
    if present:
        return UsageError(
            _("no quarantined row has {option} '{given}'{hint} (there are: {known})").format(
                option="--reason", given=given, hint=hint, known=", ".join(map(repr, present))
            )
        )
    return UsageError(
        _("--reason '{given}' names no quarantine reason{hint} (the reasons: {known})").format(
            given=given, hint=hint, known=", ".join(repr(reason_label(why)) for why in known)
        )
    )


def _write_empty(out: Path) -> None:
    """An ``--out`` file with the columns and no row: a clean night still leaves its file.

    Raises:
        UsageError: ``out`` is neither .csv nor .parquet, or cannot be written.
    """
    import pyarrow as pa

    from journeymap.services.quarantine import OUT_FORMATS, write_rows

    kind = OUT_FORMATS.get(out.suffix.lower())
    if kind is None:
        raise UsageError(
            _("--out must name a .csv or .parquet file, not {path}").format(path=out.name)
        )
    empty = pa.table(
        {
            "source": pa.array([], pa.string()),
            "row_number": pa.array([], pa.int64()),
            "reason": pa.array([], pa.string()),
            "raw": pa.array([], pa.string()),
        }
    )
    write_rows(empty, out, kind)
