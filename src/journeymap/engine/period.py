"""The period an analysis reads: events from ``since`` (included) up to ``until`` (left out).

A bound is a date or a date and time in ISO 8601 (``2012-01-01``, ``2012-01-01T08:00``,
``2012-01-01T08:00+01:00``; without a zone it is UTC, the zone events are stored in), or a
span back from the data's last event (``30d``: ``since="30d"`` reads the last 30 days of the
data, ``until="30d"`` leaves them out). Events are filtered before journeys are cut: a journey
that began before the period starts at its first event in it, one that goes on after it ends
at its last event in it. :func:`in_period` filters and counts; the counts say how many persons
(or accounts) have events outside the period, whose journeys the period cuts.

Messages name the bounds as the caller writes them: ``since`` and ``until`` in Python, the
options ``--since`` and ``--until`` where the command line runs an analysis inside
:func:`bounds_named` (a date and a span back from the data's end can cross only once the end
is known, deep inside the analysis).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

from journeymap.errors import UsageError
from journeymap.i18n import N_
from journeymap.i18n.messages import translate

__all__ = [
    "Period",
    "bounds_named",
    "check_order",
    "in_period",
    "iso",
    "parse_bound",
    "readable",
]

_RELATIVE = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}

Bound = dt.datetime | dt.timedelta | None

# The bounds' names in messages of an analysis run inside ``bounds_named`` (None: Python's).
_NAMES: ContextVar[tuple[str, str] | None] = ContextVar("period_bound_names", default=None)


@contextmanager
def bounds_named(names: tuple[str, str]) -> Iterator[None]:
    """Name the bounds ``names`` (``("--since", "--until")``) in the block's period messages.

    For a caller whose bounds reach :func:`in_period` through layers that do not pass their
    names: the command line, whose ``--since 30d --until 2018-01-01`` cross only at the data's
    end.

    Examples:
        >>> with bounds_named(("--since", "--until")):
        ...     check_order(parse_bound("2012-02-01"), parse_bound("2012-01-01"))
        Traceback (most recent call last):
        ...
        journeymap.errors.UsageError: --since 2012-02-01 is not before --until 2012-01-01: ...
    """
    token = _NAMES.set(names)
    try:
        yield
    finally:
        _NAMES.reset(token)


def parse_bound(value: Any, name: str = "since") -> Bound:
    """A period's bound: a moment in UTC, a span back from the data's last event, or None.

    ``name`` is the option as the caller writes it (``since``, ``--until``), for the message.

    Examples:
        >>> parse_bound("2012-01-01")
        datetime.datetime(2012, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)
        >>> parse_bound("2012-01-01T09:00+01:00")
        datetime.datetime(2012, 1, 1, 8, 0, tzinfo=datetime.timezone.utc)
        >>> parse_bound("30d")
        datetime.timedelta(days=30)
        >>> parse_bound("none") is None
        True
        >>> parse_bound("2012-13-01", "--since")
        Traceback (most recent call last):
        ...
        journeymap.errors.UsageError: --since '2012-13-01' is not a date: ...

    Raises:
        UsageError: for text that is neither a date nor a span, or a span that is not
            positive; the message names the option.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):  # pandas' Timestamp too
        moment = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        return dt.datetime.fromtimestamp(moment.timestamp(), dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if isinstance(value, dt.timedelta):
        if value <= dt.timedelta(0):
            raise _not_a_bound(name, value)
        return value
    if not isinstance(value, str):
        raise _not_a_bound(name, value)
    text = value.strip()
    if text.lower() in ("", "none", "off"):
        return None
    span = _RELATIVE.fullmatch(text.lower())
    if span:
        seconds = float(span.group(1)) * _UNITS[span.group(2)]
        if seconds <= 0:
            raise _not_a_bound(name, value)
        return dt.timedelta(seconds=seconds)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise _not_a_bound(name, value) from None
    return parse_bound(moment, name)


def _not_a_bound(name: str, value: Any) -> UsageError:
    return UsageError(
        translate(
            N_(
                "{name} {value} is not a date: write a date (2012-01-31) or a date and time "
                "(2012-01-31T08:00; UTC unless a zone such as +01:00 follows) in ISO 8601, or "
                "a span back from the data's last event (e.g. 30d, 12w)"
            )
        ).format(name=name, value=repr(value if isinstance(value, str) else str(value)))
    )


def check_order(since: Bound, until: Bound, names: tuple[str, str] | None = None) -> None:
    """Refuse a period whose start is not before its end (both moments, or both spans).

    A span back from the data's end is checked once the end is known (:func:`in_period`).
    ``names`` are the bounds as the caller writes them; by default those of
    :func:`bounds_named`, else ``since`` and ``until``.

    Raises:
        UsageError: naming both options and their values.
    """
    if since is None or until is None or type(since) is not type(until):
        return
    names = names or _NAMES.get() or ("since", "until")
    # Two spans: since="7d" reads from 7 days before the end, until="30d" stops 30 days before.
    empty = since >= until if isinstance(since, dt.datetime) else since <= until  # type: ignore[operator]
    if empty:
        raise UsageError(
            translate(
                N_(
                    "{since} {start} is not before {until} {end}: the period is empty (since "
                    "is included, until is left out)"
                )
            ).format(since=names[0], start=_shown(since), until=names[1], end=_shown(until))
        )


def _shown(bound: Bound) -> str:
    if isinstance(bound, dt.timedelta):
        from journeymap.settings import written

        return written(bound)
    return readable(bound)


def iso(moment: dt.datetime | None) -> str | None:
    """``2012-01-01`` at midnight UTC, else ``2012-01-01T08:30:00+00:00``; None stays None."""
    if moment is None:
        return None
    moment = _in_utc(moment)
    if moment.time() == dt.time(0):
        return moment.date().isoformat()
    return moment.isoformat()


def _in_utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` in UTC; a time without a zone is UTC (``2012-01-01`` read back from JSON)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def readable(moment: dt.datetime | None) -> str:
    """A moment as messages and notes show it: ``2012-01-01``, ``2012-01-01 08:30 UTC``.

    Examples:
        >>> readable(dt.datetime(2012, 1, 1, 8, 30, 5, 120, tzinfo=dt.UTC))
        '2012-01-01 08:30:05 UTC'
    """
    if moment is None:
        return ""
    moment = _in_utc(moment)
    if moment.time() == dt.time(0):
        return moment.date().isoformat()
    shape = (
        "%Y-%m-%d %H:%M" if moment.second == 0 and not moment.microsecond else "%Y-%m-%d %H:%M:%S"
    )
    return moment.strftime(shape) + " UTC"


@dataclass(frozen=True)
class Period:
    """The period analysed, resolved to moments, and what it leaves out.

    Attributes:
        since: First moment analysed (UTC), or None: from the data's first event.
        until: First moment no longer analysed (UTC), or None: up to the data's last event.
        given_since: ``since`` as given when it was a span back from the data's end (``30d``).
        given_until: Likewise for ``until``.
        events: Events in the period.
        events_total: Events given, before the period was taken.
        data_first: The first event's time of all events given.
        data_last: The last event's time of all events given.
        actors: Persons (accounts, for journeys per account) with events in the period.
        actors_before: Of those, how many also have events before the period.
        actors_after: Of those, how many also have events after the period.
        unit: ``person`` or ``account``: what ``actors`` counts.
    """

    since: dt.datetime | None
    until: dt.datetime | None
    given_since: str | None
    given_until: str | None
    events: int
    events_total: int
    data_first: dt.datetime | None
    data_last: dt.datetime | None
    actors: int
    actors_before: int
    actors_after: int
    unit: str

    def to_json(self) -> dict[str, Any]:
        """The period as JSON-able values (moments in ISO 8601)."""
        return {
            "since": iso(self.since),
            "until": iso(self.until),
            "given_since": self.given_since,
            "given_until": self.given_until,
            "events": self.events,
            "events_total": self.events_total,
            "data_first_ts": _full_iso(self.data_first),
            "data_last_ts": _full_iso(self.data_last),
            "unit": self.unit,
            "actors": self.actors,
            "actors_before": self.actors_before,
            "actors_after": self.actors_after,
        }


def _full_iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(dt.UTC).isoformat()


def _utc(value: Any) -> dt.datetime | None:
    """A timestamp the engine returned, aware in UTC (a naive one is UTC)."""
    if value is None:
        return None
    moment: dt.datetime = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _literal(events: ir.Table, moment: dt.datetime) -> ir.Value:
    """``moment`` as the events' ``ts`` column compares with it (a naive column is UTC)."""
    if events.ts.type().timezone is None:
        return ibis.literal(moment.astimezone(dt.UTC).replace(tzinfo=None))
    return ibis.literal(moment.astimezone(dt.UTC))


def in_period(
    events: ir.Table,
    since: Bound,
    until: Bound,
    *,
    unit: str = "person",
    names: tuple[str, str] | None = None,
) -> tuple[ir.Table, Period | None]:
    """The events from ``since`` (included) up to ``until`` (left out), and the counts.

    Spans are taken back from the last event of ``events``. Without bounds the events come
    back as they are, with no period. Three small queries: the data's range, the period's
    count, and the persons (or accounts, ``unit``) the period cuts. ``names`` name the bounds
    in the message (see :func:`check_order`).

    Raises:
        UsageError: when the resolved start is not before the resolved end.
    """
    if since is None and until is None:
        return events, None
    head = (
        events.aggregate(total=events.count(), first=events.ts.min(), last=events.ts.max())
        .to_pyarrow()
        .to_pylist()[0]
    )
    first, last = _utc(head["first"]), _utc(head["last"])
    start = _resolved(since, last)
    end = _resolved(until, last)
    check_order(start, end, names)
    inside = events
    if start is not None:
        inside = inside.filter(inside.ts >= _literal(events, start))
    if end is not None:
        inside = inside.filter(inside.ts < _literal(events, end))
    column = "account_id" if unit == "account" else "person_id"
    actors = inside.select(key=inside[column]).filter(lambda t: t.key.notnull()).distinct()
    counts: dict[str, Any] = {"events": inside.count(), "actors": actors.count()}
    for side, bound, outside in (
        ("before", start, events.ts < _literal(events, start) if start else None),
        ("after", end, events.ts >= _literal(events, end) if end else None),
    ):
        if bound is None or outside is None:
            continue
        others = events.filter(outside).select(key=events[column]).distinct()
        counts[side] = actors.semi_join(others, "key").count()
    found = {name: int(expr.to_pyarrow().as_py() or 0) for name, expr in counts.items()}
    period = Period(
        since=start,
        until=end,
        given_since=_given(since),
        given_until=_given(until),
        events=found["events"],
        events_total=int(head["total"] or 0),
        data_first=first,
        data_last=last,
        actors=found["actors"],
        actors_before=found.get("before", 0),
        actors_after=found.get("after", 0),
        unit=unit,
    )
    return inside, period


def _resolved(bound: Bound, last: dt.datetime | None) -> dt.datetime | None:
    if isinstance(bound, dt.timedelta):
        return None if last is None else last - bound
    return bound


def _given(bound: Bound) -> str | None:
    if isinstance(bound, dt.timedelta):
        from journeymap.settings import written

        return written(bound)
    return None
