"""Use case: analyze a workspace's events against a map file and save the result."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from journeymap.analysis import Analysis, analyze
from journeymap.analysis.inputs import no_events_reason
from journeymap.analysis.run import quiet_driver
from journeymap.errors import UsageError
from journeymap.i18n.messages import _

__all__ = ["analyze_workspace", "workspace_events", "workspace_url"]


def workspace_url(db: str | Path | None, engine: str | None) -> str | None:
    """The workspace to read: a DuckDB file (``--db``), an engine URL (``--engine``) or None.

    None means the ``workspace.url`` setting.

    Raises:
        UsageError: if both are given, or the DuckDB file does not exist.
    """
    if db is not None and engine is not None:
        raise UsageError(_("give either --db or --engine, not both"))
    if db is None:
        return engine
    path = Path(db)
    if not path.is_file():
        raise UsageError(
            _("{path} does not exist; import events first with `journeymap import`").format(
                path=path
            )
        )
    return f"duckdb:///{path.resolve()}"


def workspace_events(url: str | None) -> Any:
    """The events of the workspace at ``url``, opened to read only.

    Raises:
        UsageError: if the workspace holds no events: an analysis of nothing would print
            empty tables and succeed.
    """
    from journeymap.ingest.workspace import Workspace

    with quiet_driver():
        workspace = Workspace(url, read_only=True)
        where = workspace.display_url.removeprefix("duckdb:///")
        if not workspace.has_table("events"):
            # A database journeymap never imported into (a typo in the URL's database name,
            # say): said as such; reading it creates nothing there.
            workspace.close()
            raise UsageError(
                _(
                    "the workspace {where} has no journeymap events table: nothing was imported "
                    "into this database (check its name in the URL); import events first with "
                    "`journeymap import EVENTS --map MAP --engine URL`"
                ).format(where=where)
            )
        events = workspace.events()
        if int(events.count().to_pyarrow().as_py()) > 0:
            return events
        # The words analyze() raises for the same workspace (an exit code 2 here).
        reason = no_events_reason(workspace)
        workspace.close()
    raise UsageError(reason)


def analyze_workspace(
    map_path: str | Path,
    db: str | Path | None = None,
    engine: str | None = None,
    out: str | Path | None = None,
    *,
    attribution: bool | Mapping[str, Any] = True,
    progress: Callable[[str], None] | None = None,
    **options: Any,
) -> Analysis:
    """Load the map, analyze the workspace's events and (if ``out``) save the result.

    Args:
        map_path: The journey map file (YAML or JSON).
        db: A DuckDB workspace file; ``engine`` and ``db`` are alternatives.
        engine: An engine URL (``duckdb:///...``, ``postgres://...``); default: the
            ``workspace.url`` setting.
        out: A folder for ``analysis.json`` and the Parquet tables.
        attribution: Include every attribution model (the slower part of an analysis); a
            mapping gives their parameters (see :func:`journeymap.analysis.analyze`).
        progress: Called with each step's name as it starts (see ``analyze``).
        **options: :class:`~journeymap.engine.journeys.JourneyOptions` fields; ``None``
            means "not given" (the setting applies).

    Raises:
        UsageError: if both ``db`` and ``engine`` are given.
    """
    from journeymap.mapfile import load_map

    url = workspace_url(db, engine)
    journey_map = load_map(map_path)
    events = workspace_events(url)
    given = {name: value for name, value in options.items() if value is not None}
    analysis = analyze(journey_map, events, attribution=attribution, progress=progress, **given)
    if out is not None:
        analysis.save(out)
    return analysis
