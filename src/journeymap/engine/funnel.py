"""Phase and touchpoint funnels, computed in one ordered pass per journey.

The ordered mode follows the window-funnel idea (PostHog, ClickHouse ``windowFunnel``): walk a
journey's events in order; an event of step *k* advances the journey when an earlier event
completed step *k-1* and the chain's step-1 event lies within the conversion window. Keeping,
per step, the latest start that reached it (a running maximum) is enough to find the furthest
step, so the whole funnel is a few window functions over the ordered journey; there is no
subquery per step. ``strict`` additionally requires the steps back to back (repeats of the
same step are allowed, anything else breaks the chain); ``any`` ignores order and asks only
that the first occurrences of steps 1..k lie within one window.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from journeymap.engine._tables import records_table
from journeymap.engine.journeys import JourneyOptions, journey_facts
from journeymap.model import JourneyMap

__all__ = ["funnel_levels", "funnel_table", "phase_funnel", "touchpoint_funnel"]


def _window_seconds(options: JourneyOptions) -> int | None:
    window = options.conversion_window
    return int(window.total_seconds()) if window is not None else None


def funnel_levels(
    journeys: ir.Table, column: str, steps: list[str], options: JourneyOptions
) -> ir.Table:
    """Per journey, the furthest funnel step reached (``level``, 0 when step 1 never happens).

    Args:
        journeys: The journeys table.
        column: ``phase`` or ``touchpoint``: which column holds the step.
        steps: The step values in funnel order.
        options: Ordering and conversion window.
    """
    index = journeys[column].substitute(
        {value: position + 1 for position, value in enumerate(steps)}, else_=ibis.null("int64")
    )
    rows = journeys.select(
        "journey_id", "step", k=index.cast("int64"), sec=journeys.ts.epoch_seconds()
    )
    window = _window_seconds(options)
    if options.ordering == "any":
        levels = _any_levels(rows, len(steps), window)
    elif options.ordering == "strict":
        levels = _strict_levels(rows, window)
    else:
        levels = _ordered_levels(rows.filter(rows.k.notnull()), len(steps), window)
    return levels


def _ordered_levels(rows: ir.Table, count: int, window: int | None) -> ir.Table:
    # before_k: the latest step-1 time of a chain that completed step k on an earlier event
    # (a running maximum over the rows before the current one). An event of step k extends
    # the chain held in before_{k-1} when it lies within the window of that chain's start.
    before = ibis.window(group_by=rows.journey_id, order_by=rows.step, rows=(None, -1))
    start_1 = ibis.ifelse(rows.k == 1, rows.sec, ibis.null("int64"))
    table = rows.mutate(
        before_1=start_1.max().over(before), _reached=ibis.ifelse(rows.k == 1, 1, 0)
    )
    for k in range(2, count + 1):
        candidate = table[f"before_{k - 1}"]
        valid = (table.k == k) & candidate.notnull()
        if window is not None:
            valid = valid & (table.sec - candidate <= window)
        start_k = ibis.ifelse(valid, candidate, ibis.null("int64"))
        table = table.mutate(
            **{f"before_{k}": start_k.max().over(before)},
            _reached=ibis.ifelse(valid, k, table._reached),
        )
    return table.group_by("journey_id").aggregate(level=table._reached.max())


def _strict_levels(rows: ir.Table, window: int | None) -> ir.Table:
    ordered = ibis.window(group_by=rows.journey_id, order_by=rows.step)
    running = ibis.window(group_by=rows.journey_id, order_by=rows.step, preceding=None, following=0)
    k = rows.k.fill_null(0)
    previous = k.lag().over(ordered)
    # A repeat of the same step keeps the chain; step k after k-1 extends it; anything breaks.
    keeps = (k > 0) & ((k == previous) | (k == previous + 1))
    table = rows.mutate(_k=k, _break=ibis.ifelse(keeps.fill_null(False), 0, 1))
    table = table.mutate(_chain=table._break.sum().over(running))
    in_chain = ibis.window(group_by=[table.journey_id, table._chain], order_by=table.step)
    chain_running = ibis.window(
        group_by=[table.journey_id, table._chain],
        order_by=table.step,
        preceding=None,
        following=0,
    )
    # A repeat of step 1 restarts the attempt, so the window counts from the latest step 1.
    table = table.mutate(
        _first_k=table._k.first().over(in_chain),
        _start=ibis.ifelse(table._k == 1, table.sec, ibis.null("int64")).max().over(chain_running),
    )
    ok = (table._first_k == 1) & (table._k > 0)
    if window is not None:
        ok = ok & (table.sec - table._start <= window)
    table = table.mutate(_reached=ibis.ifelse(ok, table._k, 0))
    return table.group_by("journey_id").aggregate(level=table._reached.max())


def _any_levels(rows: ir.Table, count: int, window: int | None) -> ir.Table:
    firsts = rows.group_by("journey_id").aggregate(
        **{f"f_{k}": rows.sec.min(where=rows.k == k) for k in range(1, count + 1)}
    )
    level: Any = ibis.literal(0)
    for k in range(count, 0, -1):
        present = [firsts[f"f_{i}"] for i in range(1, k + 1)]
        ok = ibis.and_(*[value.notnull() for value in present])
        if window is not None and k > 1:
            ok = ok & (ibis.greatest(*present) - ibis.least(*present) <= window)
        elif window is not None:
            ok = ok & ibis.literal(True)
        level = ibis.ifelse(ok & (level == 0), k, level)
    return firsts.select("journey_id", level=level.cast("int64"))


def funnel_table(
    journeys: ir.Table, column: str, steps: list[str], options: JourneyOptions
) -> pa.Table:
    """Counts per step: reached, moved_on, converted, dropped, and the rates.

    The first rows are the totals (``breakdown`` null); with a breakdown, further rows carry
    ``breakdown`` (the column names) and the value in the breakdown column itself.
    """
    levels = funnel_levels(journeys, column, steps, options)
    facts = journey_facts(journeys, options.breakdown)
    joined = facts.left_join(levels, "journey_id").select(
        *facts.columns, level=ibis.coalesce(levels.level, 0)
    )
    groups = list(options.breakdown)
    aggregates = {}
    for k in range(1, len(steps) + 1):
        aggregates[f"r{k}"] = (joined.level >= k).sum()
        aggregates[f"c{k}"] = ((joined.level >= k) & joined.converted).sum()
        aggregates[f"d{k}"] = ((joined.level == k) & ~joined.converted).sum()
    totals = joined.aggregate(**aggregates).to_pyarrow().to_pylist()
    label = ",".join(groups) if groups else None
    results: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({"breakdown": None, **dict.fromkeys(groups)}, totals[0])
    ]
    if groups:
        for row in joined.group_by(groups).aggregate(**aggregates).to_pyarrow().to_pylist():
            results.append(({"breakdown": label, **{g: row[g] for g in groups}}, row))
    records: list[dict[str, Any]] = []
    for keys, counts in results:
        first = int(counts["r1"] or 0)
        for k, value in enumerate(steps, start=1):
            reached = int(counts[f"r{k}"] or 0)
            previous = int(counts[f"r{k - 1}"] or 0) if k > 1 else reached
            moved_on = int(counts[f"r{k + 1}"] or 0) if k < len(steps) else 0
            dropped = int(counts[f"d{k}"] or 0)
            records.append(
                {
                    "value": value,
                    "step": k,
                    "reached": reached,
                    "moved_on": moved_on,
                    "converted": int(counts[f"c{k}"] or 0),
                    "dropped": dropped,
                    "reach_rate": reached / first if first else 0.0,
                    "step_rate": reached / previous if previous else 0.0,
                    "dropoff_rate": dropped / reached if reached else 0.0,
                    **keys,
                }
            )
    return pa.Table.from_pylist(records) if records else pa.table({})


def phase_funnel(journeys: ir.Table, journey_map: JourneyMap, options: JourneyOptions) -> pa.Table:
    """The phase funnel: the map's phases in order (contract table ``phase_funnel``)."""
    phases = journey_map.ordered_phases()
    table = funnel_table(journeys, "phase", [p.id for p in phases], options)
    names = {p.id: p.name for p in phases}
    rows = table.to_pylist()
    for row in rows:
        row["phase"] = row.pop("value")
        row["phase_name"] = names[row["phase"]]
    order = [
        "phase",
        "phase_name",
        "step",
        "reached",
        "moved_on",
        "converted",
        "dropped",
        "reach_rate",
        "step_rate",
        "dropoff_rate",
    ]
    if options.breakdown:
        order += ["breakdown", *options.breakdown]
    return _records(rows, order, _FUNNEL_SCHEMA)


def default_touchpoint_steps(journey_map: JourneyMap) -> list[tuple[str | None, str]]:
    """The map's touchpoints in phase order, each once at its first phase."""
    seen: set[str] = set()
    steps: list[tuple[str | None, str]] = []
    for phase in journey_map.ordered_phases():
        for touchpoint in journey_map.touchpoints_in(phase.id):
            if touchpoint.id not in seen:
                seen.add(touchpoint.id)
                steps.append((phase.id, touchpoint.id))
    for touchpoint in journey_map.touchpoints:
        if touchpoint.id not in seen:
            steps.append((None, touchpoint.id))
    return steps


def touchpoint_funnel(
    journeys: ir.Table, journey_map: JourneyMap, options: JourneyOptions
) -> pa.Table:
    """The touchpoint funnel (contract table ``touchpoint_funnel``)."""
    if options.funnel_touchpoints:
        phase_of = {tp.id: journey_map.first_phase_of(tp.id) for tp in journey_map.touchpoints}
        steps = [(phase_of.get(tp), tp) for tp in options.funnel_touchpoints]
    else:
        steps = default_touchpoint_steps(journey_map)
    plain = JourneyOptions(**{**options.__dict__, "breakdown": []})
    table = funnel_table(journeys, "touchpoint", [tp for _, tp in steps], plain)
    phases = dict((tp, phase) for phase, tp in steps)
    rows = table.to_pylist()
    for row in rows:
        row["touchpoint"] = row.pop("value")
        row["phase"] = phases[row["touchpoint"]]
    order = [
        "phase",
        "touchpoint",
        "step",
        "reached",
        "moved_on",
        "converted",
        "dropped",
        "dropoff_rate",
    ]
    return _records(rows, order, _FUNNEL_SCHEMA)


_FUNNEL_SCHEMA = {
    "phase": pa.string(),
    "phase_name": pa.string(),
    "touchpoint": pa.string(),
    "step": pa.int64(),
    "reached": pa.int64(),
    "moved_on": pa.int64(),
    "converted": pa.int64(),
    "dropped": pa.int64(),
    "reach_rate": pa.float64(),
    "step_rate": pa.float64(),
    "dropoff_rate": pa.float64(),
}


def _records(
    rows: list[dict[str, Any]], order: list[str], types: dict[str, pa.DataType]
) -> pa.Table:
    return records_table(rows, [(name, types.get(name, pa.string())) for name in order])
