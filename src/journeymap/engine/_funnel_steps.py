"""Funnel steps: a value, or alternatives any of which reaches the step, and their names.

A touchpoint funnel step may be several touchpoints (``product-page|search-result``): every
alternative gets the step's number, so the one ordered pass per journey reaches the step at
whichever comes first, in any ordering (``ordered``, ``any``, ``strict``: moving from one
alternative to another is a repeat of the step, which keeps a strict chain).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeAlias

from journeymap.engine._checks import ALTERNATIVES
from journeymap.i18n import gettext
from journeymap.model import JourneyMap

__all__ = ["Step", "outcome_steps", "step_name", "step_numbers", "step_phase", "step_text"]


Step: TypeAlias = str | tuple[str, ...]
"""A funnel step: one value, or alternatives any of which reaches it (``("a", "b")``)."""


def step_numbers(steps: Sequence[Step]) -> dict[str, int]:
    """Each value's step number; every alternative of a step has the step's number."""
    return {
        value: position + 1
        for position, step in enumerate(steps)
        for value in ((step,) if isinstance(step, str) else step)
    }


def step_text(step: Step) -> str:
    """A step as the tables write it: ``a``, alternatives joined by ``|`` (``a|b``)."""
    return step if isinstance(step, str) else ALTERNATIVES.join(step)


def step_phase(journey_map: JourneyMap, alternatives: tuple[str, ...]) -> str | None:
    """The phase of a step: the earliest phase (journey order) any alternative belongs to."""
    firsts = {journey_map.first_phase_of(touchpoint) for touchpoint in alternatives}
    ordered = [phase.id for phase in journey_map.ordered_phases() if phase.id in firsts]
    return ordered[0] if ordered else None


def step_name(journey_map: JourneyMap, alternatives: Sequence[str], language: str) -> str:
    """A step as a reader names it: the touchpoints' names, alternatives joined by "or".

    Examples:
        >>> from journeymap.model import Touchpoint
        >>> m = JourneyMap(id="shop", name="Shop", touchpoints=[
        ...     Touchpoint(id="product-page", name="Product page"),
        ...     Touchpoint(id="search-result", name="Search result"),
        ...     Touchpoint(id="ad", name="Ad")])
        >>> step_name(m, ["product-page", "search-result"], "da")
        'Product page eller Search result'
        >>> step_name(m, ["ad", "product-page", "search-result"], "en")
        'Ad, Product page or Search result'
    """
    names = {touchpoint.id: touchpoint.name for touchpoint in journey_map.touchpoints}
    shown = [names.get(touchpoint, touchpoint) for touchpoint in alternatives]
    if len(shown) < 2:
        return "".join(shown)
    return f"{', '.join(shown[:-1])} {gettext('or', language)} {shown[-1]}"


def outcome_steps(journey_map: JourneyMap, steps: Iterable[Any]) -> list[str]:
    """The map's outcome touchpoints (``outcome: true``) that funnel steps name, in step order.

    A step is a touchpoint id, ids joined by ``|`` or a list of ids, as the options and a saved
    analysis' summary keep them. An outcome as a step is legitimate ("reached approval"), but
    it is an end state, not a contact, which the analysis' notes say.

    Examples:
        >>> from journeymap.model import Touchpoint
        >>> m = JourneyMap(id="loan", name="Loan", touchpoints=[
        ...     Touchpoint(id="form", name="Form"),
        ...     Touchpoint(id="approved", name="Approved", outcome=True),
        ...     Touchpoint(id="declined", name="Declined", outcome=True)])
        >>> outcome_steps(m, ["form", "approved|declined"]), outcome_steps(m, [["form"]])
        (['approved', 'declined'], [])
    """
    outcomes = {touchpoint.id for touchpoint in journey_map.touchpoints if touchpoint.outcome}
    found: list[str] = []
    for step in steps:
        alternatives = step.split(ALTERNATIVES) if isinstance(step, str) else step
        if not isinstance(alternatives, list | tuple):
            continue
        for touchpoint in (str(part).strip() for part in alternatives):
            if touchpoint in outcomes and touchpoint not in found:
                found.append(touchpoint)
    return found
