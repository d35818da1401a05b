"""Reference and consistency checks of a journey map, with messages a map author can act on."""

from __future__ import annotations

import dataclasses
import difflib
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from journeymap.errors import ValidationIssue

if TYPE_CHECKING:
    from journeymap.model.journey_map import JourneyMap

__all__ = ["did_you_mean", "suggestion", "validate_map"]

UNMAPPED = "unmapped"


def _duplicates(section: str, ids: Iterable[str], what: str) -> Iterable[ValidationIssue]:
    seen: Counter[str] = Counter()
    for index, element_id in enumerate(ids):
        seen[element_id] += 1
        if seen[element_id] == 2:
            yield ValidationIssue(
                "error",
                "duplicate-id",
                f"{what} id {element_id!r} is used more than once; give each {what} its own id",
                (section, index, "id"),
            )


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate ``name`` most likely misspells (a case-only difference first), or None.

    Examples:
        >>> did_you_mean("chanel", ["touchpoint", "channel", "phase"])
        'channel'
        >>> did_you_mean("Channel", ["channel"]), did_you_mean("xyz", ["channel"])
        ('channel', None)
    """
    folded = {candidate.casefold(): candidate for candidate in reversed(list(candidates))}
    if name.casefold() in folded:
        return folded[name.casefold()]
    # 0.7: "persnoa" finds "persona" (0.71), "oskar" does not find "sara" (0.67).
    close = difflib.get_close_matches(name.casefold(), list(folded), n=1, cutoff=0.7)
    return folded[close[0]] if close else None


def suggestion(name: str, known: Iterable[str]) -> str:
    """``did you mean 'x'?`` for a near miss of ``name``, else the ids that are known."""
    names = sorted(known)
    near = did_you_mean(name, names)
    return f"did you mean {near!r}?" if near is not None else _hint(names)


def _hint(known: Iterable[str]) -> str:
    names = sorted(known)
    if not names:
        return "none are defined yet"
    shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
    return f"known: {shown}"


def validate_map(journey_map: JourneyMap) -> list[ValidationIssue]:
    """Check references, uniqueness and completeness; return errors and warnings.

    Errors: duplicate ids, references to unknown phases, personas or touchpoints (in
    touchpoints, cells, personas' ``joins_at``, evidence and mapping rules). Warnings: a phase
    with no touchpoints, a touchpoint in no phase, an ``order`` for a phase the touchpoint is
    not in.
    """
    issues: list[ValidationIssue] = []
    phases = {phase.id for phase in journey_map.phases}
    personas = {persona.id for persona in journey_map.personas}
    touchpoints = {touchpoint.id for touchpoint in journey_map.touchpoints}

    issues += _duplicates("phases", (p.id for p in journey_map.phases), "phase")
    issues += _duplicates("personas", (p.id for p in journey_map.personas), "persona")
    issues += _duplicates("touchpoints", (t.id for t in journey_map.touchpoints), "touchpoint")
    issues += _duplicates("evidence", (e.id for e in journey_map.evidence), "evidence source")

    def unknown_phase(phase_id: str, path: tuple[str | int, ...], who: str) -> None:
        issues.append(
            ValidationIssue(
                "error",
                "unknown-phase",
                f"{who} refers to phase {phase_id!r}, which the map does not define "
                f"({suggestion(phase_id, phases)}); add it under 'phases' or fix the id",
                path,
            )
        )

    for index, persona in enumerate(journey_map.personas):
        if persona.joins_at is not None and persona.joins_at not in phases:
            issues.append(
                ValidationIssue(
                    "error",
                    "unknown-join-phase",
                    f"persona {persona.id!r} joins at phase {persona.joins_at!r}, which the map "
                    f"does not define ({suggestion(persona.joins_at, phases)}); set joins_at to "
                    "one of the map's phases",
                    ("personas", index, "joins_at"),
                )
            )

    phases_with_touchpoints: set[str] = set()
    for index, touchpoint in enumerate(journey_map.touchpoints):
        for position, phase_id in enumerate(touchpoint.phases):
            if phase_id in phases:
                phases_with_touchpoints.add(phase_id)
            else:
                unknown_phase(
                    phase_id,
                    ("touchpoints", index, "phases", position),
                    f"touchpoint {touchpoint.id!r}",
                )
        if not touchpoint.phases:
            issues.append(
                ValidationIssue(
                    "warning",
                    "touchpoint-without-phase",
                    f"touchpoint {touchpoint.id!r} belongs to no phase; list the phases where "
                    "customers meet it under its 'phases'",
                    ("touchpoints", index),
                )
            )
        for phase_id in touchpoint.order:
            if phase_id not in touchpoint.phases:
                issues.append(
                    ValidationIssue(
                        "warning",
                        "order-for-other-phase",
                        f"touchpoint {touchpoint.id!r} has an order for phase {phase_id!r} "
                        "but is not in that phase; add the phase to 'phases' or drop the order",
                        ("touchpoints", index, "order", phase_id),
                    )
                )

    for index, phase in enumerate(journey_map.phases):
        if phase.id not in phases_with_touchpoints:
            issues.append(
                ValidationIssue(
                    "warning",
                    "empty-phase",
                    f"phase {phase.id!r} has no touchpoints; add the touchpoints customers meet "
                    "in it, or remove the phase",
                    ("phases", index),
                )
            )

    for index, cell in enumerate(journey_map.cells):
        where = f"cell #{index + 1}"
        if cell.phase not in phases:
            unknown_phase(cell.phase, ("cells", index, "phase"), where)
        if cell.persona is not None and cell.persona not in personas:
            issues.append(
                ValidationIssue(
                    "error",
                    "unknown-persona",
                    f"{where} refers to persona {cell.persona!r}, which the map does not define "
                    f"({suggestion(cell.persona, personas)}); add the persona or fix the id",
                    ("cells", index, "persona"),
                )
            )
        if cell.touchpoint is not None and cell.touchpoint not in touchpoints:
            issues.append(
                ValidationIssue(
                    "error",
                    "unknown-touchpoint",
                    f"{where} refers to touchpoint {cell.touchpoint!r}, which the map does not "
                    f"define ({suggestion(cell.touchpoint, touchpoints)}); add the touchpoint or "
                    "fix the id",
                    ("cells", index, "touchpoint"),
                )
            )

    cell_keys: Counter[tuple[str, str | None, str | None]] = Counter()
    for index, cell in enumerate(journey_map.cells):
        cell_keys[cell.key] += 1
        if cell_keys[cell.key] == 2:
            issues.append(
                ValidationIssue(
                    "error",
                    "duplicate-cell",
                    f"more than one cell for phase {cell.phase!r}, persona {cell.persona!r}, "
                    f"touchpoint {cell.touchpoint!r}; merge them into one",
                    ("cells", index),
                )
            )

    everything = phases | personas | touchpoints
    for index, source in enumerate(journey_map.evidence):
        for position, element_id in enumerate(source.backs):
            if element_id not in everything:
                issues.append(
                    ValidationIssue(
                        "error",
                        "unknown-element",
                        f"evidence {source.id!r} backs {element_id!r}, which is no phase, "
                        "persona or touchpoint of the map; fix the id",
                        ("evidence", index, "backs", position),
                    )
                )

    if journey_map.mapping is not None:
        # The same check as a separate rules file gets against its map.
        found = journey_map.mapping.issues_against_map(
            touchpoints, phases, rule_name="mapping rule"
        )
        issues += [dataclasses.replace(issue, path=("mapping", *issue.path)) for issue in found]
    return issues
