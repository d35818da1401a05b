"""journeymap: Markov attribution (first order) with removal effects, from raw events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tasks._common import journeys, main, markov_answer

ORDER = 1


def run(data: Path, order: int = ORDER) -> dict[str, Any]:
    """Return ``{"removal_effects": {touchpoint: effect}, "conversions": {...}}``."""
    from journeymap.attribution import attribute

    journey_map, _options, table = journeys(data)
    return markov_answer(attribute(table, journey_map, model="markov", order=order))


if __name__ == "__main__":
    main(run)
