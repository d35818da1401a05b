"""Paths from the start of a journey: top N with an Other bucket, and Sankey edges."""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from journeymap.engine._tables import materialize, records_table
from journeymap.engine.journeys import JourneyOptions

__all__ = ["OTHER", "SEPARATOR", "journey_paths", "paths", "sankey", "sequence"]

OTHER = "Other"
SEPARATOR = " > "
CONVERTED = "(converted)"
DROPPED = "(dropped)"


def sequence(journeys: ir.Table, collapse_repeats: bool) -> ir.Table:
    """The journeys' touchpoints in order, renumbered as ``seq`` (repeats collapsed if asked)."""
    ordered = ibis.window(group_by=journeys.journey_id, order_by=journeys.step)
    table = journeys.mutate(_converted=journeys.conversion.any().over(group_by=journeys.journey_id))
    if collapse_repeats:
        previous = journeys.touchpoint.lag().over(ordered)
        table = table.filter(previous.isnull() | (previous != table.touchpoint))
    seq = ibis.row_number().over(ibis.window(group_by=table.journey_id, order_by=table.step))
    return table.mutate(seq=(seq + 1).cast("int64"))


def journey_paths(journeys: ir.Table, collapse_repeats: bool) -> ir.Table:
    """One row per journey: ``path`` (touchpoints joined by `` > ``), ``length``, ``converted``."""
    table = sequence(journeys, collapse_repeats)
    grouped = table.group_by("journey_id").aggregate(
        _tps=table.touchpoint.collect(order_by=table.seq),
        converted=table._converted.any(),
        persona=table.persona.first(where=table.persona.notnull(), order_by=table.step),
    )
    return grouped.select(
        "journey_id",
        "converted",
        "persona",
        path=ibis.literal(SEPARATOR).join(grouped._tps),
        length=grouped._tps.length().cast("int64"),
    )


def paths(journeys: ir.Table, options: JourneyOptions) -> pa.Table:
    """Top paths for all, converted and dropped journeys; ``Other`` makes counts add up."""
    per = journey_paths(journeys, options.collapse_repeats)
    counts = materialize(
        per.group_by("path").aggregate(all=per.count(), converted=per.converted.sum())
    )
    counts = counts.mutate(dropped=counts["all"] - counts.converted)
    totals = (
        counts.aggregate(
            all=counts["all"].sum(), converted=counts.converted.sum(), dropped=counts.dropped.sum()
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    rows: list[dict[str, Any]] = []
    for kind in ("all", "converted", "dropped"):
        total = int(totals[kind] or 0)
        top = (
            counts.filter(counts[kind] > 0)
            .order_by([counts[kind].desc(), counts.path])
            .limit(options.top_paths)
            .select("path", journeys=counts[kind])
            .to_pyarrow()
            .to_pylist()
        )
        listed = 0
        for rank, row in enumerate(top, start=1):
            listed += int(row["journeys"])
            rows.append(_path_row(kind, rank, row["path"], int(row["journeys"]), total))
        if total - listed > 0:
            rows.append(_path_row(kind, len(top) + 1, OTHER, total - listed, total))
    return records_table(
        rows,
        [
            ("kind", pa.string()),
            ("rank", pa.int64()),
            ("path", pa.string()),
            ("journeys", pa.int64()),
            ("share", pa.float64()),
        ],
    )


def _path_row(kind: str, rank: int, path: str, journeys: int, total: int) -> dict[str, Any]:
    return {
        "kind": kind,
        "rank": rank,
        "path": path,
        "journeys": journeys,
        "share": journeys / total if total else 0.0,
    }


def sankey(
    journeys: ir.Table, options: JourneyOptions, depth: int = 6, nodes: int = 12
) -> pa.Table:
    """Step-indexed edges (step s -> s+1) of the first ``depth`` steps, ready for a Sankey.

    Touchpoints outside the ``nodes`` most frequent become ``Other``; a journey's last step
    flows into ``(converted)`` or ``(dropped)``. Every node of steps 2..depth has as many
    journeys flowing in as out.
    """
    table = sequence(journeys, options.collapse_repeats)
    table = table.filter(table.seq <= depth + 1)
    frequent = (
        table.group_by("touchpoint")
        .aggregate(n=table.count())
        .order_by([ibis.desc("n"), "touchpoint"])
        .limit(nodes)
        .to_pyarrow()["touchpoint"]
        .to_pylist()
    )
    label = ibis.ifelse(table.touchpoint.isin(frequent), table.touchpoint, OTHER)
    ordered = ibis.window(group_by=table.journey_id, order_by=table.seq)
    nxt = label.lead().over(ordered)
    end = ibis.ifelse(table._converted, CONVERTED, DROPPED)
    edges = table.select(step=table.seq, source=label, target=ibis.coalesce(nxt, end))
    edges = edges.filter(edges.step <= depth)
    counts = edges.group_by(["step", "source", "target"]).aggregate(journeys=edges.count())
    counts = counts.order_by(["step", ibis.desc("journeys"), "source", "target"])
    return records_table(
        counts.to_pyarrow().to_pylist(),
        [
            ("step", pa.int64()),
            ("source", pa.string()),
            ("target", pa.string()),
            ("journeys", pa.int64()),
        ],
    )
