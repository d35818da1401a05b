"""The summary of an analysis: head counts, top drop-offs and odds ratios, what varies.

Also two counts the tables cannot give: the distinct variants beyond the top ones the
``variants`` table keeps, and per touchpoint the journeys that met it more than once (rework).
And what the tables cannot tell about how far their figures hold (read by
:func:`journeymap.analysis.notes.measurement_notes`): the journeys that may still be open at
the data's end (a journey that reached one of the map's ``outcome`` touchpoints is closed,
not open), the conversions at a journey's first event, and breakdown columns that only
converted journeys carry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa

from journeymap.engine._facts import with_sequences
from journeymap.engine._tables import exact_sum, seconds
from journeymap.engine.journeys import JourneyOptions
from journeymap.engine.paths import group_sequences
from journeymap.model import JourneyMap
from journeymap.model.touchpoints import outcome_ids


def _summary(
    journeys: ir.Table,
    facts: ir.Table,
    journey_map: JourneyMap,
    options: JourneyOptions,
    tables: dict[str, pa.Table],
) -> dict[str, Any]:
    head = (
        facts.aggregate(
            journeys=facts.count(),
            conversions=facts.converted.sum(),
            value=exact_sum(facts.value, value=True),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    events = (
        journeys.aggregate(
            events=journeys.count(),
            conversion_events=journeys.conversion.sum(),
            persons=journeys.person_id.nunique(),
            accounts=journeys.account_id.nunique(),
            first_ts=journeys.ts.min(),
            last_ts=journeys.ts.max(),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    return summary_of(
        {**head, **events},
        journey_map,
        options,
        tables,
        breakdown_varies=_varying(journeys, list(options.breakdown)),
        personas_off_map=_personas_off_map(journeys, journey_map),
        variants_total=_variants_total(journeys, facts),
        measurement=_measurement(
            facts, options, tables, journeys, outcome_ids(journey_map.touchpoints)
        ),
    )


def summary_of(
    figures: dict[str, Any],
    journey_map: JourneyMap,
    options: JourneyOptions,
    tables: dict[str, pa.Table],
    *,
    breakdown_varies: dict[str, int],
    personas_off_map: dict[str, int],
    variants_total: int,
    measurement: dict[str, Any],
) -> dict[str, Any]:
    """The summary from its counted figures and the tables, however they were counted.

    ``figures``: ``journeys``, ``conversions`` (converted journeys), ``value``, ``events``,
    ``conversion_events``, ``persons``, ``accounts``, ``first_ts`` and ``last_ts``.
    """
    count = int(figures["journeys"] or 0)
    conversions = int(figures["conversions"] or 0)
    correlation_rows = tables["correlation"].to_pylist()
    overall = [r for r in correlation_rows if r.get("breakdown") is None]
    positive = [r for r in overall if r["direction"] == "positive"]
    negative = sorted(
        (r for r in overall if r["direction"] == "negative"), key=lambda r: r["odds_ratio"]
    )
    return {
        "map_id": journey_map.id,
        "journeys": count,
        "persons": int(figures["persons"] or 0),
        "accounts": int(figures["accounts"] or 0),
        "events": int(figures["events"] or 0),
        "conversions": conversions,
        # Every conversion event: more than the converted journeys when a journey goes on
        # after its conversion (after_conversion="continue"); what value and credits count.
        "conversion_events": int(figures["conversion_events"] or 0),
        "conversion_rate": conversions / count if count else 0.0,
        "value": float(figures["value"] or 0.0),
        "first_ts": _iso(figures["first_ts"]),
        "last_ts": _iso(figures["last_ts"]),
        "options": options.to_json(),
        "top_dropoffs": tables["dropoff"].slice(0, 5).to_pylist(),
        "top_positive": [_brief(r) for r in positive[:5]],
        "top_negative": [_brief(r) for r in negative[:5]],
        "top_attributed": [],
        "breakdown_varies": breakdown_varies,
        "personas_off_map": personas_off_map,
        "variants_total": variants_total,
        "touchpoint_repeats": _touchpoint_repeats(tables["touchpoint_stats"]),
        **measurement,
    }


def _measurement(
    facts: ir.Table,
    options: JourneyOptions,
    tables: dict[str, pa.Table],
    journeys: ir.Table | None = None,
    outcomes: Collection[str] = (),
) -> dict[str, Any]:
    """``open_journeys``, ``converted_at_first_event``, ``breakdown_converters_only``.

    - ``open_journeys``: the journeys that did not convert and whose last event lies within a
      horizon of the data's last event, so that they may still be under way (right-censored):
      BPIC ends on 14 Mar 2012 with cases still being worked on, counted as drop-offs. The
      horizon is the conversion window when one is set, else the 90th percentile of the time
      to convert; None when neither exists (no window, no conversion). A journey that reached
      one of the map's ``outcomes`` (declined, cancelled) has ended, and is not counted: BPIC's
      2,144 open cases at a 30-day window are 399 once its decisions are outcomes. With
      outcomes, also ``outcomes`` (their ids) and ``ended_in_outcome`` (the journeys within
      the horizon that did not convert and reached one).
    - ``converted_at_first_event``: converted journeys whose first conversion is at the time
      of their first event (0 s in ``time_to_convert``): Olist's 15 journeys that are only the
      won deal pulled its 10th percentile from 2.67 to 1.87 days.
    - ``breakdown_converters_only``: breakdown columns null on every journey that did not
      convert and set on some that did (Olist's ``lead_type``, a field of the won deal):
      column -> converted journeys with a value. Their conversion rates are 100 % by
      construction.
    """
    horizon, basis = horizon_of(options, tables)
    columns = list(dict.fromkeys(options.breakdown))
    end = facts.aggregate(end=seconds(facts.last_ts).max()).to_pyarrow().to_pylist()[0]["end"]
    counts: dict[str, Any] = {
        "at_first": (facts.conversion_ts == facts.first_ts).fill_null(False).sum(),
        "not_converted": (~facts.converted).sum(),
    }
    closed = None
    if outcomes and journeys is not None:
        reached = journeys.filter(journeys.touchpoint.isin(list(outcomes)))
        closed = facts.journey_id.isin(reached.journey_id)
    if horizon is not None and end is not None:
        recent = seconds(facts.last_ts) > float(end) - horizon
        if closed is None:
            counts["open"] = (~facts.converted & recent).sum()
        else:
            counts["open"] = (~facts.converted & recent & ~closed).sum()
            counts["ended"] = (~facts.converted & recent & closed).sum()
    for index, column in enumerate(columns):
        present = facts[column].notnull()
        counts[f"_c{index}"] = (facts.converted & present).sum()
        counts[f"_n{index}"] = (~facts.converted & present).sum()
    found = facts.aggregate(**counts).to_pyarrow().to_pylist()[0]
    return measured(found, horizon, basis, columns, outcomes)


def measured(
    found: dict[str, Any],
    horizon: float | None,
    basis: str,
    columns: list[str],
    outcomes: Collection[str],
) -> dict[str, Any]:
    """The measurement keys of the summary from their counts (see :func:`_measurement`).

    ``found``: ``at_first``, ``not_converted``; ``open`` (and ``ended`` with outcomes) where
    there is a horizon; ``_c{i}`` and ``_n{i}`` per breakdown column ``i``.
    """
    not_converted = int(found["not_converted"] or 0)
    converters_only = {
        column: int(found[f"_c{index}"] or 0)
        for index, column in enumerate(columns)
        if not_converted and not found[f"_n{index}"] and found[f"_c{index}"]
    }
    open_journeys: dict[str, Any] | None = None
    if "open" in found:
        open_journeys = {
            "journeys": int(found["open"] or 0),
            "horizon_seconds": horizon,
            "horizon": basis,
        }
        if "ended" in found:
            open_journeys["outcomes"] = list(outcomes)
            open_journeys["ended_in_outcome"] = int(found["ended"] or 0)
    return {
        "open_journeys": open_journeys,
        "converted_at_first_event": int(found["at_first"] or 0),
        "breakdown_converters_only": converters_only,
    }


def horizon_of(options: JourneyOptions, tables: dict[str, pa.Table]) -> tuple[float | None, str]:
    """Seconds within which a journey may still convert, and what they are."""
    if options.conversion_window is not None:
        return options.conversion_window.total_seconds(), "conversion_window"
    rows = tables["time_to_convert"].to_pylist() if "time_to_convert" in tables else []
    p90 = next((row["seconds"] for row in rows if row["percentile"] == 0.9), None)
    return (None if p90 is None else float(p90)), "time_to_convert_p90"


def _variants_total(journeys: ir.Table, facts: ir.Table) -> int:
    """How many distinct touchpoint sequences (repeats kept) the journeys follow.

    The ``variants`` table keeps the most frequent ones only (``top_variants``): BPIC's 50
    cover 7,446 of 13,087 journeys, out of 4,336 variants that only this count tells.
    Grouped as the ``variants`` table groups them.
    """
    facts = with_sequences(journeys, facts)
    grouped = group_sequences(journeys, facts.select(_tps=facts.touchpoints), "_tps", [])
    return int(grouped.count().to_pyarrow().as_py() or 0)


def _touchpoint_repeats(stats: pa.Table) -> dict[str, int]:
    """Touchpoint -> the journeys that met it more than once, the most first (rework).

    What ``touchpoint_stats``' events against its journeys cannot tell: 13,521 events of one
    touchpoint in 5,011 journeys may be a few journeys looping or most journeys twice.
    Touchpoints no journey met twice are left out. Read off ``touchpoint_stats``
    (``repeat_journeys``), which counts them from the touch pairs it reads anyway.
    """
    counts = [
        (str(row["touchpoint"]), int(row["repeat_journeys"] or 0))
        for row in stats.select(["touchpoint", "repeat_journeys"]).to_pylist()
        if row["touchpoint"]
    ]
    ranked = sorted((c for c in counts if c[1] > 0), key=lambda c: (-c[1], c[0]))
    return dict(ranked)


def _personas_off_map(journeys: ir.Table, journey_map: JourneyMap) -> dict[str, int]:
    """Events per persona value that the map has no persona for, the most frequent first.

    Only for a map with personas: without any, persona values are the data's own grouping.
    """
    known = [persona.id for persona in journey_map.personas]
    if not known:
        return {}
    off = journeys.filter(journeys.persona.notnull() & ~journeys.persona.isin(known))
    counts = off.group_by("persona").aggregate(events=off.count()).to_pyarrow().to_pylist()
    ranked = sorted(counts, key=lambda row: (-int(row["events"]), str(row["persona"])))
    return {str(row["persona"]): int(row["events"]) for row in ranked}


def _varying(journeys: ir.Table, columns: list[str]) -> dict[str, int]:
    """Per breakdown column, the journeys in which it takes more than one value.

    A journey counts under its first value (:func:`journey_facts`): a column that changes
    along a journey (the clerk of each event, the persona of each member of an account)
    breaks the journeys down by where they started, which the reader must be told.
    """
    if not columns:
        return {}
    per = journeys.group_by("journey_id").aggregate(
        **{f"_v{index}": journeys[column].nunique() for index, column in enumerate(columns)}
    )
    found = (
        per.aggregate(
            **{f"_v{index}": (per[f"_v{index}"] > 1).sum() for index in range(len(columns))}
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    counts = {column: int(found[f"_v{index}"] or 0) for index, column in enumerate(columns)}
    return {column: count for column, count in counts.items() if count}


def _brief(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "touchpoint": row["touchpoint"],
        "odds_ratio": row["odds_ratio"],
        "journeys_with": row["journeys_with"],
    }


def _iso(value: Any) -> str | None:
    """A time as ISO 8601 with its offset; a time without a zone is UTC, as analyze reads it."""
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()
    return None if value is None else str(value)
