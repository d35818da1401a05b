"""The ordered funnel of ``engine/funnel.py``, walked in plain Python for the dataset tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence


def furthest_step(
    events: Iterable[tuple[dt.datetime, str]], steps: Sequence[str], window: dt.timedelta | None
) -> int:
    """How many steps of the ordered funnel a journey's ``(time, step name)`` events reach.

    Walk the events in order; an event of step k advances the chain when an earlier event
    (not one at the same position: ties are in the journey's order) completed step k-1 and
    that chain's step-1 event is at most ``window`` before it. Per step the latest such
    step-1 time is kept, so a repeated step 1 restarts the window.
    """
    step_of = {step: k for k, step in enumerate(steps)}
    latest: list[dt.datetime | None] = [None] * len(steps)
    for stamp, name in events:
        k = step_of.get(name)
        if k is None:
            continue
        if k == 0:
            latest[0] = stamp
            continue
        start = latest[k - 1]
        if start is None or (window is not None and stamp - start > window):
            continue
        current = latest[k]
        if current is None or start > current:
            latest[k] = start
    return max((k + 1 for k in range(len(steps)) if latest[k] is not None), default=0)
