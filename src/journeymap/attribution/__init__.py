"""Touchpoint attribution: heuristic, Markov (exact) and Shapley models at any level.

See docs/contracts.md ("Attribution"). The engine aggregates (per-touch weights, transition
counts, distinct key sets); the models run locally on those small results. Pre-aggregated
path data (ChannelAttribution's format) go in through :func:`from_paths`.
"""

from __future__ import annotations

from journeymap.attribution.api import (
    MODELS,
    AttributionResult,
    SegmentCache,
    attribute,
    compare_models,
)
from journeymap.attribution.markov import MarkovResult
from journeymap.attribution.paths import Paths, from_paths

__all__ = [
    "MODELS",
    "AttributionResult",
    "MarkovResult",
    "Paths",
    "SegmentCache",
    "attribute",
    "compare_models",
    "from_paths",
]
