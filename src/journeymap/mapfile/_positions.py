"""Where things are in a map file: positions of keys and values, found by a path.

A YAML document keeps positions on its ruamel round-trip nodes (``lc``); a JSON document gets
a small tree of positions from :func:`json_positions`, built on text the ``json`` module has
already accepted. :func:`locate` walks either with a path such as ``("touchpoints", 2, "mode")``.
"""

from __future__ import annotations

import bisect
import json.decoder
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["JsonPosition", "json_positions", "locate"]

Position = tuple[int, int]
"""1-based line and column."""

_scanstring: Any = getattr(json.decoder, "scanstring")  # noqa: B009 - untyped in typeshed
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_LITERALS = ("true", "false", "null", "NaN", "Infinity", "-Infinity")


@dataclass
class JsonPosition:
    """Position of one JSON value, and of the keys and values inside it."""

    line: int
    column: int
    keys: dict[Any, Position] = field(default_factory=dict)
    children: dict[Any, JsonPosition] = field(default_factory=dict)
    is_object: bool = False


class _JsonScanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, index: int) -> Position:
        line = bisect.bisect_right(self.line_starts, index)
        return line, index - self.line_starts[line - 1] + 1

    def skip(self, index: int) -> int:
        match = _WHITESPACE.match(self.text, index)
        return match.end() if match else index

    def value(self, index: int) -> tuple[JsonPosition, int]:
        index = self.skip(index)
        line, column = self.position(index)
        node = JsonPosition(line, column)
        char = self.text[index]
        if char == "{":
            node.is_object = True
            index = self.skip(index + 1)
            while self.text[index] != "}":
                key_position = self.position(index)
                key, index = _scanstring(self.text, index + 1)
                index = self.skip(index) + 1  # the colon
                child, index = self.value(index)
                node.keys[key] = key_position
                node.children[key] = child
                index = self.skip(index)
                if self.text[index] == ",":
                    index = self.skip(index + 1)
            return node, index + 1
        if char == "[":
            index = self.skip(index + 1)
            position = 0
            while self.text[index] != "]":
                child, index = self.value(index)
                node.children[position] = child
                position += 1
                index = self.skip(index)
                if self.text[index] == ",":
                    index = self.skip(index + 1)
            return node, index + 1
        if char == '"':
            _, end = _scanstring(self.text, index + 1)
            return node, end
        for literal in _LITERALS:
            if self.text.startswith(literal, index):
                return node, index + len(literal)
        match = _NUMBER.match(self.text, index)
        if match is None:
            raise ValueError(f"unexpected JSON at offset {index}")
        return node, match.end()


def json_positions(text: str) -> JsonPosition:
    """Positions of every key and value of a JSON text that ``json.loads`` accepted."""
    scanner = _JsonScanner(text)
    try:
        node, _ = scanner.value(0)
    except (ValueError, IndexError):
        return JsonPosition(1, 1)
    return node


def _ruamel_step(node: Any, part: Any, want_key: bool) -> tuple[Any, Position] | None:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    try:
        if isinstance(node, CommentedMap) and part in node:
            line, column = node.lc.key(part) if want_key else node.lc.value(part)
            return node[part], (line + 1, column + 1)
        if isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line, column = node.lc.item(part)
            return node[part], (line + 1, column + 1)
    except (KeyError, TypeError, AttributeError, IndexError):
        return None
    return None


def _ruamel_root(node: Any) -> Position:
    lc = getattr(node, "lc", None)
    if lc is not None and lc.line is not None:
        return lc.line + 1, lc.col + 1
    return 1, 1


def locate(root: Any, path: tuple[Any, ...], *, key: bool = False) -> Position:
    """The position of the value at ``path`` (or of its key when ``key``).

    When the path leaves the document (a missing field), the position of the deepest node that
    exists is returned, so a message points at the mapping that lacks the field.
    """
    if isinstance(root, JsonPosition):
        node = root
        position: Position = (root.line, root.column)
        for index, part in enumerate(path):
            child = node.children.get(part)
            if child is None:
                break
            last = index == len(path) - 1
            position = (
                node.keys[part]
                if (key and last and node.is_object)
                else (
                    child.line,
                    child.column,
                )
            )
            node = child
        return position
    current = root
    position = _ruamel_root(root)
    for index, part in enumerate(path):
        step = _ruamel_step(current, part, key and index == len(path) - 1)
        if step is None:
            break
        current, position = step
    return position
