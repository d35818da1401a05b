"""The level mapping: each level's key of a touch, and how the journeys are cut for it."""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Any, NamedTuple

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.types as ir

from journeymap.attribution._aggregate import SEG, KeyOf, Segments, keyed
from journeymap.attribution._cache import SegmentCache
from journeymap.attribution._options import _duration, _given
from journeymap.attribution._parameters import value_of
from journeymap.attribution.paths import PATH_LEVELS, Paths
from journeymap.engine._checks import unknown_name_message
from journeymap.engine._extra import extra_keys
from journeymap.engine.journeys import (
    own_phases,
    phase_lookup,
    require_accounts,
    require_values,
)
from journeymap.errors import UsageError
from journeymap.i18n.messages import _
from journeymap.model import JourneyMap, did_you_mean
from journeymap.model.touchpoints import outcome_ids
from journeymap.settings import resolve

FIXED_LEVELS = ("touchpoint", "channel", "phase", "persona", "account")


# Levels whose key is read off the touchpoint alone (so also off the previous touchpoint).
TOUCHPOINT_KEYED = ("touchpoint", "channel")


def _level_key(journey_map: JourneyMap | None, level: str, columns: list[str]) -> KeyOf:
    if level == "touchpoint":
        return lambda t: t.touchpoint
    if level == "channel":
        channels = {t.id: t.channel for t in journey_map.touchpoints} if journey_map else {}
        if not channels:  # no map: every touchpoint is unmapped
            return lambda t: ibis.literal("(unmapped)")
        return lambda t: t.touchpoint.substitute(channels, else_="(unmapped)")
    if level == "phase":
        return lambda t: t.phase.fill_null("(no phase)")
    if level == "account":
        return lambda t: t.person_id
    if level in columns and level not in SEG:
        return lambda t: t[level].cast(dt.string).nullif("").fill_null("(none)")
    raise UsageError(
        unknown_name_message(
            _("unknown attribution level {level}").format(level=repr(level)),
            level,
            [
                (_("levels"), FIXED_LEVELS),
                (_("columns of the journeys"), [c for c in columns if c not in SEG]),
            ],
        )
    )


def _unknown_level(journeys: ir.Table, level: str, columns: list[str]) -> str:
    """Why ``level`` is no level of these journeys, and how to make a kept column one.

    The README promises any kept column as a level, but the journeys carry only the columns
    the analysis broke down by: a column kept from the events was refused as an "unknown
    attribution level", which did not say how to get it.
    """
    kept = _kept_columns(journeys, columns)
    if kept is not None and level in kept:
        return _(
            "{level} is a column kept from the events; analyze with breakdown=[{level}] "
            "(CLI: --breakdown {name}) to attribute by it"
        ).format(level=repr(level), name=level)
    available = [
        (_("levels"), FIXED_LEVELS),
        (_("columns of the journeys"), [c for c in columns if c not in SEG]),
        (_("columns kept from the events"), kept or []),
    ]
    problem = unknown_name_message(
        _("unknown attribution level {level}").format(level=repr(level)), level, available
    )
    if kept is not None or did_you_mean(level, [n for _kind, names in available for n in names]):
        return problem
    # Journeys of a data frame: its columns are gone once they are cut.
    return _(
        "{problem}. If {level} is a column kept from the events, analyze with "
        "breakdown=[{level}] (CLI: --breakdown {name}) to attribute by it"
    ).format(problem=problem, level=repr(level), name=level)


# Columns of a workspace's events table that are its own bookkeeping (see
# journeymap.ingest.workspace.EVENTS_SCHEMA), not columns kept from the events.
_BOOKKEEPING = frozenset({"event_key", "row_number", "rules_fingerprint", "extra"})


def _kept_columns(journeys: ir.Table, columns: list[str]) -> list[str] | None:
    """The columns the workspace these journeys were cut from keeps for its events.

    Columns of its events table that the journeys lack, and keys of their ``extra`` JSON;
    None when the journeys come from no workspace (a data frame's other columns are gone
    once the journeys are cut) or the engine cannot list the keys.
    """
    try:
        events = ibis.get_backend(journeys).table("events")
    except Exception:  # no events table there, or a backend that cannot say: no list
        return None
    keys = extra_keys(events)
    if keys is None:
        return None
    own = [c for c in events.columns if c not in columns and c not in _BOOKKEEPING]
    return [*own, *sorted(keys - set(own) - set(columns))]


class _Cut(NamedTuple):
    """How the journeys are cut into segments (the arguments of :meth:`SegmentCache.get`)."""

    lookback: timedelta | None
    by_account: bool
    conversion_touch: bool
    outcomes: tuple[str, ...] = ()


def _choices(
    journeys: ir.Table | Paths,
    journey_map: JourneyMap | None,
    level: str,
    params: dict[str, Any],
    cache: SegmentCache,
) -> tuple[KeyOf, _Cut]:
    """The level's key, and how the journeys are cut into segments (:class:`_Cut`).

    The map's outcome touchpoints are taken out of the segments at every level.
    """
    outcomes = tuple(outcome_ids(journey_map.touchpoints)) if journey_map is not None else ()
    lookback = _duration(resolve("attribution.lookback", params.get("lookback")))
    by_account = _given(params, "by_account", False) or level == "account"
    conversion_touch = value_of(
        "conversion_touch",
        resolve("attribution.conversion_touch", params.get("conversion_touch")),
    )
    if isinstance(journeys, Paths):
        near = did_you_mean(level, PATH_LEVELS) if level not in FIXED_LEVELS else None
        if near is not None:
            raise UsageError(
                unknown_name_message(
                    _("unknown attribution level {level}").format(level=repr(level)),
                    level,
                    [(_("levels"), PATH_LEVELS)],
                )
            )
        if level not in PATH_LEVELS:
            raise UsageError(
                _(
                    "path data carry no people, personas or other columns: attribute them at "
                    "the touchpoint, channel or phase level, not {level} (or attribute events)"
                ).format(level=repr(level))
            )
        if lookback is not None or by_account:
            raise UsageError(
                _(
                    "path data carry no times or accounts: a lookback window or by_account "
                    "needs events"
                )
            )
        mapped = journey_map is not None or (level == "phase" and bool(journeys.phase_of))
        if level != "touchpoint" and not mapped:
            # Without one every touchpoint is "(unmapped)": all the credit on one key.
            raise UsageError(
                _(
                    "the {level} level reads each touchpoint's {level} from the journey map; "
                    "give the map (--map MAP), or attribute at the touchpoint level"
                ).format(level=level)
            )
        # Their touches are those before the conversion already: nothing to leave out.
        return _level_key(journey_map, level, []), _Cut(None, False, True, outcomes)
    columns = list(journeys.columns)
    if level not in FIXED_LEVELS and (level not in columns or level in SEG):
        raise UsageError(_unknown_level(journeys, level, columns))
    key = _level_key(journey_map, level, columns)
    if by_account:  # one query per journeys table, however many models ask
        what = _("the account level") if level == "account" else "by_account"
        cache.once(None, "accounts checked", lambda: require_accounts(journeys, what))
    if level == "persona":
        check = functools.partial(require_values, journeys, "persona", _("the persona level"))
        cache.once(None, "personas checked", check)
    return key, _Cut(lookback, by_account, conversion_touch, outcomes)


def _keyed(
    journeys: ir.Table | Paths,
    journey_map: JourneyMap | None,
    level: str,
    params: dict[str, Any],
    cache: SegmentCache,
    *,
    heuristics: bool = False,
) -> tuple[Segments, ir.Table]:
    """The segments (from ``cache`` when given) keyed by ``level``.

    ``heuristics``: only heuristic models read them. At a level read off the touchpoint,
    whose keys credited with 0 come from the segments' touchpoints, the converting actors'
    segments then suffice (on a heuristics-only cache: :class:`SegmentCache`).
    """
    key, cut = _choices(journeys, journey_map, level, params, cache)
    segments = cache.get(*cut, converting_only=heuristics and level in TOUCHPOINT_KEYED)
    return segments, keyed(segments, key)


def _touchpoint_key(
    journeys: ir.Table,
    journey_map: JourneyMap | None,
    level: str,
    cache: SegmentCache | None = None,
) -> KeyOf | None:
    """The level's key as a function of the touchpoint alone, when it is one.

    Touchpoint and channel always are; the phase is when every event's phase is the one the
    map gives its touchpoint (checked on a materialized journeys table, once per ``cache``).
    """
    if level in TOUCHPOINT_KEYED:
        return _level_key(journey_map, level, list(journeys.columns))
    if level != "phase" or journey_map is None or not isinstance(journeys.op(), ops.PhysicalTable):
        return None  # a lazy journeys table would be computed once more for the check
    lookup = phase_lookup(journey_map)

    def differ() -> bool:
        pairs = journeys.select("touchpoint", "phase").distinct()  # a few rows to check
        return bool(own_phases(pairs, lookup).to_pyarrow().as_py())

    name = f"phases differ from {_map_reading(journey_map, 'phase')}"
    if cache.once(None, name, differ) if cache is not None else differ():
        return None
    return lambda t: t.touchpoint.substitute(lookup, else_=ibis.null(dt.string)).fill_null(
        "(no phase)"
    )


def _map_reading(journey_map: JourneyMap | None, level: str) -> str:
    """What a level's key reads from the map, as text: part of a result's name in the cache."""
    if journey_map is None:
        return "no map"
    if level == "channel":
        return repr(sorted((t.id, t.channel) for t in journey_map.touchpoints))
    if level == "phase":
        return repr(sorted(phase_lookup(journey_map).items()))
    return ""
