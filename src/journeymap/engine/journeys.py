"""Journeys: the events of one person or account, ordered by time.

Journeys are split by session and by conversion, with the map's phase filled in.

Every metric of :mod:`journeymap.engine` starts from :func:`build_journeys`. The result is a
lazy :class:`ibis.Table`; nothing runs until a metric asks for its (small) result. The
options, the checks, the breakdown columns and the per-journey facts live in private modules
beside this one; their public names are imported from here.
"""

from __future__ import annotations

import weakref

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.types as ir

from journeymap.engine._checks import check_touchpoints, require_accounts, require_values
from journeymap.engine._columns import EVENT_COLUMNS, NEIGHBOUR_COLUMNS, RESERVED_NAMES, UNIT
from journeymap.engine._extra import breakdown_column
from journeymap.engine._extra import extra_text as extra_text  # named in docs/contracts.md
from journeymap.engine._facts import joinable, journey_facts, own_phases, touch_pairs
from journeymap.engine._options import JourneyOptions, parse_duration
from journeymap.engine._scratch import use_scratch_if_large
from journeymap.engine._tables import (
    backend_name,
    drop_temporary,
    exact_total,
    is_temporary,
    materialize,
    number,
    seconds,
)
from journeymap.errors import AnalysisError
from journeymap.i18n import N_
from journeymap.i18n.messages import translate
from journeymap.model import JourneyMap

__all__ = [
    "EVENT_COLUMNS",
    "NEIGHBOUR_COLUMNS",
    "RESERVED_NAMES",
    "UNIT",
    "JourneyOptions",
    "build_journeys",
    "built_from",
    "check_touchpoints",
    "converting_actors",
    "converting_journeys",
    "converting_part",
    "ends_at_conversions",
    "has_neighbours",
    "joinable",
    "journey_facts",
    "materialize_journeys",
    "own_phases",
    "parse_duration",
    "phase_lookup",
    "require_accounts",
    "require_values",
    "touch_pairs",
    "unnumbered",
]


# How each journeys table still in use was built (its events, map and options), so that
# :func:`converting_part` can cut the journeys of converting actors alone from the events.
# Weak keys: an entry goes with its journeys table, and holds nothing that table does not.
_BUILT: weakref.WeakKeyDictionary[ops.Node, tuple[ir.Table, JourneyMap, JourneyOptions]] = (
    weakref.WeakKeyDictionary()
)


def phase_lookup(journey_map: JourneyMap) -> dict[str, str]:
    """Touchpoint -> the first phase the map places it in (what events without a phase get)."""
    lookup: dict[str, str] = {}
    for touchpoint in journey_map.touchpoints:
        first = journey_map.first_phase_of(touchpoint.id)
        if first is not None:
            lookup[touchpoint.id] = first
    return lookup


def build_journeys(
    events: ir.Table, journey_map: JourneyMap, options: JourneyOptions | None = None
) -> ir.Table:
    """Cut events into ordered journeys (see docs/contracts.md, "Journeys").

    Args:
        events: Any Ibis table with the events contract's columns.
        journey_map: The map; it supplies the phase of events that carry none.
        options: How to cut journeys; defaults to :class:`JourneyOptions()`.

    Returns:
        A lazy table with ``journey_id``, ``person_id``, ``account_id``, ``ts``, ``touchpoint``,
        ``phase``, ``persona``, ``conversion``, ``value``, ``step`` and the breakdown columns.

    Raises:
        AnalysisError: if a required column is missing.
    """
    options = options or JourneyOptions()
    journeys = _build(events, journey_map, options)
    _BUILT[journeys.op()] = (events, journey_map, options)
    return journeys


def converting_part(journeys: ir.Table) -> tuple[ir.Table, ir.Table] | None:
    """The journeys of the actors that converted, and the touchpoints of the others' events.

    What the heuristic attribution models read: they credit converting journeys only, and
    the others add nothing but the touchpoints they saw (keys credited with 0). Where few
    people convert, the journeys of those who did are a small part of the events, and cutting
    only them spares most of the sort (at 1M generated journeys, 21 % of the events).

    A journeys table from :func:`build_journeys` is cut again from its events, kept to the
    actors (persons, or accounts when cut per account) with a conversion: their journeys are
    exactly theirs in the whole table. A stored journeys table is kept to its journeys with a
    conversion. Returns None for any other lazy table, which would be computed once more.
    """
    built = _BUILT.get(journeys.op())
    if built is not None:
        events, journey_map, options = built
        kept = converting_actors(events, options)
        part = build_journeys(events.filter(kept), journey_map, options)
        others = events.filter(~kept).select(touchpoint=events.touchpoint.cast(dt.string))
        return part, others.distinct()
    if not isinstance(journeys.op(), ops.PhysicalTable):
        return None
    ids = journeys.filter(journeys.conversion.fill_null(False)).select("journey_id").distinct()
    kept = journeys.journey_id.isin(ids.journey_id).fill_null(False)
    others = journeys.filter(~kept).select("touchpoint").distinct()
    return journeys.filter(kept), others


def converting_journeys(journeys: ir.Table) -> tuple[ir.Table, ir.Table] | None:
    """Lean journeys of the actors that converted, and every touchpoint's conversions.

    For a journeys table from :func:`build_journeys` that ends journeys at conversions, so
    that each journey holds at most one conversion, as its last event; None for any other.
    What the heuristic attribution models read in one query, with no table stored:

    - the journeys of the actors with a conversion (as :func:`converting_part` cuts them)
      without :data:`NEIGHBOUR_COLUMNS`; without a session gap ``step`` is the event's
      position in its actor's events (a journey after a conversion starts past 1), one
      window pass and no join;
    - per touchpoint of all the events (``touchpoint``), its conversion events
      (``conversions``) and their value as an exact decimal sum (``value``): a scan, no sort.
    """
    built = _BUILT.get(journeys.op())
    if built is None or built[2].after_conversion != "end":
        return None
    events, journey_map, options = built
    kept = events.filter(converting_actors(events, options))
    lean = _build(kept, journey_map, options, renumber=False, neighbours=False)
    conversion = events.conversion.cast(dt.boolean).fill_null(False)
    touchpoints = events.group_by(touchpoint=events.touchpoint.cast(dt.string)).aggregate(
        conversions=number(conversion).sum(),
        value=exact_total(events.value.cast(dt.float64), value=True, where=conversion),
    )
    return lean, touchpoints


def built_from(journeys: ir.Table) -> tuple[ir.Table, JourneyMap, JourneyOptions] | None:
    """The events, map and options a journeys table from :func:`build_journeys` was cut with."""
    return _BUILT.get(journeys.op())


def has_neighbours(journeys: ir.Table) -> bool:
    """Whether ``journeys`` carries :data:`NEIGHBOUR_COLUMNS` (each event's neighbours)."""
    return all(c in journeys.columns for c in NEIGHBOUR_COLUMNS)


# What :func:`ends_at_conversions` found for each stored journeys table still in use: the
# table does not change, and an analysis asks once per Markov chain of order 2+.
_ENDS: weakref.WeakKeyDictionary[ops.Node, bool] = weakref.WeakKeyDictionary()


def ends_at_conversions(journeys: ir.Table) -> bool:
    """Whether every conversion in ``journeys`` is the last event of its journey.

    Known without a query for a table from :func:`build_journeys` (``after_conversion``
    "end") and for one :func:`materialize_journeys` stored from it; another stored table
    with :data:`NEIGHBOUR_COLUMNS` is asked in one scan, once (a conversion with an event
    after it in its journey); any other table: False.
    """
    op = journeys.op()
    built = _BUILT.get(op)
    if built is not None:
        return built[2].after_conversion == "end"
    if op in _ENDS:
        return _ENDS[op]
    if not isinstance(op, ops.PhysicalTable) or not has_neighbours(journeys):
        return False
    inside = journeys.conversion.cast(dt.boolean).fill_null(False) & journeys.next_ts.notnull()
    _ENDS[op] = int(journeys.count(where=inside).to_pyarrow().as_py()) == 0
    return _ENDS[op]


def unnumbered(journeys: ir.Table, *, neighbours: bool = True) -> ir.Table:
    """``journeys`` without the join that numbers each journey's steps from 1.

    For a journeys table from :func:`build_journeys` without a session gap, ``step`` is then
    the event's position in its actor's events (plus 1): it still orders a journey's events,
    but a journey after a conversion starts past 1. What a reader of the journeys' order or
    neighbours needs and no more: numbering the later journeys takes a join with the
    conversions, for which the engine keeps every event to read it twice (at 1M generated
    journeys, a quarter of the first-order transition counts' time). Without ``neighbours``
    the journeys also lack :data:`NEIGHBOUR_COLUMNS` and their windows. Any other table is
    returned as it is.
    """
    built = _BUILT.get(journeys.op())
    if built is None:
        return journeys
    return _build(*built, renumber=False, neighbours=neighbours)


def converting_actors(events: ir.Table, options: JourneyOptions) -> ir.BooleanValue:
    """Whether an event's actor (person, or account when cut per account) ever converted."""
    actor = events.person_id.cast(dt.string)
    if options.by == "account":
        actor = ibis.coalesce(events.account_id.cast(dt.string), actor)
    converted = events.conversion.cast(dt.boolean).fill_null(False)
    actors = events.filter(converted).select(_actor=actor).distinct()
    return actor.isin(actors._actor).fill_null(False)


def materialize_journeys(journeys: ir.Table, columns: list[str] | None = None) -> ir.Table:
    """``journeys`` (or its ``columns``) computed once into a temporary table.

    A journey that follows its actor's conversion numbers its steps from the event after
    that conversion, which one query learns from a second look at the numbered events (a
    join with the conversions): the engine then keeps all of them to read them twice. A
    journeys table from :func:`build_journeys` that ends journeys at conversions is stored
    instead with each event's position in its actor's events as the step, and only when
    some actor has more than one journey are the journeys renumbered, from the stored
    table. Any other table is materialized as it is (:func:`materialize`).
    """
    wanted = columns if columns is not None else list(journeys.columns)
    built = _BUILT.get(journeys.op())
    if built is not None and backend_name(built[0]) == "duckdb":
        # One row per event: when they would crowd DuckDB's memory, this table and every one
        # stored after it go to a compressed scratch database (engine._scratch).
        schema = dict(journeys.select(*wanted).schema().items())
        use_scratch_if_large(ibis.get_backend(built[0]), built[0], schema)
    stored = _stored(journeys, wanted, built)
    ends = built is not None and built[2].after_conversion == "end"
    if ends and isinstance(stored.op(), ops.PhysicalTable):
        _ENDS[stored.op()] = True  # as built: ends_at_conversions need not scan the events
    return stored


def _stored(
    journeys: ir.Table,
    wanted: list[str],
    built: tuple[ir.Table, JourneyMap, JourneyOptions] | None,
) -> ir.Table:
    if built is None or built[2].session_gap is not None or built[2].after_conversion != "end":
        return materialize(journeys.select(*wanted))
    numbered = _build(*built, renumber=False)
    stored = materialize(numbered.select(*dict.fromkeys([*wanted, "journey_id", "step"])))
    if not is_temporary(stored):  # no temporary tables on this backend: stay lazy
        return journeys.select(*wanted)
    later = stored.filter(~stored.journey_id.endswith("#0"))  # journeys after a conversion
    if int(later.count().to_pyarrow().as_py()) == 0:
        if list(stored.columns) == wanted:
            return stored
        kept = materialize(stored.select(*wanted))
        drop_temporary(stored)
        return kept
    first = later.group_by("journey_id").aggregate(_first=later.step.min())
    joined = stored.left_join(first, "journey_id")
    step = (joined.step - joined._first.fill_null(1) + 1).cast(dt.int64)
    renumbered = materialize(
        joined.select(*[step.name("step") if c == "step" else joined[c] for c in wanted])
    )
    drop_temporary(stored)
    return renumbered


def _build(
    events: ir.Table,
    journey_map: JourneyMap,
    options: JourneyOptions,
    *,
    renumber: bool = True,
    neighbours: bool = True,
) -> ir.Table:
    missing = [name for name in EVENT_COLUMNS if name not in events.columns]
    if missing:
        raise AnalysisError(
            translate(
                N_(
                    "the events table lacks the column(s) {columns}; import events with "
                    "`journeymap import` or provide the events contract's columns"
                )
            ).format(columns=", ".join(missing))
        )
    lookup = phase_lookup(journey_map)
    mapped_phase = events.touchpoint.substitute(lookup, else_=ibis.null(dt.string))
    # Ties in time keep the file order (row_number), then a stable key. Sort keys that cannot
    # break a tie are left out, and none copies a column: each is carried through the sort.
    keys = ["ts"]
    tiebreak: dict[str, ir.Value] = {}
    if "row_number" in events.columns:
        tiebreak["_row"] = events.row_number.cast(dt.int64)
    if "event_key" in events.columns:
        tiebreak["_tie"] = events.event_key.cast(dt.string)
    keys += [*tiebreak, *([] if "_tie" in tiebreak else ["touchpoint"])]
    base = events.select(
        person_id=events.person_id.cast(dt.string),
        account_id=events.account_id.cast(dt.string),
        ts=events.ts,
        touchpoint=events.touchpoint.cast(dt.string),
        phase=ibis.coalesce(events.phase.cast(dt.string), mapped_phase),
        persona=events.persona.cast(dt.string),
        conversion=events.conversion.cast(dt.boolean).fill_null(False),
        value=events.value.cast(dt.float64),
        **tiebreak,
        **{
            name: breakdown_column(events, name)
            for name in options.breakdown
            if name not in EVENT_COLUMNS
        },
    )
    actor = "person_id"
    if options.by == "account":
        base = base.mutate(_actor=ibis.coalesce(base.account_id, base.person_id))
        actor = "_actor"
        keys.append("person_id")
    extra = [name for name in options.breakdown if name not in EVENT_COLUMNS]
    if options.session_gap is None:
        return _cut_at_conversions(
            base,
            actor,
            keys,
            options.after_conversion == "end",
            extra,
            renumber=renumber,
            neighbours=neighbours,
        )
    # A session gap needs two window passes over the actor's events, both with the same order
    # (DuckDB sorts once per pass): the first reads the neighbours and marks where journeys
    # start, the second numbers the journeys and steps.
    window = ibis.window(group_by=base[actor], order_by=[base[key] for key in keys])
    gap = int(options.session_gap.total_seconds())
    new_journey = (seconds(base.ts) - seconds(base.ts.lag().over(window))) > gap
    if options.after_conversion == "end":
        new_journey = new_journey | base.conversion.lag().over(window).fill_null(False)
    first = base.mutate(
        _new=number(new_journey.fill_null(False)),
        _rn=ibis.row_number().over(window).cast(dt.int64),
        **(_neighbours(base, window) if neighbours else {}),
    )
    order = [first[key] for key in keys]
    window = ibis.window(group_by=first[actor], order_by=order)
    running = ibis.window(group_by=first[actor], order_by=order, preceding=None, following=0)
    starts = first._new == 1
    second = first.mutate(
        _segment=first._new.sum().over(running),
        _start=ibis.ifelse(starts | (first._rn == 0), first._rn, ibis.null(dt.int64))
        .max()
        .over(running),
        _ends=first._new.lead().over(window).fill_null(1) == 1,
    )
    journey_id = second[actor] + ibis.literal("#") + second._segment.cast(dt.string)
    no_time = ibis.null(second.ts.type().copy(nullable=True))
    around = (
        {
            "previous_touchpoint": ibis.ifelse(starts, ibis.null(dt.string), second._prev_tp),
            "previous_ts": ibis.ifelse(starts, no_time, second._prev_ts),
            "next_ts": ibis.ifelse(second._ends, no_time, second._next_ts),
        }
        if neighbours
        else {}
    )
    return second.select(
        journey_id=journey_id,
        **{name: second[name] for name in (*EVENT_COLUMNS, *extra)},
        step=(second._rn - second._start + 1).cast(dt.int64),
        **around,
    )


def _cut_at_conversions(
    base: ir.Table,
    actor: str,
    keys: list[str],
    end_at_conversion: bool,
    extra: list[str],
    *,
    renumber: bool = True,
    neighbours: bool = True,
) -> ir.Table:
    """Journeys without a session gap, in one window pass over each actor's events.

    A journey's number is the count of the actor's conversions before the event (when a
    conversion ends it), so it needs no second pass; the step is the position in the actor's
    events less that of the journey's first event, which follows the previous conversion
    (one join with the conversions). Without ``renumber`` the step is the position in the
    actor's events (:func:`materialize_journeys` renumbers the later journeys afterwards).
    Without ``neighbours`` the journeys lack :data:`NEIGHBOUR_COLUMNS`, and their windows.
    ``actor`` names the column whose events make one actor's journeys.
    """
    order = [base[key] for key in keys]
    window = ibis.window(group_by=base[actor], order_by=order)
    before = ibis.window(group_by=base[actor], order_by=order, rows=(None, -1))
    segment: ir.IntegerValue = ibis.literal(0, dt.int64)
    if end_at_conversion:
        segment = number(base.conversion).sum().over(before).fill_null(0)
    first = base.mutate(
        _segment=segment,
        _rn=ibis.row_number().over(window).cast(dt.int64),
        **(_neighbours(base, window, end_at_conversion) if neighbours else {}),
    )
    if end_at_conversion and renumber:
        # Journey s > 0 starts right after the actor's conversion that ended journey s - 1:
        # a join with the conversions alone, not a grouping of every event.
        ended = first.filter(first.conversion)
        starts = ended.select(
            actor, _segment=ended._segment + 1, _start=(ended._rn + 1).cast(dt.int64)
        )
        first = first.left_join(starts, [actor, "_segment"])
        step = first._rn - first._start.fill_null(0) + 1
        ends = first.conversion
    elif end_at_conversion:
        step, ends = first._rn + 1, first.conversion
    else:
        step, ends = first._rn + 1, ibis.literal(False)
    no_time = ibis.null(first.ts.type().copy(nullable=True))
    around = (
        {
            "previous_touchpoint": ibis.ifelse(first._starts, ibis.null(dt.string), first._prev_tp),
            "previous_ts": ibis.ifelse(first._starts, no_time, first._prev_ts),
            "next_ts": ibis.ifelse(ends, no_time, first._next_ts),
        }
        if neighbours
        else {}
    )
    journeys = first.select(
        journey_id=first[actor] + ibis.literal("#") + first._segment.cast(dt.string),
        **{name: first[name] for name in (*EVENT_COLUMNS, *extra)},
        step=step.cast(dt.int64),
        **around,
    )
    # A relation of its own: metrics join the journeys with tables derived from them, which
    # ibis would otherwise fold into the join above.
    return journeys.view()


def _neighbours(
    base: ir.Table, window: ibis.expr.builders.LegacyWindowBuilder, starts: bool | None = None
) -> dict[str, ir.Value]:
    """The windows the neighbour columns read: the touch before, and the times around.

    With ``starts`` (whether a conversion ends a journey), also whether the event starts one
    (``_starts``), without a session gap.
    """
    first: dict[str, ir.Value] = {}
    if starts is not None:
        first["_starts"] = (
            base.conversion.lag().over(window).fill_null(True)
            if starts
            else base.ts.lag().over(window).isnull()
        )
    return {
        **first,
        "_prev_tp": base.touchpoint.lag().over(window),
        "_prev_ts": base.ts.lag().over(window),
        "_next_ts": base.ts.lead().over(window),
    }
