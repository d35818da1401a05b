"""Differences between two versions of a journey map, element by element (by id)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from journeymap.model.journey_map import JourneyMap

__all__ = ["ElementChange", "MapDiff", "diff_maps"]

_SECTIONS = ("phases", "personas", "touchpoints", "evidence")
_MAP_FIELDS = ("id", "name", "description", "language", "kind", "owner", "status", "tags")


@dataclass(frozen=True)
class ElementChange:
    """One element that differs: ``fields`` maps a field name to (old, new)."""

    section: str
    id: str
    fields: dict[str, tuple[Any, Any]]


@dataclass
class MapDiff:
    """What changed from map ``a`` to map ``b``.

    Attributes:
        added: Per section, ids present only in ``b``.
        removed: Per section, ids present only in ``a``.
        changed: Elements present in both with different content.
        map_fields: Top-level fields (name, status, ...) that changed, as (old, new).
    """

    added: dict[str, list[str]] = field(default_factory=dict)
    removed: dict[str, list[str]] = field(default_factory=dict)
    changed: list[ElementChange] = field(default_factory=list)
    map_fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        """True when the two maps are equal."""
        return not (
            any(self.added.values())
            or any(self.removed.values())
            or self.changed
            or self.map_fields
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


def diff_maps(a: JourneyMap, b: JourneyMap) -> MapDiff:
    """Compare two maps by element id; cells are keyed by (phase, persona, touchpoint).

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
    sections: dict[str, tuple[dict[str, BaseModel], dict[str, BaseModel]]] = {
        section: (
            {element.id: element for element in getattr(a, section)},
            {element.id: element for element in getattr(b, section)},
        )
        for section in _SECTIONS
    }
    sections["cells"] = (
        {_cell_id(cell.key): cell for cell in a.cells},
        {_cell_id(cell.key): cell for cell in b.cells},
    )
    mapping_a = {"mapping": a.mapping} if a.mapping else {}
    mapping_b = {"mapping": b.mapping} if b.mapping else {}
    sections["mapping"] = (dict(mapping_a), dict(mapping_b))
    for section, (before, after) in sections.items():
        result.added[section] = [key for key in after if key not in before]
        result.removed[section] = [key for key in before if key not in after]
        for key in before.keys() & after.keys():
            changes = _field_changes(before[key], after[key])
            if changes:
                result.changed.append(ElementChange(section, key, changes))
    result.changed.sort(key=lambda change: (change.section, change.id))
    return result
