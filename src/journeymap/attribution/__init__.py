"""Touchpoint attribution: heuristic, Markov (exact) and Shapley models at any level.

See docs/contracts.md ("Attribution"). The engine aggregates (per-touch weights, transition
counts, distinct key sets); the models run locally on those small results. Pre-aggregated
path data (ChannelAttribution's format) go in through :func:`from_paths`.

The models and their engine load on first use: the model names (:data:`MODEL_NAMES`), which
a report of a saved analysis and the command line's help read, need neither.
"""

from __future__ import annotations

import typing as _typing

from journeymap._lazy import lazy_names as _lazy_names
from journeymap.attribution import _settings  # noqa: F401  (registers the settings)
from journeymap.attribution._names import MODEL_NAMES, model_name

if _typing.TYPE_CHECKING:
    from journeymap.attribution.api import (
        MODELS,
        AttributionResult,
        SegmentCache,
        attribute,
        compare_models,
        side_by_side,
    )
    from journeymap.attribution.markov import MarkovResult
    from journeymap.attribution.paths import Paths, from_paths

__all__ = [
    "MODELS",
    "MODEL_NAMES",
    "AttributionResult",
    "MarkovResult",
    "Paths",
    "SegmentCache",
    "attribute",
    "compare_models",
    "from_paths",
    "model_name",
    "side_by_side",
]

_LAZY = {
    "MODELS": "journeymap.attribution.api",
    "AttributionResult": "journeymap.attribution.api",
    "SegmentCache": "journeymap.attribution.api",
    "attribute": "journeymap.attribution.api",
    "compare_models": "journeymap.attribution.api",
    "side_by_side": "journeymap.attribution.api",
    "MarkovResult": "journeymap.attribution.markov",
    "Paths": "journeymap.attribution.paths",
    "from_paths": "journeymap.attribution.paths",
}


__getattr__, __dir__ = _lazy_names(__name__, _LAZY, globals())
