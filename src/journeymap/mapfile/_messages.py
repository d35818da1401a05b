"""Turn pydantic's validation errors into issues a map author can act on."""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from journeymap.errors import Location, ValidationIssue
from journeymap.model import did_you_mean

__all__ = ["describe_path", "issues_from_validation_error"]

Locator = Callable[[tuple[Any, ...], bool], Location]

_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping (key: value)",
    "model_type": "a mapping of fields (key: value)",
    "model_attributes_type": "a mapping of fields (key: value)",
}


def describe_path(path: Sequence[Any]) -> str:
    """``("touchpoints", 2, "mode")`` -> ``touchpoints[2].mode`` (``the map`` when empty)."""
    text = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "the top level"


def _describe_value(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {shown!r}"
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."


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
            f"{parent} is missing the required field '{path[-1]}'; add it",
        )
    if error_type == "extra_forbidden":
        parent_path = path[:-1]
        allowed = _allowed_fields(_model_at(root, parent_path))
        name = str(path[-1])
        near = did_you_mean(name, allowed)
        hint = f" (did you mean '{near}'?)" if near is not None else ""
        return (
            "unknown-field",
            f"unknown field '{name}' in {describe_path(prefix + parent_path)}{hint}; "
            f"allowed: {', '.join(allowed)}",
        )
    found = _describe_value(error.get("input"))
    if error_type == "invalid_key":
        parent = describe_path(prefix + path[:-1] if path else prefix)
        return (
            "invalid-key",
            f"the key {error.get('input')!r} in {parent} should be text; "
            "quote it or remove the entry",
        )
    if error_type in ("literal_error", "enum"):
        expected = str(error.get("ctx", {}).get("expected", ""))
        return (
            "invalid-choice",
            f"{where} is {found}, which is not allowed; use one of: {expected}",
        )
    if error_type in _TYPE_WORDS:
        return (
            "wrong-type",
            f"{where} should be {_TYPE_WORDS[error_type]}, found {found}; fix the value",
        )
    message = str(error.get("msg", ""))
    if error_type == "value_error":
        message = message.removeprefix("Value error, ")
        return ("invalid-value", f"{where}: {message}")
    message = message[:1].lower() + message[1:]
    return ("invalid-value", f"{where}: {message} (found {found}); fix the value")


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
