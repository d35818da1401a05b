"""Buyer personas: fictitious people who give customers a face, with their buying-center role."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from journeymap.i18n import N_
from journeymap.model._base import ElementId, Model

__all__ = ["ROLE_NAMES", "BuyingCenterRole", "Persona"]

BuyingCenterRole = Literal["initiator", "user", "influencer", "decider", "buyer", "gatekeeper"]

ROLE_NAMES: dict[str, str] = {
    "initiator": N_("initiator"),
    "user": N_("user"),
    "influencer": N_("influencer"),
    "decider": N_("decider"),
    "buyer": N_("buyer"),
    "gatekeeper": N_("gatekeeper"),
}
"""A buying-center role as the map names it (``Stefan Weiß (buyer)``), to translate."""


class Persona(Model):
    """A buyer persona; in B2B one member of the buying center.

    Attributes follow the seed articles' persona sheet (first name, surname, age, income,
    marital status, residence, company, career level, job; for B2B company size, number of
    employees, industry, budget, competitors) plus the buying-center ``role``, the phase the
    persona ``joins_at`` and their goals, needs, questions and frustrations.
    """

    id: ElementId
    first_name: str = Field(min_length=1)
    last_name: str = ""
    age: int | None = Field(default=None, ge=0, le=130)
    income: str | None = None
    marital_status: str | None = None
    residence: str | None = None
    company: str | None = None
    career_level: str | None = None
    job: str | None = None
    company_size: str | None = None
    employees: int | None = Field(default=None, ge=0)
    industry: str | None = None
    budget: str | None = None
    competitors: list[str] = Field(default_factory=list)
    role: BuyingCenterRole | None = None
    joins_at: ElementId | None = None
    description: str = ""
    quote: str | None = None
    goals: list[str] = Field(default_factory=list)
    needs: list[str] = Field(default_factory=list)
    questions: list[str] = Field(default_factory=list)
    frustrations: list[str] = Field(default_factory=list)

    @property
    def display_name(self) -> str:
        """First name and surname, as shown on the map."""
        return f"{self.first_name} {self.last_name}".strip()
