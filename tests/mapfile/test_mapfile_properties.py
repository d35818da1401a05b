"""Property tests: whatever the document, the loader returns a map or one of our located errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeymap.errors import MapFileError, MapValidationError
from journeymap.mapfile import dump_map, loads_map
from journeymap.model import JourneyMap

PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

YAML_PIECES = [
    "id: demo\n", "name: Demo\n", "phases:\n", "  - id: a\n", "    name: A\n", "touchpoints:\n",
    "    phases: [a]\n", "cells:\n", "  - phase: a\n", "    emotion: {score: 1}\n", "- ", ": ",
    "&x ", "*x ", "!!str ", "!tag ", "{", "}", "[", "]", ",", "'", '"', "#", "|\n", ">\n",
    "? ", "---\n", "...\n", "\t", "  ", "\n", "%YAML 1.2\n", "<<: *x\n", "~", "null", "true",
    "2024-01-01", "1e999", ".nan", "-1", "\\", "\x00", "\ufeff", "é", "😀",
]  # fmt: skip


def assert_outcome(text: str, format: str) -> None:
    """The one property: a map, or our error whose location has a line."""
    try:
        result = loads_map(text, format=format, source="fuzz")
    except MapValidationError as error:
        assert error.issues
        for issue in error.issues:
            assert issue.location is not None and issue.location.line is not None, issue
            assert issue.location.file == "fuzz"
            assert issue.message
    except MapFileError as error:
        assert error.location.line is not None, error
        assert error.location.file == "fuzz"
    else:
        assert isinstance(result, JourneyMap)


@PROPERTY_SETTINGS
@given(st.lists(st.sampled_from(YAML_PIECES) | st.text(max_size=5), max_size=40))
def test_random_yaml_like_documents(pieces: list[str]) -> None:
    assert_outcome("".join(pieces), "yaml")


@PROPERTY_SETTINGS
@given(st.text(max_size=200))
def test_random_text_as_json(text: str) -> None:
    assert_outcome(text, "json")


def plain_values() -> st.SearchStrategy[Any]:
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(-(10**6), 10**6)
        | st.floats(allow_nan=False)
        | st.text(max_size=12)
        | st.sampled_from(["awareness", "online", "web", "decider", "a b", ""])
    )
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.text(max_size=8) | st.sampled_from(["id", "name"]), inner, max_size=3
            )
        ),
        max_leaves=8,
    )


def _containers(node: Any, found: list[Any]) -> list[Any]:
    if isinstance(node, dict | list):
        found.append(node)
        for child in node.values() if isinstance(node, dict) else node:
            _containers(child, found)
    return found


@st.composite
def mutated_documents(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    document = json.loads(json.dumps(base))
    for _ in range(draw(st.integers(1, 4))):
        container = draw(st.sampled_from(_containers(document, [])))
        action = draw(st.sampled_from(["drop", "change", "insert"]))
        if isinstance(container, dict) and container:
            key = draw(st.sampled_from(sorted(container)))
            if action == "drop":
                del container[key]
            elif action == "change":
                container[key] = draw(plain_values())
            else:
                container[draw(st.text(min_size=1, max_size=8))] = draw(plain_values())
        elif isinstance(container, list) and container:
            index = draw(st.integers(0, len(container) - 1))
            if action == "drop":
                del container[index]
            elif action == "change":
                container[index] = draw(plain_values())
            else:
                container.insert(index, draw(plain_values()))
    return document


def _base(example: JourneyMap) -> dict[str, Any]:
    return json.loads(dump_map(example, format="json"))


@pytest.mark.slow
def test_mutations_of_a_valid_map(example_map: JourneyMap) -> None:
    base = _base(example_map)

    @PROPERTY_SETTINGS
    @given(mutated_documents(base), st.sampled_from(["yaml", "json"]))
    def check(document: dict[str, Any], format: str) -> None:
        if format == "json":
            text = json.dumps(document, ensure_ascii=False)
        else:
            text = _yaml_text(document)
        assert_outcome(text, format)

    check()


def _yaml_text(document: dict[str, Any]) -> str:
    import io

    from ruamel.yaml import YAML

    buffer = io.StringIO()
    YAML(typ="safe", pure=True).dump(document, buffer)
    return buffer.getvalue()


def test_text_mutations_of_a_valid_map(example_map: JourneyMap) -> None:
    yaml_text = dump_map(example_map)
    json_text = dump_map(example_map, format="json")

    @PROPERTY_SETTINGS
    @given(
        st.sampled_from(["yaml", "json"]),
        st.lists(
            st.tuples(
                st.floats(0, 1),
                st.integers(0, 3),
                st.sampled_from(YAML_PIECES) | st.text(max_size=3),
            ),
            min_size=1,
            max_size=4,
        ),
    )
    def check(format: str, edits: list[tuple[float, int, str]]) -> None:
        text = yaml_text if format == "yaml" else json_text
        for where, remove, insert in edits:
            position = int(where * len(text))
            text = text[:position] + insert + text[position + remove :]
        assert_outcome(text, format)

    check()
