"""Touchpoint attribution: heuristic, Markov (exact) and Shapley models at any level.

See docs/contracts.md ("Attribution"). The engine aggregates (per-touch weights, transition
counts, distinct key sets); the models run locally on those small results.
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

__all__ = [
    "MODELS",
    "AttributionResult",
    "MarkovResult",
    "SegmentCache",
    "attribute",
    "compare_models",
]
