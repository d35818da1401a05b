"""Checks of a request against the map and the events, with messages that name what is there."""

from __future__ import annotations

from collections.abc import Sequence

import ibis.expr.types as ir

from journeymap.engine._options import JourneyOptions
from journeymap.errors import UsageError
from journeymap.i18n import N_
from journeymap.i18n.messages import translate
from journeymap.model import JourneyMap, did_you_mean


def check_touchpoints(journey_map: JourneyMap, options: JourneyOptions) -> None:
    """Raise a :class:`UsageError` for a funnel step or checkout touchpoint not on the map.

    A misspelt step would otherwise be a funnel step that nobody reaches.
    """
    known = [touchpoint.id for touchpoint in journey_map.touchpoints]
    chosen = {
        N_("the funnel step {name} is not a touchpoint of the map"): (
            options.funnel_touchpoints or []
        ),
        N_("the checkout touchpoint {name} is not a touchpoint of the map"): (
            options.checkout_touchpoints or []
        ),
    }
    for problem, names in chosen.items():
        for name in names:
            if name not in known:
                raise UsageError(
                    unknown_name_message(
                        translate(problem).format(name=repr(name)),
                        name,
                        [(translate(N_("touchpoints")), known)],
                    )
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
