"""journeymap: first-order Markov attribution on the peers' path-string file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tasks._common import main, markov_answer, paths


def run(data: Path) -> dict[str, Any]:
    """Return ``{"removal_effects": {touchpoint: effect}, "conversions": {...}}``."""
    from journeymap.attribution import attribute

    with paths(data) as source:
        return markov_answer(attribute(source, model="markov", order=1))


if __name__ == "__main__":
    main(run)
