from __future__ import annotations

import json
from typing import Any

import pytest

from journeymap.mapfile import dump_map, map_json_schema
from journeymap.model import JourneyMap


def test_schema_is_json_with_id_and_draft() -> None:
    schema = map_json_schema()
    assert json.loads(json.dumps(schema)) == schema
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].startswith("urn:journeymap:")
    assert schema["required"] == ["id", "name"]
    assert schema["additionalProperties"] is False


def test_schema_enums_and_descriptions() -> None:
    schema = map_json_schema()
    definitions = schema["$defs"]
    assert schema["properties"]["language"]["enum"] == ["en", "da", "de"]
    assert schema["properties"]["status"]["enum"] == ["draft", "researched", "live"]
    touchpoint = definitions["Touchpoint"]
    assert touchpoint["properties"]["mode"]["enum"] == ["online", "offline"]
    assert touchpoint["properties"]["influence"]["enum"] == ["direct", "indirect"]
    role = definitions["Persona"]["properties"]["role"]["anyOf"][0]
    assert role["enum"] == ["initiator", "user", "influencer", "decider", "buyer", "gatekeeper"]
    assert touchpoint["description"].startswith("A point of contact")
    assert "review portal" in touchpoint["properties"]["influence"]["description"]
    assert schema["description"].startswith("A customer journey map")
    assert "Examples" not in schema["description"]


def test_schema_validates_an_example_document(example_map: JourneyMap) -> None:
    jsonschema: Any = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(map_json_schema())
    document = json.loads(dump_map(example_map, format="json"))
    assert list(validator.iter_errors(document)) == []
    document["touchpoints"][0]["mode"] = "web"
    document["colour"] = "red"
    messages = sorted(error.message for error in validator.iter_errors(document))
    assert len(messages) == 2
    assert any("'web' is not one of ['online', 'offline']" in m for m in messages)
