"""The check that the last non-direct model's direct touchpoints exist."""

from __future__ import annotations

from collections.abc import Sequence

from journeymap.attribution._aggregate import Segments
from journeymap.attribution._by_touchpoint import _touchpoints_seen
from journeymap.attribution._cache import SegmentCache
from journeymap.attribution._parameters import named
from journeymap.engine._checks import unknown_name_message
from journeymap.errors import UsageError
from journeymap.i18n.messages import _
from journeymap.model import JourneyMap
from journeymap.settings import SETTINGS


def _check_direct(
    direct: Sequence[str],
    journey_map: JourneyMap | None,
    level: str,
    segments: Segments,
    seen: set[str],
    cache: SegmentCache,
    *,
    given: bool = True,
) -> None:
    """Refuse a direct touchpoint that is no touchpoint of the map or the journeys.

    ``given``: the caller passed the touchpoints; else they come from the setting, which the
    message names (a wrong JOURNEYMAP_ATTRIBUTION_DIRECT_TOUCHPOINTS was blamed on --direct).

    A misspelt one (``chekout``) matched no touch, and last non-direct silently became last
    touch. The map's channels and the level's own keys count too: a level's direct keys are
    its own (a channel at the channel level), and an analysis credits the touchpoint,
    channel and phase levels with one set of parameters. The default, ``direct``, may well
    be missing from a map, as the default lead phases may.
    """
    if tuple(direct) == tuple(SETTINGS["attribution.direct_touchpoints"].default):
        return
    on_map = journey_map.touchpoints if journey_map else []
    touchpoints = {touchpoint.id for touchpoint in on_map}
    touchpoints |= cache.once(segments, "seen", lambda: _touchpoints_seen(segments))
    channels = {touchpoint.channel for touchpoint in on_map} - touchpoints
    keys = seen - touchpoints - channels  # of a phase or column level
    for name in direct:
        if name in touchpoints or name in channels or name in keys:
            continue
        raise UsageError(
            unknown_name_message(
                _(
                    "the direct touchpoint {name} ({option}) is not a touchpoint of the map or "
                    "the journeys"
                ).format(name=repr(name), option=named("direct_touchpoints", given)),
                name,
                [
                    (_("touchpoints"), sorted(touchpoints)),
                    (_("channels"), sorted(channels)),
                    (_("keys of the level"), sorted(keys)),
                ],
            )
        )
