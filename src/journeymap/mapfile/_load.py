"""Loading journey maps and mapping rules, with every problem located in the file."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from journeymap.errors import (
    Location,
    MapFileError,
    MapValidationError,
    RulesValidationError,
    UsageError,
    ValidationIssue,
)
from journeymap.mapfile._origins import remember_rules_file
from journeymap.mapfile._parse import ParsedDocument, format_of, parse_text, read_file
from journeymap.model import JourneyMap, MappingRules
from journeymap.model._messages import _, _describe_value, issues_from_validation_error
from journeymap.model.validation import LOCATE_CONTEXT

__all__ = [
    "holds_rules",
    "load_map",
    "load_rules",
    "loads_map",
    "locate_rules_issues",
    "parse_file",
    "rules_from",
    "validate_document",
]

ModelT = TypeVar("ModelT", bound=BaseModel)


def parse_file(path: str | Path) -> ParsedDocument:
    """Read and parse a map or rules file (format from the suffix)."""
    file, text = read_file(path)
    return parse_text(text, format_of(file), str(path))


def validate_document(
    model: type[ModelT], document: ParsedDocument, prefix: tuple[Any, ...] = ()
) -> ModelT:
    """Validate the document's data (at ``prefix``) as ``model``, locating every problem."""
    data = document.data
    for part in prefix:
        data = data[part]
    is_map = model is JourneyMap
    if data is None:
        raise MapFileError(
            _("the document is empty; a journey map needs at least 'id' and 'name'")
            if is_map
            else _("the document is empty; mapping rules need at least 'columns'"),
            document.location(prefix),
        )
    if not isinstance(data, dict):
        message = (
            _(
                "the top level must be a mapping of fields (key: value) for a journey map, "
                "found {found}"
            )
            if is_map
            else _(
                "the top level must be a mapping of fields (key: value) for mapping rules, "
                "found {found}"
            )
        )
        raise MapFileError(message.format(found=_describe_value(data)), document.location(prefix))
    # A message that points at another place of the file (where a duplicate id was first
    # defined) names it as file:line:column.
    context = {LOCATE_CONTEXT: lambda path: str(document.location(prefix + tuple(path)))}
    try:
        return model.model_validate(data, context=context)
    except ValidationError as error:
        issues = issues_from_validation_error(model, error, data, document.location, prefix)
        # The cross-reference checks run on a built model: build one without the values
        # found wrong, so one pass reports both kinds of problem.
        issues += [
            dataclasses.replace(issue, location=document.location(prefix + issue.path))
            for issue in _references_without(model, data, error, context)
        ]
        issues.sort(key=lambda issue: _line_column(issue.location))
        raise MapValidationError(issues) from None
    except MapValidationError as error:
        located = [
            dataclasses.replace(issue, location=document.location(prefix + issue.path))
            for issue in error.issues
        ]
        raise MapValidationError(located) from None


# How many times the wrong values are left out, each time one level higher, before giving up.
_LENIENT_ROUNDS = 4


def _references_without(
    model: type[BaseModel], data: dict[str, Any], error: ValidationError, context: dict[str, Any]
) -> list[ValidationIssue]:
    """The cross-reference issues of ``data`` once the values ``error`` found wrong are gone.

    A wrong value is left out of its mapping; when its field is required, the mapping that
    holds it goes instead, and so on up, but never a list item (the ids after it would move,
    and references to it would read as broken). A missing or wrong display name
    (:data:`_STAND_INS`) is stood in for instead, so its element stays and a list item without
    its name hides nothing. Returns nothing when no model can be built that way, so no issue
    is ever made up.
    """
    trial = copy.deepcopy(data)
    wrong = [(tuple(detail["loc"]), detail["type"]) for detail in error.errors()]
    for _round in range(_LENIENT_ROUNDS):
        for path, kind in wrong:
            if path and path[-1] in _STAND_INS and _stand_in(trial, path):
                continue
            if kind == "missing":
                path = path[:-1]
            if not path or isinstance(path[-1], int) or not _drop(trial, path):
                return []
        try:
            model.model_validate(trial, context=context)
        except MapValidationError as found:
            return list(found.issues)
        except ValidationError as again:
            wrong = [(tuple(detail["loc"]), detail["type"]) for detail in again.errors()]
            continue
        return []
    return []


# Fields the lenient build may fill when they are missing or wrong: display text, which no
# reference names, so no reference problem can follow from the stand-in.
_STAND_INS = {"name": "(name)"}


def _stand_in(data: Any, path: tuple[Any, ...]) -> bool:
    """Put the stand-in at ``path`` (once; False when its mapping is not there or it failed)."""
    *parents, last = path
    for part in parents:
        in_list = isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        if not (in_list or (isinstance(data, dict) and part in data)):
            return False
        data = data[part]
    if not isinstance(data, dict) or data.get(last) == _STAND_INS[last]:
        return False
    data[last] = _STAND_INS[last]
    return True


def _drop(data: Any, path: tuple[Any, ...]) -> bool:
    """Remove the value at ``path`` from its mapping; False when the path is not there."""
    *parents, last = path
    for part in parents:
        in_list = isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        if not (in_list or (isinstance(data, dict) and part in data)):
            return False
        data = data[part]
    if not isinstance(data, dict) or last not in data:
        return False
    del data[last]
    return True


def _line_column(location: Location | None) -> tuple[int, int]:
    if location is None:
        return (0, 0)
    return (location.line or 0, location.column or 0)


def load_map(path: str | Path) -> JourneyMap:
    """Load a journey map from a ``.yaml``, ``.yml`` or ``.json`` file.

    Raises:
        MapFileError: the file is missing, unreadable or not valid YAML/JSON (with position).
        UnsafeInputError: custom tags, alias bombs, too deep or too large documents.
        MapValidationError: the map's content is wrong; every issue carries its location.

    Examples:
        >>> load_map("no-such-map.yaml")
        Traceback (most recent call last):
        ...
        journeymap.errors.MapFileError: no-such-map.yaml: file not found; check the path and the working directory
    """  # noqa: E501
    document = parse_file(path)
    journey_map = validate_document(JourneyMap, document)
    if journey_map.mapping is not None:
        remember_rules_file(journey_map.mapping, document, ("mapping",))
    return journey_map


def loads_map(text: str, *, format: str = "yaml", source: str = "<string>") -> JourneyMap:
    """Load a journey map from text; ``source`` names it in error messages."""
    return validate_document(JourneyMap, parse_text(text, format, source))


def _rules_prefix(document: ParsedDocument) -> tuple[Any, ...]:
    data = document.data
    if isinstance(data, dict) and "mapping" in data and "columns" not in data:
        return ("mapping",)
    return ()


def holds_rules(path: str | Path) -> bool:
    """Whether a file holds mapping rules rather than a map.

    Rules are a ``mapping:`` key alone, or top-level keys of which some belong to rules alone
    (``columns``, ``conversion``, ``keep``, ...) and none to a map alone (``id``, ``phases``,
    ...): a misspelt key then still reads as the rules' mistake, not the map's.

    Raises:
        MapFileError: the file is missing or not valid YAML/JSON (with file:line:column).
    """
    data = parse_file(path).data
    if not isinstance(data, dict):
        return False
    keys = set(data)
    if keys == {"mapping"}:
        return True
    rules, journey_map = set(MappingRules.model_fields), set(JourneyMap.model_fields)
    return bool(keys & (rules - journey_map)) and not keys & (journey_map - rules)


def load_rules(path: str | Path) -> MappingRules:
    """Load mapping rules from a YAML or JSON file.

    The file holds the ``mapping`` section of a map: either its content at the top level
    (``columns:``, ``touchpoints:``, ...) or wrapped in a ``mapping:`` key.

    Raises:
        MapFileError: as :func:`load_map`.
        UnsafeInputError: as :func:`load_map`.
        RulesValidationError: the rules are wrong; every issue carries its location (a
            :class:`MapValidationError` whose message names the rules file).
    """
    document = parse_file(path)
    try:
        rules = validate_document(MappingRules, document, _rules_prefix(document))
    except MapValidationError as error:
        raise RulesValidationError(error.issues) from None
    remember_rules_file(rules, document, _rules_prefix(document))
    return rules


def rules_from(rules: MappingRules | Mapping[str, Any] | str | Path) -> MappingRules:
    """Mapping rules from rules, a dict of them (as a rules file holds) or a rules file's path.

    Raises:
        RulesValidationError: the dict's rules are wrong (each issue at its path in the dict).
        UsageError: ``rules`` is none of those.
    """
    if isinstance(rules, MappingRules):
        return rules
    if isinstance(rules, str | Path):
        return load_rules(rules)
    if isinstance(rules, Mapping):
        data = dict(rules.get("mapping", rules)) if "mapping" in rules else dict(rules)
        try:
            return MappingRules.model_validate(data)
        except ValidationError as error:
            issues = issues_from_validation_error(MappingRules, error, data, _in_dict)
            raise RulesValidationError(issues) from None
        except MapValidationError as error:
            raise RulesValidationError(error.issues) from None
    raise UsageError(
        f"mapping rules must be MappingRules, a dict of rules or a rules file's path, not a "
        f"{type(rules).__name__}"
    )


def _in_dict(path: tuple[Any, ...], key: bool = False) -> Location:
    """Where a problem of rules given as a dict is: the issue's path says it."""
    return Location("<rules>")


def locate_rules_issues(
    path: str | Path, issues: Sequence[ValidationIssue]
) -> list[ValidationIssue]:
    """``issues`` found in the rules of ``path``, each given its file, line and column.

    Each issue's path is within the rules (``touchpoints``, 0, ``touchpoint``); a file that
    wraps them in ``mapping:`` gets the prefix.
    """
    document = parse_file(path)
    prefix = _rules_prefix(document)
    return [
        dataclasses.replace(
            issue, path=prefix + issue.path, location=document.location(prefix + issue.path)
        )
        for issue in issues
    ]
