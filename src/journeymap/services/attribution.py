"""Use case: attribute a workspace's conversions with one or more models."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import ibis.expr.datatypes as dt
import pyarrow as pa

from journeymap.errors import UsageError
from journeymap.i18n.messages import _, count

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from journeymap.attribution._notes import CreditFacts

__all__ = [
    "PathsAttribution",
    "WorkspaceAttribution",
    "attribute_paths_file",
    "attribute_workspace",
]


@dataclass
class PathsAttribution:
    """What :func:`attribute_paths_file` read and the models' credits.

    Attributes:
        table: The long table of :func:`journeymap.attribution.compare_models`.
        rows: Path rows read.
        journeys: Journeys they stand for (conversions plus nulls).
        conversions: Total conversions.
        skipped: Rows left out, by reason.
        skipped_at: The first lines (or, in a Parquet file, rows) left out, by reason.
        position: What ``skipped_at`` counts: ``line`` of a text file or ``row``.
        nulls_known: Whether the file has a nulls column (see
            :attr:`journeymap.attribution.paths.Paths.nulls_known`).
        nulls_column: The nulls column the file was expected to have.
        facts: What the credits do not say (see
            :func:`journeymap.attribution._notes.credit_facts`).
    """

    table: pa.Table
    rows: int
    journeys: int
    conversions: float
    skipped: dict[str, int] = field(default_factory=dict)
    skipped_at: dict[str, list[int]] = field(default_factory=dict)
    position: Literal["line", "row"] = "line"
    nulls_known: bool = True
    nulls_column: str = "total_null"
    facts: CreditFacts | None = None


@dataclass
class WorkspaceAttribution:
    """The models' credits on a workspace's journeys, and what the notes about them need.

    Attributes:
        table: The long table of :func:`journeymap.attribution.compare_models`.
        conversions: Conversion events.
        conversion_touchpoints: Conversion events per touchpoint, the most frequent first.
        conversion_touch: Whether a conversion event's own touchpoint took credit.
        alone: Without the conversion touch: conversions with no touch before them in their
            segment, which kept their own touchpoint's credit.
        persona_per_journey: Personas were credited on journeys of one person each while
            the events have accounts: every model then credits the persona who converted.
        credits_itself: The touchpoint credited for the conversion itself (see
            :func:`journeymap.analysis.run.credited_for_itself`), or None.
        facts: What the credits do not say (see
            :func:`journeymap.attribution._notes.credit_facts`).
        period: The period the journeys were cut from (``since``/``until``), as
            ``analysis.json`` records it (``summary["period"]``), or None: every event.
    """

    table: pa.Table
    conversions: int
    conversion_touchpoints: dict[str, int]
    conversion_touch: bool
    alone: int = 0
    persona_per_journey: bool = False
    credits_itself: dict[str, Any] | None = None
    facts: CreditFacts | None = None
    period: dict[str, Any] | None = None


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

    A line of a CSV/TSV file without the header's number of fields is skipped and counted
    (reason ``malformed row``), as are rows :func:`~journeymap.attribution.from_paths` skips;
    the first lines of each reason are named.

    Raises:
        UsageError: if the file does not exist or lacks a named column.
        ReaderError: if the file cannot be read.
    """
    from journeymap.analysis.run import quiet_driver
    from journeymap.attribution import SegmentCache, compare_models, from_paths
    from journeymap.attribution._notes import credit_facts
    from journeymap.ingest.readers import LINE_FORMATS, detect_format, read_events
    from journeymap.mapfile import load_map

    source = Path(paths_file)
    if not source.is_file():
        raise UsageError(_("{source} does not exist").format(source=source))
    journey_map = load_map(map_path) if map_path is not None else None
    kind = detect_format(source)
    malformed: list[str] = []
    options: dict[str, Any] = {"on_malformed": malformed.append} if kind in LINE_FORMATS else {}
    batches = list(read_events(source, **options))
    if not batches and malformed:
        raise UsageError(
            _(
                "{source} holds no readable paths: none of its {count} lines can be read as a "
                "row (not the header's number of fields, or not a JSON object)"
            ).format(source=source, count=count(len(malformed)))
        )
    if not batches:
        raise UsageError(_("{source} holds no paths").format(source=source))
    names = {k: v for k, v in (columns or {}).items() if v is not None}
    with (
        quiet_driver(),
        from_paths(pa.Table.from_batches(batches), journey_map, sep=sep, **names) as paths,
    ):
        given = {k: v for k, v in params.items() if v is not None}
        with SegmentCache(paths) as cache:
            result = compare_models(
                paths, journey_map, level=level, models=models, cache=cache, **given
            )
            facts = credit_facts(paths, journey_map, result, level=level, cache=cache, **given)
        skipped = dict(paths.skipped)
        if malformed:
            skipped = {"malformed row": len(malformed), **skipped}
        skipped_at = paths.skipped_rows
        if kind in LINE_FORMATS and skipped:
            # Only when rows were skipped: a second read that numbers the lines.
            skipped_at = _lines_of(source, kind, paths.skipped_rows, len(malformed) > 0)
        return PathsAttribution(
            table=result,
            rows=paths.rows + len(malformed),
            journeys=paths.journeys,
            conversions=paths.conversions,
            skipped=skipped,
            skipped_at=skipped_at,
            position="row" if kind == "parquet" else "line",
            nulls_known=paths.nulls_known,
            nulls_column=names.get("nulls", "total_null"),
            facts=facts,
        )


def _lines_of(
    source: Path, kind: str, rows: dict[str, list[int]], malformed: bool
) -> dict[str, list[int]]:
    """The file lines of rows (positions among the rows read) and of malformed lines.

    Reads the file again the way the reader did (CSV: same encoding and dialect; JSON Lines:
    blank lines skipped), until every line asked for is found.
    """
    from journeymap.attribution.paths import FIRST_SKIPPED

    wanted = {position: reason for reason, found in rows.items() for position in found}
    lines: dict[str, list[int]] = {}
    position = 0
    for line, fields_ok in _records(source, kind):
        if not fields_ok:
            if len(lines.setdefault("malformed row", [])) < FIRST_SKIPPED:
                lines["malformed row"].append(line)
            continue
        position += 1
        if position in wanted:
            lines.setdefault(wanted.pop(position), []).append(line)
        malformed_done = not malformed or len(lines.get("malformed row", [])) >= FIRST_SKIPPED
        if not wanted and malformed_done:
            break
    return lines


def _records(source: Path, kind: str) -> Iterator[tuple[int, bool]]:
    """(first line, has the header's number of fields) of every data record of the file."""
    from journeymap.ingest.readers.csv_reader import detect_encoding, open_bytes, sniff_dialect

    encoding = "utf-8-sig" if kind == "jsonl" else detect_encoding(source)
    with (
        open_bytes(source) as binary,
        io.TextIOWrapper(binary, encoding=encoding, errors="replace", newline="") as text,
    ):
        if kind == "jsonl":
            for number, line in enumerate(text, start=1):
                if line.strip():
                    yield number, _json_object(line)
            return
        sample = text.read(64 * 1024)
        text.seek(0)
        delimiter, quotechar = sniff_dialect(sample, "\t" if kind == "tsv" else None)
        reader = csv.reader(text, delimiter=delimiter, quotechar=quotechar)
        header = next(reader, [])
        done = reader.line_num
        for record in reader:
            first, done = done + 1, reader.line_num
            if record:  # the reader skips blank lines too
                yield first, len(record) == len(header)


def _json_object(line: str) -> bool:
    """Whether a JSON Lines line holds a JSON object (what the reader reads as a row)."""
    try:
        return isinstance(json.loads(line), dict)
    except json.JSONDecodeError:
        return False


def attribute_workspace(
    map_path: str | Path,
    db: str | Path | None = None,
    *,
    engine: str | None = None,
    models: list[str] | None = None,
    level: str = "touchpoint",
    by: str | None = None,
    session_gap: str | timedelta | None = None,
    after_conversion: str | None = None,
    since: Any = None,
    until: Any = None,
    **params: Any,
) -> WorkspaceAttribution:
    """Load the map, build journeys from the workspace and compare attribution models.

    The journeys are cut as :func:`~journeymap.services.analysis.analyze_workspace` cuts
    them with the same ``by``, ``session_gap``, ``after_conversion``, ``since`` and
    ``until``, so the credits are those of that analysis' ``attribution`` table.

    Args:
        map_path: The journey map file (YAML or JSON).
        db: A DuckDB workspace file (default: the ``workspace.url`` setting).
        engine: An engine URL instead of ``db`` (``postgres://...``).
        models: Model names (default: every model).
        level: ``touchpoint``, ``channel``, ``phase``, ``persona``, ``account`` or a column.
        by: Journeys per ``person`` or ``account``; None: the ``journeys.by`` setting.
        session_gap: Inactivity that starts a new journey (e.g. ``30m``; ``none`` never
            splits); None: the ``journeys.session_gap`` setting.
        after_conversion: ``end`` or ``continue``; None: the ``journeys.after_conversion``
            setting.
        since: Only events from this date on (included): ISO 8601 text, a datetime, or a
            span back from the data's last event (``"30d"``); None: the ``analysis.since``
            setting. Events are filtered before journeys are cut.
        until: Only events before this date (left out); None: the ``analysis.until``
            setting.
        **params: Model parameters (see :func:`journeymap.attribution.attribute`).

    Returns:
        The credits (the long table of :func:`journeymap.attribution.compare_models`) and
        the conversions per touchpoint.

    Raises:
        UsageError: if the workspace file does not exist, both ``db`` and ``engine`` are
            given, a journey option is not valid, or the period holds no events.
    """
    from journeymap.analysis.inputs import no_events_in_period_reason
    from journeymap.analysis.run import (
        conversion_touchpoints,
        credited_for_itself,
        quiet_driver,
        resolve_conversion_touch,
    )
    from journeymap.attribution import SegmentCache, compare_models
    from journeymap.attribution._levels import FIXED_LEVELS, TOUCHPOINT_KEYED
    from journeymap.attribution._notes import credit_facts
    from journeymap.attribution._parameters import checked, names
    from journeymap.attribution.api import check_values
    from journeymap.attribution.heuristic import HEURISTICS
    from journeymap.engine._tables import drop_temporary
    from journeymap.engine.journeys import (
        JourneyOptions,
        build_journeys,
        materialize_journeys,
        require_accounts,
    )
    from journeymap.engine.period import in_period
    from journeymap.mapfile import load_map
    from journeymap.services.analysis import workspace_events, workspace_url

    url = workspace_url(db, engine)
    journey_map = load_map(map_path)
    # Parameter values no journeys could make right are refused before any query, as analyze
    # refuses them, naming a value that came from a setting as the setting.
    given = {k: v for k, v in params.items() if v is not None}
    check_values(checked(given, ()), journey_map, models)
    events = workspace_events(url)
    cuts = {
        "by": by,
        "session_gap": session_gap,
        "after_conversion": after_conversion,
        "since": since,
        "until": until,
    }
    given_cuts = {name: value for name, value in cuts.items() if value is not None}
    with quiet_driver():
        breakdown = [] if level in FIXED_LEVELS else [_checked_level(events, level)]
        options = JourneyOptions.from_settings(breakdown=breakdown, **given_cuts)
        # The period first, as analyze takes it: journeys are cut from the events in it.
        events, period = in_period(events, options.since, options.until, unit=options.by)
        if period is not None and not period.events:
            raise UsageError(no_events_in_period_reason(period))
        if options.by == "account":  # as analyze checks it
            require_accounts(events, _("journeys per account"))
        given = {k: v for k, v in params.items() if v is not None}
        # Heuristic models alone credit only the journeys that converted: at a level read off
        # the touchpoint the segments are cut from the converting actors' events, so the
        # journeys stay lazy (nothing else reads them; prepare stores them if it needs all).
        heuristics_only = models is not None and all(
            name in HEURISTICS for name in names("models", models, ("linear", "markov"))
        )
        journeys = build_journeys(events, journey_map, options)
        if not (heuristics_only and level in TOUCHPOINT_KEYED):
            # Computed once: every model reads the journeys (and the segments made from them).
            journeys = materialize_journeys(journeys)
        try:
            with SegmentCache(journeys, heuristics_only=heuristics_only) as cache:
                table = compare_models(
                    journeys, journey_map, level=level, models=models, cache=cache, **given
                )
                facts = credit_facts(
                    journeys, journey_map, table, level=level, cache=cache, **given
                )
                prepared = cache.prepared()
            # Every event is in the journeys: the conversions are counted off the events.
            counted = conversion_touchpoints(
                events.select(
                    touchpoint=events.touchpoint.cast(dt.string), conversion=events.conversion
                ),
                top=None,
            )
            per_journey = (
                level == "persona"
                and options.by == "person"
                and not given.get("by_account")
                and int(journeys.account_id.count().to_pyarrow().as_py() or 0) > 0
                and _one_persona_each(journeys)
            )
        finally:
            drop_temporary(journeys)
    touchpoints = {str(r["touchpoint"]): int(r["conversions"]) for r in counted}
    conversions = sum(touchpoints.values())
    conversion_touch = resolve_conversion_touch(given)
    return WorkspaceAttribution(
        table=table,
        conversions=conversions,
        conversion_touchpoints=touchpoints,
        conversion_touch=conversion_touch,
        credits_itself=credited_for_itself(
            touchpoints, conversions, conversion_touch=conversion_touch
        ),
        alone=max((s.alone for s in prepared), default=0),
        persona_per_journey=per_journey,
        facts=facts,
        period=period.to_json() if period is not None else None,
    )


def _one_persona_each(journeys: ir.Table) -> bool:
    """Whether every journey's events carry one persona (no persona counts as one value).

    Only then does every model credit the persona who converted; a journey whose lead rows
    have no persona and whose deal row has one credits both.
    """
    filled = journeys.select("journey_id", persona=journeys.persona.fill_null(""))
    per_journey = filled.group_by("journey_id").aggregate(personas=filled.persona.nunique())
    mixed = per_journey.filter(per_journey.personas > 1).count()
    return int(mixed.to_pyarrow().as_py() or 0) == 0


def _checked_level(events: ir.Table, level: str) -> str:
    """``level`` if it names a column of the events or a key of their ``extra`` JSON.

    The keys take one query, only for a name that is not a column (and
    :func:`~journeymap.engine.journeys.build_journeys` reuses its answer).

    Raises:
        UsageError: naming the levels, columns and keys there are, and a near miss.
    """
    from journeymap.attribution._levels import FIXED_LEVELS
    from journeymap.engine._checks import unknown_name_message
    from journeymap.engine._extra import extra_keys

    if level in events.columns:
        return level
    keys = extra_keys(events)
    if keys is None or level in keys:  # None: the engine cannot list keys; it checks later
        return level
    raise UsageError(
        unknown_name_message(
            _("unknown attribution level {level}").format(level=repr(level)),
            level,
            [
                (_("levels"), FIXED_LEVELS),
                (_("columns of the events"), [c for c in events.columns if c != "extra"]),
                (_("keys of their extra JSON"), sorted(keys)),
            ],
        )
    )
