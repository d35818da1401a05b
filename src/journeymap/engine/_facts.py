"""Per-journey facts, the journeys' touchpoint and phase sequences, and touch pairs."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.types as ir
from ibis import _

from journeymap.engine._columns import UNIT
from journeymap.engine._sequence_codes import sequence_codes
from journeymap.engine._tables import exact_sum, first_text


def journey_facts(
    journeys: ir.Table,
    breakdown: list[str] | None = None,
    *,
    sequences: bool = False,
    phase_of: Mapping[str, str] | None = None,
) -> ir.Table:
    """One row per journey: first/last time, events, whether and when it converted, breakdown.

    Also the last touchpoint and phase (where a journey that did not convert dropped off) and
    the journey's first persona. With ``sequences``, also ``touchpoints`` and ``phases``: the
    journey's touchpoints and phases in order (arrays, nulls kept), from which funnels, paths
    and variants are read without sorting the events again.
    :func:`journeymap.analysis.analyze` computes this once and hands it to every metric (their
    ``facts`` argument); alone, each metric derives what it needs.

    On a stored DuckDB journeys table each event is one integer that sorts by step and
    names its touchpoint and phase (:mod:`journeymap.engine._sequence_codes`): no ordered
    aggregate. On another stored table the sequences are collected as text (an ordered text
    aggregate spills under a memory cap, an ordered list one does not) and split afterwards,
    unless a touchpoint or phase holds :data:`UNIT` or is empty. Either way ``phase_of`` (the
    map's :func:`phase_lookup`) lets the phases be read off the touchpoints when every phase
    is the one the map gives its touchpoint.
    """
    columns: dict[str, Any] = {
        "first_ts": _.ts.min(),
        "last_ts": _.ts.max(),
        "events": _.count(),
        "converted": _.conversion.any(),
        "conversion_ts": _.ts.min(where=_.conversion),
        "value": exact_sum(journeys.value, value=True, where=journeys.conversion),
    }
    for name in dict.fromkeys(["persona", *(breakdown or [])]):
        columns[name] = first_text(journeys[name], journeys.step)  # the first value there
    if not sequences:
        columns["last_touchpoint"] = _.touchpoint.argmax(_.step)
        columns["last_phase"] = _.phase.argmax(_.step)
        return journeys.group_by("journey_id").aggregate(**columns)
    codes = sequence_codes(journeys, phase_of)
    if codes is not None:
        columns["_keys"] = codes.key(journeys).collect(include_null=True)
        facts = journeys.group_by("journey_id").aggregate(**columns)
        facts = facts.mutate(**codes.decode(facts._keys)).drop("_keys")
    else:
        facts = _ordered_sequences(journeys, columns, phase_of)
    # The sequences end with the last event: two ordered aggregates fewer.
    return facts.mutate(last_touchpoint=facts.touchpoints[-1], last_phase=facts.phases[-1])


def _ordered_sequences(
    journeys: ir.Table, columns: dict[str, Any], phase_of: Mapping[str, str] | None
) -> ir.Table:
    """The facts with their sequences from ordered aggregates: text when it can, else lists."""
    as_text, derived = _sequence_plan(journeys, phase_of)
    names = ["touchpoint"] if derived else ["touchpoint", "phase"]
    for name in names:
        column = journeys[name]
        if as_text:
            columns[f"_{name}s"] = column.fill_null("").group_concat(UNIT, order_by=journeys.step)
        else:
            columns[f"{name}s"] = column.collect(order_by=journeys.step, include_null=True)
    facts = journeys.group_by("journey_id").aggregate(**columns)
    if as_text:
        facts = facts.mutate(
            **{
                f"{name}s": facts[f"_{name}s"].split(UNIT).map(lambda x: x.nullif(""))
                for name in names
            }
        ).drop(*(f"_{name}s" for name in names))
    if derived:
        lookup = dict(phase_of or {})
        facts = facts.mutate(
            phases=facts.touchpoints.map(lambda x: x.substitute(lookup, else_=ibis.null(dt.string)))
        )
    return facts


def joinable(journeys: ir.Table, column: str = "touchpoint") -> bool:
    """Whether every value of ``column`` can be joined by :data:`UNIT` and split back."""
    clash = journeys.filter(_unjoinable(journeys[column])).count()
    return not clash.to_pyarrow().as_py()


def _unjoinable(values: ir.StringValue) -> ir.BooleanValue:
    """A value :data:`UNIT` cannot join and split back: one holding it, or the empty text."""
    return values.contains(UNIT) | (values == "")


def own_phases(journeys: ir.Table, phase_of: Mapping[str, str]) -> ir.BooleanScalar:
    """Whether some event's phase is not the one ``phase_of`` gives its touchpoint."""
    mapped = journeys.touchpoint.substitute(dict(phase_of), else_=ibis.null(dt.string))
    return (~journeys.phase.identical_to(mapped)).any()


def _sequence_plan(journeys: ir.Table, phase_of: Mapping[str, str] | None) -> tuple[bool, bool]:
    """(collect the sequences as text, read the phases off the touchpoints).

    Both need a scan of the journeys, so a lazy journeys table (recomputed by every scan)
    keeps the list aggregates.
    """
    if not isinstance(journeys.op(), ops.PhysicalTable):
        return False, False
    # The checks read only the distinct (touchpoint, phase) pairs: a few, where the events
    # are millions (0.17 s -> 0.11 s at 1M journeys, warm, same process).
    pairs = journeys.select("touchpoint", "phase").distinct()
    touchpoint, phase = pairs.touchpoint, pairs.phase
    checks: dict[str, Any] = {
        "clash": _unjoinable(touchpoint).any(),
        "phase_clash": _unjoinable(phase).any(),
    }
    if phase_of is not None:
        checks["own_phase"] = own_phases(pairs, phase_of)
    found = pairs.aggregate(**checks).to_pyarrow().to_pylist()[0]
    derived = phase_of is not None and not found["own_phase"]
    as_text = not found["clash"] and (derived or not found["phase_clash"])
    return as_text, derived


def touch_pairs(
    journeys: ir.Table, facts: ir.Table | None = None, breakdown: list[str] | None = None
) -> ir.Table:
    """One row per journey and touchpoint it touched, with the journey's outcome.

    Columns: ``journey_id``, ``touchpoint``, ``events`` (its events there), ``converted`` (the
    journey), ``before`` (touched before the journey's first conversion: what the drop-off
    correlation counts; see below), ``plain`` (touched by some event that is not a conversion)
    and the breakdown columns. Touchpoint statistics, checkout abandonment and the
    correlation all read it; :func:`journeymap.analysis.analyze` computes it once (their
    ``pairs`` argument).

    The conversion event's own touchpoint counts as touched before the conversion only when
    nothing came before it in the journey: in session-level data (one row per session, with a
    purchase flag) it is the converting session's own channel, while after other touches it
    is the outcome (a signed contract mapped to ``checkout``, BPIC's approval), which would
    put every converting journey among those "with" it (an odds ratio in the millions).
    """
    breakdown = list(breakdown or [])
    if facts is None:
        facts = journey_facts(journeys, breakdown)
    pairs = journeys.group_by(["journey_id", "touchpoint"]).aggregate(
        events=_.count(),
        _plain_ts=_.ts.min(where=~_.conversion),
        _conversion_ts=_.ts.min(where=_.conversion),
        plain=(~_.conversion).any(),
    )
    outcome = facts.select("journey_id", "converted", "conversion_ts", "first_ts", *breakdown)
    joined = pairs.join(outcome, "journey_id")
    alone = (joined._conversion_ts == joined.conversion_ts) & (
        joined.first_ts == joined.conversion_ts
    )
    before = (
        joined.conversion_ts.isnull()
        | (joined._plain_ts <= joined.conversion_ts).fill_null(False)
        | alone.fill_null(False)
    )
    return joined.select(
        "journey_id",
        "touchpoint",
        "events",
        "converted",
        *breakdown,
        before=before,
        plain=joined.plain.fill_null(False),
    )


def with_sequences(
    journeys: ir.Table, facts: ir.Table | None, breakdown: list[str] | None = None
) -> ir.Table:
    """``facts`` if it carries the ``touchpoints``/``phases`` arrays, else facts that do."""
    if facts is not None and "touchpoints" in facts.columns:
        return facts
    return journey_facts(journeys, breakdown, sequences=True)


def outcome_facts(journeys: ir.Table, outcomes: Collection[str]) -> ir.Table:
    """Per journey, its first outcome and where it was before it (for ``outcome`` touchpoints).

    Columns: ``journey_id``, ``outcome`` (the first outcome touchpoint the journey reached, by
    its order; null: none), ``exit_touchpoint`` and ``exit_phase`` (the last touchpoint that is
    no outcome before that outcome, or before the journey's end when it reached none; null
    when an outcome is its first event). BPIC's declined cases go on with work items after the
    decline (4,083 of its cases): those came after the journey's fate, not before it.
    """
    names = list(dict.fromkeys(outcomes))
    is_outcome = journeys.touchpoint.isin(names).fill_null(False)
    firsts = journeys.group_by("journey_id").aggregate(
        outcome=journeys.touchpoint.argmin(journeys.step, where=is_outcome),
        _outcome_step=journeys.step.min(where=is_outcome),
    )
    joined = journeys.select("journey_id", "touchpoint", "phase", "step").join(firsts, "journey_id")
    before = ~joined.touchpoint.isin(names).fill_null(False) & (
        joined._outcome_step.isnull() | (joined.step < joined._outcome_step)
    ).fill_null(False)
    return joined.group_by("journey_id").aggregate(
        outcome=joined.outcome.max(),
        exit_touchpoint=joined.touchpoint.argmax(joined.step, where=before),
        exit_phase=joined.phase.argmax(joined.step, where=before),
    )
