"""Use case: analyze a workspace's events against a map file and save the result."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from journeymap.analysis import Analysis, analyze
from journeymap.analysis.inputs import no_events_in_period_reason, no_events_reason
from journeymap.analysis.run import quiet_driver
from journeymap.engine.journeys import JourneyOptions
from journeymap.engine.period import in_period
from journeymap.errors import UsageError
from journeymap.i18n.messages import _

__all__ = ["analyze_workspace", "check_out_folder", "workspace_events", "workspace_url"]


def check_out_folder(out: str | Path | None, name: str = "out") -> None:
    """Refuse an output folder that is a file, or lies under one, before anything is analysed.

    The analysis is a folder (``analysis.json`` and a Parquet file per table); written to a
    file's path it failed after the whole analysis with the system's "[Errno 20] Not a
    directory". ``name`` is the option as the caller writes it (``--out``).

    Raises:
        UsageError: naming the file in the way.
    """
    if out is None:
        return
    path = Path(out)
    for candidate in (path, *path.parents):
        if not candidate.exists():
            continue
        if candidate.is_dir():
            return
        if candidate == path:
            raise UsageError(
                _(
                    "{name} {out} is a file, not a folder: the analysis is written into a "
                    "folder (analysis.json and a Parquet file per table); give a folder's path "
                    "(a missing folder is made)"
                ).format(name=name, out=out)
            )
        raise UsageError(
            _(
                "{name} {out} cannot be a folder: {file} is a file; give a folder's path for "
                "the analysis (a missing folder is made)"
            ).format(name=name, out=out, file=candidate)
        )


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
            means "not given" (the setting applies). ``since`` and ``until`` take the period
            (e.g. ``since="2012-01-01", until="2012-02-01"``; ``until`` left out).

    Raises:
        UsageError: if both ``db`` and ``engine`` are given, ``out`` is a file, or the
            period (``since``, ``until``) holds no events.
    """
    from journeymap.mapfile import load_map

    url = workspace_url(db, engine)
    check_out_folder(out)
    journey_map = load_map(map_path)
    events = workspace_events(url)
    given = {name: value for name, value in options.items() if value is not None}
    chosen = JourneyOptions.from_settings(**given)
    with quiet_driver():
        _, period = in_period(events, chosen.since, chosen.until, unit=chosen.by)
    if period is not None and not period.events:
        # As for a workspace without events: the words analyze() raises, an exit code 2 here.
        raise UsageError(no_events_in_period_reason(period))
    analysis = analyze(journey_map, events, chosen, attribution=attribution, progress=progress)
    if out is not None:
        analysis.save(out)
    return analysis
