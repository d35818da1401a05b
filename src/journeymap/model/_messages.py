"""Turn pydantic's validation errors into issues a map author can act on."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from journeymap.errors import Location, ValidationIssue
from journeymap.i18n import LANGUAGES, N_, current_language, gettext
from journeymap.model.validation import did_you_mean

__all__ = ["describe_path", "issues_from_validation_error"]

Locator = Callable[[tuple[Any, ...], bool], Location | None]


def _(message: str) -> str:
    """Translate a message for the map author (``JOURNEYMAP_LANG``, else ``LANG``)."""
    return gettext(message, current_language())


_TYPE_WORDS = {
    "string_type": N_("text"),
    "int_type": N_("a whole number"),
    "int_parsing": N_("a whole number"),
    "int_from_float": N_("a whole number"),
    "float_type": N_("a number"),
    "float_parsing": N_("a number"),
    "bool_type": N_("true or false"),
    "bool_parsing": N_("true or false"),
    "list_type": N_("a list"),
    "dict_type": N_("a mapping (key: value)"),
    "model_type": N_("a mapping of fields (key: value)"),
    "model_attributes_type": N_("a mapping of fields (key: value)"),
}
# pydantic's range and length checks, said the way a map author can act on them.
_LIMIT_MESSAGES = {
    "greater_than_equal": N_("{where} is {found}, but must be at least {limit}; fix the value"),
    "greater_than": N_("{where} is {found}, but must be more than {limit}; fix the value"),
    "less_than_equal": N_("{where} is {found}, but must be at most {limit}; fix the value"),
    "less_than": N_("{where} is {found}, but must be less than {limit}; fix the value"),
}


def describe_path(path: Sequence[Any]) -> str:
    """``("touchpoints", 2, "mode")`` -> ``touchpoints[3].mode`` (``the top level`` when empty).

    List items count from 1, as a map author counts them in the file and as the other
    messages do (``cell #3``).
    """
    text = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part + 1}]"
        else:
            text += f".{part}" if text else str(part)
    return text or _("the top level")


def _describe_value(value: Any) -> str:
    if value is None:
        return _("nothing (null)")
    if isinstance(value, bool):
        return _("the boolean {value}").format(value=str(value).lower())
    if isinstance(value, dict):
        return _("a mapping")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return _("the text {text}").format(text=repr(shown))
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def _as_written(scalar: bool | float) -> str:
    """A YAML number or boolean as the file most likely writes it (``true``, ``2025``)."""
    if isinstance(scalar, bool):
        return str(scalar).lower()
    return repr(scalar)


def _unwrap(annotation: Any) -> list[Any]:
    """The alternatives of a (possibly Optional/Annotated) annotation."""
    if typing.get_origin(annotation) is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        result: list[Any] = []
        for argument in typing.get_args(annotation):
            if argument is not type(None):
                result += _unwrap(argument)
        return result
    return [annotation]


def _model_at(root: type[BaseModel], path: Sequence[Any]) -> type[BaseModel] | None:
    """The model class that describes the mapping at ``path``, if the path leads to one."""
    current: list[Any] = [root]
    for part in path:
        following: list[Any] = []
        for option in current:
            origin = typing.get_origin(option)
            if isinstance(option, type) and issubclass(option, BaseModel) and isinstance(part, str):
                for name, info in option.model_fields.items():
                    if part in (name, info.alias):
                        following += _unwrap(info.annotation)
            elif origin is list and isinstance(part, int):
                following += _unwrap(typing.get_args(option)[0])
            elif origin is dict:
                following += _unwrap(typing.get_args(option)[1])
        current = following
    for option in current:
        if isinstance(option, type) and issubclass(option, BaseModel):
            return option
    return None


def _allowed_fields(model: type[BaseModel] | None) -> list[str]:
    if model is None:
        return []
    return [info.alias or name for name, info in model.model_fields.items()]


def _clean_path(data: Any, loc: Sequence[Any], error_type: str) -> tuple[Any, ...]:
    """Keep the parts of pydantic's ``loc`` that exist in the data (drops union member tags)."""
    kept: list[Any] = []
    node = data
    for index, part in enumerate(loc):
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list)
            and isinstance(part, int)
            and not isinstance(part, bool)
            and 0 <= part < len(node)
        ):
            node = node[part]
        elif index == len(loc) - 1 and error_type == "missing":
            kept.append(part)
            break
        else:
            continue
        kept.append(part)
    return tuple(kept)


def _message(
    root: type[BaseModel], error: Any, path: tuple[Any, ...], prefix: tuple[Any, ...]
) -> tuple[str, str]:
    """(code, message) for one pydantic error at its cleaned path."""
    error_type: str = error["type"]
    where = describe_path(prefix + path)
    if error_type == "missing":
        parent = describe_path(prefix + path[:-1])
        return (
            "missing-field",
            _("{parent} is missing the required field '{field}'; add it").format(
                parent=parent, field=path[-1]
            ),
        )
    if error_type == "extra_forbidden":
        parent_path = path[:-1]
        allowed = _allowed_fields(_model_at(root, parent_path))
        name = str(path[-1])
        near = did_you_mean(name, allowed)
        hint = (
            " (" + _("did you mean {name}?").format(name=repr(near)) + ")"
            if near is not None
            else ""
        )
        return (
            "unknown-field",
            _("unknown field '{name}' in {parent}{hint}; allowed: {allowed}").format(
                name=name,
                parent=describe_path(prefix + parent_path),
                hint=hint,
                allowed=", ".join(allowed),
            ),
        )
    found = _describe_value(error.get("input"))
    if error_type == "invalid_key":
        parent = describe_path(prefix + path[:-1] if path else prefix)
        return (
            "invalid-key",
            _("the key {key} in {parent} should be text; quote it or remove the entry").format(
                key=repr(error.get("input")), parent=parent
            ),
        )
    if error_type in ("literal_error", "enum"):
        expected = str(error.get("ctx", {}).get("expected", ""))
        message = _("{where} is {found}, which is not allowed; use one of: {expected}").format(
            where=where, found=found, expected=expected.replace(" or ", " " + _("or") + " ")
        )
        near = _choice_meant(error.get("input"), expected)
        if near is not None:
            message += " (" + _("did you mean {name}?").format(name=repr(near)) + ")"
        return ("invalid-choice", message)
    scalar = error.get("input")
    if error_type == "string_type" and isinstance(scalar, bool | int | float):
        # YAML read 2025 or true as a number or a boolean: quotes make it text.
        return (
            "wrong-type",
            _("{where} should be text, found {found}; put it in quotes: {quoted}").format(
                where=where, found=found, quoted=f'"{_as_written(scalar)}"'
            ),
        )
    if error_type == "float_parsing" and path and path[-1] == "target":
        unit_hint = _target_with_unit(where, scalar)
        if unit_hint is not None:
            return ("wrong-type", unit_hint)
    if error_type in _TYPE_WORDS:
        return (
            "wrong-type",
            _("{where} should be {kind}, found {found}; fix the value").format(
                where=where, kind=_(_TYPE_WORDS[error_type]), found=found
            ),
        )
    if error_type in _LIMIT_MESSAGES:
        limit = next(iter(error.get("ctx", {}).values()), "")
        return (
            "invalid-value",
            _(_LIMIT_MESSAGES[error_type]).format(where=where, found=found, limit=limit),
        )
    if error_type == "string_too_short":
        return ("invalid-value", _("{where} is empty; write a text").format(where=where))
    message = str(error.get("msg", ""))
    if error_type == "value_error":
        message = message.removeprefix("Value error, ")
        return ("invalid-value", f"{where}: {message}")
    message = message[:1].lower() + message[1:]
    return (
        "invalid-value",
        _("{where}: {message} (found {found}); fix the value").format(
            where=where, message=message, found=found
        ),
    )


# A target written with its unit: "25 %", "2,5 Tage", "-10 EUR". A number with a thousands
# separator ("1.500 EUR") is left out: whether it means 1.5 or 1500 depends on the language.
_NUMBER_WITH_UNIT = re.compile(
    r"\s*([+-]?\d+(?:[.,]\d{1,2}(?!\d)|[.,]\d{4,})?)\s*([^\d\s.,].*?)?\s*"
)


def _target_with_unit(where: str, found: Any) -> str | None:
    """``should be a number ...; write target: 25 and unit: "%"`` for a KPI target with its unit."""
    if not isinstance(found, str):
        return None
    match = _NUMBER_WITH_UNIT.fullmatch(found)
    if match is None or match.group(2) is None:
        return None
    number = match.group(1).replace(",", ".").removeprefix("+")
    return _(
        "{where} should be a number, found {found}; write target: {number} and unit: {unit}"
    ).format(where=where, found=_describe_value(found), number=number, unit=_quoted(match.group(2)))


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _choice_meant(found: Any, expected: str) -> str | None:
    """The allowed value ``found`` names: a near miss, or its name in any language.

    Maps show the choices translated (``indirekte``, ``påvirker``); a map author who writes the
    shown word gets the value the file needs.
    """
    if not isinstance(found, str) or not found.strip():
        return None
    choices: list[str] = re.findall(r"'([^']*)'", expected)
    folded = found.strip().casefold()
    for choice in choices:
        if any(gettext(choice, language).casefold() == folded for language in LANGUAGES):
            return choice
    return did_you_mean(found.strip(), choices)


def issues_from_validation_error(
    root: type[BaseModel],
    error: ValidationError,
    data: Any,
    locator: Locator,
    prefix: tuple[Any, ...] = (),
) -> list[ValidationIssue]:
    """One issue per distinct problem, each with its path and file location.

    Args:
        root: The model that was validated (``JourneyMap`` or ``MappingRules``).
        error: What pydantic raised.
        data: The plain data that was validated (to drop union tags from paths).
        locator: Maps (document path, point-at-key) to a file location.
        prefix: Path of ``data`` inside the document (``("mapping",)`` for a wrapped rules file).
    """
    issues: list[ValidationIssue] = []
    seen: dict[tuple[Any, ...], int] = {}
    for item in error.errors(include_url=False):
        path = _clean_path(data, item["loc"], item["type"])
        code, message = _message(root, item, path, prefix)
        if path in seen and code == issues[seen[path]].code:
            continue
        full_path = prefix + path
        location = locator(full_path, item["type"] in ("extra_forbidden", "invalid_key"))
        seen[path] = len(issues)
        issues.append(ValidationIssue("error", code, message, full_path, location))
    return issues
