"""Writing journey maps: clean YAML or JSON, saved atomically."""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from journeymap.errors import Location, MapFileError
from journeymap.mapfile._parse import format_of, new_yaml
from journeymap.model import JourneyMap

__all__ = ["atomic_write", "dump_map", "map_data", "render_tree", "save_map", "to_yaml_node"]


def map_data(journey_map: JourneyMap) -> dict[str, Any]:
    """The map as plain data: defaults and empty lists left out, keys in field order.

    A touchpoint's ``mode`` stays when it was given, even as the default ``online``: a file
    without it reads as a mode left out, which ``validate`` warns about. So do the channel and
    influence of a touchpoint made from a catalog entry: left out, they read as the entry's.
    """
    data = journey_map.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    for touchpoint, written in zip(
        journey_map.touchpoints, data.get("touchpoints", []), strict=True
    ):
        given = {"mode"} | ({"channel", "influence"} if touchpoint.catalog is not None else set())
        stays = (given & touchpoint.model_fields_set) - set(written)
        if stays:
            full = touchpoint.model_dump(mode="json", by_alias=True)
            kept = {key: full[key] for key in full if key in written or key in stays}
            written.clear()
            written.update(kept)
    return data


def to_yaml_node(value: Any) -> Any:
    """Plain data as ruamel round-trip nodes (block style, multi-line text as ``|`` blocks)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import LiteralScalarString

    if isinstance(value, dict):
        mapping = CommentedMap()
        for key, item in value.items():
            mapping[key] = to_yaml_node(item)
        return mapping
    if isinstance(value, list):
        return CommentedSeq(to_yaml_node(item) for item in value)
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value)
    return value


# Wide enough that no text of a hand-written file is wrapped anew when it is saved.
_KEEP_LINES = 1_000_000


def render_tree(tree: Any, format: str, *, keep_lines: bool = False) -> str:
    """Text of a document tree in ``yaml`` or ``json``.

    ``keep_lines`` writes each text on the lines it was read from instead of wrapping long
    ones at 100 characters, so saving a loaded file changes only what was edited.
    """
    if format == "json":
        from journeymap.mapfile._parse import _plain

        return json.dumps(_plain(tree), indent=2, ensure_ascii=False) + "\n"
    if format != "yaml":
        raise MapFileError(f"unknown format {format!r}; use 'yaml' or 'json'")
    buffer = io.StringIO()
    yaml = new_yaml()
    if keep_lines:
        yaml.width = _KEEP_LINES
    yaml.dump(tree, buffer)
    return buffer.getvalue()


def dump_map(journey_map: JourneyMap, format: str = "yaml") -> str:
    """The map as YAML (default) or JSON text.

    Examples:
        >>> from journeymap.model import Phase
        >>> print(dump_map(JourneyMap(id="demo", name="Demo",
        ...                           phases=[Phase(id="awareness", name="Awareness")])), end="")
        id: demo
        name: Demo
        phases:
          - id: awareness
            name: Awareness
    """
    data = map_data(journey_map)
    return render_tree(data if format == "json" else to_yaml_node(data), format)


def atomic_write(path: str | Path, text: str, *, newline: str = "\n", bom: bool = False) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename (never half-written).

    ``newline`` ends each line (CRLF for a Windows file); ``bom`` writes a byte order
    mark first.
    """
    if newline != "\n":
        text = text.replace("\n", newline)
    if bom:
        text = "\ufeff" + text
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=directory
        )
    except OSError as error:
        raise MapFileError(
            f"cannot write here: {error.strerror}; check that the folder exists and is writable",
            Location(str(path)),
        ) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if target.exists():
            os.chmod(temporary, target.stat().st_mode & 0o777)
        else:
            os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise MapFileError(
            f"cannot write the file: {error.strerror}", Location(str(path))
        ) from None


def save_map(journey_map: JourneyMap, path: str | Path) -> None:
    """Write the map to ``path`` as YAML or JSON (from the suffix), atomically."""
    atomic_write(path, dump_map(journey_map, format_of(Path(path))))
