"""journeymap: every variant (full touchpoint sequence) with its journey count."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tasks._common import journeys as common_journeys
from benchmarks.tasks._common import main


def run(data: Path) -> dict[str, Any]:
    """Return ``{"variants": count, "digest": hash of the sorted (variant, journeys)}``."""
    from benchmarks.tasks.digest import variants_digest
    from journeymap.engine import variants

    _map, _options, journeys = common_journeys(data)
    table = variants.variants(journeys, top=1_000_000_000)
    pairs = zip(
        table.column("variant").to_pylist(), table.column("journeys").to_pylist(), strict=False
    )
    return variants_digest((variant.split(" > "), count) for variant, count in pairs)


if __name__ == "__main__":
    main(run)
