"""DuckDB: the raw transition-count query, the floor no tool can beat."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tasks._common import main

QUERY = """
SELECT touchpoint, next_tp, count(*) AS n
FROM (SELECT touchpoint,
             lead(touchpoint) OVER (PARTITION BY person_id ORDER BY ts) AS next_tp
      FROM read_parquet('{path}'))
GROUP BY ALL
"""


def run(data: Path) -> dict[str, Any]:
    """Return ``{"from > to": count}`` (the end-of-journey rows are left out)."""
    import duckdb

    rows = duckdb.sql(QUERY.format(path=data / "events.parquet")).fetchall()
    return {"transitions": {f"{a} > {b}": n for a, b, n in rows if b is not None}}


if __name__ == "__main__":
    main(run, ("duckdb",))
