"""Reference and consistency checks of a journey map, with messages a map author can act on."""

from __future__ import annotations

import dataclasses
import difflib
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from journeymap.errors import ValidationIssue
from journeymap.i18n import N_
from journeymap.model._i18n import _
from journeymap.model._long_texts import LONG_TEXT as LONG_TEXT
from journeymap.model._long_texts import LONG_WORD as LONG_WORD
from journeymap.model._long_texts import _long_texts
from journeymap.model._map_warnings import _cells_against_map, _modes_left_out, _same_phase_order
from journeymap.model.touchpoints import CATALOG

if TYPE_CHECKING:
    from journeymap.model.journey_map import JourneyMap

__all__ = ["LOCATE_CONTEXT", "Locate", "did_you_mean", "meant_ids", "suggestion", "validate_map"]

UNMAPPED = "unmapped"


# One message per section: the languages inflect the noun ("én fase", "ét touchpoint").
_DUPLICATE_MESSAGES = {
    "phases": N_(
        "phase id {id} is used more than once (first defined at {first}); give each phase its "
        "own id"
    ),
    "personas": N_(
        "persona id {id} is used more than once (first defined at {first}); give each persona "
        "its own id"
    ),
    "touchpoints": N_(
        "touchpoint id {id} is used more than once (first defined at {first}); give each "
        "touchpoint its own id"
    ),
    "evidence": N_(
        "evidence source id {id} is used more than once (first defined at {first}); give each "
        "evidence source its own id"
    ),
}

Locate = Callable[[tuple[str | int, ...]], str]
"""Where the value at a map path is, as a map author finds it (``shop.yaml:12:9``)."""

LOCATE_CONTEXT = "locate"
"""The key of a :data:`Locate` in the context of ``JourneyMap.model_validate``."""


def _dotted(path: tuple[str | int, ...]) -> str:
    return ".".join(str(part) for part in path)


def _duplicates(
    section: str, ids: Iterable[str], locate: Locate | None = None
) -> Iterable[ValidationIssue]:
    first: dict[str, int] = {}
    seen: Counter[str] = Counter()
    for index, element_id in enumerate(ids):
        first.setdefault(element_id, index)
        seen[element_id] += 1
        if seen[element_id] == 2:
            first_path: tuple[str | int, ...] = (section, first[element_id], "id")
            yield ValidationIssue(
                "error",
                "duplicate-id",
                _(_DUPLICATE_MESSAGES[section]).format(
                    id=repr(element_id),
                    first=locate(first_path) if locate is not None else _dotted(first_path),
                ),
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


# How many ids a did-you-mean offers at most, and how long a text must be for the ids that
# start with it (two letters) or contain it (three) to be offered: "e" is in every id.
_MAX_MEANT = 3
_MIN_PREFIX = 2
_MIN_PART = 3


def meant_ids(name: str, known: Iterable[str]) -> list[str]:
    """The ids ``name`` may mean, at most three, the likeliest first.

    A case-only difference, ids that start with it or contain it, ids it contains, then near
    misses.

    A short form (``mette`` for ``mette-hansen``) is as likely as a typo: map authors shorten
    the ids they wrote earlier.

    Examples:
        >>> meant_ids("mette", ["lars-jensen", "mette-hansen"])
        ['mette-hansen']
        >>> meant_ids("ads", ["blog", "search-ads", "social-ads"])
        ['search-ads', 'social-ads']
        >>> meant_ids("considerashun", ["awareness", "consideration"])
        ['consideration']
    """
    names = sorted(set(known))
    folded = name.casefold()
    meant = [candidate for candidate in names if candidate.casefold() == folded]
    if len(folded) >= _MIN_PREFIX:
        meant += [n for n in names if n.casefold().startswith(folded) and n not in meant]
    if len(folded) >= _MIN_PART:
        meant += [n for n in names if folded in n.casefold() and n not in meant]
    # ... and the ids the text holds: "showroom-visit-2025" for "showroom"
    meant += [n for n in names if len(n) >= _MIN_PART and n.casefold() in folded and n not in meant]
    by_fold = {candidate.casefold(): candidate for candidate in names}
    close = difflib.get_close_matches(folded, list(by_fold), n=_MAX_MEANT, cutoff=0.7)
    meant += [by_fold[match] for match in close if by_fold[match] not in meant]
    return meant[:_MAX_MEANT]


def suggestion(name: str, known: Iterable[str]) -> str:
    """``did you mean 'x'?`` for the ids ``name`` may mean, else the ids that are known.

    The ids it may mean are those of :func:`meant_ids`.

    Examples:
        >>> suggestion("mette", ["lars", "mette-hansen", "mette-jensen"])
        "did you mean 'mette-hansen' or 'mette-jensen'?"
        >>> suggestion("xyz", ["lars"])
        'known: lars'
    """
    names = sorted(known)
    meant = [repr(candidate) for candidate in meant_ids(name, names)]
    if meant:
        shown = meant[0] if len(meant) == 1 else f"{', '.join(meant[:-1])} {_('or')} {meant[-1]}"
        return _("did you mean {name}?").format(name=shown)
    return _hint(names)


def _hint(known: Iterable[str]) -> str:
    names = sorted(known)
    if not names:
        return _("none are defined yet")
    shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
    return _("known: {names}").format(names=shown)


def _unknown_catalog(index: int, touchpoint_id: str, catalog_id: str) -> ValidationIssue:
    # An error like an unknown phase: the analyses find touchpoints by their catalog id
    # (checkout abandonment by ``checkout``), so a typo silently leaves one out.
    meant = did_you_mean(catalog_id, CATALOG)
    hint = (
        _("did you mean {name}?").format(name=repr(meant))
        if meant is not None
        else _("catalog ids: {ids}").format(ids=", ".join(sorted(CATALOG)))
    )
    return ValidationIssue(
        "error",
        "unknown-catalog",
        _(
            "touchpoint {touchpoint} names catalog entry {catalog}, which the touchpoint "
            "catalog does not have ({hint}); write one of its ids, or remove 'catalog'"
        ).format(touchpoint=repr(touchpoint_id), catalog=repr(catalog_id), hint=hint),
        ("touchpoints", index, "catalog"),
    )


# The key of a duplicate cell as the message names it: a cell without persona is every
# persona's, one without touchpoint the whole phase's (Python's None means nothing to a reader).
_DUPLICATE_CELL_MESSAGES = {
    (False, False): N_(
        "more than one cell for phase {phase} (the first is at {first}); merge them into one"
    ),
    (True, False): N_(
        "more than one cell for phase {phase} and persona {persona} (the first is at {first}); "
        "merge them into one"
    ),
    (False, True): N_(
        "more than one cell for phase {phase} and touchpoint {touchpoint} (the first is at "
        "{first}); merge them into one"
    ),
    (True, True): N_(
        "more than one cell for phase {phase}, persona {persona} and touchpoint {touchpoint} "
        "(the first is at {first}); merge them into one"
    ),
}


def _duplicate_cells(
    journey_map: JourneyMap, locate: Locate | None = None
) -> Iterable[ValidationIssue]:
    """An error at the second cell of a (phase, persona, touchpoint), naming the first."""
    first: dict[tuple[str, str | None, str | None], int] = {}
    seen: Counter[tuple[str, str | None, str | None]] = Counter()
    for index, cell in enumerate(journey_map.cells):
        first.setdefault(cell.key, index)
        seen[cell.key] += 1
        if seen[cell.key] != 2:
            continue
        first_path: tuple[str | int, ...] = ("cells", first[cell.key])
        message = _DUPLICATE_CELL_MESSAGES[(cell.persona is not None, cell.touchpoint is not None)]
        yield ValidationIssue(
            "error",
            "duplicate-cell",
            _(message).format(
                phase=repr(cell.phase),
                persona=repr(cell.persona),
                touchpoint=repr(cell.touchpoint),
                first=(
                    locate(first_path)
                    if locate is not None
                    else _("cell #{number}").format(number=first[cell.key] + 1)
                ),
            ),
            ("cells", index),
        )


def validate_map(journey_map: JourneyMap, locate: Locate | None = None) -> list[ValidationIssue]:
    """Check references, uniqueness and completeness; return errors and warnings.

    ``locate`` says where a path is in the map's file, for the messages that point at another
    place than their own (a duplicate id names where the id was first defined); without it
    they name the path (``phases.0.id``).

    Errors: duplicate ids, references to unknown phases, personas or touchpoints (in
    touchpoints, cells, personas' ``joins_at``, evidence and mapping rules), a touchpoint
    ``catalog`` that is no id of the built-in catalog. Warnings: a phase with no touchpoints, a
    touchpoint in no phase, an ``order`` for a phase the touchpoint is not in, two phases with
    the same ``order``, a persona's cell before the persona joins, a touchpoint's cell in a
    phase the touchpoint is not in, a touchpoint without ``mode`` in a map with offline
    touchpoints, a lane text longer than :data:`LONG_TEXT` or with a
    word longer than :data:`LONG_WORD`.
    """
    issues: list[ValidationIssue] = []
    phases = {phase.id for phase in journey_map.phases}
    personas = {persona.id for persona in journey_map.personas}
    touchpoints = {touchpoint.id for touchpoint in journey_map.touchpoints}

    issues += _duplicates("phases", (p.id for p in journey_map.phases), locate)
    issues += _duplicates("personas", (p.id for p in journey_map.personas), locate)
    issues += _duplicates("touchpoints", (t.id for t in journey_map.touchpoints), locate)
    issues += _duplicates("evidence", (e.id for e in journey_map.evidence), locate)

    def unknown_phase(phase_id: str, path: tuple[str | int, ...], who: str) -> None:
        issues.append(
            ValidationIssue(
                "error",
                "unknown-phase",
                _(
                    "{who} refers to phase {phase}, which the map does not define ({hint}); "
                    "add it under 'phases' or fix the id"
                ).format(who=who, phase=repr(phase_id), hint=suggestion(phase_id, phases)),
                path,
            )
        )

    for index, persona in enumerate(journey_map.personas):
        if persona.joins_at is not None and persona.joins_at not in phases:
            issues.append(
                ValidationIssue(
                    "error",
                    "unknown-join-phase",
                    _(
                        "persona {persona} joins at phase {phase}, which the map does not "
                        "define ({hint}); set joins_at to one of the map's phases"
                    ).format(
                        persona=repr(persona.id),
                        phase=repr(persona.joins_at),
                        hint=suggestion(persona.joins_at, phases),
                    ),
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
                    _("touchpoint {touchpoint}").format(touchpoint=repr(touchpoint.id)),
                )
        if not touchpoint.phases:
            issues.append(
                ValidationIssue(
                    "warning",
                    "touchpoint-without-phase",
                    _(
                        "touchpoint {touchpoint} belongs to no phase, so the drawn map leaves "
                        "it out; list the phases where customers meet it under its 'phases'"
                    ).format(touchpoint=repr(touchpoint.id)),
                    ("touchpoints", index),
                )
            )
        if touchpoint.catalog is not None and touchpoint.catalog not in CATALOG:
            issues.append(_unknown_catalog(index, touchpoint.id, touchpoint.catalog))
        for phase_id in touchpoint.order:
            if phase_id not in touchpoint.phases:
                issues.append(
                    ValidationIssue(
                        "warning",
                        "order-for-other-phase",
                        _(
                            "touchpoint {touchpoint} has an order for phase {phase} but is not "
                            "in that phase; add the phase to 'phases' or drop the order"
                        ).format(touchpoint=repr(touchpoint.id), phase=repr(phase_id)),
                        ("touchpoints", index, "order", phase_id),
                    )
                )

    for index, phase in enumerate(journey_map.phases):
        if phase.id not in phases_with_touchpoints:
            issues.append(
                ValidationIssue(
                    "warning",
                    "empty-phase",
                    _(
                        "phase {phase} has no touchpoints; add the touchpoints customers meet "
                        "in it, or remove the phase"
                    ).format(phase=repr(phase.id)),
                    ("phases", index),
                )
            )

    issues += _same_phase_order(journey_map)
    issues += _modes_left_out(journey_map)

    for index, cell in enumerate(journey_map.cells):
        where = _("cell #{number}").format(number=index + 1)
        if cell.phase not in phases:
            unknown_phase(cell.phase, ("cells", index, "phase"), where)
        if cell.persona is not None and cell.persona not in personas:
            issues.append(
                ValidationIssue(
                    "error",
                    "unknown-persona",
                    _(
                        "{who} refers to persona {persona}, which the map does not define "
                        "({hint}); add the persona or fix the id"
                    ).format(
                        who=where,
                        persona=repr(cell.persona),
                        hint=suggestion(cell.persona, personas),
                    ),
                    ("cells", index, "persona"),
                )
            )
        if cell.touchpoint is not None and cell.touchpoint not in touchpoints:
            issues.append(
                ValidationIssue(
                    "error",
                    "unknown-touchpoint",
                    _(
                        "{who} refers to touchpoint {touchpoint}, which the map does not define "
                        "({hint}); add the touchpoint or fix the id"
                    ).format(
                        who=where,
                        touchpoint=repr(cell.touchpoint),
                        hint=suggestion(cell.touchpoint, touchpoints),
                    ),
                    ("cells", index, "touchpoint"),
                )
            )

    issues += _cells_against_map(journey_map)
    issues += _long_texts(journey_map)
    issues += _duplicate_cells(journey_map, locate)

    everything = phases | personas | touchpoints
    for index, source in enumerate(journey_map.evidence):
        for position, element_id in enumerate(source.backs):
            if element_id not in everything:
                issues.append(
                    ValidationIssue(
                        "error",
                        "unknown-element",
                        _(
                            "evidence {evidence} backs {element}, which is no phase, persona "
                            "or touchpoint of the map; fix the id"
                        ).format(evidence=repr(source.id), element=repr(element_id)),
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
