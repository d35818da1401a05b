"""The analytics engine: journeys and every metric, written as Ibis expressions.

Each metric module returns small :class:`pyarrow.Table` results whose columns are those of
docs/contracts.md; the heavy work (ordering, windows, aggregation) runs in the backend
(DuckDB by default).
"""

from __future__ import annotations

from journeymap.engine.journeys import JourneyOptions, build_journeys

__all__ = ["JourneyOptions", "build_journeys"]
