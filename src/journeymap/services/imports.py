"""The import use case: a map (with its mapping rules) plus an events file into a workspace."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

from journeymap.errors import RulesError, RulesValidationError, UsageError
from journeymap.i18n.messages import _
from journeymap.ingest import ImportReport, import_events
from journeymap.ingest.importer import ProgressCallback
from journeymap.ingest.readers import detect_format
from journeymap.ingest.workspace import open_for_import
from journeymap.mapfile import load_map, load_rules, locate_rules_issues
from journeymap.model import UNMAPPED, JourneyMap
from journeymap.model.mapping import MappingRules

__all__ = ["check_rules_against_map", "import_file", "workspace_url"]


def workspace_url(db: str | Path | None = None, engine: str | None = None) -> str | None:
    """The workspace URL from ``--db`` (a DuckDB file) or ``--engine`` (an Ibis URL).

    Raises:
        UsageError: Both are given.
    """
    if db is not None and engine is not None:
        raise UsageError(
            _("give either --db (a DuckDB file) or --engine (a connection URL), not both")
        )
    if db is not None:
        return f"duckdb:///{Path(db)}"
    return engine


def check_rules_against_map(
    rules: MappingRules, rules_path: Path, journey_map: JourneyMap, map_path: Path
) -> None:
    """Refuse rules from ``rules_path`` that assign a touchpoint or phase the map lacks.

    Raises:
        RulesValidationError: One located issue per unknown id, with a "did you mean" for
            near misses.
    """
    issues = rules.issues_against_map(
        {touchpoint.id for touchpoint in journey_map.touchpoints},
        {phase.id for phase in journey_map.phases},
        str(map_path),
    )
    if issues:
        raise RulesValidationError(locate_rules_issues(rules_path, issues))


def _csv_options(
    path: str | Path, format: str | None, delimiter: str | None, encoding: str | None
) -> dict[str, Any]:
    """The CSV reader's options given; a usage error for a file they do not apply to."""
    options = {"delimiter": delimiter, "encoding": encoding}
    given = {name: value for name, value in options.items() if value is not None}
    if not given:
        return {}
    kind = (format or detect_format(path)).lower()
    if "delimiter" in given and kind not in {"csv", "tsv"}:
        raise UsageError(
            _("--delimiter applies to CSV and TSV files only, not to {file}").format(
                file=Path(path).name
            )
        )
    if "encoding" in given and kind not in {"csv", "tsv", "jsonl"}:
        raise UsageError(
            _("--encoding applies to CSV, TSV and JSON Lines files only, not to {file}").format(
                file=Path(path).name
            )
        )
    if "delimiter" in given:
        given["delimiter"] = {"\\t": "\t", "tab": "\t"}.get(given["delimiter"], given["delimiter"])
        if len(given["delimiter"]) != 1:
            raise UsageError(
                _("--delimiter must be one character (\\t or tab for a tab), not {value}").format(
                    value=repr(delimiter)
                )
            )
    if "encoding" in given:
        try:
            codecs.lookup(given["encoding"])
        except LookupError:
            raise UsageError(
                _(
                    "--encoding {encoding} is no text encoding Python knows (e.g. utf-8, "
                    "cp1252, latin-1)"
                ).format(encoding=repr(encoding))
            ) from None
    return given


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
    replace: bool = False,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> ImportReport:
    """Import one events file into a workspace with the map's (or a separate) mapping rules.

    Args:
        events_path: The events file (CSV, TSV, Parquet, JSON Lines, XES).
        map_path: The journey map; it is loaded and validated even with ``rules_path``.
        rules_path: A separate rules file instead of the map's ``mapping`` section; its fixed
            touchpoints and phases must be on the map.
        db: A DuckDB workspace file (default: the ``workspace.url`` setting).
        engine: Any Ibis connection URL instead of ``db``.
        unmatched: ``quarantine`` or ``keep`` rows no rule matches (overrides the rules).
        format: The events format when the file name does not tell it.
        progress: Called with the rows read so far.
        replace: Map rows an earlier import mapped with other rules again: their events and
            quarantine rows are replaced by this import's, in one transaction on DuckDB.
            Without it they keep the earlier mapping and ``rows_other_rules`` counts them.
        delimiter: The field separator of a CSV/TSV file (``tab`` for a tab), when sniffing
            guesses wrong.
        encoding: The text encoding of a CSV/TSV file, when detection guesses wrong.

    Returns:
        The import's counts.

    Raises:
        RulesValidationError: The rules file is wrong or names touchpoints or phases the map
            does not define; nothing is written.
        IngestError: The events cannot be imported; the workspace is left as it was, and a
            workspace file this call would have created is not left behind.
    """
    if unmatched not in (None, "quarantine", "keep"):
        raise UsageError(
            _("--unmatched must be 'quarantine' or 'keep', not {value}").format(
                value=repr(unmatched)
            )
        )
    reader_options = _csv_options(events_path, format, delimiter, encoding)
    map_file = Path(map_path)
    url = workspace_url(db, engine)
    # The map must be valid even when its rules come from elsewhere, and fit them.
    journey_map = load_map(map_file)
    if rules_path is None:
        if journey_map.mapping is None:
            raise RulesError(
                _(
                    "{file} has no 'mapping' section; add one or pass a rules file with --rules"
                ).format(file=map_file)
            )
        rules = journey_map.mapping  # the map's own rules: checked with the map
    else:
        rules = load_rules(Path(rules_path))
        check_rules_against_map(rules, Path(rules_path), journey_map, map_file)
    with open_for_import(url) as workspace:
        report = import_events(
            workspace,
            Path(events_path),
            rules,
            format=format,
            progress=progress,
            unmatched=unmatched,
            replace=replace,
            **reader_options,
        )
    # Ids taken from the data (touchpoint_from) cannot be checked before reading them.
    known = {touchpoint.id for touchpoint in journey_map.touchpoints} | {UNMAPPED}
    report.off_map = {tp: n for tp, n in report.touchpoints.items() if tp not in known}
    return report
