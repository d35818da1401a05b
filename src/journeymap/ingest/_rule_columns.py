"""The raw columns the rules read, and the error when the events lack some of them.

The error names near misses and, for rules read from a file, the line and column that name
the first missing column.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa

from journeymap.errors import RulesError
from journeymap.i18n.messages import _
from journeymap.model import did_you_mean
from journeymap.model.mapping import MappingRules


def used_columns(rules: MappingRules) -> set[str]:
    """The raw columns ``rules`` read (not those they derive themselves, such as bands)."""
    wanted: list[str] = []
    columns = rules.columns
    wanted += [c for c in (columns.person_id, columns.account_id, columns.value) if c]
    wanted += [c for c in (columns.persona, columns.phase) if c]
    wanted += columns.timestamp_columns + [band.field for band in rules.bands]
    wanted += [condition.field for condition in rules.conversion + rules.only]
    for rule in rules.touchpoints:
        wanted += [condition.field for condition in rule.when]
        wanted += [rule.touchpoint_from] if rule.touchpoint_from else []
    for entry in rules.events_per_row:
        wanted += [condition.field for condition in entry.conditions()]
        wanted += [entry.touchpoint_from] if entry.touchpoint_from else []
        wanted += entry.timestamp_columns + ([entry.value] if entry.value else [])
    wanted += rules.keep + rules.repair_spreadsheet_ranges
    return set(wanted) - {band.name for band in rules.bands}


class MissingColumnsError(RulesError):
    """The rules read columns the events do not have (``missing``, in name order)."""

    def __init__(self, message: str, missing: Iterable[str]) -> None:
        self.missing = tuple(sorted(missing))
        super().__init__(message)


def missing_columns_error(missing: Iterable[str], available: Iterable[str]) -> RulesError:
    """The error for rules that read columns the events do not have, with near misses."""
    names = list(available)
    guesses = {name: did_you_mean(name, names) for name in sorted(missing)}
    hints = [
        repr(guess)
        if len(guesses) == 1
        else _("{guess} for {name}").format(guess=repr(guess), name=repr(name))
        for name, guess in guesses.items()
        if guess
    ]
    hint = _("; did you mean {name}?").format(name=", ".join(hints)) if hints else ""
    return MissingColumnsError(
        _(
            "the mapping rules use column(s) {columns} that the events do not have{hint} "
            "(available: {available})"
        ).format(columns=", ".join(map(repr, guesses)), hint=hint, available=", ".join(names)),
        guesses,
    )


# Where rules name a raw column: the columns section (not its settings), a condition's or a
# band's ``field``, ``touchpoint_from``, the ``keep`` and repair lists, and an
# ``events_per_row`` entry's ``timestamp`` (one column or a list) and ``value``.
_COLUMN_SETTINGS = frozenset({"person_id", "account_id", "timestamp", "value", "persona", "phase"})


def _names_a_column(path: tuple[object, ...]) -> bool:
    if not path:
        return False
    if path[0] == "columns":
        return len(path) >= 2 and path[1] in _COLUMN_SETTINGS
    if path[0] in {"keep", "repair_spreadsheet_ranges"}:
        return len(path) == 2
    if path[0] == "events_per_row" and len(path) >= 3 and path[2] in {"timestamp", "value"}:
        return True
    return path[-1] in {"field", "touchpoint_from"}


def locate_missing_columns(error: RulesError, rules: MappingRules) -> RulesError:
    """``error`` with the file:line:column where the rules name its first missing column.

    Only for rules read from a file (a rules file, or a map's ``mapping:`` section) and an
    error of :func:`missing_columns_error`; any other is returned as it is.
    """
    from journeymap.mapfile import locate_in_rules

    if not isinstance(error, MissingColumnsError):
        return error
    missing = set(error.missing)
    location = locate_in_rules(
        rules, lambda path, value: value in missing and _names_a_column(path)
    )
    if location is None:
        return error
    return MissingColumnsError(f"{location}: {error}", missing)


def _check_columns(batch: pa.RecordBatch, rules: MappingRules) -> None:
    missing = used_columns(rules) - set(batch.schema.names)
    if missing:
        raise missing_columns_error(missing, batch.schema.names)
