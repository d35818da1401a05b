"""Keeping the map current (step 7): notes on the period read and on touchpoints over time.

Each note reads a finished analysis (its summary and ``touchpoint_stats``, so a saved one
too) and returns a sentence in ``language``, or None:

- :func:`period_note`: only the events of a period were analysed, how many of all, and how
  many persons have events outside it (their journeys are cut at its edge);
- :func:`rename_hints_note`: an off-map touchpoint that starts about when a map touchpoint
  stops (or that is named like one nobody meets) may be that touchpoint renamed in the data;
- :func:`stale_touchpoints_note`: map touchpoints last seen long before the data's end;
- :func:`rules_versions_note`: events of one kind (the same touchpoints or files) were mapped
  by more than one version of the mapping rules (the workspace records each event's rules
  fingerprint).

:func:`rules_versions` gathers what the last note reads, from the events, for the summary.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import ibis.expr.types as ir

from journeymap.engine.period import readable
from journeymap.i18n import format_integer, gettext, ngettext
from journeymap.model import UNMAPPED, JourneyMap

__all__ = [
    "period_note",
    "rename_hints_note",
    "rules_versions",
    "rules_versions_note",
    "stale_touchpoints_note",
]

# How many rules versions, rename hints and stale touchpoints a note names.
SHOWN = 5
# A touchpoint has stopped when no event came for this many of its usual intervals (for a
# steady stream of events the chance of such a pause is about e^-3, 5 %) ...
STOPPED_INTERVALS = 3
# ... and, to be named on its own as stale, for this share of the data's span at least.
STALE_SHARE = 0.25
# Names at least this alike (difflib's ratio) make an off-map touchpoint a rename candidate.
SIMILAR_NAMES = 0.7
DAY = dt.timedelta(days=1)
# An off-map touchpoint starts "about when" a map touchpoint stops within this much (a
# weekend or a holiday between the last old and the first new event), or three usual
# intervals of the rarer of the two when those are longer.
NEAR = dt.timedelta(days=7)


def _moment(value: Any) -> dt.datetime | None:
    """A time of the summary or a table (ISO text once saved as JSON), aware in UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, dt.datetime):
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def period_note(summary: Mapping[str, Any], language: str) -> str | None:
    """Which events the analysis read, when a period was given, and whose journeys it cuts."""
    period = summary.get("period")
    if not isinstance(period, Mapping):
        return None
    since, until = _moment(period.get("since")), _moment(period.get("until"))
    total = int(period.get("events_total") or 0)
    counts = {
        "events": format_integer(int(period.get("events") or 0), language),
        "total": format_integer(total, language),
    }
    if since is not None and until is not None:
        text = ngettext(
            "Note: only events from {since} up to {until} (not included) are analysed: "
            "{events} of {total} event.",
            "Note: only events from {since} up to {until} (not included) are analysed: "
            "{events} of {total} events.",
            total,
            language,
        ).format(since=readable(since), until=readable(until), **counts)
    elif since is not None:
        text = ngettext(
            "Note: only events from {since} on are analysed: {events} of {total} event.",
            "Note: only events from {since} on are analysed: {events} of {total} events.",
            total,
            language,
        ).format(since=readable(since), **counts)
    elif until is not None:
        text = ngettext(
            "Note: only events before {until} are analysed: {events} of {total} event.",
            "Note: only events before {until} are analysed: {events} of {total} events.",
            total,
            language,
        ).format(until=readable(until), **counts)
    else:
        return None
    spans = [
        f"{name} {period[key]}"
        for name, key in (("since", "given_since"), ("until", "given_until"))
        if period.get(key)
    ]
    if spans:
        text += " " + gettext(
            "{spans} counts back from the data's last event ({last}).", language
        ).format(spans=", ".join(spans), last=readable(_moment(period.get("data_last_ts"))))
    before, after = int(period.get("actors_before") or 0), int(period.get("actors_after") or 0)
    if before and after:
        cut = gettext(
            "Journeys are cut from these events only: of the {actors} {unit} analysed, "
            "{before} also have events before the period and {after} after it; their journeys "
            "start or end at its edge.",
            language,
        )
    elif before:
        cut = gettext(
            "Journeys are cut from these events only: of the {actors} {unit} analysed, "
            "{before} also have events before the period; their journeys start at its start.",
            language,
        )
    elif after:
        cut = gettext(
            "Journeys are cut from these events only: of the {actors} {unit} analysed, "
            "{after} also have events after the period; their journeys end at its end.",
            language,
        )
    else:
        return text
    unit = gettext("accounts", language) if period.get("unit") == "account" else None
    text += " " + cut.format(
        actors=format_integer(int(period.get("actors") or 0), language),
        unit=unit or gettext("persons", language),
        before=format_integer(before, language),
        after=format_integer(after, language),
    )
    return text


@dataclass(frozen=True)
class _Seen:
    """When a touchpoint's events came: first, last, how many, and their usual interval."""

    touchpoint: str
    on_map: bool
    events: int
    first: dt.datetime | None
    last: dt.datetime | None

    @property
    def interval(self) -> dt.timedelta | None:
        """The mean time between two of its events; None with fewer than two."""
        if self.events < 2 or self.first is None or self.last is None:
            return None
        return (self.last - self.first) / (self.events - 1)


def _seen(analysis: Any) -> tuple[list[_Seen], dt.datetime, dt.datetime] | None:
    """Every touchpoint's first and last event, and the data's first and last (else None).

    None for an analysis saved before ``first_seen`` and ``last_seen`` were kept.
    """
    if "touchpoint_stats" not in getattr(analysis, "tables", {}):
        return None
    table = analysis.table("touchpoint_stats")
    start, end = _moment(analysis.summary.get("first_ts")), _moment(analysis.summary.get("last_ts"))
    if "last_seen" not in table.column_names or start is None or end is None or end <= start:
        return None
    rows = [
        _Seen(
            touchpoint=str(row["touchpoint"]),
            on_map=bool(row["on_map"]),
            events=int(row["events"] or 0),
            first=_moment(row["first_seen"]),
            last=_moment(row["last_seen"]),
        )
        for row in table.to_pylist()
    ]
    return rows, start, end


def _stopped(seen: _Seen, end: dt.datetime, least: dt.timedelta) -> bool:
    """Whether a touchpoint's events stopped: no event for ``STOPPED_INTERVALS`` intervals."""
    if seen.last is None or seen.interval is None:
        return False
    pause = end - seen.last
    return pause > max(STOPPED_INTERVALS * seen.interval, least)


def _started(seen: _Seen, start: dt.datetime) -> bool:
    """Whether an off-map touchpoint's events start well after the data's first event."""
    if seen.first is None:
        return False
    wait = seen.first - start
    return wait > max(STOPPED_INTERVALS * (seen.interval or dt.timedelta(0)), DAY)


def _alike(first: str, second: str) -> float:
    return difflib.SequenceMatcher(None, first.lower(), second.lower()).ratio()


def _rename_pairs(analysis: Any, journey_map: JourneyMap) -> list[tuple[_Seen, _Seen]] | None:
    """(off-map, map) touchpoints that may be one renamed: best pairs first, each used once."""
    found = _seen(analysis)
    if found is None:
        return None
    rows, start, end = found
    names = {touchpoint.id: touchpoint.name for touchpoint in journey_map.touchpoints}
    gone = [
        row
        for row in rows
        if row.on_map and row.touchpoint in names and (not row.events or _stopped(row, end, DAY))
    ]
    new = [row for row in rows if not row.on_map and row.events and row.touchpoint != UNMAPPED]
    scored = []
    for old in gone:
        for fresh in new:
            alike = max(
                _alike(fresh.touchpoint, old.touchpoint),
                _alike(fresh.touchpoint, names[old.touchpoint]),
            )
            timely = False
            if old.last is not None and fresh.first is not None and _started(fresh, start):
                usual = max(old.interval or dt.timedelta(0), fresh.interval or dt.timedelta(0))
                timely = abs(fresh.first - old.last) <= max(STOPPED_INTERVALS * usual, NEAR)
            # A touchpoint met all along beside a like-named one is another touchpoint
            # (BPIC's A_PARTLYSUBMITTED beside A_SUBMITTED): by name only one nobody meets.
            if timely or (old.last is None and alike >= SIMILAR_NAMES):
                scored.append((2.0 * timely + alike, old, fresh))
    pairs: list[tuple[_Seen, _Seen]] = []
    taken: set[str] = set()
    for _score, old, fresh in sorted(scored, key=lambda item: -item[0]):
        if old.touchpoint in taken or fresh.touchpoint in taken:
            continue
        taken.update((old.touchpoint, fresh.touchpoint))
        pairs.append((fresh, old))
    return pairs


def rename_hints_note(analysis: Any, journey_map: JourneyMap, language: str) -> str | None:
    """Off-map touchpoints that may be map touchpoints renamed in the data or the rules.

    An off-map touchpoint that is first seen about when a map touchpoint is last seen (its
    events stopped well before the data's end: for three of its usual intervals between two
    events), or whose name is like that of a map touchpoint without events.
    """
    pairs = _rename_pairs(analysis, journey_map)
    if not pairs:
        return None
    hints = []
    for fresh, old in pairs[:SHOWN]:
        if old.last is None:
            hints.append(
                gettext(
                    "off-map {new} (first seen {first}) may be the map's {old} (no events)",
                    language,
                ).format(
                    new=repr(fresh.touchpoint), first=_day(fresh.first), old=repr(old.touchpoint)
                )
            )
        else:
            hints.append(
                gettext(
                    "off-map {new} (first seen {first}) may be the map's {old} (last seen {last})",
                    language,
                ).format(
                    new=repr(fresh.touchpoint),
                    first=_day(fresh.first),
                    old=repr(old.touchpoint),
                    last=_day(old.last),
                )
            )
    return ngettext(
        "Note: {hints}: rename it in the map or the rules, so that its events count for the "
        "map's touchpoint.",
        "Note: {hints}: rename them in the map or the rules, so that their events count for "
        "the map's touchpoints.",
        len(hints),
        language,
    ).format(hints="; ".join(hints))


def _day(moment: dt.datetime | None) -> str:
    return moment.date().isoformat() if moment is not None else "-"


def stale_touchpoints_note(analysis: Any, journey_map: JourneyMap, language: str) -> str | None:
    """Map touchpoints last seen long before the data's end (not those a rename hint names).

    Long: a quarter of the data's span at least, and three of the touchpoint's usual
    intervals between two events.
    """
    found = _seen(analysis)
    if found is None:
        return None
    rows, start, end = found
    hinted = {old.touchpoint for _fresh, old in _rename_pairs(analysis, journey_map) or []}
    on_map = {touchpoint.id for touchpoint in journey_map.touchpoints}
    least = (end - start) * STALE_SHARE
    stale = [
        row
        for row in rows
        if row.on_map
        and row.touchpoint in on_map
        and row.touchpoint not in hinted
        and _stopped(row, end, max(least, DAY))
    ]
    if not stale:
        return None
    stale.sort(key=lambda row: row.last or end)
    listed = ", ".join(
        gettext("{touchpoint} (last seen {last})", language).format(
            touchpoint=row.touchpoint, last=_day(row.last)
        )
        for row in stale[:SHOWN]
    )
    if len(stale) > SHOWN:
        listed = gettext("{first} and {more} more", language).format(
            first=listed, more=len(stale) - SHOWN
        )
    return ngettext(
        "Note: {count} touchpoint of the map was last seen long before the data's end "
        "({end}): {touchpoints}. Customers may no longer meet it, or the data or the rules "
        "now name it otherwise; check it, or take it off the map.",
        "Note: {count} touchpoints of the map were last seen long before the data's end "
        "({end}): {touchpoints}. Customers may no longer meet them, or the data or the rules "
        "now name them otherwise; check them, or take them off the map.",
        len(stale),
        language,
    ).format(count=format_integer(len(stale), language), end=_day(end), touchpoints=listed)


def rules_versions(events: ir.Table) -> dict[str, Any] | None:
    """Which versions of the mapping rules (their fingerprints) made the events, and where.

    ``versions``: per version its events, its sources (the most events first, at most
    :data:`SHOWN`) and how many sources; a fingerprint of None: events imported before
    journeymap recorded the rules. ``shared_touchpoints`` and ``shared_sources``: the
    touchpoints and sources whose events more than one recorded version made. Files of other
    kinds have rules of their own (leads and won deals); one kind mapped by two versions is
    what a changed rules file leaves behind when older files are not imported again. None
    for events without the workspace's ``rules_fingerprint`` column (a DataFrame).
    """
    if "rules_fingerprint" not in events.columns:
        return None
    grouped = events.group_by(
        rules=events.rules_fingerprint, source=events.source, touchpoint=events.touchpoint
    ).aggregate(events=events.count())
    versions: dict[Any, dict[str, Any]] = {}
    touchpoints: dict[str, set[str]] = {}
    sources: dict[str, set[str]] = {}
    for row in grouped.to_pyarrow().to_pylist():
        rules, source = row["rules"], str(row["source"])
        version = versions.setdefault(rules, {"rules": rules, "events": 0, "by_source": {}})
        version["events"] += int(row["events"])
        by_source = version["by_source"]
        by_source[source] = by_source.get(source, 0) + int(row["events"])
        if rules is not None:
            touchpoints.setdefault(str(row["touchpoint"]), set()).add(rules)
            sources.setdefault(source, set()).add(rules)
    found = []
    for version in sorted(versions.values(), key=lambda v: (-v["events"], str(v["rules"]))):
        ranked = sorted(version.pop("by_source").items(), key=lambda item: (-item[1], item[0]))
        version["sources"] = [name for name, _count in ranked[:SHOWN]]
        version["source_count"] = len(ranked)
        found.append(version)
    return {
        "versions": found,
        "shared_touchpoints": sorted(t for t, made in touchpoints.items() if len(made) > 1),
        "shared_sources": sorted(s for s, made in sources.items() if len(made) > 1),
    }


def rules_versions_note(summary: Mapping[str, Any], language: str) -> str | None:
    """A note when events of one kind were mapped by more than one version of the rules.

    One kind: events of the same touchpoints, or of the same source.
    """
    found = summary.get("rules_versions")
    if not isinstance(found, Mapping):
        return None
    versions = found.get("versions") or []
    recorded = [v for v in versions if v.get("rules")]
    shared = list(found.get("shared_touchpoints") or [])
    same_source = list(found.get("shared_sources") or [])
    if len(recorded) < 2 or not (shared or same_source):
        return None
    listed = []
    for version in versions[:SHOWN]:
        names = ", ".join(str(source) for source in version.get("sources") or [])
        more = int(version.get("source_count") or 0) - len(version.get("sources") or [])
        if more > 0:
            names = gettext("{first} and {more} more", language).format(first=names, more=more)
        events = ngettext(
            "{count} event", "{count} events", int(version["events"]), language
        ).format(count=format_integer(int(version["events"]), language))
        name = (
            gettext("rules {fingerprint}", language).format(fingerprint=str(version["rules"])[:8])
            if version.get("rules")
            else gettext("rules not recorded", language)
        )
        listed.append(f"{name} ({events}: {names})")
    what = shared or same_source
    shown = ", ".join(what[:SHOWN])
    if len(what) > SHOWN:
        shown = gettext("{first} and {more} more", language).format(
            first=shown, more=len(what) - SHOWN
        )
    return (
        gettext(
            "Note: events of the same touchpoints ({touchpoints}) were mapped by {count} "
            "versions of the mapping rules: {versions}. The same raw data may be filed under "
            "other touchpoints in each; import the older files again with the current rules "
            "(journeymap import FILE --map MAP --rules RULES --replace).",
            language,
        )
        if shared
        else gettext(
            "Note: events of the same files ({sources}) were mapped by {count} versions of "
            "the mapping rules: {versions}. The same raw data may be filed under other "
            "touchpoints in each; import the older files again with the current rules "
            "(journeymap import FILE --map MAP --rules RULES --replace).",
            language,
        )
    ).format(
        touchpoints=shown,
        sources=shown,
        count=format_integer(len(recorded), language),
        versions="; ".join(listed),
    )
