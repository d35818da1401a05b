"""``--since``, ``--until`` and ``--wait`` of ``analyze`` and ``attribute``: read, checked, shown.

The period's bounds are read here, before the workspace is opened, so that a bad date names
the option as the command line writes it (``--since``); the analysis records the period
(``summary["period"]``) and :func:`period_line` shows it under the headline. A date and a span
back from the data's end (``--since 30d --until 2018-01-01``) can cross only once the end is
known: a command runs its analysis inside :func:`options_named`, so that the message names
the options too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeAlias

import typer
from rich.markup import escape

from journeymap.cli.app import _

__all__ = [
    "SinceOption",
    "UntilOption",
    "WaitOption",
    "options_named",
    "period_bounds",
    "period_line",
]

# The period's bounds as the command line writes them.
OPTION_NAMES = ("--since", "--until")

SinceOption: TypeAlias = Annotated[
    str | None,
    typer.Option(
        "--since",
        help="Only events from this date on (included), e.g. 2012-01-01 or "
        "2012-01-01T08:00+01:00 (UTC unless a zone is given), or a span back from the data's "
        "last event, e.g. 90d.",
    ),
]
UntilOption: TypeAlias = Annotated[
    str | None,
    typer.Option(
        "--until",
        help="Only events before this date (left out), e.g. 2012-02-01, or a span back from "
        "the data's last event, e.g. 30d.",
    ),
]
WaitOption: TypeAlias = Annotated[
    float,
    typer.Option(
        "--wait",
        help="Seconds to wait for a DuckDB workspace another process uses (default: 0, exit "
        "75 at once).",
    ),
]


def period_bounds(since: str | None, until: str | None) -> dict[str, Any]:
    """``--since`` and ``--until`` read and checked, named as the command line writes them.

    Only those given: the ``analysis.since`` and ``analysis.until`` settings fill the rest.
    """
    from journeymap.engine.period import check_order, parse_bound

    bounds = {
        "since": parse_bound(since, OPTION_NAMES[0]),
        "until": parse_bound(until, OPTION_NAMES[1]),
    }
    check_order(bounds["since"], bounds["until"], OPTION_NAMES)
    return {name: bound for name, bound in bounds.items() if bound is not None}


@contextmanager
def options_named() -> Iterator[None]:
    """Inside, a message on the period names ``--since`` and ``--until``, not ``since``.

    The analysis checks a span against a date once it knows the data's last event, deep
    in the layers the Python API shares, which name their parameters.
    """
    from journeymap.engine.period import bounds_named

    with bounds_named(OPTION_NAMES):
        yield


def period_line(summary: dict[str, Any]) -> str | None:
    """``Period: events from 2012-01-01 up to 2012-02-01 (not included)`` for a period."""
    from journeymap.engine.period import readable

    period = summary.get("period")
    if not isinstance(period, dict):
        return None
    since, until = (_moment(period.get(name)) for name in ("since", "until"))
    if since and until:
        text = _("events from {since} up to {until} (not included)").format(
            since=readable(since), until=readable(until)
        )
    elif since:
        text = _("events from {since} on").format(since=readable(since))
    elif until:
        text = _("events before {until}").format(until=readable(until))
    else:
        return None
    return f"[bold]{_('Period')}:[/] {escape(text)}"


def _moment(value: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else None
