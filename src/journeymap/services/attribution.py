"""Use case: attribute a workspace's conversions with one or more models."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from journeymap.errors import UsageError

__all__ = ["PathsAttribution", "attribute_paths_file", "attribute_workspace"]


@dataclass
class PathsAttribution:
    """What :func:`attribute_paths_file` read and the models' credits.

    Attributes:
        table: The long table of :func:`journeymap.attribution.compare_models`.
        rows: Path rows read.
        journeys: Journeys they stand for (conversions plus nulls).
        conversions: Total conversions.
        skipped: Rows left out, by reason.
    """

    table: pa.Table
    rows: int
    journeys: int
    conversions: float
    skipped: dict[str, int] = field(default_factory=dict)


def attribute_paths_file(
    paths_file: str | Path,
    map_path: str | Path | None = None,
    *,
    models: list[str] | None = None,
    level: str = "touchpoint",
    sep: str = ">",
    columns: dict[str, str | None] | None = None,
    **params: Any,
) -> PathsAttribution:
    """Compare attribution models on a file of pre-aggregated paths.

    Args:
        paths_file: CSV/TSV (also gzipped), Parquet or JSON Lines with one row per distinct
            path (ChannelAttribution's format: ``path``, ``total_conversions``,
            ``total_null``, ``total_conversion_value``).
        map_path: A journey map for the channel and phase levels (optional).
        models: Model names (default: every model path data allow).
        level: ``touchpoint``, ``channel`` or ``phase``.
        sep: The separator between touches.
        columns: Column names other than the defaults: ``path``, ``conversions``, ``nulls``,
            ``value`` (see :func:`journeymap.attribution.from_paths`).
        **params: Model parameters (see :func:`journeymap.attribution.attribute`).

    Raises:
        UsageError: if the file does not exist or lacks a named column.
        ReaderError: if the file cannot be read.
    """
    from journeymap.analysis.run import quiet_driver
    from journeymap.attribution import compare_models, from_paths
    from journeymap.ingest.readers import read_events
    from journeymap.mapfile import load_map

    source = Path(paths_file)
    if not source.is_file():
        raise UsageError(f"{source} does not exist")
    journey_map = load_map(map_path) if map_path is not None else None
    batches = list(read_events(source))
    if not batches:
        raise UsageError(f"{source} holds no paths")
    names = {k: v for k, v in (columns or {}).items() if v is not None}
    with (
        quiet_driver(),
        from_paths(pa.Table.from_batches(batches), journey_map, sep=sep, **names) as paths,
    ):
        given = {k: v for k, v in params.items() if v is not None}
        result = compare_models(paths, journey_map, level=level, models=models, **given)
        return PathsAttribution(
            table=result,
            rows=paths.rows,
            journeys=paths.journeys,
            conversions=paths.conversions,
            skipped=paths.skipped,
        )


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
