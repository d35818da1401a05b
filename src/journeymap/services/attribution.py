"""Use case: attribute a workspace's conversions with one or more models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from journeymap.errors import UsageError

__all__ = ["attribute_workspace"]


def attribute_workspace(
    map_path: str | Path,
    db: str | Path | None = None,
    *,
    models: list[str] | None = None,
    level: str = "touchpoint",
    **params: Any,
) -> pa.Table:
    """Load the map, build journeys from the workspace and compare attribution models.

    Args:
        map_path: The journey map file (YAML or JSON).
        db: A DuckDB workspace file (default: the ``workspace.url`` setting).
        models: Model names (default: every model).
        level: ``touchpoint``, ``channel``, ``phase``, ``persona``, ``account`` or a column.
        **params: Model parameters (see :func:`journeymap.attribution.attribute`).

    Returns:
        The long table of :func:`journeymap.attribution.compare_models`.

    Raises:
        UsageError: if the workspace file does not exist.
    """
    from journeymap.analysis.run import quiet_driver
    from journeymap.attribution import compare_models
    from journeymap.engine._tables import drop_temporary, materialize
    from journeymap.engine.journeys import JourneyOptions, build_journeys
    from journeymap.ingest.workspace import Workspace
    from journeymap.mapfile import load_map

    journey_map = load_map(map_path)
    url = None
    if db is not None:
        path = Path(db)
        if not path.is_file():
            raise UsageError(f"{path} does not exist; import events first with `journeymap import`")
        url = f"duckdb:///{path.resolve()}"
    breakdown = (
        [level] if level not in {"touchpoint", "channel", "phase", "persona", "account"} else []
    )
    with quiet_driver():
        events = Workspace(url).events()
        options = JourneyOptions.from_settings(breakdown=breakdown)
        # Computed once: every model reads the journeys (and the segments made from them).
        journeys = materialize(build_journeys(events, journey_map, options))
        try:
            given = {k: v for k, v in params.items() if v is not None}
            return compare_models(journeys, journey_map, level=level, models=models, **given)
        finally:
            drop_temporary(journeys)
