from __future__ import annotations

import json
from pathlib import Path

import pytest

from journeymap.errors import Location, MapFileError, UnsafeInputError
from journeymap.mapfile import load_map, loads_map
from journeymap.mapfile._limits import MAX_DEPTH


def refused(text: str, format: str = "yaml") -> UnsafeInputError:
    with pytest.raises(UnsafeInputError) as caught:
        loads_map(text, format=format, source="map.yaml")
    return caught.value


def test_python_object_tag_is_refused_not_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    error = refused(f"id: demo\nname: !!python/object/apply:os.system ['touch {marker}']\n")
    assert not marker.exists()
    assert error.location == Location("map.yaml", 2, 7)
    assert "python/object/apply:os.system" in str(error)
    assert "not allowed" in str(error)


def test_custom_tag_is_refused_with_position() -> None:
    error = refused("id: demo\nname: Demo\ntags:\n  - !secret x\n")
    assert error.location == Location("map.yaml", 4, 5)
    assert "'!secret'" in str(error)


def test_standard_tags_are_accepted() -> None:
    journey_map = loads_map("id: !!str 2024\nname: !!str Demo\ntags: !!seq [a]\n")
    assert journey_map.id == "2024"
    assert journey_map.tags == ["a"]


def test_billion_laughs_is_refused_before_expansion() -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 10):
        previous = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} [{', '.join([previous] * 9)}]")
    error = refused("\n".join(lines) + "\nid: demo\nname: Demo\n")
    assert "alias" in str(error)
    assert error.location.line is not None and error.location.line <= 10


def test_a_few_aliases_are_fine() -> None:
    text = (
        "id: demo\nname: Demo\nphases:\n  - {id: a, name: A}\n"
        "touchpoints:\n  - {id: t1, name: T1, phases: &both [a]}\n"
        "  - {id: t2, name: T2, phases: *both}\n"
    )
    assert loads_map(text).touchpoint("t2").phases == ["a"]


def test_recursive_alias_is_refused() -> None:
    error = refused("id: demo\nname: Demo\ntags: &loop [*loop]\n")
    assert "recursive" in str(error)
    assert error.location == Location("map.yaml", 3, 14)


def test_deep_nesting_is_refused_in_yaml_and_json() -> None:
    depth = 2_000
    error = refused("id: demo\nname: Demo\ntags: " + "[" * depth + "]" * depth + "\n")
    assert f"more than {MAX_DEPTH} levels" in str(error)
    assert error.location.line == 3
    json_error = refused("[" * depth + "]" * depth, format="json")
    assert json_error.location == Location("map.yaml", 1, MAX_DEPTH + 1)


def test_brackets_inside_json_strings_do_not_count_as_nesting() -> None:
    text = json.dumps({"id": "demo", "name": "[" * 500 + "{" * 500})
    assert loads_map(text, format="json").name.startswith("[[[")


def test_oversized_file_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("id: demo\nname: Demo\n" + "# padding\n" * 2000, encoding="utf-8")
    monkeypatch.setenv("JOURNEYMAP_MAPFILE_MAX_BYTES", "1000")
    with pytest.raises(UnsafeInputError) as caught:
        load_map(path)
    assert "more than the limit of 1,000 bytes" in str(caught.value)
    assert "mapfile.max_bytes" in str(caught.value)


def test_default_limit_is_ten_mebibytes(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with path.open("w", encoding="utf-8") as stream:
        stream.write("id: demo\nname: Demo\n")
        stream.truncate(10 * 1024 * 1024 + 1)  # sparse: cheap to make
    with pytest.raises(UnsafeInputError, match="more than the limit of 10,485,760 bytes"):
        load_map(path)


def test_huge_numbers_are_refused_not_converted() -> None:
    refused("id: demo\nname: Demo\nphases: [{id: a, name: A, order: " + "9" * 5000 + "}]\n")
    refused('{"id": "demo", "name": "Demo", "x": ' + "9" * 5000 + "}", format="json")


def test_unsafe_error_is_a_map_file_error() -> None:
    assert issubclass(UnsafeInputError, MapFileError)
