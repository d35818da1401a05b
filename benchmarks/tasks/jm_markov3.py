"""journeymap: Markov attribution of order 3 (states are touchpoint triples), from raw events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tasks._common import main
from benchmarks.tasks.jm_markov import run as markov


def run(data: Path) -> dict[str, Any]:
    """The order-3 removal effects and conversions per touchpoint."""
    return markov(data, order=3)


if __name__ == "__main__":
    main(run)
