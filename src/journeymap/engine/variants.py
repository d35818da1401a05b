"""Variants: distinct touchpoint sequences with counts, conversion rate and personas."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pyarrow as pa
from ibis import _

from journeymap.engine._facts import with_sequences
from journeymap.engine._tables import records_table
from journeymap.engine.paths import SEPARATOR, group_sequences

__all__ = ["variant_table", "variants"]


def variants(journeys: ir.Table, top: int = 50, facts: ir.Table | None = None) -> pa.Table:
    """The ``top`` most frequent full touchpoint sequences (repeats kept).

    ``personas`` lists, comma-separated and sorted, the personas whose journeys follow the
    variant, so personas can be grouped by the variants they share. ``facts`` are
    :func:`~journeymap.engine.journeys.journey_facts` with sequences, if already computed.
    """
    facts = with_sequences(journeys, facts)
    per = facts.select("converted", "persona", _tps=facts.touchpoints)
    counts = group_sequences(
        journeys,
        per,
        "_tps",
        [],
        conversions=_.converted.sum(),
        _personas=_.persona.collect(distinct=True),
    )
    counts = counts.mutate(
        variant=ibis.literal(SEPARATOR).join(counts._tps),
        length=counts._tps.length().cast(dt.int64),
    )
    counts = counts.order_by([counts.journeys.desc(), counts.variant]).limit(top)
    return variant_table(counts.drop("_tps").to_pyarrow().to_pylist())


def variant_table(rows: Iterable[dict[str, Any]]) -> pa.Table:
    """The variants table of ranked variant rows, with conversion rates and personas.

    Each row holds ``variant`` (the text), ``length``, ``journeys``, ``conversions`` and
    ``_personas`` (the first personas of its journeys, any order, missing ones allowed).
    """
    rows = list(rows)
    for row in rows:
        row["conversion_rate"] = row["conversions"] / row["journeys"] if row["journeys"] else 0.0
        row["personas"] = ", ".join(sorted(p for p in row.pop("_personas") or [] if p))
    return records_table(
        rows,
        [
            ("variant", pa.string()),
            ("length", pa.int64()),
            ("journeys", pa.int64()),
            ("conversions", pa.int64()),
            ("conversion_rate", pa.float64()),
            ("personas", pa.string()),
        ],
    )
