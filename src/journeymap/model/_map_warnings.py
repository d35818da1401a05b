"""Warnings at map elements the map shows otherwise than their author most likely means.

Two phases with the same ``order``, a persona's cell before the persona joins, a touchpoint's
cell in a phase the touchpoint is not in, and a touchpoint without ``mode`` in a map with
offline touchpoints. :func:`journeymap.model.validation.validate_map` gathers them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from journeymap.errors import ValidationIssue
from journeymap.model._i18n import _

if TYPE_CHECKING:
    from journeymap.model.journey_map import JourneyMap


def _same_phase_order(journey_map: JourneyMap) -> Iterable[ValidationIssue]:
    """A warning at each phase whose ``order`` an earlier phase already has.

    Only orders the map gives count: phases without one all default to 0 and follow the
    file, which is how a map without orders means them.
    """
    first: dict[int, str] = {}
    for index, phase in enumerate(journey_map.phases):
        if "order" not in phase.model_fields_set:
            continue
        if phase.order not in first:
            first[phase.order] = phase.id
            continue
        yield ValidationIssue(
            "warning",
            "same-phase-order",
            _(
                "phases {first} and {second} both have order {order}, so the journey, and "
                "every funnel over it, puts them in file order; give each phase its own order"
            ).format(first=repr(first[phase.order]), second=repr(phase.id), order=phase.order),
            ("phases", index, "order"),
        )


def _cells_against_map(journey_map: JourneyMap) -> Iterable[ValidationIssue]:
    """Warnings at cells the map cannot show where they are written.

    A persona's cell in a phase before the persona joins: the drawn map gives the persona no
    emotion there. A touchpoint's cell in a phase the touchpoint is not in: the map draws it
    in a column without the touchpoint. Both come from moving a touchpoint or a ``joins_at``
    without the cells.
    """
    position = {phase.id: index for index, phase in enumerate(journey_map.ordered_phases())}
    personas = {persona.id: persona for persona in journey_map.personas}
    touchpoints = {touchpoint.id: touchpoint for touchpoint in journey_map.touchpoints}
    for index, cell in enumerate(journey_map.cells):
        if cell.phase not in position:
            continue  # an error already
        where = _("cell #{number}").format(number=index + 1)
        member = personas.get(cell.persona) if cell.persona is not None else None
        joins_at = member.joins_at if member is not None else None
        if (
            member is not None
            and joins_at is not None
            and joins_at in position
            and position[cell.phase] < position[joins_at]
        ):
            yield ValidationIssue(
                "warning",
                "cell-before-joining",
                _(
                    "{who} is for persona {persona} in phase {phase}, before the persona "
                    "joins at {joins_at}: the map leaves the persona out of the phases before "
                    "(its emotion curve starts at {joins_at}); move the cell to {joins_at} or "
                    "a later phase, or set the persona's joins_at to {phase}"
                ).format(
                    who=where,
                    persona=repr(member.id),
                    phase=repr(cell.phase),
                    joins_at=repr(joins_at),
                ),
                ("cells", index, "phase"),
            )
        touchpoint = touchpoints.get(cell.touchpoint) if cell.touchpoint is not None else None
        # A touchpoint in no phase has its own warning, whose fix (its phases) places the cell.
        if touchpoint is not None and touchpoint.phases and cell.phase not in touchpoint.phases:
            its_phases = ", ".join(repr(phase) for phase in touchpoint.phases)
            yield ValidationIssue(
                "warning",
                "cell-outside-touchpoint-phases",
                _(
                    "{who} is for touchpoint {touchpoint} in phase {phase}, but the "
                    "touchpoint is not in that phase (its phases: {phases}), so the map "
                    "draws the cell in a column without the touchpoint; set the cell's phase "
                    "to one of the touchpoint's phases, or add {phase} to the touchpoint's "
                    "'phases'"
                ).format(
                    who=where,
                    touchpoint=repr(touchpoint.id),
                    phase=repr(cell.phase),
                    phases=its_phases,
                ),
                ("cells", index, "phase"),
            )


def _modes_left_out(journey_map: JourneyMap) -> Iterable[ValidationIssue]:
    """A warning at each touchpoint without ``mode`` in a map that has offline touchpoints.

    Such a map tells online from offline, so a mode left out (the default ``online``) is
    most likely forgotten: the trade fair drawn as online. In a map without offline
    touchpoints the default is what the author means, and nothing is said.
    """
    if not any(touchpoint.mode == "offline" for touchpoint in journey_map.touchpoints):
        return
    for index, touchpoint in enumerate(journey_map.touchpoints):
        if "mode" in touchpoint.model_fields_set or touchpoint.outcome:  # an end state
            continue
        yield ValidationIssue(
            "warning",
            "mode-left-out",
            _(
                "touchpoint {touchpoint} has no mode; it is drawn as online — set mode: "
                "offline if customers meet it in person"
            ).format(touchpoint=repr(touchpoint.id)),
            ("touchpoints", index),
        )
