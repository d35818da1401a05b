"""Differences between two versions of a journey map, element by element (by id).

The map's ``labels`` are compared per breakdown column: a column labelled in one map only is
added or removed, a column whose labels differ is changed, its fields the raw values (and the
``(none)`` and ``(column)`` keys) whose label changed, as (old, new), None where absent.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

from journeymap.i18n import N_
from journeymap.model.cells import StageCell
from journeymap.model.evidence import EvidenceSource
from journeymap.model.journey_map import JourneyMap
from journeymap.model.personas import Persona
from journeymap.model.phases import Phase
from journeymap.model.touchpoints import Touchpoint

__all__ = [
    "FIELD_WORDS",
    "SECTION_WORDS",
    "ElementChange",
    "ElementRename",
    "MapDiff",
    "diff_maps",
]

_SECTIONS = ("phases", "personas", "touchpoints", "evidence")
_MAP_FIELDS = ("id", "name", "description", "language", "kind", "owner", "status", "tags")

SECTION_WORDS: dict[str, str] = {
    "phases": N_("phases"),
    "personas": N_("personas"),
    "touchpoints": N_("touchpoints"),
    "evidence": N_("evidence"),
    "cells": N_("cells"),
    "mapping": N_("mapping rules"),
    "labels": N_("labels"),
}
"""The words a reader of a diff knows a :class:`MapDiff` section by (marked, to translate)."""

FIELD_WORDS: dict[str, str] = {
    "id": N_("id"),
    "name": N_("name"),
    "description": N_("description"),
    "order": N_("order"),
    "language": N_("language"),
    "kind": N_("kind"),
    "owner": N_("owner"),
    "status": N_("status"),
    "tags": N_("tags"),
    "first_name": N_("first name"),
    "last_name": N_("last name"),
    "age": N_("age"),
    "income": N_("income"),
    "marital_status": N_("marital status"),
    "residence": N_("residence"),
    "company": N_("company"),
    "career_level": N_("career level"),
    "job": N_("job"),
    "company_size": N_("company size"),
    "employees": N_("employees"),
    "industry": N_("industry"),
    "budget": N_("budget"),
    "competitors": N_("competitors"),
    "role": N_("role"),
    "joins_at": N_("joins at"),
    "quote": N_("quote"),
    "goals": N_("goals"),
    "needs": N_("needs"),
    "questions": N_("questions"),
    "frustrations": N_("frustrations"),
    "channel": N_("channel"),
    "mode": N_("mode"),
    "influence": N_("influence"),
    "phases": N_("phases"),
    "catalog": N_("catalog"),
    "outcome": N_("outcome"),
    "origin": N_("origin"),
    "department": N_("department"),
    "link": N_("link"),
    "notes": N_("notes"),
    "backs": N_("backs"),
    "phase": N_("phase"),
    "persona": N_("persona"),
    "touchpoint": N_("touchpoint"),
    "actions": N_("actions"),
    "information_needs": N_("information needs"),
    "emotion": N_("emotion"),
    "pain_points": N_("pain points"),
    "opportunities": N_("opportunities"),
    "kpis": N_("KPIs"),
    "score": N_("score"),
    "label": N_("label"),
    "target": N_("target"),
    "unit": N_("unit"),
    "metric": N_("metric"),
    # The keys of a column's labels that are journeymap's own (model.labels), not raw values.
    "(column)": N_("column name"),
    "(none)": N_("no value"),
}
"""The words for the map's fields in a diff (marked, to translate); the keys of the file.

The mapping rules' fields are left out: they name columns and conditions of the events, read
best as the rules file writes them.
"""

_Element = TypeVar("_Element", Phase, Persona, Touchpoint)


@dataclass(frozen=True)
class ElementChange:
    """One element that differs: ``fields`` maps a field name to (old, new)."""

    section: str
    id: str
    fields: dict[str, tuple[Any, Any]]


@dataclass(frozen=True)
class ElementRename:
    """An element whose id changed: ``fields`` maps its other changed fields to (old, new)."""

    section: str
    old_id: str
    new_id: str
    fields: dict[str, tuple[Any, Any]]


@dataclass
class MapDiff:
    """What changed from map ``a`` to map ``b``.

    Attributes:
        added: Per section, ids present only in ``b``.
        removed: Per section, ids present only in ``a``.
        changed: Elements present in both with different content.
        renamed: Phases, personas and touchpoints whose id changed (not in ``added`` and
            ``removed``): the one removed and the one added element of a section with the
            same name (touchpoints: also the same phases).
        map_fields: Top-level fields (name, status, ...) that changed, as (old, new).
    """

    added: dict[str, list[str]] = field(default_factory=dict)
    removed: dict[str, list[str]] = field(default_factory=dict)
    changed: list[ElementChange] = field(default_factory=list)
    map_fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    renamed: list[ElementRename] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """True when the two maps are equal."""
        return not (
            any(self.added.values())
            or any(self.removed.values())
            or self.changed
            or self.map_fields
            or self.renamed
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable form."""
        return {
            "added": self.added,
            "removed": self.removed,
            "changed": [
                {
                    "section": change.section,
                    "id": change.id,
                    "fields": {k: {"old": o, "new": n} for k, (o, n) in change.fields.items()},
                }
                for change in self.changed
            ],
            "map_fields": {k: {"old": o, "new": n} for k, (o, n) in self.map_fields.items()},
            # Added after the keys above, which keep their shape for the tools that read them.
            "renamed": [
                {
                    "section": rename.section,
                    "old_id": rename.old_id,
                    "new_id": rename.new_id,
                    "fields": {k: {"old": o, "new": n} for k, (o, n) in rename.fields.items()},
                }
                for rename in self.renamed
            ],
        }


def _dump(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_defaults=True)
    return value


def _field_changes(old: BaseModel, new: BaseModel) -> dict[str, tuple[Any, Any]]:
    before = old.model_dump(mode="json")
    after = new.model_dump(mode="json")
    return {
        name: (before.get(name), after.get(name))
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def _cell_id(key: tuple[str, str | None, str | None]) -> str:
    phase, persona, touchpoint = key
    return "/".join([phase, persona or "*", touchpoint or "*"])


def _renames(
    before: Sequence[_Element], after: Sequence[_Element], identity: Callable[[_Element], Hashable]
) -> dict[str, str]:
    """Old id -> new id of the removed and added elements that are the same one renamed.

    Only a pair that is alone with its ``identity`` on both sides counts: two removed elements
    with the same name could each be either added one, and a guess would misreport history.
    """
    old_ids = {element.id for element in before}
    new_ids = {element.id for element in after}
    removed: dict[Hashable, list[str]] = {}
    for element in before:
        if element.id not in new_ids:
            removed.setdefault(identity(element), []).append(element.id)
    added: dict[Hashable, list[str]] = {}
    for element in after:
        if element.id not in old_ids:
            added.setdefault(identity(element), []).append(element.id)
    return {
        gone[0]: added[same][0]
        for same, gone in removed.items()
        if len(gone) == 1 and len(added.get(same, [])) == 1
    }


def _element_renames(a: JourneyMap, b: JourneyMap) -> dict[str, dict[str, str]]:
    """Per section, old id -> new id of the renamed phases, personas and touchpoints."""
    phases = _renames(a.phases, b.phases, lambda phase: phase.name)
    personas = _renames(
        a.personas, b.personas, lambda persona: (persona.first_name, persona.last_name)
    )
    # A touchpoint is the same one in the same phases, the old ones under their new ids: a
    # phase may have been renamed along with it (an old id of a renamed phase is not in b).
    touchpoints = _renames(
        a.touchpoints,
        b.touchpoints,
        lambda touchpoint: (
            touchpoint.name,
            frozenset(phases.get(phase, phase) for phase in touchpoint.phases),
        ),
    )
    return {"phases": phases, "personas": personas, "touchpoints": touchpoints}


def _references_renamed(element: BaseModel, renames: dict[str, dict[str, str]]) -> BaseModel:
    """``element`` with the ids it refers to (phases, ``joins_at``, ``backs``) renamed."""
    phases = renames["phases"]
    update: dict[str, Any] = {}
    if isinstance(element, Touchpoint):
        update = {
            "phases": [phases.get(phase, phase) for phase in element.phases],
            "order": {phases.get(phase, phase): n for phase, n in element.order.items()},
        }
    elif isinstance(element, Persona) and element.joins_at is not None:
        update = {"joins_at": phases.get(element.joins_at, element.joins_at)}
    elif isinstance(element, EvidenceSource):
        every = {**phases, **renames["personas"], **renames["touchpoints"]}
        update = {"backs": [every.get(backed, backed) for backed in element.backs]}
    changed = {name: value for name, value in update.items() if value != getattr(element, name)}
    return element.model_copy(update=changed) if changed else element


def _under_new_ids(cell: StageCell, renames: dict[str, dict[str, str]]) -> StageCell:
    """``cell`` with the ids it refers to renamed as ``renames`` says (itself if none is)."""
    phase, persona, touchpoint = cell.key
    update = {
        "phase": renames["phases"].get(phase, phase),
        "persona": renames["personas"].get(persona, persona) if persona else persona,
        "touchpoint": renames["touchpoints"].get(touchpoint, touchpoint) if touchpoint else None,
    }
    if update == {"phase": phase, "persona": persona, "touchpoint": touchpoint}:
        return cell
    return cell.model_copy(update=update)


def diff_maps(a: JourneyMap, b: JourneyMap) -> MapDiff:
    """Compare two maps by element id; cells are keyed by (phase, persona, touchpoint).

    A removed and an added phase, persona or touchpoint that are the same element under a new
    id are reported in ``renamed`` (see :class:`MapDiff`).

    Examples:
        >>> from journeymap.model import Phase
        >>> old = JourneyMap(id="m", name="M", phases=[Phase(id="a", name="A")])
        >>> new = JourneyMap(id="m", name="M", phases=[Phase(id="a", name="A2"),
        ...                                            Phase(id="b", name="B")])
        >>> d = diff_maps(old, new)
        >>> d.added["phases"], d.changed[0].fields["name"]
        (['b'], ('A', 'A2'))
    """
    result = MapDiff()
    for name in _MAP_FIELDS:
        before, after = getattr(a, name), getattr(b, name)
        if before != after:
            result.map_fields[name] = (before, after)
    renames = _element_renames(a, b)
    # The old elements with their references renamed: a touchpoint of a renamed phase is not
    # changed by the rename alone (its phases read the new id), nor a persona joining there.
    sections: dict[str, tuple[dict[str, BaseModel], dict[str, BaseModel]]] = {
        section: (
            {element.id: _references_renamed(element, renames) for element in getattr(a, section)},
            {element.id: element for element in getattr(b, section)},
        )
        for section in _SECTIONS
    }
    # A cell of a renamed phase, persona or touchpoint is the same cell under the new ids.
    moved = [_under_new_ids(cell, renames) for cell in a.cells]
    sections["cells"] = (
        {_cell_id(cell.key): cell for cell in moved},
        {_cell_id(cell.key): cell for cell in b.cells},
    )
    mapping_a = {"mapping": a.mapping} if a.mapping else {}
    mapping_b = {"mapping": b.mapping} if b.mapping else {}
    sections["mapping"] = (dict(mapping_a), dict(mapping_b))
    for section, (before, after) in sections.items():
        renamed = renames.get(section, {})
        new_ids = set(renamed.values())
        result.added[section] = [key for key in after if key not in before and key not in new_ids]
        result.removed[section] = [key for key in before if key not in after and key not in renamed]
        for old_id, new_id in renamed.items():
            changes = _field_changes(before[old_id], after[new_id])
            del changes["id"]
            result.renamed.append(ElementRename(section, old_id, new_id, changes))
        for key in before.keys() & after.keys():
            changes = _field_changes(before[key], after[key])
            if changes:
                result.changed.append(ElementChange(section, key, changes))
    _diff_labels(a, b, result)
    result.changed.sort(key=lambda change: (change.section, change.id))
    return result


def _diff_labels(a: JourneyMap, b: JourneyMap, result: MapDiff) -> None:
    """The labels' columns added, removed and changed (raw value -> (old, new) label).

    Columns and raw values are compared as the files write them: a label moved from
    ``visitortype`` to ``VisitorType`` is one column removed and one added.
    """
    before, after = a.labels, b.labels
    result.added["labels"] = [column for column in after if column not in before]
    result.removed["labels"] = [column for column in before if column not in after]
    for column in before.keys() & after.keys():
        old, new = before[column], after[column]
        changes = {
            raw: (old.get(raw), new.get(raw))
            for raw in [*old, *(raw for raw in new if raw not in old)]
            if old.get(raw) != new.get(raw)
        }
        if changes:
            result.changed.append(ElementChange("labels", column, changes))
