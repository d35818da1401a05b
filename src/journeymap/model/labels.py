"""Display labels of breakdown values: ``Returning_Visitor`` read as "Returning visitor".

A map's ``labels`` give, per breakdown column, the text a reader sees for a raw value of the
events (``VisitorType: {Returning_Visitor: Tilbagevendende besøgende}``). The labels are the
map's texts, in the map's ``language`` like its names: a translated map (``NAME.da.yaml``)
carries its own. They change what the report and the command line show, never the analysis'
tables, which keep the raw values.

Two keys in parentheses are journeymap's own, not raw values: ``(none)`` labels the journeys
without a value (shown as "(none)" otherwise; YAML's null key ``~`` means the same), and
``(column)`` names the column itself where a table or a title names the breakdown
(``Phase funnel by Besøgstype``, not ``by VisitorType``).

Examples:
    >>> labels = {"VisitorType": {"Returning_Visitor": "Returning visitor"}}
    >>> value_label(labels, "VisitorType", "Returning_Visitor")
    'Returning visitor'
    >>> value_label(labels, "visitortype", "returning_visitor"), value_label(labels, "x", 1)
    ('Returning visitor', None)
    >>> origin = {"origin": {"(column)": "Lead source", "(none)": "No source given"}}
    >>> value_label(origin, "origin", None), column_label(origin, "Origin")
    ('No source given', 'Lead source')
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BeforeValidator, Field

from journeymap.errors import ValidationIssue
from journeymap.model._i18n import _
from journeymap.model.validation import did_you_mean

if TYPE_CHECKING:
    from journeymap.model.journey_map import JourneyMap

__all__ = [
    "COLUMN_KEY",
    "MISSING_KEY",
    "BreakdownLabels",
    "column_label",
    "label_issues",
    "value_label",
]

MISSING_KEY = "(none)"
"""The key of a column's labels that labels the journeys without a value (YAML ``~`` too)."""

COLUMN_KEY = "(column)"
"""The key of a column's labels that names the column itself."""

_RESERVED = (MISSING_KEY, COLUMN_KEY)

# Words a map's author may write in parentheses for one of the keys above: the "(ingen)" a
# Danish table shows, "(missing)", "(name)". Said with the key meant, not read as it.
_MEANT = {
    MISSING_KEY: (
        "ingen", "ohne", "keine", "missing", "null", "empty", "blank", "na", "n/a", "nan",
        "no value", "mangler", "tom", "leer", "fehlt", "unknown",
    ),
    COLUMN_KEY: ("kolonne", "spalte", "name", "navn", "label", "title", "titel", "header"),
}  # fmt: skip

# Columns every event has (the contract's), which a breakdown can take without rules keeping
# them; the rest come from the rules' ``keep`` and ``bands``.
_EVENT_COLUMNS = ("person_id", "account_id", "phase", "persona", "source")


def _as_text(key: Any) -> Any:
    """A YAML key as the text of the raw value it names: ``2`` -> ``'2'``, ``true`` -> ``'true'``.

    YAML reads ``2:`` as a number and ``TRUE:`` as a boolean, while a breakdown value of a CSV
    column is the text ``2`` or ``TRUE``; :func:`value_label` compares texts ignoring case.
    Anything else (a list) is left for the model's check to refuse, at its place.
    """
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int | float):
        return str(key)
    return key


def _column_keys(values: Any) -> Any:
    """A column's labels with their keys as text; YAML's null key ``~`` as ``(none)``.

    Raises:
        ValueError: when ``~`` and ``(none)`` both label the journeys without a value.
    """
    if not isinstance(values, Mapping):
        return values
    keys = [MISSING_KEY if raw is None else _as_text(raw) for raw in values]
    missing = [raw for raw, key in zip(values, keys, strict=True) if _is(key, MISSING_KEY)]
    if len(missing) > 1:
        written = ", ".join("~" if raw is None else repr(raw) for raw in missing)
        raise ValueError(
            _(
                "the journeys without a value have {count} labels ({keys}): ~ and (none) are "
                "the same key; keep one"
            ).format(count=len(missing), keys=written)
        )
    return dict(zip(keys, values.values(), strict=True))


def _is(key: Any, reserved: str) -> bool:
    return isinstance(key, str) and key.casefold() == reserved


Label = Annotated[str, Field(min_length=1)]

ColumnLabels = Annotated[
    dict[Annotated[str, Field(min_length=1)], Label], BeforeValidator(_column_keys)
]
"""A column's labels: raw value -> label, and ``(none)`` and ``(column)`` (see the module)."""

BreakdownLabels = dict[Annotated[str, Field(min_length=1)], ColumnLabels]
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
    ``true:`` in YAML); a number or a boolean as its text. No value (None, or empty text) takes
    the column's ``(none)`` label.
    """
    values = _find(labels, column)
    if not values:
        return None
    if value is None or value == "":
        key = MISSING_KEY
    else:
        key = str(_as_text(value))
        if _is(key, COLUMN_KEY):  # the column's name, no value's
            return None
    found = _find(values, key)
    return str(found) if found is not None else None


def column_label(labels: Mapping[str, Mapping[str, str]], column: str) -> str | None:
    """The name the map gives breakdown ``column`` (its ``(column)`` label), or None."""
    values = _find(labels, column)
    found = _find(values, COLUMN_KEY) if values else None
    return str(found) if found is not None else None


def label_issues(journey_map: JourneyMap) -> list[ValidationIssue]:
    """Warnings on labels that cannot show.

    A column the rules keep not, a persona's id, and a key in parentheses that is not
    ``(none)`` or ``(column)`` (``(ingen)``, as a Danish table shows the journeys without a
    value, is a raw value no event holds).
    """
    return [
        *_columns_not_kept(journey_map),
        *_persona_labels(journey_map),
        *_unknown_keys(journey_map),
    ]


def _columns_not_kept(journey_map: JourneyMap) -> Iterator[ValidationIssue]:
    """A column checked only against the map's own ``mapping`` rules (``keep``, ``bands``).

    With the rules in another file, any column may be a breakdown.
    """
    rules = journey_map.mapping
    if rules is None:
        return
    kept = [*_EVENT_COLUMNS, *rules.keep, *(band.name for band in rules.bands)]
    for column in journey_map.labels:
        if _find(dict.fromkeys(kept, True), column) is not None:
            continue
        meant = did_you_mean(column, kept)
        hint = (
            _("did you mean {name}?").format(name=repr(meant))
            if meant
            else _("kept: {names}").format(names=", ".join(kept))
        )
        yield ValidationIssue(
            "warning",
            "label-column-not-kept",
            _(
                "labels are given for column {column}, which the mapping rules do "
                "not keep, so no breakdown shows them ({hint}); add it to 'keep' "
                "or fix the column name"
            ).format(column=repr(column), hint=hint),
            ("labels", column),
        )


def _persona_labels(journey_map: JourneyMap) -> Iterator[ValidationIssue]:
    """A label of a persona the map defines is not shown: the persona's name is."""
    personas = {persona.id: persona.display_name for persona in journey_map.personas}
    for column, values in journey_map.labels.items():
        if column.casefold() != "persona":
            continue
        for raw in values:
            if raw in personas:
                yield ValidationIssue(
                    "warning",
                    "label-of-persona",
                    _(
                        "the label of persona {persona} is not shown: a breakdown by "
                        "persona shows the name the map gives the persona ({name}); "
                        "change the name under 'personas', or remove the label"
                    ).format(persona=repr(raw), name=personas[raw]),
                    ("labels", column, raw),
                )


def _unknown_keys(journey_map: JourneyMap) -> Iterator[ValidationIssue]:
    """A key in parentheses other than ``(none)`` and ``(column)``: most likely one of them."""
    meanings = {
        MISSING_KEY: _("the journeys without a value"),
        COLUMN_KEY: _("the column's name"),
    }
    for column, values in journey_map.labels.items():
        for raw in values:
            if not (raw.startswith("(") and raw.endswith(")")) or raw.casefold() in _RESERVED:
                continue
            word = raw[1:-1].strip().casefold()
            meant = next((key for key, words in _MEANT.items() if word in words), None)
            meant = meant or did_you_mean(raw, _RESERVED)
            if meant:
                message = _(
                    "labels for column {column}: {key} is read as a raw value of the events, "
                    "not as {meant} (the key for {meaning}); write {meant} if that is meant"
                ).format(column=repr(column), key=repr(raw), meant=meant, meaning=meanings[meant])
            else:
                message = _(
                    "labels for column {column}: {key} is read as a raw value of the events; "
                    "the keys in parentheses journeymap reads are (none), for {missing}, and "
                    "(column), for {name}"
                ).format(
                    column=repr(column),
                    key=repr(raw),
                    missing=meanings[MISSING_KEY],
                    name=meanings[COLUMN_KEY],
                )
            yield ValidationIssue("warning", "label-unknown-key", message, ("labels", column, raw))
