"""Events per row: one raw row (a session, a CRM record) made into several events.

Exports often hold one row per session or per customer with several touches in columns: page
counts per page type, a ``first_contact_date``, ``demo_date`` and ``contract_date``. The rules'
``events_per_row`` lists the events such a row makes; each entry makes its event from every
row its conditions hold on. The models live here; :class:`MappingRules` holds the list.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from journeymap.model._base import ElementId, Model
from journeymap.model._i18n import _
from journeymap.model.mapping import MAX_EVENTS_PER_ROW, Condition

__all__ = ["MAX_EVENTS_PER_ROW", "EntryCondition", "RowEvent", "check_events_per_row"]

_TEXT_TESTS = ("equals", "in", "prefix", "regex")
_NUMBER_TESTS = ("greater_than", "at_least", "less_than", "at_most")


class EntryCondition(Condition):
    """A condition of an ``events_per_row`` entry: a :class:`Condition`'s tests and more.

    Exactly one of ``equals``, ``in``, ``prefix``, ``regex``, ``not_empty``, ``greater_than``,
    ``at_least``, ``less_than``, ``at_most``. The comparisons read the field as a number (the
    decimal mark of ``columns.decimal``, else ``.`` or ``,`` as the value shows it); an empty
    field or one that is no number does not meet them.

    Attributes:
        not_empty: ``true``: the field holds something other than spaces; ``false``: it is
            empty (or missing).
        greater_than: The field is a number above this one (``greater_than: 0``).
        at_least: The field is a number of at least this one.
        less_than: The field is a number below this one.
        at_most: The field is a number of at most this one.

    Examples:
        >>> EntryCondition(field="ProductRelated", greater_than=0).describe()
        'ProductRelated > 0'
        >>> EntryCondition(field="demo_date", not_empty=True).describe()
        'demo_date is not empty'
    """

    not_empty: bool | None = None
    greater_than: float | None = None
    at_least: float | None = None
    less_than: float | None = None
    at_most: float | None = None

    @model_validator(mode="after")
    def _exactly_one_test(self) -> EntryCondition:
        given = [
            name
            for name in (*_TEXT_TESTS, "not_empty", *_NUMBER_TESTS)
            if getattr(self, "in_" if name == "in" else name) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                _(
                    "a condition on {field} needs exactly one of equals, in, prefix, regex, "
                    "not_empty, greater_than, at_least, less_than, at_most (found {found})"
                ).format(field=repr(self.field), found=", ".join(given) or _("none"))
            )
        return self

    @field_validator(*_NUMBER_TESTS, mode="before")
    @classmethod
    def _a_number(cls, value: Any) -> Any:
        if isinstance(value, bool):  # pydantic reads true as 1: a slip, not a number
            raise ValueError(_("a comparison needs a number such as 0, not true or false"))
        return value

    @property
    def comparison(self) -> tuple[str, float] | None:
        """``(operator, number)`` of a numeric comparison (``">"``, ``">="``, ...), else None."""
        for name, operator in zip(_NUMBER_TESTS, (">", ">=", "<", "<="), strict=True):
            number = getattr(self, name)
            if number is not None:
                return operator, float(number)
        return None

    def describe(self) -> str:
        """A short human-readable form, used in reports and quarantine reasons."""
        if self.not_empty is not None:
            return f"{self.field} is {'not ' if self.not_empty else ''}empty"
        found = self.comparison
        if found is not None:
            return f"{self.field} {found[0]} {found[1]:g}"
        return super().describe()


class RowEvent(Model):
    """One event made from each row its conditions hold on (an entry of ``events_per_row``).

    The touchpoint comes from exactly one of ``touchpoint`` (a fixed id), ``touchpoint_from``
    (a raw column holding the id) or ``touchpoint_rules: true`` (the rules' ``touchpoints``
    list, first match wins, as for a row of an ordinary import). An entry that names its own
    ``timestamp`` makes no event on rows where those columns are empty (no demo date: no
    demo); an unparseable one quarantines this entry's event only. Events of one row at the
    same time keep the order of the entries.

    Attributes:
        touchpoint: The touchpoint id of the event.
        touchpoint_from: The raw column whose value is the touchpoint id.
        touchpoint_rules: ``true``: the rules' ``touchpoints`` decide, first match wins.
        phase: An explicit phase id for the event (a ``columns.phase`` value comes first).
        timestamp: The raw column (or columns, joined with a space) with the event's time;
            by default the row's timestamp (``columns.timestamp`` or ``timestamp_constant``),
            read with the columns' ``timestamp_format``, ``dayfirst`` and ``timezone``.
        when: Conditions that must all hold for the row to make this event; empty: every row
            (with a filled ``timestamp``, when the entry names one).
        conversion: ``true`` makes the event a conversion; a list of conditions makes it one
            on the rows they all hold on. Default: no conversion.
        value: The raw column with the event's value; by default ``columns.value``.
    """

    touchpoint: ElementId | None = None
    touchpoint_from: str | None = None
    touchpoint_rules: bool = False
    phase: ElementId | None = None
    timestamp: str | list[str] | None = None
    when: list[EntryCondition] = Field(default_factory=list)
    conversion: bool | list[Condition] = False
    value: str | None = None

    @model_validator(mode="after")
    def _one_touchpoint(self) -> RowEvent:
        given = [
            self.touchpoint is not None,
            self.touchpoint_from is not None,
            self.touchpoint_rules,
        ]
        if sum(given) != 1:
            raise ValueError(
                _(
                    "an entry of events_per_row needs exactly one of touchpoint (an id), "
                    "touchpoint_from (a column) or touchpoint_rules: true (the rules' "
                    "touchpoints list)"
                )
            )
        if isinstance(self.timestamp, list) and not self.timestamp:
            raise ValueError(_("timestamp needs at least one column"))
        return self

    @property
    def timestamp_columns(self) -> list[str]:
        """The raw columns of the entry's own timestamp (empty: the row's timestamp)."""
        if self.timestamp is None:
            return []
        return [self.timestamp] if isinstance(self.timestamp, str) else list(self.timestamp)

    def conditions(self) -> list[Condition]:
        """Every condition the entry reads: ``when`` and a conditional ``conversion``."""
        extra = self.conversion if isinstance(self.conversion, list) else []
        return [*self.when, *extra]


def check_events_per_row(
    entries: list[RowEvent], conversion: list[Condition], touchpoint_rules: int
) -> None:
    """Refuse ``events_per_row`` that other rules would contradict or leave unused.

    Args:
        entries: The entries.
        conversion: The rules' own ``conversion`` conditions.
        touchpoint_rules: How many rules the rules' ``touchpoints`` list holds.

    Raises:
        ValueError: The rules' ``conversion`` is given (it would mark every event of a
            converting row), an entry asks for touchpoint rules there are none of, or
            touchpoint rules are given that no entry uses.
    """
    if not entries:
        return
    if conversion:
        raise ValueError(
            _(
                "with events_per_row, the rules' own conversion would mark every event of a "
                "row; move it to the entry that makes the conversion event (conversion: true, "
                "or a list of conditions)"
            )
        )
    uses_rules = any(entry.touchpoint_rules for entry in entries)
    if uses_rules and not touchpoint_rules:
        raise ValueError(
            _(
                "an entry says touchpoint_rules: true, but the rules have no touchpoints list; "
                "add touchpoint rules or give the entry a touchpoint"
            )
        )
    if touchpoint_rules and not uses_rules:
        raise ValueError(
            _(
                "with events_per_row, the rules' touchpoints list is read only by entries "
                "that say touchpoint_rules: true, and none does; add that to an entry or "
                "remove the list"
            )
        )
