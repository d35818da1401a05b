"""``journeymap attribute``: attribution models side by side for a map's conversions."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from journeymap.cli._attribute_notes import (
    _credit_notes,
    _persona_notes,
    conversion_touch_notes,
    model_notes,
)
from journeymap.cli._period import (
    SinceOption,
    UntilOption,
    options_named,
    period_bounds,
    period_line,
)
from journeymap.cli.analyze_cmd import AfterConversionOption, ByOption, SessionGapOption
from journeymap.cli.app import (
    _,
    console,
    decimal,
    handle_errors,
    number,
    percent,
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
    SamplesOption,
    ShapleyMethodOption,
    UWeightsOption,
    command_line_names,
    model_parameters,
)
from journeymap.i18n import N_, current_language, ngettext

if TYPE_CHECKING:  # the engine is imported by the command that runs, not by --help
    import pyarrow as pa

__all__ = ["register", "side_by_side", "skipped_line"]

# The side-by-side tables' titles per level (a column level is named in the last one).
TITLES = {
    "touchpoint": N_("Attribution by touchpoint"),
    "channel": N_("Attribution by channel"),
    "phase": N_("Attribution by phase"),
    "persona": N_("Attribution by persona"),
}

# How many line numbers of skipped rows are shown per reason.
SHOWN = 5


METRICS = ("conversions", "value")


def side_by_side(
    table: pa.Table,
    width: int = 200,
    top: int | None = None,
    names: dict[str, str] | None = None,
    metric: str = "conversions",
) -> list[Table]:
    """Rows = keys, columns = models; each cell shows the credit and its share of the model's.

    ``metric`` is what is credited: conversions, or their value (revenue, contract value),
    each with its share of the model's total. Models are split over several tables so that
    each fits ``width`` columns of the terminal. Keys are ordered by their share summed over
    the models, so ``top`` keeps the keys with the most credit across the models shown, not
    by the first model alone (last touch gives most keys 0, which would leave the choice to
    the alphabet). ``names`` shows a key under its name (a persona's or a phase's, from the
    map). The columns carry the models' names in the user's language (``Markov chain``), as
    the report's do; ``--model`` and ``--out`` keep the ids.
    """
    from journeymap.attribution import model_name

    language = current_language()
    rows = table.to_pylist()
    models = list(dict.fromkeys(str(r["model"]) for r in rows))
    totals: dict[str, float] = {}
    for r in rows:
        totals[str(r["model"])] = totals.get(str(r["model"]), 0.0) + float(r[metric] or 0.0)

    def share(row: dict[str, Any]) -> float:
        if metric == "conversions":
            return float(row["share"] or 0.0)
        total = totals[str(row["model"])]
        return float(row[metric] or 0.0) / total if total else 0.0

    summed: dict[str, float] = {}
    for r in rows:
        key = str(r["key"])
        summed[key] = summed.get(key, 0.0) + share(r)
    keys = sorted(summed, key=lambda key: (-summed[key], key))[:top]
    cells = {(str(r["model"]), str(r["key"])): r for r in rows}
    level = str(rows[0]["level"]) if rows else "touchpoint"
    # Revenue in the thousands reads best whole; conversions keep their tenths.
    places = 1 if metric == "conversions" else 0 if max(totals.values(), default=0) >= 1000 else 2

    # A sampled estimate (Shapley with --shapley-method sampling) shows its standard error.
    sampled = {
        str(r["model"])
        for r in rows
        if metric == "conversions" and float(r.get("standard_error") or 0.0) > 0
    }

    def text(model: str, key: str) -> str:
        row = cells.get((model, key))
        if not row:
            return "-"
        credit = decimal(float(row[metric] or 0.0), places)
        if model in sampled:
            credit = f"{credit} ± {decimal(float(row['standard_error'] or 0.0), places)}"
        return f"{credit} ({percent(share(row))})"

    key_width = max([len(_("Key")), *(len((names or {}).get(key, key)) for key in keys)]) + 3
    groups: list[list[str]] = [[]]
    used = key_width
    for model in models:
        head = model_name(model, language)
        column = max([len(head), *(len(text(model, key)) for key in keys)]) + 3
        if groups[-1] and used + column > width:
            groups.append([])
            used = key_width
        groups[-1].append(model)
        used += column
    # The account level merges an account's members and credits each member (a contact).
    title = (
        _("Attribution by account member (contacts of each account together)")
        if level == "account"
        else _(TITLES[level])
        if level in TITLES
        else _("Attribution by {level}").format(level=level)
    )
    if metric == "value":
        title = _("{title}: conversion value").format(title=title)
    tables = []
    shown = names or {}
    for group in groups:
        # As wide as the title (up to the terminal's width), so that it is not wrapped.
        out = Table(title=title, min_width=min(len(title), width))
        out.add_column(_("Key"), no_wrap=True)
        for model in group:
            out.add_column(model_name(model, language), justify="right", no_wrap=True)
        for key in keys:
            out.add_row(shown.get(key, key), *(text(model, key) for model in group))
        tables.append(out)
    return tables


def _key_names(level: str, map_path: Path | None) -> dict[str, str]:
    """The names the map gives the keys of the persona and phase levels (ids elsewhere).

    Touchpoints and channels keep the ids the options take; ``--out`` keeps ids throughout.
    """
    if map_path is None or level not in {"persona", "phase"}:
        return {}
    from journeymap.mapfile import load_map

    journey_map = load_map(map_path)
    if level == "persona":
        return {persona.id: persona.display_name for persona in journey_map.personas}
    return {phase.id: phase.name for phase in journey_map.phases}


def check_out(path: Path | None) -> None:
    """Refuse an ``--out`` file that is neither CSV nor Parquet, before any work."""
    from journeymap.errors import UsageError

    if path is not None and path.suffix.lower() not in {".csv", ".parquet"}:
        raise UsageError(_("--out {path}: write a .csv or a .parquet file").format(path=path))


def write_table(table: pa.Table, path: Path) -> None:
    """Write ``table`` as CSV or Parquet, as ``path``'s suffix says."""
    check_out(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        import pyarrow.csv as pacsv

        pacsv.write_csv(table, path)
    else:
        import pyarrow.parquet as pq

        pq.write_table(table, path)


def skipped_line(reason: str, count: int, where: list[int], position: str = "line") -> str:
    """``Rows skipped (reason): N. Lines 3, 7, 12 and 4 more.`` (the where if known)."""
    from journeymap.attribution.paths import REASONS

    text = _("Rows skipped ({reason}): {count}.").format(
        count=number(count), reason=_(REASONS[reason])
    )
    if not where:
        return text
    shown = ", ".join(str(line) for line in where[:SHOWN])
    if count > len(where[:SHOWN]):
        shown = _("{first} and {more} more").format(
            first=shown, more=number(count - len(where[:SHOWN]))
        )
    one = count == 1
    if position == "row":
        at = _("Row {where}.") if one else _("Rows {where}.")
    else:
        at = _("Line {where}.") if one else _("Lines {where}.")
    return f"{text} {at.format(where=shown)}"


def register(app: typer.Typer) -> None:
    """Add ``attribute`` to ``app``."""

    @app.command("attribute")
    @handle_errors
    @command_line_names
    def attribute_command(
        map_path: Annotated[
            Path | None,
            typer.Option("--map", help="The journey map file (optional with --paths)."),
        ] = None,
        db: Annotated[Path | None, typer.Option("--db", help="A DuckDB workspace file.")] = None,
        paths: Annotated[
            Path | None,
            typer.Option(
                "--paths",
                help="Pre-aggregated paths instead of a workspace (CSV, Parquet or JSON "
                "Lines; ChannelAttribution's columns path, total_conversions, total_null, "
                "total_conversion_value).",
            ),
        ] = None,
        sep: Annotated[str, typer.Option("--sep", help="Separator between touches.")] = ">",
        path_column: Annotated[
            str | None, typer.Option("--path-column", help="Path column of --paths.")
        ] = None,
        conversions_column: Annotated[
            str | None,
            typer.Option("--conversions-column", help="Conversions column of --paths."),
        ] = None,
        nulls_column: Annotated[
            str | None, typer.Option("--nulls-column", help="Non-converting journeys column.")
        ] = None,
        value_column: Annotated[
            str | None, typer.Option("--value-column", help="Conversion value column.")
        ] = None,
        model: Annotated[
            list[str] | None,
            typer.Option(
                "--model",
                help="A model, by its id (repeat for several; default: every model): "
                "first_touch (First touch), last_touch (Last touch), last_non_direct (Last "
                "non-direct), linear (Linear), participation (Participation), position_based "
                "(Position-based (U)), w_shaped (W-shaped), full_path (Full path), j_shaped "
                "(J-shaped), inverse_j (Inverse J), time_decay (Time decay), custom (Custom), "
                "markov (Markov chain), shapley (Shapley value).",
            ),
        ] = None,
        level: Annotated[
            str, typer.Option("--level", help="touchpoint, channel, phase, persona, account.")
        ] = "touchpoint",
        lookback: LookbackOption = None,
        conversion_touch: ConversionTouchOption = None,
        order: OrderOption = None,
        collapse: CollapseOption = None,
        half_life: HalfLifeOption = None,
        u_weights: UWeightsOption = None,
        custom_weights: CustomWeightsOption = None,
        direct: DirectOption = None,
        lead_phases: LeadPhasesOption = None,
        decision_phases: DecisionPhasesOption = None,
        shapley_method: ShapleyMethodOption = None,
        samples: SamplesOption = None,
        by_account: Annotated[
            bool,
            typer.Option(
                "--by-account",
                help="Credit across all members of each account: their journeys (cut per "
                "--by) are merged in time order, each member credited for its touches.",
            ),
        ] = False,
        by: ByOption = None,
        session_gap: SessionGapOption = None,
        after_conversion: AfterConversionOption = None,
        since: SinceOption = None,
        until: UntilOption = None,
        engine: Annotated[
            str | None, typer.Option("--engine", help="An engine URL instead of --db.")
        ] = None,
        top: Annotated[
            int,
            typer.Option("--top", min=0, help="Show this many keys (0: all)."),
        ] = 25,
        out: Annotated[
            Path | None,
            typer.Option("--out", help="Also write every credit to this .csv or .parquet file."),
        ] = None,
        metric: Annotated[
            str,
            typer.Option(
                "--metric",
                help="What the tables show: conversions or value, the conversions' "
                "value (revenue) each key earns.",
            ),
        ] = "conversions",
    ) -> None:
        """Attribute conversions to touchpoints (or channels, phases, ...) with every model."""
        from journeymap.errors import UsageError

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
            shapley_method=shapley_method,
            samples=samples,
            by_account=by_account or None,
        )
        check_out(out)
        if metric not in METRICS:
            raise UsageError(
                _("--metric {given} is not known; give conversions or value").format(
                    given=repr(metric)
                )
            )

        if paths is not None:
            from journeymap.services.attribution import attribute_paths_file

            if db is not None or engine is not None:
                raise UsageError(
                    _("--paths reads path data, not a workspace: leave out --db and --engine")
                )
            cuts = {
                "--by": by,
                "--session-gap": session_gap,
                "--after-conversion": after_conversion,
                "--since": since,
                "--until": until,
            }
            given = [option for option, value in cuts.items() if value is not None]
            if given:
                listed = f" {_('and')} ".join(
                    [", ".join(given[:-1]), given[-1]] if given[1:] else given
                )
                raise UsageError(
                    _(
                        "path data are journeys already cut: leave out {options} (they cut a "
                        "workspace's events into journeys)"
                    ).format(options=listed)
                )
            columns = {
                "path": path_column,
                "conversions": conversions_column,
                "nulls": nulls_column,
                "value": value_column,
            }
            found = attribute_paths_file(
                paths,
                map_path,
                models=model or None,
                level=level,
                sep=sep,
                columns=columns,
                **params,
            )
            language = current_language()
            conversions = round(found.conversions)
            console.print(
                _("Read {rows}; those kept stand for {journeys} and {conversions}.").format(
                    rows=ngettext(
                        "{count} path row", "{count} path rows", found.rows, language
                    ).format(count=number(found.rows)),
                    journeys=ngettext(
                        "{count} journey", "{count} journeys", found.journeys, language
                    ).format(count=number(found.journeys)),
                    conversions=ngettext(
                        "{count} conversion", "{count} conversions", conversions, language
                    ).format(count=number(conversions)),
                )
            )
            # In the order the checks run: a malformed line first, a bad value last.
            from journeymap.attribution.paths import REASONS

            checks = list(REASONS)
            for reason, count in sorted(
                found.skipped.items(), key=lambda item: checks.index(item[0])
            ):
                console.print(
                    skipped_line(reason, count, found.skipped_at.get(reason, []), found.position)
                )
            if not found.nulls_known:
                console.print(
                    _(
                        "Note: {file} has no nulls column ({column}), so only converting "
                        "journeys are known: every path counts as converting, conversion rates "
                        "are 100% and Markov removal effects only say how many conversions "
                        "pass each touch. Name the column of non-converting journeys with "
                        "--nulls-column if the file has one."
                    ).format(file=paths.name, column=found.nulls_column),
                    highlight=False,
                )
            table = found.table
        else:
            from journeymap.services.attribution import attribute_workspace

            if map_path is None:
                raise UsageError(_("give the journey map with --map (or path data with --paths)"))
            # Journeys cut as `analyze` cuts them (None: the journeys.* settings).
            with options_named():  # a message on the period names --since and --until
                found_in_workspace = attribute_workspace(
                    map_path,
                    db,
                    engine=engine,
                    models=model or None,
                    level=level,
                    by=by,
                    session_gap=session_gap,
                    after_conversion=after_conversion,
                    **period_bounds(since, until),
                    **params,
                )
            table = found_in_workspace.table
            period = period_line({"period": found_in_workspace.period})
            if period:
                console.print(period)
        if metric == "value" and not any(table.column("value").to_pylist()):
            raise UsageError(
                _(
                    "--metric value: the conversions carry no value. Name the value column "
                    "(columns: value: in the mapping rules, and import again with --replace; "
                    "--value-column for path data)."
                )
            )
        names = _key_names(level, map_path)
        shown = side_by_side(
            table, width=console.width, top=top or None, names=names, metric=metric
        )
        for part in shown:
            console.print(part, soft_wrap=False)
        keys = len(set(table.column("key").to_pylist()))
        if top and keys > top:
            console.print(
                _(
                    "The {shown} keys with the most credit of {keys}; --top 0 shows all, --out "
                    "FILE writes all to a CSV or Parquet file."
                ).format(shown=number(top), keys=number(keys)),
                markup=False,
            )
        for note in model_notes(params, table, asked=bool(model), paths=paths is not None):
            console.print(note, markup=False, highlight=False)
        facts = found.facts if paths is not None else found_in_workspace.facts
        for note in _credit_notes(facts, table, names):
            console.print(note, markup=False, highlight=False)
        if paths is None:
            notes = conversion_touch_notes(found_in_workspace)
            if found_in_workspace.persona_per_journey:
                notes.append(
                    _(
                        "Note: each journey here is one person's, so every model gives a "
                        "conversion to the persona who converted. To credit the buying center, "
                        "cut journeys per account (--by account) or merge each account's "
                        "members (--by-account)."
                    )
                )
            if level == "persona" and map_path is not None:
                notes.extend(_persona_notes(table, map_path))
            for note in notes:
                console.print(note, markup=False, highlight=False)
        if out is not None:
            write_table(table, out)
            console.print(f"{_('Wrote')} {out}")
