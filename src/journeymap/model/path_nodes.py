"""The names path tables give the nodes that are not touchpoints.

The engine writes them into the paths and Sankey tables (docs/contracts.md) and the report
translates them, so both read them here, in the layer below both.
"""

from __future__ import annotations

__all__ = ["CONVERTED", "DROPPED", "OTHER"]

OTHER = "Other"  # the touchpoints and paths beyond the top ones
CONVERTED = "(converted)"  # where a converting journey ends
DROPPED = "(dropped)"  # where a journey that did not convert ends
