"""Paths from the start of a journey: top N with an Other bucket, and Sankey edges.

Both read the same compressed table, :func:`path_counts`: each distinct path (repeats
collapsed if asked) with how many journeys followed it, converted or not. The engine builds it
in one ordered aggregation; everything after works on distinct paths, not on events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pyarrow as pa
from ibis import _
from ibis.common.deferred import Deferred

from journeymap.engine._facts import with_sequences
from journeymap.engine._tables import drop_temporary, materialize, records_table, scratch
from journeymap.engine.journeys import UNIT, JourneyOptions, joinable
from journeymap.model.path_nodes import CONVERTED, DROPPED, OTHER

__all__ = [
    "CONVERTED",
    "DROPPED",
    "KINDS",
    "OTHER",
    "SEPARATOR",
    "group_sequences",
    "path_counts",
    "path_table",
    "paths",
    "sankey",
    "sankey_table",
]

SEPARATOR = " > "
KINDS = ("all", "converted", "dropped")
"""The kinds of journeys the paths table ranks paths of, in its order."""


def path_counts(
    journeys: ir.Table, collapse_repeats: bool, facts: ir.Table | None = None
) -> ir.Table:
    """Distinct paths: ``path`` (array of touchpoints), ``converted``, ``journeys``.

    A journey's path is its touchpoints in order (the ``touchpoints`` of
    :func:`~journeymap.engine.journeys.journey_facts`); with ``collapse_repeats`` a
    touchpoint repeated back to back counts once.
    """
    facts = with_sequences(journeys, facts)
    path = facts.touchpoints
    if collapse_repeats:
        path = path.filter(lambda tp, i: (i == 0) | (tp != path[i - 1]))
    return group_sequences(journeys, facts.select("converted", path=path), "path", ["converted"])


def group_sequences(
    journeys: ir.Table, table: ir.Table, column: str, keys: list[str], **aggregates: Deferred
) -> ir.Table:
    """``table`` grouped by the array ``column`` and ``keys``, with ``journeys`` counted.

    The arrays are grouped as text joined by U+001F and split back in the small result: under
    a memory cap, 10M journeys grouped by array keys ran out of memory, and text keys are what
    DuckDB can spill. Should a touchpoint contain U+001F or be empty, the arrays themselves are
    the keys.
    """
    aggregates = {"journeys": _.count(), **aggregates}  # deferred: bound to either grouping
    if not joinable(journeys):
        return table.group_by([column, *keys]).aggregate(**aggregates)
    text = table.mutate(**{column: ibis.literal(UNIT).join(table[column])})
    grouped = text.group_by([column, *keys]).aggregate(**aggregates)
    return grouped.mutate(**{column: grouped[column].split(UNIT)})


def paths(
    journeys: ir.Table,
    options: JourneyOptions,
    counts: ir.Table | None = None,
    facts: ir.Table | None = None,
) -> pa.Table:
    """Top paths for all, converted and dropped journeys; ``Other`` makes counts add up.

    Args:
        journeys: The journeys table.
        options: ``top_paths`` and ``collapse_repeats``.
        counts: :func:`path_counts` of the journeys, when already computed.
        facts: :func:`~journeymap.engine.journeys.journey_facts` with sequences, if computed.
    """
    if counts is None:
        counts = path_counts(journeys, options.collapse_repeats, facts)
    # Grouped by the text shown (text keys spill; distinct paths give distinct texts unless
    # a touchpoint holds " > ", and then they read the same anyway).
    shown = counts.mutate(text=ibis.literal(SEPARATOR).join(counts.path))
    per = shown.group_by("text").aggregate(
        all=shown.journeys.sum(),
        converted=shown.journeys.sum(where=shown.converted).fill_null(0),
    )
    per = per.mutate(dropped=per["all"] - per.converted)
    per = materialize(per)  # read four times below
    totals = per.aggregate(**{kind: per[kind].sum() for kind in KINDS}).to_pyarrow().to_pylist()
    tops: dict[str, list[tuple[str | None, int]]] = {}
    for kind in KINDS:
        top = per.filter(per[kind] > 0).order_by([per[kind].desc(), per.text])
        top = top.limit(options.top_paths).select(path=per.text, journeys=per[kind])
        found = top.to_pyarrow().to_pylist()
        tops[kind] = [(row["path"], int(row["journeys"])) for row in found]
    drop_temporary(per)
    return path_table(tops, {kind: int(totals[0][kind] or 0) for kind in KINDS})


def path_table(
    tops: Mapping[str, Sequence[tuple[str | None, int]]], totals: Mapping[str, int]
) -> pa.Table:
    """The paths table of each kind's top paths, ranked, and its journeys; ``Other`` the rest.

    Args:
        tops: Per kind of :data:`KINDS`, its top paths as (text, journeys), the first first.
        totals: Per kind, how many journeys it holds.
    """
    rows: list[dict[str, Any]] = []
    for kind in KINDS:
        total = totals[kind]
        listed = 0
        found = tops[kind]
        for rank, (path, journeys) in enumerate(found, start=1):
            listed += journeys
            rows.append(_path_row(kind, rank, path, journeys, total))
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


def _path_row(kind: str, rank: int, path: str | None, journeys: int, total: int) -> dict[str, Any]:
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
    depth: int | None = None,
    nodes: int = 12,
    counts: ir.Table | None = None,
) -> pa.Table:
    """Step-indexed edges (step s -> s+1) of the first ``depth`` steps, ready for a Sankey.

    Touchpoints outside the ``nodes`` most frequent become ``Other``; a journey's last step
    flows into ``(converted)`` or ``(dropped)``, and so does the ``depth``-th step of a
    longer journey (its outcome comes later), so every journey reaches an outcome: before,
    a log whose conversions come at step 11 showed no ``(converted)`` at all. Every node of
    steps 2..depth has as many journeys flowing in as out.
    ``depth`` defaults to ``options.sankey_steps``.
    """
    depth = depth or options.sankey_steps
    if counts is None:
        with scratch(path_counts(journeys, options.collapse_repeats)) as counts:
            return sankey(journeys, options, depth, nodes, counts)
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
                step=ibis.literal(step, dt.int64),
                source=label(counts.path[step - 1]),
                target=ibis.ifelse((length > step) & (step < depth), label(counts.path[step]), end),
                n=counts.journeys,
            )
            for step in range(1, depth + 1)
        ]
    )
    totals = edges.group_by(["step", "source", "target"]).aggregate(journeys=edges.n.sum())
    totals = totals.order_by(["step", ibis.desc("journeys"), "source", "target"])
    return sankey_table(totals.to_pyarrow().to_pylist())


def sankey_table(rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """The Sankey table of edge rows (``step``, ``source``, ``target``, ``journeys``), in order."""
    return records_table(
        rows,
        [
            ("step", pa.int64()),
            ("source", pa.string()),
            ("target", pa.string()),
            ("journeys", pa.int64()),
        ],
    )
