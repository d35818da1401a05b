"""Checks of a request against the map and the events, with messages that name what is there."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ibis.expr.types as ir

from journeymap.engine._options import JourneyOptions
from journeymap.errors import UsageError
from journeymap.i18n import N_
from journeymap.i18n.messages import translate
from journeymap.model import JourneyMap, did_you_mean

ALTERNATIVES = "|"
"""Joins a funnel step's alternatives: ``product-page|search-result`` is reached by either."""


def step_alternatives(step: Any) -> tuple[str, ...]:
    """The touchpoints a funnel step is reached by: one, or several alternatives.

    A step is a touchpoint id, ids joined by ``|`` (as the command line and the settings write
    it: a comma separates steps) or, in Python, a list of ids. Repeats count once.

    Raises:
        UsageError: an alternative is empty (``a|``), or the step is no text or list of texts.

    Examples:
        >>> step_alternatives("product-page | search-result")
        ('product-page', 'search-result')
        >>> step_alternatives(["ad"]), step_alternatives("ad|ad")
        (('ad',), ('ad',))
    """
    if isinstance(step, str):
        parts = [part.strip() for part in step.split(ALTERNATIVES)]
    elif isinstance(step, list | tuple) and step and all(isinstance(p, str) for p in step):
        parts = [part.strip() for part in step]
    else:
        raise UsageError(
            translate(
                N_(
                    "the funnel step {step} is no touchpoint id; give an id, or several joined "
                    "by | (a list in Python) for a step reached by any of them"
                )
            ).format(step=repr(step))
        )
    if not all(parts):
        raise UsageError(
            translate(
                N_(
                    "the funnel step {step} has an empty alternative; write touchpoint ids "
                    "separated by |, e.g. product-page|search-result"
                )
            ).format(step=repr(step if isinstance(step, str) else ALTERNATIVES.join(step)))
        )
    return tuple(dict.fromkeys(parts))


def funnel_steps(options: JourneyOptions) -> list[tuple[str, ...]]:
    """The alternatives of each touchpoint funnel step given (none: the map's default)."""
    return [step_alternatives(step) for step in options.funnel_touchpoints or []]


def check_touchpoints(journey_map: JourneyMap, options: JourneyOptions) -> None:
    """Raise a :class:`UsageError` for a funnel step or checkout touchpoint not on the map.

    A misspelt step would otherwise be a funnel step that nobody reaches. Each alternative of
    a step (``a|b``) is checked, and a touchpoint may be in one step only: a journey meeting
    it could not tell which step it took.
    """
    known = [touchpoint.id for touchpoint in journey_map.touchpoints]
    touchpoints = [(translate(N_("touchpoints")), known)]
    steps = funnel_steps(options)
    for alternatives in steps:
        for name in alternatives:
            if name in known:
                continue
            if len(alternatives) == 1:
                problem = translate(N_("the funnel step {name} is not a touchpoint of the map"))
            else:
                problem = translate(
                    N_("{name} in the funnel step {step} is not a touchpoint of the map")
                )
            text = problem.format(name=repr(name), step=repr(ALTERNATIVES.join(alternatives)))
            raise UsageError(unknown_name_message(text, name, touchpoints))
    first: dict[str, int] = {}
    for number, alternatives in enumerate(steps, start=1):
        for name in alternatives:
            if first.setdefault(name, number) != number:
                raise UsageError(
                    translate(
                        N_(
                            "the touchpoint {name} is in funnel steps {first} and {second}; a "
                            "touchpoint can be one step only: leave it out of one of them"
                        )
                    ).format(name=repr(name), first=first[name], second=number)
                )
    problem = N_("the checkout touchpoint {name} is not a touchpoint of the map")
    for name in options.checkout_touchpoints or []:
        if name not in known:
            raise UsageError(
                unknown_name_message(translate(problem).format(name=repr(name)), name, touchpoints)
            )


def unknown_name_message(
    problem: str, name: str, available: Sequence[tuple[str, Sequence[str]]]
) -> str:
    """``problem``, a "did you mean" for a near miss and the names available, by kind.

    Args:
        problem: What went wrong, e.g. ``"unknown attribution level 'chanel'"``.
        name: The name asked for.
        available: (what they are, names) pairs, e.g. ``("columns", ["person_id"])``.
    """
    suggestion = did_you_mean(name, [n for _, names in available for n in names])
    hint = (
        translate(N_("; did you mean {name}?")).format(name=repr(suggestion)) if suggestion else ""
    )
    listed = "; ".join(f"{kind}: {', '.join(names)}" for kind, names in available if names)
    return f"{problem}{hint} ({listed})" if listed else f"{problem}{hint}"


# What to do when a column every row leaves empty was asked for (see require_values).
_MISSING_HINTS = {
    "account_id": N_(
        "map the account column in the import rules (columns: account_id: ...) and "
        "import again, or use the person level"
    ),
    "persona": N_(
        "map the persona column in the import rules (columns: persona: ...) and import "
        "again, or use another level"
    ),
}
_MISSING_VALUES = {"account_id": N_("account ids"), "persona": N_("personas")}


def require_values(table: ir.Table, column: str, what: str) -> None:
    """Raise a :class:`UsageError` naming ``what`` when no row of ``table`` has a ``column``.

    Journeys per account fall back to the person where an event has no account (B2C
    contacts beside B2B accounts), and events without a persona count as ``(none)``; with no
    value at all, asking for accounts or personas is a mistake that would otherwise give the
    person-level answer under an account title, or all credit to ``(none)``.
    """
    if not bool(table[column].notnull().any().to_pyarrow().as_py()):
        plural = translate(_MISSING_VALUES[column]) if column in _MISSING_VALUES else column
        hint = translate(_MISSING_HINTS.get(column, N_("import events that have it")))
        raise UsageError(
            translate(N_("{what} needs {values}, and no event has one; {hint}")).format(
                what=what, values=plural, hint=hint
            )
        )


def require_accounts(table: ir.Table, what: str) -> None:
    """:func:`require_values` of the account id."""
    require_values(table, "account_id", what)
