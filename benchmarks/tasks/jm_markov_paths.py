"""journeymap: first-order Markov attribution on the peers' path-string file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tasks._common import main, paths


def run(data: Path) -> dict[str, Any]:
    """Return ``{"removal_effects": {touchpoint: effect}, "conversions": {...}}``."""
    from journeymap.attribution import attribute

    with paths(data) as source:
        rows = attribute(source, model="markov", order=1).table.to_pylist()
    return {
        "removal_effects": {row["key"]: row.get("removal_effect") for row in rows},
        "conversions": {row["key"]: row["conversions"] for row in rows},
    }


if __name__ == "__main__":
    main(run)
