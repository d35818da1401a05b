"""``journeymap analyze``: every metric of a map against the workspace's events."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any, TypeAlias

import typer
from rich.markup import escape
from rich.table import Table

from journeymap.cli._figure_output import print_figure_tables
from journeymap.cli._period import (
    SinceOption,
    UntilOption,
    WaitOption,
    options_named,
    period_bounds,
    period_line,
)
from journeymap.cli.app import (
    _,
    console,
    credited_itself_note,
    decimal,
    error_console,
    handle_errors,
    number,
    status_line,
)
from journeymap.cli.attribution_options import (
    CollapseOption,
    ConversionTouchOption,
    CustomWeightsOption,
    DecisionPhasesOption,
    DirectOption,
    HalfLifeOption,
    LeadPhasesOption,
    LookbackOption,
    OrderOption,
    UWeightsOption,
    command_line_names,
    model_parameters,
)

__all__ = ["AfterConversionOption", "ByOption", "SessionGapOption", "register"]

# Rows of the ranked tables (slowest steps, repeats, variants) in the summary; the report
# shows ten.
TERMINAL_TOP = 5

# The options that cut events into journeys. `attribute` takes them too (the same names, help
# and checks), so that its credits are those an analysis with the same options stores.
ByOption: TypeAlias = Annotated[str | None, typer.Option("--by", help="person or account.")]
SessionGapOption: TypeAlias = Annotated[
    str | None,
    typer.Option(
        "--session-gap",
        help="Split after inactivity, e.g. 30m, or none (default: the journeys.session_gap "
        "setting, none).",
    ),
]
AfterConversionOption: TypeAlias = Annotated[
    str | None, typer.Option("--after-conversion", help="end or continue.")
]


def _names(given: list[str] | None) -> list[str] | None:
    """Repeated options and comma-separated lists alike; None when not given."""
    if not given:
        return None
    from journeymap.settings import parse_names

    return [name for item in given for name in parse_names(item)]


def _split_note(analysis: Any) -> str | None:
    """Why there are more journeys than persons, and the option that keeps them whole.

    A process log (a loan application per case, say) read with the default that a conversion
    ends a journey shows each case's events after the conversion as a second journey that
    never converts: worth saying, with the way back.
    """
    summary = analysis.summary
    options = summary["options"]
    extra = int(summary["journeys"]) - int(summary["persons"])
    if options.get("by") != "person" or extra <= 0:
        return None
    reasons = []
    if options.get("after_conversion") == "end":
        reasons.append(
            _("a conversion ends a journey (--after-conversion continue keeps the events after it)")
        )
    if options.get("session_gap"):
        reasons.append(_("a pause longer than the session gap starts a new one (--session-gap)"))
    if not reasons:
        return None
    return _("{journeys} journeys of {persons} persons: {reasons}.").format(
        journeys=number(int(summary["journeys"])),
        persons=number(int(summary["persons"])),
        reasons="; ".join(reasons),
    )


def _conversions_note(summary: dict[str, Any]) -> str | None:
    """Repeat conversions inside journeys, or no conversion at all, said under the headline."""
    if "conversion_events" not in summary:  # an analysis saved by an earlier journeymap
        return None
    journeys, events = int(summary["conversions"]), int(summary["conversion_events"])
    if not events and summary["journeys"]:
        return _(
            "Note: no event is a conversion, so every conversion figure and all attribution "
            "credit is 0. Check the conversion rule of the import's mapping rules against the "
            "events (e.g. equals: 'true' for a 0/1 column needs equals: '1')."
        )
    if events > journeys:
        return _(
            "{events} conversion events in {journeys} converted journeys: a journey goes on "
            "after its conversion (--after-conversion continue), so value and attribution "
            "count every conversion event."
        ).format(events=number(events), journeys=number(journeys))
    return None


def _print_breakdowns(analysis: Any) -> None:
    """The phase funnel per breakdown value, as the report shows it (its first values)."""
    from journeymap.i18n import current_language
    from journeymap.render.context import breakdown_funnels
    from journeymap.render.measured import measured_from

    measured = measured_from(analysis)
    if measured is None:
        return
    for found in breakdown_funnels(analysis.journey_map, measured, current_language()):
        table = Table(title=found["title"])
        table.add_column(found["column"])
        for phase in found["phases"]:
            table.add_column(phase, justify="right")
        table.add_column(_("Converted"), justify="right")
        table.add_column(_("Conversion rate"), justify="right")
        for line in [found["total"], *found["lines"]] if found["total"] else found["lines"]:
            cells = [
                cell["text"] + (f" ({cell['share']})" if cell["share"] else "")
                for cell in line["cells"]
            ]
            table.add_row(escape(line["label"]), *cells, line["converted"], line["rate"])
        console.print(table)
        for note in found["notes"]:
            console.print(note, markup=False, highlight=False)


def _odds(ratio: float) -> str:
    """An odds ratio with two decimals, or two significant digits below 0.01 (never 0.00).

    BPIC's A_DECLINED read "OR 0.00"; its odds ratio is 0.000187.

    Examples:
        >>> [_odds(r) for r in (32.234, 0.5, 0.0123, 0.009, 0.000187)]
        ['32.23', '0.50', '0.01', '0.0090', '0.00019']
    """
    if 0 < ratio < 0.01:
        return decimal(ratio, max(2, 1 - math.floor(math.log10(ratio))))
    return decimal(ratio)


def rate(value: float) -> str:
    """A share with one decimal, never ``0.0%`` or ``100.0%`` unless it is (the report's rule).

    5 of 10,422 journeys read "0,0 %" here and "< 0,1 %" in the report.
    """
    from journeymap.i18n import current_language
    from journeymap.render.context import format_rate

    return format_rate(float(value or 0.0), current_language())


def print_summary(analysis: Any) -> None:
    """Print the headline numbers and the short tables of an analysis."""
    s = analysis.summary
    console.print(
        f"[bold]{_('Journeys')}:[/] {number(s['journeys'])}   [bold]{_('Conversions')}:[/] "
        f"{number(s['conversions'])}   [bold]{_('Conversion rate')}:[/] "
        f"{rate(s['conversion_rate'])}"
    )
    period = period_line(s)
    if period:
        console.print(period)
    itself = s.get("conversion_credits_itself")
    notes = (_split_note(analysis), _conversions_note(s))
    for note in (*notes, credited_itself_note(itself) if itself else None):
        if note:
            console.print(note, markup=False, highlight=False)
    # The funnel's drop-off and the exit touchpoints below are different counts: each table
    # says which it is, so that they are not read as one contradicting the other.
    funnel = Table(
        title=_("Phase funnel"),
        caption=_(
            "Drop-off: of the journeys that reached the phase (the furthest they reached in "
            "the map's order), the share that got no further and did not convert."
        ),
    )
    for column in (_("Phase"), _("Reached"), _("Moved on"), _("Converted"), _("Drop-off")):
        funnel.add_column(column, justify="left" if column == _("Phase") else "right")
    # Every count and percentage is written as the user's language does, in the tables as in
    # the headline, the notes and the breakdown tables (which had 2,999 where these had 2999).
    for row in analysis.table("phase_funnel").to_pylist():
        if row.get("breakdown"):
            continue
        funnel.add_row(
            escape(row["phase_name"]),
            number(row["reached"]),
            number(row["moved_on"]),
            number(row["converted"]),
            # No journey reached the phase: 0/0 is no rate (as the map's lane shows it).
            rate(row["dropoff_rate"]) if row["reached"] else "-",
        )
    console.print(funnel)
    # What the funnel leaves out, how far the figures hold (open journeys, outcomes among the
    # odds ratios, ...), then where the map and the events disagree: the notes the report
    # prints too.
    from journeymap.analysis.notes import figure_notes
    from journeymap.i18n import current_language

    for note in figure_notes(analysis, analysis.journey_map, current_language()):
        console.print(note, markup=False, highlight=False)
    _print_breakdowns(analysis)
    print_figure_tables(analysis, TERMINAL_TOP)
    journey_map = getattr(analysis, "journey_map", None)
    caption = _(
        "Journeys that did not convert, by the touchpoint they touched last (exit "
        "touchpoint) and its phase; share: of all journeys that did not convert. Not the "
        "funnel's drop-off."
    )
    if journey_map is not None and any(t.outcome for t in journey_map.touchpoints):
        caption = _(
            "Journeys that did not convert, by the last touchpoint they met before an "
            "outcome (exit touchpoint) and its phase; share: of all journeys that did not "
            "convert. Not the funnel's drop-off."
        )
    drops = Table(title=_("Top drop-offs"), caption=caption)
    for column in (_("Phase"), _("Last touchpoint"), _("Journeys"), _("Share")):
        drops.add_column(
            column, justify="right" if column in (_("Journeys"), _("Share")) else "left"
        )
    # Phases by name, as the funnel above shows them (touchpoints keep the ids options take).
    phase_names = {p.id: p.name for p in journey_map.phases} if journey_map else {}
    for row in s.get("top_dropoffs", []):
        drops.add_row(
            escape(phase_names.get(row["last_phase"], row["last_phase"] or "-")),
            str(row["last_touchpoint"]),
            number(row["journeys"]),
            rate(row["share"]),
        )
    console.print(drops)
    top = Table(title=_("Top paths"))
    for column in (_("Path"), _("Journeys"), _("Share")):
        top.add_column(column, justify="left" if column == _("Path") else "right")
    for row in analysis.table("paths").to_pylist():
        if row["kind"] == "all" and row["rank"] <= 5:
            top.add_row(escape(row["path"]), number(row["journeys"]), rate(row["share"]))
    console.print(top)
    for key, title in (("top_positive", _("Top positive")), ("top_negative", _("Top negative"))):
        items = s.get(key) or []
        text = ", ".join(
            f"{escape(i['touchpoint'])} (OR {_odds(float(i['odds_ratio']))})" for i in items
        )
        console.print(f"[bold]{title}:[/] {text or '-'}")


def register(app: typer.Typer) -> None:
    """Add ``analyze`` to ``app``."""

    @app.command("analyze")
    @handle_errors
    @command_line_names
    def analyze_command(
        map_path: Annotated[Path, typer.Option("--map", help="The journey map file.")],
        out: Annotated[Path, typer.Option("--out", help="Folder for analysis.json, Parquet.")],
        db: Annotated[Path | None, typer.Option("--db", help="A DuckDB workspace file.")] = None,
        engine: Annotated[str | None, typer.Option("--engine", help="An engine URL.")] = None,
        by: ByOption = None,
        breakdown: Annotated[
            list[str] | None,
            typer.Option(
                "--breakdown",
                help="Column to break down by; repeated, the columns are crossed (one row "
                "per combination of values) unless --separate-breakdowns.",
            ),
        ] = None,
        separate_breakdowns: Annotated[
            bool | None,
            typer.Option(
                "--separate-breakdowns/--crossed-breakdowns",
                help="With several --breakdown columns: one funnel per column instead of one "
                "per combination of their values (setting analysis.separate_breakdowns).",
            ),
        ] = None,
        window: Annotated[
            str | None,
            typer.Option(
                "--window",
                help="Conversion window, e.g. 30d (default: the funnel.conversion_window "
                "setting, 30d).",
            ),
        ] = None,
        ordering: Annotated[
            str | None, typer.Option("--ordering", help="ordered, any or strict.")
        ] = None,
        session_gap: SessionGapOption = None,
        after_conversion: AfterConversionOption = None,
        funnel_step: Annotated[
            list[str] | None,
            typer.Option(
                "--funnel-step",
                help="A touchpoint funnel step, in order (repeat, or a,b,c); a|b is one step "
                "reached by either touchpoint; default: the map's touchpoints.",
            ),
        ] = None,
        checkout: Annotated[
            list[str] | None,
            typer.Option(
                "--checkout", help="A touchpoint counted for checkout abandonment (repeat)."
            ),
        ] = None,
        attribution: Annotated[
            bool,
            typer.Option("--attribution/--no-attribution", help="Run every attribution model too."),
        ] = True,
        conversion_touch: ConversionTouchOption = None,
        lookback: LookbackOption = None,
        order: OrderOption = None,
        collapse: CollapseOption = None,
        half_life: HalfLifeOption = None,
        u_weights: UWeightsOption = None,
        custom_weights: CustomWeightsOption = None,
        direct: DirectOption = None,
        lead_phases: LeadPhasesOption = None,
        decision_phases: DecisionPhasesOption = None,
        since: SinceOption = None,
        until: UntilOption = None,
        wait: WaitOption = 0.0,
    ) -> None:
        """Measure the map against the events: funnels, drop-off, timing, paths."""
        from journeymap.cli._import_notes import _waiting_note
        from journeymap.errors import UsageError
        from journeymap.ingest.workspace import waiting_for_lock, workspace_name
        from journeymap.services.analysis import (
            analyze_workspace,
            check_out_folder,
            workspace_url,
        )

        if wait < 0:
            raise UsageError(_("--wait takes seconds, 0 or more, not {value}").format(value=wait))
        period = period_bounds(since, until)
        check_out_folder(out, "--out")

        # The model options given (the attribution.* settings fill in the rest), as
        # `attribute` reads them.
        params = model_parameters(
            lookback=lookback,
            conversion_touch=conversion_touch,
            order=order,
            collapse=collapse,
            half_life=half_life,
            u_weights=u_weights,
            custom_weights=custom_weights,
            direct=direct,
            lead_phases=lead_phases,
            decision_phases=decision_phases,
        )

        def waiting(pid: int | None) -> None:
            where = workspace_name(workspace_url(db, engine))
            error_console.print(_waiting_note(where, pid, wait), markup=False)

        # On a terminal, a transient line says which step a long analysis is in.
        with (
            status_line(console.is_terminal) as bar,
            waiting_for_lock(wait, waiting),
            options_named(),
        ):
            task = bar.add_task(_("Analysing"), total=None)

            def step(name: str) -> None:
                bar.update(task, description=f"{_('Analysing')}: {name.replace('_', ' ')}")

            analysis = analyze_workspace(
                map_path,
                db=db,
                engine=engine,
                out=out,
                by=by,
                breakdown=list(breakdown) if breakdown else None,
                separate_breakdowns=separate_breakdowns,
                conversion_window=window,
                ordering=ordering,
                session_gap=session_gap,
                after_conversion=after_conversion,
                funnel_touchpoints=_names(funnel_step),
                checkout_touchpoints=_names(checkout),
                attribution=params if attribution and params else attribution,
                progress=step if console.is_terminal else None,
                **period,
            )
        print_summary(analysis)
        console.print(f"{_('Wrote')} {out / 'analysis.json'}")
