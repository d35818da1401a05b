"""Phase and touchpoint funnels: how far each journey gets, in one ordered pass per journey.

A journey that fits inside the conversion window cannot be held back by it, so how far it
gets depends only on its sequence of steps. The engine collects each journey's steps in order
(one ordered aggregation) and groups the journeys by that sequence; the furthest step is then
computed once per distinct sequence, vectorised with numpy (:func:`sequence_levels`).

Journeys longer than the window take the exact window-funnel (PostHog, ClickHouse
``windowFunnel``): walk the events in order; an event of step *k* advances the journey when an
earlier event completed step *k-1* and the chain's step-1 event lies within the window.
Keeping, per step, the latest start that reached it (a running maximum) finds the furthest
step. ``strict`` additionally requires the steps back to back (repeats of the same step are
allowed, anything else breaks the chain); ``any`` ignores order and asks that steps 1..k
all occur within one window (see :func:`_any_levels`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from journeymap.engine._checks import funnel_steps
from journeymap.engine._facts import with_sequences
from journeymap.engine._funnel_steps import Step, step_name, step_numbers, step_phase, step_text
from journeymap.engine._local_funnel import local_funnel_counts, sequence_levels
from journeymap.engine._local_journeys import LocalJourneys
from journeymap.engine._tables import record_batches, records_table, scratch, seconds
from journeymap.engine.journeys import (
    JourneyOptions,
    check_touchpoints,
    journey_facts,
)
from journeymap.model import JourneyMap

__all__ = [
    "Step",
    "funnel_counts",
    "funnel_levels",
    "funnel_table",
    "phase_funnel",
    "sequence_levels",
    "touchpoint_funnel",
]


def _window_seconds(options: JourneyOptions) -> int | None:
    window = options.conversion_window
    return int(window.total_seconds()) if window is not None else None


def _step_index(journeys: ir.Table, column: str, steps: Sequence[Step]) -> ir.IntegerValue:
    mapping = step_numbers(steps)
    return journeys[column].substitute(mapping, else_=ibis.null(dt.int64)).cast(dt.int64)


def funnel_levels(
    journeys: ir.Table, column: str, steps: Sequence[Step], options: JourneyOptions
) -> ir.Table:
    """Per journey, the furthest funnel step reached (``level``, 0 when step 1 never happens).

    The exact window-funnel, one window per step (``ordered``); :func:`funnel_counts` needs it
    only for journeys longer than the conversion window.

    Args:
        journeys: The journeys table.
        column: ``phase`` or ``touchpoint``: which column holds the step.
        steps: The step values in funnel order; a tuple of values is a step any of them
            reaches.
        options: Ordering and conversion window.
    """
    rows = journeys.select(
        "journey_id",
        "step",
        k=_step_index(journeys, column, steps),
        sec=seconds(journeys.ts),
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
    start_1 = ibis.ifelse(rows.k == 1, rows.sec, ibis.null(dt.int64))
    table = rows.mutate(
        before_1=start_1.max().over(before), _reached=ibis.ifelse(rows.k == 1, 1, 0)
    )
    for k in range(2, count + 1):
        candidate = table[f"before_{k - 1}"]
        valid = (table.k == k) & candidate.notnull()
        if window is not None:
            valid = valid & (table.sec - candidate <= window)
        start_k = ibis.ifelse(valid, candidate, ibis.null(dt.int64))
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
        _start=ibis.ifelse(table._k == 1, table.sec, ibis.null(dt.int64)).max().over(chain_running),
    )
    ok = (table._first_k == 1) & (table._k > 0)
    if window is not None:
        ok = ok & (table.sec - table._start <= window)
    table = table.mutate(_reached=ibis.ifelse(ok, table._k, 0))
    return table.group_by("journey_id").aggregate(level=table._reached.max())


def _any_levels(rows: ir.Table, count: int, window: int | None) -> ir.Table:
    """Per journey, the largest k whose steps 1..k all occur within one window, in any order.

    A journey no longer than the window holds all its steps in one window: its level is the
    largest k whose steps 1..k all occur, which one aggregation answers. A longer journey
    may hold them in a window that starts at any of its step events: from each, the next
    occurrence of every step at or after it, one window pass. So ``any`` reaches every
    journey ``ordered`` reaches (an ordered chain within the window is such a window), which
    the first occurrences alone did not promise: a later attempt within the window was missed.
    """
    per = rows.group_by("journey_id").aggregate(
        _span=rows.sec.max() - rows.sec.min(),
        **{f"f_{k}": rows.sec.min(where=rows.k == k) for k in range(1, count + 1)},
    )
    present = _largest_prefix(per, count, lambda k: per[f"f_{k}"].notnull())
    if window is None:
        return per.select("journey_id", level=present)
    fits = per.filter(per._span <= window).select("journey_id", level=present)
    long = per.filter(per._span > window).select("journey_id")
    steps = rows.filter(rows.k.notnull()).semi_join(long, "journey_id")
    ahead = ibis.window(group_by=steps.journey_id, order_by=steps.step, preceding=0, following=None)
    nexts = steps.select(
        "journey_id",
        **{
            f"n_{k}": ibis.ifelse(steps.k == k, steps.sec, ibis.null(dt.int64)).min().over(ahead)
            - steps.sec
            for k in range(1, count + 1)
        },
    )
    within = _largest_prefix(
        nexts, count, lambda k: nexts[f"n_{k}"].notnull() & (nexts[f"n_{k}"] <= window)
    )
    windowed = (
        nexts.select("journey_id", _level=within)
        .group_by("journey_id")
        .aggregate(level=ibis._._level.max())
    )
    # A long journey without any step event has no row in ``windowed``: level 0.
    unreached = long.anti_join(windowed, "journey_id").select(
        "journey_id", level=ibis.literal(0, dt.int64)
    )
    return fits.union(windowed).union(unreached)


def _largest_prefix(
    t: ir.Table, count: int, holds: Callable[[int], ir.BooleanValue]
) -> ir.IntegerValue:
    """The largest k (0 if none) for which ``holds(i)`` is true for every step i of 1..k."""
    reached = []
    for k in range(1, count + 1):
        # Each k's test stands alone: nesting them would double the SQL with every step.
        ok = ibis.and_(*[holds(i) for i in range(1, k + 1)])
        reached.append(ibis.ifelse(ok, k, 0))
    level = ibis.greatest(*reached, 0) if reached else ibis.literal(0)
    return level.cast(dt.int64)


def _parse_sequences(texts: pa.ChunkedArray) -> pa.Array:
    """``"1,3,2"`` -> ``[1, 3, 2]``; the empty text is the empty sequence."""
    texts = texts.combine_chunks()
    present = pc.if_else(pc.equal(texts, ""), pa.scalar(None, texts.type), texts)
    return pc.cast(pc.split_pattern(present, ","), pa.list_(pa.int64()))


def funnel_counts(
    journeys: ir.Table,
    column: str,
    steps: Sequence[Step],
    options: JourneyOptions,
    facts: ir.Table | None = None,
) -> pa.Table:
    """Journeys per furthest step: columns ``level``, ``converted``, the breakdown, ``journeys``.

    A journey that fits inside the conversion window (every journey when there is none)
    cannot be held back by it, so its level depends only on its sequence of steps: the engine
    groups those journeys by that sequence, and the level is computed once per distinct
    sequence (:func:`sequence_levels`). Journeys longer than the window, and the ``any``
    ordering, take the exact window-funnel of :func:`funnel_levels`.
    """
    groups = list(options.breakdown)
    if options.ordering != "any":
        derived = with_sequences(journeys, facts, groups)
    else:
        derived = facts if facts is not None else journey_facts(journeys, groups)
    with scratch(derived, own=derived is not facts) as shared:
        return _funnel_counts(journeys, column, steps, options, shared)


def _funnel_counts(
    journeys: ir.Table, column: str, steps: Sequence[Step], options: JourneyOptions, facts: ir.Table
) -> pa.Table:
    groups = list(options.breakdown)
    keys = ["converted", *groups]
    sequence_column = f"{column}s"
    window = _window_seconds(options)
    exact: ir.Table | None = facts
    short: ir.Table | None = None
    if options.ordering != "any":
        if window is None:
            exact, short = None, facts
        else:
            span = seconds(facts.last_ts) - seconds(facts.first_ts)
            exact, short = facts.filter(span > window), facts.filter(span <= window)
            if not exact.count().to_pyarrow().as_py():
                exact = None  # the common case: no journey outlasts the window
    columns = ["level", *keys, "journeys"]
    parts: list[pa.Table] = []
    if short is not None:
        # The journey's steps as numbers: a strict funnel keeps other events as 0 (they
        # break the chain), an ordered one drops them.
        # Grouped as text ("1,3,2"): grouped as arrays, 10M journeys ran out of memory
        # under a 3GB cap; as text they did not.
        mapping = {value: str(number) for value, number in step_numbers(steps).items()}
        other = ibis.literal("0" if options.ordering == "strict" else None, dt.string)
        sequence = short[sequence_column].map(lambda x: x.substitute(mapping, else_=other))
        if options.ordering != "strict":
            sequence = sequence.filter(lambda x: x.notnull())
        numbered = short.select(*keys, _seq=ibis.literal(",").join(sequence))
        distinct = numbered.group_by(["_seq", *keys]).aggregate(journeys=numbered.count())
        # Streamed batch by batch and counted per level at once: at 10M journeys the distinct
        # sequences, read whole, took over a gigabyte beside the engine.
        for batch in record_batches(distinct):
            found = pa.Table.from_batches([batch])
            levels = sequence_levels(_parse_sequences(found["_seq"]), len(steps), options.ordering)
            counted = found.append_column("level", pa.array(levels)).select(columns)
            parts.append(_sum_by_level(counted, keys))
    if exact is not None:
        exact = exact.select("journey_id", *keys)
        levels_expr = funnel_levels(journeys.semi_join(exact, "journey_id"), column, steps, options)
        joined = exact.left_join(levels_expr, "journey_id").select(
            *keys, level=ibis.coalesce(levels_expr.level, 0)
        )
        grouped = joined.group_by(["level", *keys]).aggregate(journeys=joined.count())
        parts.append(grouped.to_pyarrow().select(columns))
    return _sum_by_level(pa.concat_tables(parts, promote_options="permissive"), keys)


def _sum_by_level(counted: pa.Table, keys: list[str]) -> pa.Table:
    """Journeys summed per level and key: ``level``, the keys, ``journeys``."""
    summed = counted.group_by(["level", *keys]).aggregate([("journeys", "sum")])
    return summed.rename_columns(["level", *keys, "journeys"])


def funnel_table(
    journeys: ir.Table,
    column: str,
    steps: Sequence[Step],
    options: JourneyOptions,
    facts: ir.Table | None = None,
    *,
    local: LocalJourneys | None = None,
) -> pa.Table:
    """Counts per step: reached, moved_on, converted, dropped, and the rates.

    The first rows are the totals (``breakdown`` null); with a breakdown, further rows carry
    ``breakdown`` (the column names, comma-separated) and the values in the breakdown columns
    themselves: one row per combination of the columns' values, or, with
    ``options.separate_breakdowns``, one set of rows per column (``breakdown`` names it, the
    other columns are null), every journey counted once in each. With ``local`` (journeys
    without breakdown) the counts are :func:`local_funnel_counts`' (``journeys`` and
    ``facts`` unused).
    """
    groups = list(options.breakdown)
    # An owner: the breakdown it belongs to (a tuple of columns) and its values there.
    breakdowns: list[tuple[str, ...]]
    if options.separate_breakdowns:
        breakdowns = [(g,) for g in dict.fromkeys(groups)]
    else:
        breakdowns = [tuple(groups)] if groups else []
    tallies: dict[tuple[Any, ...], Counter[str]] = {(): Counter()}
    if local is not None:
        counts = local_funnel_counts(local, column, steps, options)
    else:
        counts = funnel_counts(journeys, column, steps, options, facts)
    for row in counts.to_pylist():
        level, count = int(row["level"]), int(row["journeys"])
        owners = [()] + [(b, tuple(row[g] for g in b)) for b in breakdowns]
        for owner in owners:
            tally = tallies.setdefault(owner, Counter())
            for k in range(1, level + 1):
                tally[f"r{k}"] += count
                tally[f"c{k}"] += count if row["converted"] else 0
            tally[f"d{level}"] += 0 if row["converted"] else count
    records: list[dict[str, Any]] = []
    ranked = sorted(
        (o for o in tallies if o), key=lambda o: (breakdowns.index(o[0]), _sort_key(o[1]))
    )
    for owner in [(), *ranked]:
        tally = tallies[owner]
        keys: dict[str, Any] = {"breakdown": None, **dict.fromkeys(groups)}
        if owner:  # the totals have none
            keys["breakdown"] = ",".join(owner[0])
            keys.update(zip(owner[0], owner[1], strict=True))
        first = tally["r1"]
        for k, value in enumerate(steps, start=1):
            reached, dropped = tally[f"r{k}"], tally[f"d{k}"]
            previous = tally[f"r{k - 1}"] if k > 1 else reached
            records.append(
                {
                    "value": step_text(value),
                    "step": k,
                    "reached": reached,
                    "moved_on": tally[f"r{k + 1}"] if k < len(steps) else 0,
                    "converted": tally[f"c{k}"],
                    "dropped": dropped,
                    "reach_rate": reached / first if first else 0.0,
                    "step_rate": reached / previous if previous else 0.0,
                    "dropoff_rate": dropped / reached if reached else 0.0,
                    **keys,
                }
            )
    return pa.Table.from_pylist(records) if records else pa.table({})


def _sort_key(owner: tuple[Any, ...]) -> tuple[tuple[bool, str], ...]:
    return tuple((value is None, str(value)) for value in owner)


def phase_funnel(
    journeys: ir.Table,
    journey_map: JourneyMap,
    options: JourneyOptions,
    facts: ir.Table | None = None,
    *,
    local: LocalJourneys | None = None,
) -> pa.Table:
    """The phase funnel: the map's phases in order (contract table ``phase_funnel``).

    With ``local``, counted on those arrays (see :func:`funnel_table`).
    """
    phases = journey_map.ordered_phases()
    table = funnel_table(journeys, "phase", [p.id for p in phases], options, facts, local=local)
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
    journeys: ir.Table,
    journey_map: JourneyMap,
    options: JourneyOptions,
    facts: ir.Table | None = None,
    *,
    local: LocalJourneys | None = None,
) -> pa.Table:
    """The touchpoint funnel (contract table ``touchpoint_funnel``).

    A step given as alternatives (``product-page|search-result``) is reached by a journey
    that meets any of them; its ``touchpoint`` is written as given (``a|b``), its
    ``touchpoint_name`` names them in the map's language ("Product page or Search result"),
    its ``phase`` is the earliest phase of any of them. With ``local``, counted on those
    arrays (see :func:`funnel_table`).
    """
    if options.funnel_touchpoints:
        check_touchpoints(journey_map, options)
        steps = [(step_phase(journey_map, alts), alts) for alts in funnel_steps(options)]
    else:
        steps = [(phase, (tp,)) for phase, tp in default_touchpoint_steps(journey_map)]
    plain = JourneyOptions(**{**options.__dict__, "breakdown": []})
    values = [alts for _, alts in steps]
    table = funnel_table(journeys, "touchpoint", values, plain, facts, local=local)
    phases = {step_text(alts): phase for phase, alts in steps}
    names = {
        step_text(alts): step_name(journey_map, alts, journey_map.language) for _, alts in steps
    }
    rows = table.to_pylist()
    for row in rows:
        row["touchpoint"] = row.pop("value")
        row["touchpoint_name"] = names[row["touchpoint"]]
        row["phase"] = phases[row["touchpoint"]]
    order = [
        "phase",
        "touchpoint",
        "touchpoint_name",
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
    "touchpoint_name": pa.string(),
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
