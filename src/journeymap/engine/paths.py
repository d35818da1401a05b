"""Paths from the start of a journey: top N with an Other bucket, and Sankey edges.

Both read the same compressed table, :func:`path_counts`: each distinct path (repeats
collapsed if asked) with how many journeys followed it, converted or not. The engine builds it
in one ordered aggregation; everything after works on distinct paths, not on events.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from journeymap.engine._tables import records_table
from journeymap.engine.journeys import JourneyOptions

__all__ = ["CONVERTED", "DROPPED", "OTHER", "SEPARATOR", "path_counts", "paths", "sankey"]

OTHER = "Other"
SEPARATOR = " > "
CONVERTED = "(converted)"
DROPPED = "(dropped)"


def path_counts(journeys: ir.Table, collapse_repeats: bool) -> ir.Table:
    """Distinct paths: ``path`` (array of touchpoints), ``converted``, ``journeys``.

    A journey's path is its touchpoints in order; with ``collapse_repeats`` a touchpoint
    repeated back to back counts once (``previous_touchpoint`` tells, no re-sorting).
    """
    keep = None
    if collapse_repeats:
        previous = journeys.previous_touchpoint
        keep = previous.isnull() | (previous != journeys.touchpoint)
    per = journeys.group_by("journey_id").aggregate(
        path=journeys.touchpoint.collect(where=keep, order_by=journeys.step),
        converted=journeys.conversion.any(),
    )
    return per.group_by(["path", "converted"]).aggregate(journeys=per.count())


def paths(journeys: ir.Table, options: JourneyOptions, counts: ir.Table | None = None) -> pa.Table:
    """Top paths for all, converted and dropped journeys; ``Other`` makes counts add up.

    Args:
        journeys: The journeys table.
        options: ``top_paths`` and ``collapse_repeats``.
        counts: :func:`path_counts` of the journeys, when already computed.
    """
    if counts is None:
        counts = path_counts(journeys, options.collapse_repeats)
    per = counts.group_by("path").aggregate(
        all=counts.journeys.sum(),
        converted=counts.journeys.sum(where=counts.converted).fill_null(0),
    )
    per = per.mutate(dropped=per["all"] - per.converted)
    rows: list[dict[str, Any]] = []
    for kind in ("all", "converted", "dropped"):
        ranked = per.filter(per[kind] > 0).mutate(
            _text=ibis.literal(SEPARATOR).join(per.path), _n=per[kind]
        )
        top = ranked.order_by([ranked._n.desc(), ranked._text]).limit(options.top_paths)
        total = int(per[kind].sum().to_pyarrow().as_py() or 0)
        listed = 0
        found = top.select(path=top._text, journeys=top._n).to_pyarrow().to_pylist()
        for rank, row in enumerate(found, start=1):
            listed += int(row["journeys"])
            rows.append(_path_row(kind, rank, row["path"], int(row["journeys"]), total))
        if total - listed > 0:
            rows.append(_path_row(kind, len(found) + 1, OTHER, total - listed, total))
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
    journeys: ir.Table,
    options: JourneyOptions,
    depth: int = 6,
    nodes: int = 12,
    counts: ir.Table | None = None,
) -> pa.Table:
    """Step-indexed edges (step s -> s+1) of the first ``depth`` steps, ready for a Sankey.

    Touchpoints outside the ``nodes`` most frequent become ``Other``; a journey's last step
    flows into ``(converted)`` or ``(dropped)``. Every node of steps 2..depth has as many
    journeys flowing in as out.
    """
    if counts is None:
        counts = path_counts(journeys, options.collapse_repeats)
    length = counts.path.length()
    visits = ibis.union(
        *[
            counts.filter(length > s).select(touchpoint=counts.path[s], n=counts.journeys)
            for s in range(depth + 1)
        ]
    )
    frequent = (
        visits.group_by("touchpoint")
        .aggregate(n=visits.n.sum())
        .order_by([ibis.desc("n"), "touchpoint"])
        .limit(nodes)
        .to_pyarrow()["touchpoint"]
        .to_pylist()
    )

    def label(value: ir.StringValue) -> ir.StringValue:
        return ibis.ifelse(value.isin(frequent), value, OTHER)

    end = ibis.ifelse(counts.converted, CONVERTED, DROPPED)
    edges = ibis.union(
        *[
            counts.filter(length >= step).select(
                step=ibis.literal(step, "int64"),
                source=label(counts.path[step - 1]),
                target=ibis.ifelse(length > step, label(counts.path[step]), end),
                n=counts.journeys,
            )
            for step in range(1, depth + 1)
        ]
    )
    totals = edges.group_by(["step", "source", "target"]).aggregate(journeys=edges.n.sum())
    totals = totals.order_by(["step", ibis.desc("journeys"), "source", "target"])
    return records_table(
        totals.to_pyarrow().to_pylist(),
        [
            ("step", pa.int64()),
            ("source", pa.string()),
            ("target", pa.string()),
            ("journeys", pa.int64()),
        ],
    )
