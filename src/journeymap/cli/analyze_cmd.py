"""``journeymap analyze``: every metric of a map against the workspace's events."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, TypeAlias

import typer
from rich.markup import escape
from rich.table import Table

from journeymap.cli.app import (
    _,
    console,
    credited_itself_note,
    decimal,
    handle_errors,
    number,
    off_map_note,
    percent,
    status_line,
)

__all__ = ["AfterConversionOption", "ByOption", "SessionGapOption", "register"]

# The options that cut events into journeys. `attribute` takes them too (the same names, help
# and checks), so that its credits are those an analysis with the same options stores.
ByOption: TypeAlias = Annotated[str | None, typer.Option("--by", help="person or account.")]
SessionGapOption: TypeAlias = Annotated[
    str | None, typer.Option("--session-gap", help="Split after inactivity, e.g. 30m.")
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


def _unreached_phase_note(analysis: Any) -> str | None:
    """A note when the funnel stops at a phase no journey reached.

    Only when later phases are met in the data: the map's phase lacks events, and every
    later phase shows 0.
    """
    from journeymap.engine.journeys import phase_lookup

    rows = [r for r in analysis.table("phase_funnel").to_pylist() if not r.get("breakdown")]
    reached = [int(r["reached"] or 0) for r in rows]
    if not reached or reached[0] == 0:
        return None
    first_zero = next((i for i, n in enumerate(reached) if n == 0), None)
    if first_zero is None or first_zero == len(rows) - 1:
        return None
    phase_of = phase_lookup(analysis.journey_map)
    later = {r["phase"] for r in rows[first_zero + 1 :]}
    met = any(
        phase_of.get(r["touchpoint"]) in later and int(r["events"] or 0) > 0
        for r in analysis.table("touchpoint_stats").to_pylist()
    )
    if not met:
        return None
    return _(
        "Note: no journey reached {phase}. Every ordering counts a phase only after the ones "
        "before it (--ordering any too), so the phases after it read 0 although their "
        "touchpoints occur in the events. Check whether the touchpoints of {phase} occur in "
        "the events, or take the phase out of the map."
    ).format(phase=rows[first_zero]["phase_name"])


def _ngettext(singular: str, plural: str, count: int) -> str:
    """A counted CLI message in the user's language (as ``_`` translates the others)."""
    from journeymap.i18n import current_language, ngettext

    return ngettext(singular, plural, count, current_language())


def _first_phase_note(analysis: Any) -> str | None:
    """A note on the journeys (and conversions) that never reached the first phase.

    Every ordering counts a journey from the first phase on (``any`` asks for phases 1..k
    too), so one without an event there counts in no phase, and the funnel's converted falls
    short of the conversions above it without a word. Read off the tables: the funnel's
    first row (the totals) against the summary.
    """
    rows = [r for r in analysis.table("phase_funnel").to_pylist() if not r.get("breakdown")]
    if not rows:
        return None
    summary = analysis.summary
    journeys, conversions = int(summary["journeys"]), int(summary["conversions"])
    left_out = journeys - int(rows[0]["reached"] or 0)
    if left_out <= 0:
        return None
    converted_left_out = conversions - int(rows[0]["converted"] or 0)
    including = ""
    if converted_left_out > 0:
        including = _ngettext(
            " (including {count} of {total} conversion)",
            " (including {count} of {total} conversions)",
            conversions,
        ).format(count=number(converted_left_out), total=number(conversions))
    return _ngettext(
        "Note: the phase funnel above leaves out {count} of {total} journey{conversions}, "
        "which never reached the first phase, {phase}. Every ordering counts from the first "
        "phase (--ordering any too); check that the touchpoints of {phase} occur in the "
        "events, and whether the events start mid-journey.",
        "Note: the phase funnel above leaves out {count} of {total} journeys{conversions}, "
        "which never reached the first phase, {phase}. Every ordering counts from the first "
        "phase (--ordering any too); check that the touchpoints of {phase} occur in the "
        "events, and whether the events start mid-journey.",
        journeys,
    ).format(
        count=number(left_out),
        total=number(journeys),
        conversions=including,
        phase=rows[0]["phase_name"],
    )


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


def print_summary(analysis: Any) -> None:
    """Print the headline numbers and the short tables of an analysis."""
    s = analysis.summary
    console.print(
        f"[bold]{_('Journeys')}:[/] {number(s['journeys'])}   [bold]{_('Conversions')}:[/] "
        f"{number(s['conversions'])}   [bold]{_('Conversion rate')}:[/] "
        f"{percent(s['conversion_rate'])}"
    )
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
            percent(row["dropoff_rate"]),
        )
    console.print(funnel)
    for note in (_first_phase_note(analysis), _unreached_phase_note(analysis)):
        if note:
            console.print(note, markup=False, highlight=False)
    # Events the map's phases cannot show: the funnel above leaves them out (all of them,
    # for a map that names none of the events' touchpoints, whose funnel reads all zeros).
    off_map = {
        str(r["touchpoint"]): int(r["events"])
        for r in analysis.table("touchpoint_stats").to_pylist()
        if not r["on_map"] and int(r["events"] or 0) > 0
    }
    if off_map:
        console.print(off_map_note(off_map), markup=False, highlight=False)
    _print_breakdowns(analysis)
    drops = Table(
        title=_("Top drop-offs"),
        caption=_(
            "Journeys that did not convert, by the touchpoint they touched last (exit "
            "touchpoint) and its phase; share: of all journeys that did not convert. Not the "
            "funnel's drop-off."
        ),
    )
    for column in (_("Phase"), _("Last touchpoint"), _("Journeys"), _("Share")):
        drops.add_column(
            column, justify="right" if column in (_("Journeys"), _("Share")) else "left"
        )
    # Phases by name, as the funnel above shows them (touchpoints keep the ids options take).
    journey_map = getattr(analysis, "journey_map", None)
    phase_names = {p.id: p.name for p in journey_map.phases} if journey_map else {}
    for row in s.get("top_dropoffs", []):
        drops.add_row(
            escape(phase_names.get(row["last_phase"], row["last_phase"] or "-")),
            str(row["last_touchpoint"]),
            number(row["journeys"]),
            percent(row["share"]),
        )
    console.print(drops)
    top = Table(title=_("Top paths"))
    for column in (_("Path"), _("Journeys"), _("Share")):
        top.add_column(column, justify="left" if column == _("Path") else "right")
    for row in analysis.table("paths").to_pylist():
        if row["kind"] == "all" and row["rank"] <= 5:
            top.add_row(escape(row["path"]), number(row["journeys"]), percent(row["share"]))
    console.print(top)
    for key, title in (("top_positive", _("Top positive")), ("top_negative", _("Top negative"))):
        items = s.get(key) or []
        text = ", ".join(
            f"{escape(i['touchpoint'])} (OR {decimal(i['odds_ratio'])})" for i in items
        )
        console.print(f"[bold]{title}:[/] {text or '-'}")


def register(app: typer.Typer) -> None:
    """Add ``analyze`` to ``app``."""

    @app.command("analyze")
    @handle_errors
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
                "per combination of values).",
            ),
        ] = None,
        window: Annotated[
            str | None, typer.Option("--window", help="Conversion window, e.g. 30d.")
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
                help="A touchpoint funnel step, in order (repeat, or a,b,c); default: the "
                "map's touchpoints.",
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
        conversion_touch: Annotated[
            bool | None,
            typer.Option(
                "--conversion-touch/--no-conversion-touch",
                help="Whether the conversion event's own touchpoint (e.g. checkout) takes "
                "attribution credit (default: the attribution.conversion_touch setting, yes).",
            ),
        ] = None,
    ) -> None:
        """Measure the map against the events: funnels, drop-off, timing, paths."""
        from journeymap.services.analysis import analyze_workspace

        # On a terminal, a transient line says which step a long analysis is in.
        with status_line(console.is_terminal) as bar:
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
                conversion_window=window,
                ordering=ordering,
                session_gap=session_gap,
                after_conversion=after_conversion,
                funnel_touchpoints=_names(funnel_step),
                checkout_touchpoints=_names(checkout),
                attribution=(
                    {"conversion_touch": conversion_touch}
                    if attribution and conversion_touch is not None
                    else attribution
                ),
                progress=step if console.is_terminal else None,
            )
        print_summary(analysis)
        console.print(f"{_('Wrote')} {out / 'analysis.json'}")
