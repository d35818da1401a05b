"""Mapping rules: how raw event rows become rows of the events contract.

Rules are data. They are validated like the map and evaluated by the importer, never pasted
into SQL. Touchpoint rules are ordered; the first rule whose conditions all match wins.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from journeymap.model._base import ElementId, Model

__all__ = ["ColumnMapping", "Condition", "MappingRules", "TouchpointRule"]


class Condition(Model):
    """A test on one raw field; exactly one of ``equals``, ``in``, ``prefix``, ``regex``.

    Examples:
        >>> Condition(field="utm_medium", equals="cpc").describe()
        "utm_medium == 'cpc'"
    """

    field: str = Field(min_length=1)
    equals: str | None = None
    in_: list[str] | None = Field(default=None, alias="in")
    prefix: str | None = None
    regex: str | None = None
    case_sensitive: bool = True

    @field_validator("regex")
    @classmethod
    def _regex_compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"regex {pattern!r} does not compile: {exc}") from None
        return pattern

    @model_validator(mode="after")
    def _exactly_one_test(self) -> Condition:
        given = [
            name
            for name, value in (
                ("equals", self.equals),
                ("in", self.in_),
                ("prefix", self.prefix),
                ("regex", self.regex),
            )
            if value is not None
        ]
        if len(given) != 1:
            raise ValueError(
                f"a condition on {self.field!r} needs exactly one of equals, in, prefix, regex "
                f"(found {', '.join(given) or 'none'})"
            )
        return self

    def describe(self) -> str:
        """A short human-readable form, used in reports and quarantine reasons."""
        if self.equals is not None:
            return f"{self.field} == {self.equals!r}"
        if self.in_ is not None:
            return f"{self.field} in {self.in_!r}"
        if self.prefix is not None:
            return f"{self.field} starts with {self.prefix!r}"
        return f"{self.field} ~ /{self.regex}/"


class TouchpointRule(Model):
    """Assign a touchpoint (and optionally a phase) to rows whose conditions all match.

    Either ``touchpoint`` names a fixed touchpoint id, or ``touchpoint_from`` names a raw field
    whose value is the touchpoint id (e.g. the activity of an XES log). ``when`` empty matches
    every row.
    """

    touchpoint: ElementId | None = None
    touchpoint_from: str | None = None
    phase: ElementId | None = None
    when: list[Condition] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_target(self) -> TouchpointRule:
        if (self.touchpoint is None) == (self.touchpoint_from is None):
            raise ValueError("a touchpoint rule needs exactly one of touchpoint, touchpoint_from")
        return self


class ColumnMapping(Model):
    """Which raw columns hold the contract's fields."""

    person_id: str = Field(min_length=1)
    account_id: str | None = None
    timestamp: str = Field(min_length=1)
    timestamp_format: str | None = None
    dayfirst: bool | None = None
    timezone: str = "UTC"
    value: str | None = None
    persona: str | None = None
    phase: str | None = None


class MappingRules(Model):
    """Everything the importer needs to turn raw rows into events.

    Attributes:
        columns: Which raw columns are person, account, timestamp, value, persona, phase.
        conversion: Conditions that make a row a conversion (all must match); empty means
            no row is a conversion.
        touchpoints: Ordered touchpoint rules; first match wins.
        unmatched: ``quarantine`` rows no rule matches (default) or ``keep`` them as the
            touchpoint ``unmapped``.
        keep: Raw columns kept beside the contract for breakdowns and audit.
    """

    columns: ColumnMapping
    conversion: list[Condition] = Field(default_factory=list)
    touchpoints: list[TouchpointRule] = Field(default_factory=list)
    unmatched: Literal["quarantine", "keep"] = "quarantine"
    keep: list[str] = Field(default_factory=list)
