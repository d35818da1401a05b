"""The import use case: a map (with its mapping rules) plus an events file into a workspace."""

from __future__ import annotations

from pathlib import Path

from journeymap.errors import RulesError, UsageError
from journeymap.ingest import ImportReport, Workspace, import_events
from journeymap.ingest.importer import ProgressCallback
from journeymap.mapfile import load_map, load_rules
from journeymap.model.mapping import MappingRules

__all__ = ["import_file", "load_import_rules", "workspace_url"]


def workspace_url(db: str | Path | None = None, engine: str | None = None) -> str | None:
    """The workspace URL from ``--db`` (a DuckDB file) or ``--engine`` (an Ibis URL).

    Raises:
        UsageError: Both are given.
    """
    if db is not None and engine is not None:
        raise UsageError(
            "give either --db (a DuckDB file) or --engine (a connection URL), not both"
        )
    if db is not None:
        return f"duckdb:///{Path(db)}"
    return engine


def load_import_rules(map_path: Path, rules_path: Path | None = None) -> MappingRules:
    """The mapping rules: from ``rules_path`` when given, else the map's ``mapping`` section.

    Raises:
        RulesError: Neither holds rules.
    """
    if rules_path is not None:
        return load_rules(rules_path)
    journey_map = load_map(map_path)
    if journey_map.mapping is None:
        raise RulesError(
            f"{map_path} has no 'mapping' section; add one or pass a rules file with --rules"
        )
    return journey_map.mapping


def import_file(
    events_path: str | Path,
    map_path: str | Path,
    *,
    rules_path: str | Path | None = None,
    db: str | Path | None = None,
    engine: str | None = None,
    unmatched: str | None = None,
    format: str | None = None,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import one events file into a workspace with the map's (or a separate) mapping rules.

    Args:
        events_path: The events file (CSV, TSV, Parquet, JSON Lines, XES).
        map_path: The journey map; it is loaded and validated even with ``rules_path``.
        rules_path: A separate rules file instead of the map's ``mapping`` section.
        db: A DuckDB workspace file (default: the ``workspace.url`` setting).
        engine: Any Ibis connection URL instead of ``db``.
        unmatched: ``quarantine`` or ``keep`` rows no rule matches (overrides the rules).
        format: The events format when the file name does not tell it.
        progress: Called with the rows read so far.

    Returns:
        The import's counts.
    """
    if unmatched not in (None, "quarantine", "keep"):
        raise UsageError(f"--unmatched must be 'quarantine' or 'keep', not {unmatched!r}")
    map_file = Path(map_path)
    if rules_path is not None:
        load_map(map_file)  # the map must be valid even when its rules come from elsewhere
    rules = load_import_rules(map_file, Path(rules_path) if rules_path is not None else None)
    with Workspace(workspace_url(db, engine)) as workspace:
        return import_events(
            workspace,
            Path(events_path),
            rules,
            format=format,
            progress=progress,
            unmatched=unmatched,
        )
