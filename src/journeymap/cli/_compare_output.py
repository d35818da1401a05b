"""The tables ``journeymap compare`` prints: one per section, the biggest changes first.

Counts read ``7,455 → 5,632``, rates ``52.9% → 58.2%`` and a rate's change ``+5.3 pp *``, in
the user's language (``+5,3 Pp. *`` in German). A ``*`` marks a change whose 95 % interval
(Newcombe's, for the difference of two proportions) leaves out 0.
"""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.table import Table

from journeymap.cli.analyze_cmd import rate
from journeymap.cli.app import _, console, decimal, number, percent
from journeymap.i18n import current_language
from journeymap.render import _comparison_cells as cells
from journeymap.render._comparison_cells import DASH, MARK
from journeymap.render._comparison_tables import METRICS, STATUS

__all__ = ["print_comparison"]


def _status(row: dict[str, Any]) -> str:
    found = STATUS.get(str(row["status"]))
    return _(found) if found else ""


def _signed(text: str, value: float) -> str:
    return cells.signed(text, value)


def points(change: float | None, significant: bool | None = None) -> str:
    """A rate's change in percentage points: ``+5.3 pp``, with ``*`` when significant."""
    return cells.points(change, current_language(), significant)


def interval(low: float | None, high: float | None) -> str:
    """A change's interval in percentage points: ``-3.1 to -0.5 pp``."""
    return cells.interval(low, high, current_language())


def duration(seconds: float | None) -> str:
    """A time in the largest unit it reaches, as the notes write it: ``14.7 days``, ``3 hours``."""
    return cells.duration(seconds, current_language())


def _pair(before: Any, after: Any, shown: Any) -> str:
    """``before → after``; a side without the figure reads ``–``."""
    return cells.pair(before, after, shown)


def _rate(value: float | None) -> str:
    return cells.rate(value, current_language())


def _relative(value: float | None) -> str:
    return cells.relative(value, current_language())


def print_comparison(comparison: Any, top: int) -> None:
    """Print every section of ``comparison``; ``top`` rows of the long tables (0: all)."""
    summary = comparison.summary
    for side, word in (("before", _("Before")), ("after", _("After"))):
        found = summary[side]
        about = _("({period}; journeys: {count})").format(
            period=_period(found), count=number(found["journeys"])
        )
        console.print(f"[bold]{word}:[/] {escape(str(found['label']))}  {escape(about)}")
    _overall(comparison)
    _phases(comparison)
    _touchpoints(comparison, top)
    if "attribution" in comparison.tables:
        _attribution(comparison, top)
    if "time_to_convert" in comparison.tables:
        _time_to_convert(comparison)


def _period(side: dict[str, Any]) -> str:
    """First to last event, as the language writes a date: ``Oct 1, 2011 to Mar 14, 2012``."""
    return cells.period(side, current_language())


def _significance_caption() -> str:
    return _(
        "{mark} significant: the 95% interval of the change (Newcombe's hybrid score interval "
        "for the difference of two proportions) leaves out 0. Among many rows, expect about "
        "one in twenty figures that did not really change to be marked by chance."
    ).format(mark=MARK)


def _overall(comparison: Any) -> None:
    table = Table(title=_("Overall"), caption=_significance_caption())
    for column in (_("Figure"), _("Before"), _("After"), _("Change"), _("95% interval")):
        table.add_column(column, justify="left" if column == _("Figure") else "right")
    for row in comparison.table("overall").to_pylist():
        metric, before, after = row["metric"], row["before"], row["after"]
        change = row["change"]
        if metric == "value" and not before and not after:
            continue  # no event carries a value: nothing to say
        if metric == "conversion_rate":
            cells = [
                _rate(before),
                _rate(after),
                points(change, row["significant"]),
                interval(row["ci_low"], row["ci_high"]),
            ]
        elif metric == "time_to_convert_median":
            cells = [
                duration(before),
                duration(after),
                DASH
                if change is None
                else _signed(duration(change), change) + _relative(row["relative_change"]),
                "",
            ]
        else:
            shown = number if metric != "value" else lambda value: decimal(value)
            cells = [
                DASH if before is None else shown(before),
                DASH if after is None else shown(after),
                DASH
                if change is None
                else _signed(shown(abs(change)), change) + _relative(row["relative_change"]),
                "",
            ]
        table.add_row(_(METRICS.get(metric, metric)), *cells)
    console.print(table)


def _phases(comparison: Any) -> None:
    """Three lines per phase: the figures before, after, and the change (a rate's tested).

    Side by side (``2,836 → 2,179`` in every cell) the table needed some 160 columns.
    """
    table = Table(
        title=_("Phase funnel"),
        caption=_(
            "Reach rate: of the journeys that reached the first phase. Drop-off: of the "
            "journeys that reached the phase, the share that got no further and did not "
            "convert. The biggest changes first; the number is the phase's step."
        ),
    )
    columns = (
        _("Phase"),
        "",
        _("Reached"),
        _("Moved on"),
        _("Converted"),
        _("Dropped"),
        _("Reach rate"),
        _("Drop-off"),
    )
    for index, column in enumerate(columns):
        table.add_column(column, justify="left" if index < 2 else "right")
    counts = ("reached", "moved_on", "converted", "dropped")
    rates = ("reach_rate", "dropoff_rate")
    for row in comparison.table("phases").to_pylist():
        status = _status(row)
        name = f"{row['step']}. {escape(str(row['phase_name']))}"
        for side, word in (("before", _("before")), ("after", _("after"))):
            table.add_row(
                (f"{name} ({status})" if status else name) if side == "before" else "",
                word,
                *[_count(row[f"{count}_{side}"]) for count in counts],
                *[_rate(row[f"{name}_{side}"]) for name in rates],
            )
        table.add_row(
            "",
            _("change"),
            *[_count_change(row[f"{count}_before"], row[f"{count}_after"]) for count in counts],
            *[points(row[f"{name}_change"], row[f"{name}_significant"]) for name in rates],
            end_section=True,
        )
    console.print(table)


def _count(value: int | None) -> str:
    return cells.count(value, current_language())


def _count_change(before: int | None, after: int | None) -> str:
    return cells.count_change(before, after, current_language())


def _shown(rows: list[dict[str, Any]], top: int) -> tuple[list[dict[str, Any]], int]:
    if top <= 0 or len(rows) <= top:
        return rows, 0
    return rows[:top], len(rows) - top


def _more(left: int) -> None:
    if left:
        console.print(
            _("{count} more rows: all of them with --top 0, or in --json and --out.").format(
                count=number(left)
            ),
            markup=False,
            highlight=False,
        )


def _touchpoints(comparison: Any, top: int) -> None:
    rows = comparison.table("touchpoints").to_pylist()
    for status, words in (
        ("new", _("New touchpoints (only after)")),
        ("vanished", _("Vanished touchpoints (only before)")),
    ):
        found = [row for row in rows if row["status"] == status]
        if found:
            side = "journeys_after" if status == "new" else "journeys_before"
            listed = ", ".join(
                f"{escape(row['touchpoint'])} ({number(row[side])})" for row in found
            )
            console.print(f"[bold]{words}:[/] {listed}")
    table = Table(
        title=_("Touchpoints"),
        caption=_(
            "Conversion rate: of the journeys that met the touchpoint, the share that "
            "converted. Ended here: of the journeys that met it, the share that did not "
            "convert and met it last (exit touchpoint)."
        ),
    )
    columns = (
        _("Touchpoint"),
        _("Journeys"),
        _("Conversion rate"),
        _("Change"),
        _("Ended here"),
        _("Change"),
    )
    for index, column in enumerate(columns):
        table.add_column(column, justify="left" if index == 0 else "right")
    shown, left = _shown(rows, top)
    for row in shown:
        status = _status(row)
        name = escape(str(row["touchpoint"]))
        table.add_row(
            f"{name} ({status})" if status else name,
            _pair(row["journeys_before"], row["journeys_after"], number),
            _pair(row["conversion_rate_before"], row["conversion_rate_after"], rate),
            points(row["conversion_rate_change"], row["conversion_rate_significant"]),
            _pair(row["exit_rate_before"], row["exit_rate_after"], rate),
            points(row["exit_rate_change"], row["exit_rate_significant"]),
        )
    console.print(table)
    _more(left)


def _attribution(comparison: Any, top: int) -> None:
    from journeymap.attribution import model_name
    from journeymap.i18n import current_language

    language = current_language()
    rows = [
        row for row in comparison.table("attribution").to_pylist() if row["level"] == "touchpoint"
    ]
    table = Table(
        title=_("Attribution: share of conversions per touchpoint"),
        caption=_("The largest changes of any model first; no test (credits are no counts)."),
    )
    for index, column in enumerate((_("Model"), _("Touchpoint"), _("Share"), _("Change"))):
        table.add_column(column, justify="left" if index < 2 else "right")
    shown, left = _shown(rows, top)
    for row in shown:
        table.add_row(
            escape(model_name(str(row["model"]), language)),
            escape(str(row["key"])),
            _pair(row["share_before"], row["share_after"], rate),
            points(row["share_change"]),
        )
    console.print(table)
    _more(left)


def _time_to_convert(comparison: Any) -> None:
    table = Table(title=_("Time to convert"))
    for index, column in enumerate((_("Percentile"), _("Before"), _("After"), _("Change"))):
        table.add_column(column, justify="left" if index == 0 else "right")
    for row in comparison.table("time_to_convert").to_pylist():
        change = row["change_seconds"]
        table.add_row(
            percent(row["percentile"], 0),
            duration(row["seconds_before"]),
            duration(row["seconds_after"]),
            DASH
            if change is None
            else _signed(duration(change), change) + _relative(row["relative_change"]),
        )
    console.print(table)
