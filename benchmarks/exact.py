"""The exact first-order Markov removal effects, by a dense linear solve.

The reference for accuracy: states ``(start)``, every channel, ``(conversion)`` and
``(null)``; transition probabilities are the observed transition shares (each journey runs
start -> touchpoints -> conversion or null). The conversion probability from ``start`` is the
absorption probability; removing a channel sends every transition into it to ``(null)``. The
removal effect is ``1 - P(conversion without the channel) / P(conversion)``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

QUERY = """
WITH ordered AS (
  SELECT person_id, touchpoint, conversion,
         lag(touchpoint) OVER (PARTITION BY person_id ORDER BY ts) AS prev,
         lead(touchpoint) OVER (PARTITION BY person_id ORDER BY ts) AS next
  FROM read_parquet('{path}')
), converted AS (
  SELECT person_id, bool_or(conversion) AS conv FROM ordered GROUP BY person_id
)
SELECT coalesce(o.prev, '(start)') AS src, o.touchpoint AS dst, count(*) AS n
FROM ordered o GROUP BY ALL
UNION ALL
SELECT o.touchpoint, CASE WHEN c.conv THEN '(conversion)' ELSE '(null)' END, count(*)
FROM ordered o JOIN converted c USING (person_id) WHERE o.next IS NULL GROUP BY ALL
"""


def transition_counts(events: Path) -> list[tuple[str, str, int]]:
    """``(from, to, count)`` including the start, conversion and null states."""
    import duckdb

    con = duckdb.connect()
    rows = con.execute(QUERY.format(path=events)).fetchall()
    con.close()
    return [(str(a), str(b), int(n)) for a, b, n in rows]


def removal_effects(counts: list[tuple[str, str, int]]) -> dict[str, float]:
    """Removal effect of every channel from ``(from, to, count)`` transitions."""
    channels = sorted({a for a, _, _ in counts} | {b for _, b, _ in counts})
    channels = [c for c in channels if c not in {"(start)", "(conversion)", "(null)"}]
    states = ["(start)", *channels]
    index = {state: i for i, state in enumerate(states)}
    size = len(states)
    matrix = np.zeros((size, size))
    to_conversion = np.zeros(size)
    totals = np.zeros(size)
    for source, target, n in counts:
        i = index[source]
        totals[i] += n
        if target == "(conversion)":
            to_conversion[i] += n
        elif target != "(null)":
            matrix[i, index[target]] += n
    totals[totals == 0] = 1.0
    q = matrix / totals[:, None]
    r = to_conversion / totals

    def conversion_probability(removed: int | None) -> float:
        qq, rr = q.copy(), r.copy()
        if removed is not None:
            qq[:, removed] = 0.0
            qq[removed, :] = 0.0
            rr[removed] = 0.0
        solved = np.linalg.solve(np.eye(size) - qq, rr)
        return float(solved[0])

    base = conversion_probability(None)
    return {channel: 1.0 - conversion_probability(index[channel]) / base for channel in channels}


def exact_removal_effects(events: Path) -> dict[str, float]:
    """The exact removal effects of the events in a Parquet file."""
    return removal_effects(transition_counts(events))
