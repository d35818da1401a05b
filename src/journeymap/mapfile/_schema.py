"""JSON Schema of the map file, generated from the domain model, for editors and CI checks."""

from __future__ import annotations

import inspect
import re
import types
import typing
from typing import Any

from pydantic import BaseModel

from journeymap.model import JourneyMap

__all__ = ["SCHEMA_ID", "map_json_schema"]

SCHEMA_ID = "urn:journeymap:schema:map:1"
"""The schema's ``$id``; bump the last part when the file format changes incompatibly."""

_SECTION = re.compile(r"^(Attributes|Examples|Args|Raises|Returns|Note|Notes):\s*$", re.M)
_ATTRIBUTE = re.compile(r"^ {4}(\w+): (.*(?:\n {8,}.*)*)", re.M)


def _models(root: type[BaseModel]) -> dict[str, type[BaseModel]]:
    """Every model class reachable from ``root``, by class name."""
    found: dict[str, type[BaseModel]] = {}

    def visit(annotation: Any) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation.__name__ in found:
                return
            found[annotation.__name__] = annotation
            for info in annotation.model_fields.values():
                visit(info.annotation)
            return
        for argument in typing.get_args(annotation):
            visit(argument)
        if isinstance(annotation, types.UnionType):
            for argument in annotation.__args__:
                visit(argument)

    visit(root)
    return found


def _docs(model: type[BaseModel]) -> tuple[str, dict[str, str]]:
    """(description without sections, attribute descriptions) from a Google-style docstring."""
    doc = inspect.cleandoc(model.__doc__ or "")
    match = _SECTION.search(doc)
    description = (doc[: match.start()] if match else doc).strip()
    attributes: dict[str, str] = {}
    section = re.search(r"^Attributes:\s*\n((?:(?: {4}.*)?\n?)*)", doc, re.M)
    if section:
        for name, text in _ATTRIBUTE.findall(section.group(1)):
            attributes[name] = " ".join(text.split())
    return description, attributes


def _describe(schema: dict[str, Any], model: type[BaseModel]) -> None:
    description, attributes = _docs(model)
    if description:
        schema["description"] = description
    properties = schema.get("properties", {})
    for name, info in model.model_fields.items():
        key = info.alias or name
        text = info.description or attributes.get(name)
        if key in properties and text and "description" not in properties[key]:
            properties[key]["description"] = text


def map_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a journey map file.

    Titles and descriptions come from the model's docstrings; fixed choices (mode, influence,
    buying-center role, status, language, ...) are enums.

    Examples:
        >>> schema = map_json_schema()
        >>> schema["required"]
        ['id', 'name']
        >>> schema["properties"]["status"]["enum"]
        ['draft', 'researched', 'live']
    """
    schema = JourneyMap.model_json_schema(by_alias=True, mode="validation")
    models = _models(JourneyMap)
    _describe(schema, JourneyMap)
    for name, definition in schema.get("$defs", {}).items():
        if name in models:
            _describe(definition, models[name])
    schema["title"] = "journeymap map file"
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
    }
