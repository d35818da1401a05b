"""Drop-off correlation: odds of converting for journeys that did vs did not touch a touchpoint.

The 2x2 table of a touchpoint holds ``cw`` / ``nw``, converted / all journeys with it, and
``cwo`` / ``nwo`` those without. Each of its two rows gets ``2 * prior`` pseudo-journeys at the
overall conversion rate ``r = (cw + cwo) / (nw + nwo)`` (``2 * prior * r`` converted, the rest
not)::

    odds_ratio = (cw + 2ar) * (nwo - cwo + 2a(1 - r)) / ((nw - cw + 2a(1 - r)) * (cwo + 2ar))

so the estimate is drawn towards "no difference" (an odds ratio of 1), never past it. At a
50 % rate that is the classic ``prior`` added to every cell; with rare conversions the classic
prior outweighed the data: 0 of 62 journeys with a touchpoint converting against 6 of 7,057
without read as an odds ratio of 16 with a 95 % interval of 1.9 to 132. The confidence
interval is Woolf's on the same table, ``exp(log(OR) +- z * sqrt(sum(1/cell)))``, and a row
has a direction (``positive``, ``negative``) only when its interval leaves out 1; otherwise
``none``. Where nobody or everybody converted the ratio is undefined (NaN, direction ``none``).

A journey touched a touchpoint if it met it before its first conversion. The conversion
event's own touchpoint counts only when nothing came before it in the journey: in
session-level data (one row per session with a purchase flag) the converting session's channel
is the conversion event's touchpoint, while after other touches the conversion event is the
outcome itself (a signed contract mapped to ``checkout``: every converting journey would
count as one with checkout). A touchpoint that only conversion events reach is the outcome,
not a driver, and is left out; so is one with fewer than ``correlation_min_support`` journeys
with it or without it (a touchpoint every journey met has nothing to be compared with).

The map's ``outcome`` touchpoints (declined, cancelled, lost, closed) are left out too: every
declined journey met "declined", so it would top the drivers by construction (BPIC's
A_DECLINED read an odds ratio near 0, its A_REGISTERED one in the tens of thousands). The
``outcomes`` table counts the journeys per outcome instead.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from statistics import NormalDist
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa

from journeymap.engine._pair_counts import touch_pair_counts
from journeymap.engine._tables import nulls_last, records_table
from journeymap.engine.journeys import JourneyOptions, journey_facts

__all__ = ["correlation", "direction", "odds_ratio"]


def odds_ratio(
    converted_with: int,
    journeys_with: int,
    converted_without: int,
    journeys_without: int,
    prior: float = 1.0,
    confidence: float = 0.95,
) -> tuple[float, float, float]:
    """(odds ratio, CI low, CI high) with ``2 * prior`` journeys per row at the overall rate.

    >>> [round(x, 3) for x in odds_ratio(0, 62, 6, 7057)][0]
    0.031
    >>> _ratio, low, high = odds_ratio(0, 62, 6, 7057)
    >>> low < 1 < high
    True
    """
    journeys = journeys_with + journeys_without
    rate = (converted_with + converted_without) / journeys if journeys else 0.0
    if not 0 < rate < 1:
        return (math.nan, math.nan, math.nan)
    a = converted_with + 2 * prior * rate
    b = journeys_with - converted_with + 2 * prior * (1 - rate)
    c = converted_without + 2 * prior * rate
    d = journeys_without - converted_without + 2 * prior * (1 - rate)
    if min(a, b, c, d) <= 0:
        return (math.nan, math.nan, math.nan)
    ratio = (a * d) / (b * c)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    spread = z * math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return (ratio, math.exp(math.log(ratio) - spread), math.exp(math.log(ratio) + spread))


def direction(low: float, high: float) -> str:
    """``positive`` or ``negative`` when the interval leaves out 1, else ``none``."""
    if low > 1:
        return "positive"
    if high < 1:
        return "negative"
    return "none"


def correlation(
    journeys: ir.Table,
    options: JourneyOptions,
    facts: ir.Table | None = None,
    pair_counts: ir.Table | None = None,
    outcomes: Collection[str] = (),
) -> pa.Table:
    """Per touchpoint (and per breakdown value) the odds ratio of converting (contract table).

    Rows with fewer than ``correlation_min_support`` journeys touching, or not touching, are
    left out, as are touchpoints only conversion events reach and the ``outcomes`` (the map's
    outcome touchpoints: end states, not drivers; see the module doc); rows are
    sorted by odds ratio, highest first. ``pair_counts`` is
    :func:`~journeymap.engine._pair_counts.touch_pair_counts` of the journeys with the
    breakdown columns, if already computed.
    """
    breakdown = list(options.breakdown)
    if facts is None:
        facts = journey_facts(journeys, breakdown)
    if pair_counts is None:
        pair_counts = touch_pair_counts(journeys, facts, breakdown)
    facts = facts.select("journey_id", "converted", *breakdown)
    # Only touches up to the first conversion can explain it: with after_conversion="continue",
    # retention touchpoints met after the purchase would otherwise look like causes.
    joined = pair_counts.filter(pair_counts.before)
    if outcomes:
        joined = joined.filter(~joined.touchpoint.isin(list(outcomes)).fill_null(False))
    rows: list[dict[str, Any]] = []
    groupings: list[str | None] = [None, *breakdown]
    for column in groupings:
        keys = ["touchpoint"] + ([column] if column else [])
        per = joined.group_by(keys).aggregate(
            journeys_with=joined.journeys.sum(),
            converted_with=joined.journeys.sum(where=joined.converted),
            plain=joined.plain.any(),
        )
        group_keys = [column] if column else []
        if group_keys:
            totals_expr = facts.group_by(group_keys).aggregate(
                n=facts.count(), c=facts.converted.sum()
            )
        else:
            totals_expr = facts.aggregate(n=facts.count(), c=facts.converted.sum())
        totals = {
            (row[column] if column else None): row for row in totals_expr.to_pyarrow().to_pylist()
        }
        for row in per.to_pyarrow().to_pylist():
            value = row[column] if column else None
            total = totals[value]
            found = correlation_row(
                row["touchpoint"],
                (int(row["journeys_with"]), int(row["converted_with"] or 0)),
                (int(total["n"]), int(total["c"] or 0)),
                bool(row["plain"]),
                options,
                (column, value),
            )
            if found is not None:
                rows.append(found)
    return correlation_table(rows, breakdown)


def correlation_row(
    touchpoint: str | None,
    touched: tuple[int, int],
    total: tuple[int, int],
    plain: bool,
    options: JourneyOptions,
    group: tuple[str | None, Any] = (None, None),
) -> dict[str, Any] | None:
    """A ``correlation`` row of a touchpoint, or None where it is left out.

    ``touched`` is (journeys, converted) of those that touched it before converting,
    ``total`` (journeys, converted) of all journeys (of the breakdown ``group``: column and
    value), ``plain`` whether an event that is no conversion touched it. Both the Ibis path
    and :mod:`journeymap.engine._local_stats` make the rows here.
    """
    (nw, cw), (n, c) = touched, total
    nwo, cwo = n - nw, c - cw
    if not plain or min(nw, nwo) < options.correlation_min_support:
        return None
    ratio, low, high = odds_ratio(cw, nw, cwo, nwo, options.correlation_prior, options.confidence)
    return {
        "touchpoint": touchpoint,
        "breakdown": group[0],
        "breakdown_value": group[1],
        "journeys_with": nw,
        "converted_with": cw,
        "journeys_without": nwo,
        "converted_without": cwo,
        "odds_ratio": ratio,
        "ci_low": low,
        "ci_high": high,
        "direction": direction(low, high),
    }


def correlation_table(rows: list[dict[str, Any]], breakdown: list[str]) -> pa.Table:
    """The ``correlation`` table of :func:`correlation_row`'s rows, highest odds ratio first."""
    rows = sorted(
        rows,
        key=lambda r: (
            r["breakdown"] or "",
            r["breakdown_value"] or "",
            -(r["odds_ratio"] if not math.isnan(r["odds_ratio"]) else 0),
            *nulls_last(r["touchpoint"]),  # a missing touchpoint last among equals
        ),
    )
    columns: list[tuple[str, pa.DataType]] = [("touchpoint", pa.string())]
    if breakdown:
        columns += [("breakdown", pa.string()), ("breakdown_value", pa.string())]
    columns += [
        ("journeys_with", pa.int64()),
        ("converted_with", pa.int64()),
        ("journeys_without", pa.int64()),
        ("converted_without", pa.int64()),
        ("odds_ratio", pa.float64()),
        ("ci_low", pa.float64()),
        ("ci_high", pa.float64()),
        ("direction", pa.string()),
    ]
    return records_table(rows, columns)
