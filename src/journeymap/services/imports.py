"""The import use case: a map (with its mapping rules) plus an events file into a workspace."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

from journeymap.errors import RulesError, RulesValidationError, UsageError
from journeymap.i18n.messages import _, count, n_
from journeymap.ingest import DUPLICATE, ImportReport, import_events
from journeymap.ingest.importer import ProgressCallback
from journeymap.ingest.readers import detect_format
from journeymap.ingest.report import MALFORMED, SAME_EVENT
from journeymap.ingest.workspace import open_for_import
from journeymap.mapfile import load_map, load_rules, locate_rules_issues
from journeymap.model import UNMAPPED, JourneyMap
from journeymap.model.mapping import MappingRules

__all__ = ["check_rules_against_map", "import_file", "import_notes", "workspace_url"]


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


def import_notes(report: ImportReport) -> list[str]:
    """What an import did beyond its counts that the user should know, in their language.

    Events made again from other rows (``same event already imported``), the row an exact
    duplicate repeats, rows this import took out of the quarantine, values that are no finite
    number, local times in a daylight saving gap or overlap. The command line prints them
    after the counts, as it prints its other notes.
    """
    notes: list[str] = []
    same_event = _(SAME_EVENT)
    if report.rows_same_event_stored:
        rows = report.rows_same_event_stored
        notes.append(
            n_(
                "Note: {count} row maps to an event already in the workspace from another row "
                "(same person, account, time, touchpoint, phase, persona, conversion, value and "
                "kept columns), as when the same events are exported again in another form: it "
                "was quarantined as '{reason}', not imported again. If it is a distinct event, "
                "import again with duplicates: keep in the rules and --replace.",
                "Note: {count} rows map to events already in the workspace from other rows "
                "(same person, account, time, touchpoint, phase, persona, conversion, value and "
                "kept columns), as when the same events are exported again in another form: "
                "they were quarantined as '{reason}', not imported again. If they are distinct "
                "events, import again with duplicates: keep in the rules and --replace.",
                rows,
            ).format(count=count(rows), reason=same_event)
        )
    if report.rows_same_event_in_input and report.same_event_example is not None:
        rows = report.rows_same_event_in_input
        row, earlier = report.same_event_example
        notes.append(
            n_(
                "Note: {count} row maps to the same event as an earlier row of this file (row "
                "{row}, the event of row {earlier}) and was quarantined as '{reason}'. If it is "
                "a distinct event, import again with duplicates: keep in the rules and "
                "--replace.",
                "Note: {count} rows map to the same event as an earlier row of this file (the "
                "first: row {row}, the event of row {earlier}) and were quarantined as "
                "'{reason}'. If they are distinct events, import again with duplicates: keep "
                "in the rules and --replace.",
                rows,
            ).format(count=count(rows), row=count(row), earlier=count(earlier), reason=same_event)
        )
    if report.duplicate_example is not None:
        row, first = report.duplicate_example
        notes.append(
            _(
                "Note: the rows quarantined as exact duplicates repeat earlier rows of the file "
                "(the first: row {row}, a copy of row {first})."
            ).format(row=count(row), first=count(first))
        )
    copies = report.unquarantined.get(DUPLICATE, 0)
    if copies:
        notes.append(
            n_(
                "Note: {count} row an earlier import quarantined as an exact duplicate is "
                "imported now (duplicates: keep) and was taken out of the quarantine.",
                "Note: {count} rows an earlier import quarantined as exact duplicates are "
                "imported now (duplicates: keep) and were taken out of the quarantine.",
                copies,
            ).format(count=count(copies))
        )
    cut = report.unquarantined.get(MALFORMED, 0)
    if cut:
        notes.append(
            n_(
                "Note: {count} line an earlier import of {source} quarantined as a malformed "
                "row was cut off, as when a file is read while it is being written; this file "
                "holds it whole, so it was taken out of the quarantine.",
                "Note: {count} lines an earlier import of {source} quarantined as malformed "
                "rows were cut off, as when a file is read while it is being written; this "
                "file holds them whole, so they were taken out of the quarantine.",
                cut,
            ).format(count=count(cut), source=report.source)
        )
    if report.value_not_finite is not None:
        value, bad = report.value_not_finite
        notes.append(
            _(
                "Note: conversion values that are no finite number ({count}; the first: "
                "{value}) were quarantined as unparseable value: NaN, infinity or a number "
                "beyond 1.8e308 would make every value figure NaN."
            ).format(count=count(bad), value=repr(value))
        )
    zone = report.timezone or "UTC"
    if report.dst_gap and report.dst_gap_first is not None:
        value, read = report.dst_gap_first
        notes.append(
            _(
                "Note: local times that do not exist in {zone}, skipped when the clocks go "
                "forward ({count}; the first: {value}), were read with the UTC offset before "
                "the change: {value} as {read}."
            ).format(zone=zone, count=count(report.dst_gap), value=repr(value), read=read)
        )
    if report.dst_overlap and report.dst_overlap_first is not None:
        value, read = report.dst_overlap_first
        notes.append(
            _(
                "Note: local times that happen twice in {zone}, when the clocks go back "
                "({count}; the first: {value}), were read as the first of the two: {value} as "
                "{read}. Times written with their UTC offset leave no doubt."
            ).format(zone=zone, count=count(report.dst_overlap), value=repr(value), read=read)
        )
    return notes
