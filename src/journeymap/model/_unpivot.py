"""Events per row: one raw row (a session, a CRM record) made into several events.

Exports often hold one row per session or per customer with several touches in columns: page
counts per page type, a ``first_contact_date``, ``demo_date`` and ``contract_date``. The rules'
``events_per_row`` lists the events such a row makes; each entry makes its event from every
row its conditions hold on (:class:`~journeymap.model.mapping.Condition`, the same conditions as
everywhere in the rules). The models live here; :class:`MappingRules` holds the list.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from journeymap.model._base import ElementId, Model
from journeymap.model._i18n import _
from journeymap.model.mapping import MAX_EVENTS_PER_ROW, Condition, column_list

__all__ = ["MAX_EVENTS_PER_ROW", "RowEvent", "check_events_per_row"]


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
    when: list[Condition] = Field(default_factory=list)
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
        return column_list(self.timestamp)

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
