"""``journeymap feedback``: import survey answers, and compare them with the designed emotions.

``feedback import FILE --map MAP`` stores the answers (CSAT, NPS, CES, -2..+2, sentiment) on
the map's emotion scale; ``feedback show --map MAP`` prints, per touchpoint, phase and persona,
the designed emotion beside the measured mean with its 95 % interval, largest significant
gaps first; ``feedback quarantine`` lists the rows not taken, and writes them to fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from typer.core import TyperGroup

from journeymap.cli.app import (
    _,
    _translate_help,
    console,
    decimal,
    echo_json,
    handle_errors,
    number,
)
from journeymap.cli.maps import map_errors
from journeymap.errors import UsageError
from journeymap.i18n import N_
from journeymap.i18n.messages import n_

__all__ = ["register"]

# The stored quarantine reasons (journeymap.ingest.feedback.REASONS) as the user reads them.
REASON_LABELS = {
    "missing score": N_("missing score"),
    "unparseable score": N_("unparseable score"),
    "score outside the scale": N_("score outside the scale"),
    "missing touchpoint": N_("no touchpoint or phase"),
    "unknown touchpoint": N_("unknown touchpoint"),
    "unknown phase": N_("unknown phase"),
    "unknown persona": N_("unknown persona"),
    "unparseable timestamp": N_("unparseable timestamp"),
    "malformed row": N_("malformed row"),
}
LEVEL_LABELS = {
    "touchpoint": N_("touchpoint"),
    "phase": N_("phase"),
    "persona": N_("persona"),
    "persona_touchpoint": N_("persona at touchpoint"),
}


class _FeedbackGroup(TyperGroup):
    """The ``feedback`` group; its subcommands' help in the user's language too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _translate_help(self)


def register(app: typer.Typer) -> None:
    """Add ``feedback import``, ``feedback show`` and ``feedback quarantine`` to ``app``."""
    group = typer.Typer(
        cls=_FeedbackGroup,
        no_args_is_help=True,
        help="Survey feedback: import answers and compare them with the designed emotions.",
    )
    group.command("import")(handle_errors(map_errors(import_command)))
    group.command("show")(handle_errors(map_errors(show_command)))
    group.command("quarantine")(handle_errors(quarantine_command))
    app.add_typer(group, name="feedback")


def signed(value: float | None, places: int = 1) -> str:
    """``+1.5``, ``-0,8``, ``0``: a score with its sign, as the user's language writes it."""
    if value is None:
        return "–"
    text = decimal(value, places)
    return text if text.startswith("-") or float(f"{value:.{places}f}") == 0 else "+" + text


def import_command(
    file: Annotated[Path, typer.Argument(help="The feedback file (CSV, TSV, Parquet, JSONL).")],
    map_path: Annotated[Path, typer.Option("--map", help="The journey map (YAML or JSON).")],
    db: Annotated[Path | None, typer.Option("--db", help="The workspace DuckDB file.")] = None,
    engine: Annotated[str | None, typer.Option("--engine", help="An Ibis connection URL.")] = None,
    scale: Annotated[
        str | None,
        typer.Option(
            "--scale",
            help="csat (1-5), nps (0-10), ces (1-7), emotion (-2..+2), sentiment "
            "(positive/neutral/negative) or a range such as 1..10 (default: inferred).",
        ),
    ] = None,
    reverse: Annotated[
        bool, typer.Option("--reverse", help="The scale's lowest value is the best.")
    ] = False,
    score_column: Annotated[
        str | None, typer.Option("--score-column", help="The column with the score.")
    ] = None,
    touchpoint_column: Annotated[
        str | None,
        typer.Option("--touchpoint-column", help="The column with the touchpoint id or name."),
    ] = None,
    touchpoint: Annotated[
        str | None,
        typer.Option("--touchpoint", help="Every row is about this touchpoint (id or name)."),
    ] = None,
    phase_column: Annotated[
        str | None, typer.Option("--phase-column", help="The column with the phase id or name.")
    ] = None,
    phase: Annotated[
        str | None, typer.Option("--phase", help="Every row is about this phase (id or name).")
    ] = None,
    persona_column: Annotated[
        str | None, typer.Option("--persona-column", help="The column with the persona id.")
    ] = None,
    person_column: Annotated[
        str | None, typer.Option("--person-column", help="The column with the person's id.")
    ] = None,
    time_column: Annotated[
        str | None, typer.Option("--time-column", help="The column with the answer's time.")
    ] = None,
    format: Annotated[
        str | None,
        typer.Option("--format", help="csv, tsv, parquet or jsonl (default: file name)."),
    ] = None,
    delimiter: Annotated[
        str | None, typer.Option("--delimiter", help="The CSV field separator (default: sniffed).")
    ] = None,
    encoding: Annotated[
        str | None, typer.Option("--encoding", help="The text encoding (default: detected).")
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace", help="Replace what an earlier import of this file stored for the map."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Import survey feedback: every row is stored or quarantined with its reason."""
    from dataclasses import asdict

    from journeymap.ingest.feedback import FeedbackColumns
    from journeymap.services.feedback import import_feedback_file

    if touchpoint is not None and touchpoint_column is not None:
        raise UsageError(_("give either --touchpoint or --touchpoint-column, not both"))
    if phase is not None and phase_column is not None:
        raise UsageError(_("give either --phase or --phase-column, not both"))
    columns = FeedbackColumns(
        score=score_column,
        touchpoint_column=touchpoint_column,
        phase_column=phase_column,
        persona=persona_column,
        person=person_column,
        time=time_column,
        touchpoint=touchpoint,
        phase=phase,
    )
    report = import_feedback_file(
        file,
        map_path,
        db=db,
        engine=engine,
        scale=scale,
        reverse=reverse,
        columns=columns,
        format=format,
        replace=replace,
        delimiter=delimiter,
        encoding=encoding,
    )
    if as_json:
        echo_json(asdict(report))
        return
    console.print(
        _(
            "Imported {imported} of {read} feedback rows from {source} for the map {map} "
            "(scale {scale})."
        ).format(
            imported=number(report.rows_imported),
            read=number(report.rows_read),
            source=report.source,
            map=report.map_id,
            scale=report.scale,
        ),
        markup=False,
    )
    if report.rows_already_imported:
        console.print(
            _("Rows imported before and not stored again: {rows}.").format(
                rows=number(report.rows_already_imported)
            ),
            markup=False,
        )
    if report.rows_fixed:
        console.print(
            _("Quarantined rows fixed and imported: {rows}.").format(
                rows=number(report.rows_fixed)
            ),
            markup=False,
        )
    if report.rows_replaced:
        console.print(
            _("Answers of an earlier import replaced: {rows}.").format(
                rows=number(report.rows_replaced)
            ),
            markup=False,
        )
    if report.rows_quarantined:
        _print_quarantined(report)
    if report.scale_inferred is not None:
        console.print(
            _(
                "Note: no --scale given: read as {scale} because {why}; give --scale if the "
                "scores are on another scale (and --replace to import them again)."
            ).format(scale=report.scale, why=report.scale_inferred),
            markup=False,
        )


def _print_quarantined(report: Any) -> None:
    counts = ", ".join(
        f"{_(REASON_LABELS.get(reason, reason))}: {number(rows)}"
        for reason, rows in report.reasons.items()
    )
    console.print(
        _("Rows quarantined: {rows} ({counts}):").format(
            rows=number(report.rows_quarantined), counts=counts
        ),
        markup=False,
    )
    for row_number, reason, value, suggestion in report.problems:
        line = _("row {row}: {reason} {value}").format(
            row=row_number, reason=_(REASON_LABELS.get(reason, reason)), value=repr(value)
        )
        if suggestion:
            line += _("; did you mean '{name}'?").format(name=suggestion)
        console.print("  " + line, markup=False)
    shown = len(report.problems)
    if report.rows_quarantined > shown:
        console.print(
            "  " + _("... and {rows} more").format(rows=number(report.rows_quarantined - shown)),
            markup=False,
        )


def finding(row: dict[str, Any]) -> str:
    """``Checkout: designed +1.5, measured -0.8 (n=412, 95 % -0.9..-0.7)``."""
    interval = f"{signed(row['low'])}..{signed(row['high'])}" if row["low"] is not None else "–"
    return _("{name}: designed {designed}, measured {measured} (n={n}, 95 % {interval})").format(
        name=row["name"],
        designed=signed(row["designed"]),
        measured=signed(row["mean"]),
        n=number(row["n"]),
        interval=interval,
    )


def show_command(
    map_path: Annotated[Path, typer.Option("--map", help="The journey map (YAML or JSON).")],
    db: Annotated[Path | None, typer.Option("--db", help="The workspace DuckDB file.")] = None,
    engine: Annotated[str | None, typer.Option("--engine", help="An Ibis connection URL.")] = None,
    level: Annotated[
        str | None,
        typer.Option(
            "--level",
            help="Only touchpoint, phase, persona or persona_touchpoint rows (default: all).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False,
) -> None:
    """Compare the designed emotions with the feedback: largest significant gaps first."""
    from journeymap.analysis.feedback import LEVELS, MIN_ANSWERS
    from journeymap.services.feedback import feedback_comparison

    if level is not None and level not in LEVELS:
        raise UsageError(
            _("--level takes one of {levels}, not {level}").format(
                levels=", ".join(LEVELS), level=repr(level)
            )
        )
    comparison = feedback_comparison(map_path, db=db, engine=engine)
    rows = comparison.rows(level)
    if as_json:
        echo_json({"answers": comparison.answers, "off_map": comparison.off_map, "rows": rows})
        return
    flagged = [row for row in rows if row["significant"]]
    if flagged:
        console.print(_("Significant gaps (measured - designed):"), markup=False)
        for row in flagged:
            console.print(f"  {finding(row)}", markup=False)
    else:
        console.print(
            _("No measured feeling differs significantly from the designed emotion."),
            markup=False,
        )
    table = Table(
        title=_("Designed and measured feelings ({answers} answers)").format(
            answers=number(comparison.answers)
        )
    )
    for header, justify in (
        (_("level"), "left"),
        (_("element"), "left"),
        ("n", "right"),
        (_("measured"), "right"),
        (_("95 % interval"), "right"),
        (_("designed"), "right"),
        (_("gap"), "right"),
        ("", "left"),
    ):
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        interval = f"{signed(row['low'])}..{signed(row['high'])}" if row["low"] is not None else "–"
        table.add_row(
            _(LEVEL_LABELS[row["level"]]),
            row["name"],
            number(row["n"]),
            signed(row["mean"]),
            interval,
            signed(row["designed"]),
            signed(row["gap"]),
            "!" if row["significant"] else "",
        )
    console.print(table)
    console.print(
        _(
            "Scores on the map's emotion scale (-2..+2); 95 % t-interval of the mean; ! marks a "
            "gap whose interval excludes the designed emotion (from {answers} answers on)."
        ).format(answers=MIN_ANSWERS),
        markup=False,
    )
    if comparison.off_map:
        console.print(
            _("Note: answers about elements the map no longer has ({rows}): {ids}.").format(
                rows=number(sum(comparison.off_map.values())),
                ids=", ".join(sorted(comparison.off_map)),
            ),
            markup=False,
        )


def _reason_id(text: str) -> str:
    """The stored reason ``text`` names: as stored, or as the table shows it (translated)."""
    labels = {}
    for reason, label in REASON_LABELS.items():
        labels[label.casefold()] = labels[_(label).casefold()] = reason
    return labels.get(text.strip().casefold(), text.strip())


def _why(row: Any) -> str:
    """``unknown touchpoint 'chekout'; did you mean 'checkout'?``, translated."""
    text = _(REASON_LABELS.get(row.reason, row.reason))
    if row.value and row.reason != "malformed row":
        text += f" {row.value!r}"
    if row.suggestion:
        text += _("; did you mean '{name}'?").format(name=row.suggestion)
    return text


def quarantine_command(
    db: Annotated[Path | None, typer.Option("--db", help="The workspace DuckDB file.")] = None,
    engine: Annotated[str | None, typer.Option("--engine", help="An Ibis connection URL.")] = None,
    reason: Annotated[
        str | None,
        typer.Option(
            "--reason", help="Only rows quarantined for this reason, e.g. 'unknown touchpoint'."
        ),
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Only rows of this imported file.")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", help="How many quarantined rows to show (0: none).")
    ] = 10,
    csv: Annotated[
        Path | None,
        typer.Option(
            "--csv",
            help="Write every selected row to this CSV file with its original columns: fix the "
            "rows and import the file again.",
        ),
    ] = None,
) -> None:
    """Show the feedback rows not imported: counted by file and reason, then the first rows."""
    from journeymap.services.feedback import feedback_quarantine

    found = feedback_quarantine(
        db=db,
        engine=engine,
        reason=None if reason is None else _reason_id(reason),
        source=source,
        limit=limit,
        csv=csv,
    )
    if not found.total:
        console.print(_("No quarantined rows."), markup=False)
    else:
        counts = Table(
            title=_("Quarantined feedback rows: {rows}").format(rows=number(found.total))
        )
        for header, justify in ((_("source"), "left"), (_("reason"), "left"), (_("rows"), "right")):
            counts.add_column(header, justify=justify)  # type: ignore[arg-type]
        for name, why, rows in found.counts:
            counts.add_row(name, _(REASON_LABELS.get(why, why)), number(rows))
        console.print(counts)
    if found.rows:
        title = (
            n_("The quarantined row", "The {rows} quarantined rows", found.total)
            if len(found.rows) == found.total
            else _("The first {shown} of {rows} rows")
        )
        shown = Table(title=title.format(shown=number(len(found.rows)), rows=number(found.total)))
        shown.add_column(_("source"))
        shown.add_column(_("row"), justify="right")
        shown.add_column(_("reason"))
        shown.add_column(_("original row"), overflow="fold")
        for row in found.rows:
            number_shown = str(row.row_number) if row.row_number else "–"
            shown.add_row(row.source, number_shown, _why(row), row.raw)
        console.print(shown)
    if csv is not None:
        console.print(
            n_("Wrote {rows} row to {path}", "Wrote {rows} rows to {path}", found.written).format(
                rows=number(found.written), path=csv
            ),
            markup=False,
        )
        if found.written:
            console.print(
                _(
                    "Fix the rows there and import the file again with `journeymap feedback "
                    "import {path} --map MAP`: each fixed row takes the place of the "
                    "quarantined one."
                ).format(path=csv),
                markup=False,
            )
