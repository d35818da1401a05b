"""Evidence sources: where the map's knowledge comes from (step 1 of the method)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from journeymap.model._base import ElementId, Model

__all__ = ["EvidenceSource", "Origin"]

Origin = Literal["internal", "external"]


class EvidenceSource(Model):
    """A source of information behind the map.

    Attributes:
        id: Identifier.
        name: What it is ("CRM export Q3", "Industry report 2024").
        origin: ``internal`` (own marketing, sales, service data) or ``external``
            (industry reports, competitor comparisons, studies).
        department: Which department it comes from (marketing, sales, service, ...).
        link: Where to find it.
        notes: Anything worth knowing about it.
        backs: Ids of the phases, personas, touchpoints it supports.
    """

    id: ElementId
    name: str = Field(min_length=1)
    origin: Origin = "internal"
    department: str | None = None
    link: str | None = None
    notes: str = ""
    backs: list[ElementId] = Field(default_factory=list)
