"""Display labels of breakdown values: ``Returning_Visitor`` read as "Returning visitor".

A map's ``labels`` give, per breakdown column, the text a reader sees for a raw value of the
events (``VisitorType: {Returning_Visitor: Tilbagevendende besøgende}``). The labels are the
map's texts, in the map's ``language`` like its names: a translated map (``NAME.da.yaml``)
carries its own. They change what the report and the command line show, never the analysis'
tables, which keep the raw values.

Examples:
    >>> labels = {"VisitorType": {"Returning_Visitor": "Returning visitor"}}
    >>> value_label(labels, "VisitorType", "Returning_Visitor")
    'Returning visitor'
    >>> value_label(labels, "visitortype", "returning_visitor"), value_label(labels, "x", 1)
    ('Returning visitor', None)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BeforeValidator, Field

from journeymap.errors import ValidationIssue
from journeymap.model._i18n import _
from journeymap.model.validation import did_you_mean

if TYPE_CHECKING:
    from journeymap.model.journey_map import JourneyMap

__all__ = ["BreakdownLabels", "label_issues", "value_label"]

# Columns every event has (the contract's), which a breakdown can take without rules keeping
# them; the rest come from the rules' ``keep`` and ``bands``.
_EVENT_COLUMNS = ("person_id", "account_id", "phase", "persona", "source")


def _as_text(key: Any) -> Any:
    """A YAML key as the text of the raw value it names: ``2`` -> ``'2'``, ``true`` -> ``'true'``.

    YAML reads ``2:`` as a number and ``TRUE:`` as a boolean, while a breakdown value of a CSV
    column is the text ``2`` or ``TRUE``; :func:`value_label` compares texts ignoring case.
    Anything else (null, a list) is left for the model's check to refuse, at its place.
    """
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int | float):
        return str(key)
    return key


def _keys_as_text(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return value
    return {
        column: (
            {_as_text(raw): label for raw, label in values.items()}
            if isinstance(values, Mapping)
            else values
        )
        for column, values in value.items()
    }


Label = Annotated[str, Field(min_length=1)]

BreakdownLabels = Annotated[
    dict[Annotated[str, Field(min_length=1)], dict[Annotated[str, Field(min_length=1)], Label]],
    BeforeValidator(_keys_as_text),
]
"""Per breakdown column, the label of each raw value (``{column: {raw value: label}}``)."""


def _find(mapping: Mapping[str, Any], key: str) -> Any:
    """``mapping[key]``, else the entry whose key differs only in case, else None."""
    if key in mapping:
        return mapping[key]
    folded = key.casefold()
    return next((found for name, found in mapping.items() if name.casefold() == folded), None)


def value_label(labels: Mapping[str, Mapping[str, str]], column: str, value: Any) -> str | None:
    """The label the map gives ``value`` of breakdown ``column``, or None.

    The column and the value are matched as written, else ignoring case (``TRUE`` in the data,
    ``true:`` in YAML); a number or a boolean as its text.
    """
    if value is None:
        return None
    values = _find(labels, column)
    if not values:
        return None
    found = _find(values, str(_as_text(value)))
    return str(found) if found is not None else None


def label_issues(journey_map: JourneyMap) -> list[ValidationIssue]:
    """Warnings on labels that cannot show: a column the rules keep not, a persona's id.

    A column is checked only against the map's own ``mapping`` rules (its ``keep`` and
    ``bands``, and the events' own columns): with the rules in another file, any column may
    be a breakdown. A label of a persona the map defines is not shown: the persona's name is.
    """
    issues: list[ValidationIssue] = []
    rules = journey_map.mapping
    if rules is not None:
        kept = [*_EVENT_COLUMNS, *rules.keep, *(band.name for band in rules.bands)]
        for column in journey_map.labels:
            if _find(dict.fromkeys(kept, True), column) is None:
                meant = did_you_mean(column, kept)
                hint = (
                    _("did you mean {name}?").format(name=repr(meant))
                    if meant
                    else _("kept: {names}").format(names=", ".join(kept))
                )
                issues.append(
                    ValidationIssue(
                        "warning",
                        "label-column-not-kept",
                        _(
                            "labels are given for column {column}, which the mapping rules do "
                            "not keep, so no breakdown shows them ({hint}); add it to 'keep' "
                            "or fix the column name"
                        ).format(column=repr(column), hint=hint),
                        ("labels", column),
                    )
                )
    personas = {persona.id: persona.display_name for persona in journey_map.personas}
    for column, values in journey_map.labels.items():
        if column.casefold() != "persona":
            continue
        for raw in values:
            if raw in personas:
                issues.append(
                    ValidationIssue(
                        "warning",
                        "label-of-persona",
                        _(
                            "the label of persona {persona} is not shown: a breakdown by "
                            "persona shows the name the map gives the persona ({name}); "
                            "change the name under 'personas', or remove the label"
                        ).format(persona=repr(raw), name=personas[raw]),
                        ("labels", column, raw),
                    )
                )
    return issues
