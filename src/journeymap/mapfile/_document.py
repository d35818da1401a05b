"""A map file kept as an editable document, so comments survive edits made through the model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from journeymap.errors import Location
from journeymap.mapfile._dump import atomic_write, map_data, render_tree, to_yaml_node
from journeymap.mapfile._load import parse_file, validate_document
from journeymap.mapfile._parse import ParsedDocument, format_of
from journeymap.model import JourneyMap

__all__ = ["MapDocument", "load_map_document"]


def _identity(element: Any) -> Any:
    """What identifies a list element across edits: its id, a cell's key, or nothing."""
    if isinstance(element, dict):
        if "id" in element:
            return ("id", element["id"])
        if "phase" in element and "name" not in element:
            return ("cell", element.get("phase"), element.get("persona"), element.get("touchpoint"))
    return None


class _Merger:
    """Merges the model's data into a ruamel (or plain, for JSON) tree in place.

    ``full`` is the model with every field; ``clean`` leaves defaults out. Keys the file
    already has are kept (even at their default); keys it lacks are added only when they
    differ from the default, so an edit does not fill the file with defaults.
    """

    def __init__(self, yaml: bool) -> None:
        self.yaml = yaml

    def node(self, value: Any) -> Any:
        return to_yaml_node(value) if self.yaml else value

    def value(self, old: Any, full: Any, clean: Any) -> Any:
        """The merged value: ``old`` edited in place when possible, else a new node."""
        if isinstance(old, dict) and isinstance(full, dict):
            self.mapping(old, full, clean if isinstance(clean, dict) else full)
            return old
        if isinstance(old, list) and isinstance(full, list):
            self.sequence(old, full, clean if isinstance(clean, list) else full)
            return old
        same_kind = isinstance(old, bool) == isinstance(full, bool)
        if not isinstance(old, dict | list) and same_kind and old == full:
            return old
        return self.node(full)

    def mapping(self, old: dict[Any, Any], full: dict[Any, Any], clean: dict[Any, Any]) -> None:
        emptied = [
            key
            for key in old
            if key not in full
            or (key not in clean and full[key] in (None, [], {}) and old[key] not in (None, [], {}))
        ]
        for key in emptied:
            del old[key]
        order = list(full)
        for key, value in full.items():
            if key in emptied:
                continue
            if key in old:
                merged = self.value(old[key], value, clean.get(key, value))
                if merged is not old[key]:
                    old[key] = merged
            elif key in clean:
                rank = order.index(key)
                position = sum(1 for existing in old if order.index(existing) < rank)
                if self.yaml and hasattr(old, "insert"):
                    old.insert(position, key, self.node(clean[key]))
                else:
                    old[key] = clean[key]

    def sequence(self, old: list[Any], full: list[Any], clean: list[Any]) -> None:
        old_ids = [_identity(item) for item in old]
        new_ids = [_identity(item) for item in full]
        if all(old_ids) and all(new_ids):
            wanted = set(new_ids)
            for index in reversed(range(len(old))):
                if old_ids[index] not in wanted:
                    del old[index]
                    del old_ids[index]
            if old_ids != new_ids[: len(old_ids)]:
                old[:] = [self.node(item) for item in clean]
                return
        else:
            while len(old) > len(full):
                del old[len(old) - 1]
        for index, value in enumerate(full):
            if index < len(old):
                merged = self.value(old[index], value, clean[index])
                if merged is not old[index]:
                    old[index] = merged
            else:
                old.append(self.node(clean[index]))


class MapDocument:
    """A loaded map file whose text form (comments, order, quoting) is kept for saving.

    Attributes:
        map: The validated journey map.
        path: The file it was loaded from.
        format: ``yaml`` or ``json``.
    """

    def __init__(self, parsed: ParsedDocument, journey_map: JourneyMap, path: Path) -> None:
        self._parsed = parsed
        self.map = journey_map
        self.path = path
        self.format = parsed.format

    @property
    def tree(self) -> Any:
        """The editable document tree (ruamel round-trip nodes for YAML)."""
        return self._parsed.tree

    def update(self, journey_map: JourneyMap) -> None:
        """Merge ``journey_map`` into the document, keeping the comments of untouched parts.

        Changed values are replaced, added elements appended, removed ones dropped.
        """
        full = journey_map.model_dump(mode="json", by_alias=True)
        merger = _Merger(self.format == "yaml")
        merger.mapping(self._parsed.tree, full, map_data(journey_map))
        self.map = journey_map

    def location(self, path: tuple[str | int, ...], *, key: bool = False) -> Location:
        """File location of the value (or key) at ``path``, e.g. an issue's ``path``.

        Positions are those of the file as loaded; a path that leaves the document gives the
        position of the deepest element that exists.
        """
        return self._parsed.location(tuple(path), key)

    def text(self) -> str:
        """The document as text, in its own format (lines end in a line feed, as read)."""
        return render_tree(self._parsed.tree, self.format, keep_lines=True)

    def save(self, path: str | Path | None = None) -> None:
        """Write the document (to its own file by default), atomically.

        The format follows ``path``'s suffix; comments survive only in YAML. The file keeps
        its blank lines, the lines its texts are written on, its line endings (CRLF in
        a Windows file) and its byte order mark: saving without an edit writes the same
        bytes for a file in journeymap's style.
        """
        target = Path(path) if path is not None else self.path
        form = format_of(target)
        tree = self._parsed.tree
        if form == "yaml" and self.format == "json":
            tree = to_yaml_node(tree)
        atomic_write(
            target,
            render_tree(tree, form, keep_lines=True),
            newline=self._parsed.newline,
            bom=self._parsed.bom,
        )


def load_map_document(path: str | Path) -> MapDocument:
    """Load a map file as an editable :class:`MapDocument` (errors as ``load_map``)."""
    parsed = parse_file(path)
    journey_map = validate_document(JourneyMap, parsed)
    return MapDocument(parsed, journey_map, Path(path))
