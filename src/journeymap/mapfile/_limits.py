"""Safety limits for map files: size, nesting depth, tags and alias expansion.

Checked on the parser's event stream *before* anything is constructed, so a billion-laughs
document is refused after reading a few hundred events instead of expanding in memory.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from journeymap.errors import Location, MapFileError, UnsafeInputError
from journeymap.i18n import N_
from journeymap.settings import Setting, register, resolve, whole_number

__all__ = [
    "MAX_ALIAS_EXPANSION",
    "MAX_DEPTH",
    "MAX_NUMBER_DIGITS",
    "YamlEventGuard",
    "check_json_text",
    "check_size",
    "check_yaml_events",
    "max_bytes",
]

MAX_BYTES_SETTING = register(
    Setting(
        name="mapfile.max_bytes",
        default=10 * 1024 * 1024,
        help=N_(
            "Largest map or rules file (in bytes) that journeymap reads; larger files are "
            "refused as unsafe input."
        ),
        parse=whole_number(1),
    )
)

MAX_DEPTH = 64
"""Deepest nesting of mappings and lists accepted (a real map needs about 6)."""

MAX_ALIAS_EXPANSION = 100_000
"""How many nodes aliases may add to a document once expanded (billion laughs guard)."""

MAX_NUMBER_DIGITS = 1000
"""Longest plain number accepted (Python refuses to convert very long digit strings)."""

_STANDARD_TAGS = frozenset(
    "tag:yaml.org,2002:" + name for name in ("str", "int", "float", "bool", "null", "map", "seq")
)
_NUMBER_LIKE = re.compile(r"[-+]?[0-9][0-9_]*")


def max_bytes() -> int:
    """The size limit in force (setting ``mapfile.max_bytes``)."""
    return int(resolve(MAX_BYTES_SETTING.name))


def check_size(size: int, source: str) -> None:
    """Refuse a document larger than ``mapfile.max_bytes``."""
    limit = max_bytes()
    if size > limit:
        raise UnsafeInputError(
            f"the file is {size:,} bytes, more than the limit of {limit:,} bytes; split the map "
            f"or raise the setting mapfile.max_bytes ({MAX_BYTES_SETTING.env_var})",
            Location(source, 1, 1),
        )


def _mark(event: Any, source: str) -> Location:
    mark = event.start_mark
    return Location(source, mark.line + 1, mark.column + 1)


def _tag_name(tag: Any) -> str | None:
    if tag is None or isinstance(tag, str):
        return tag
    value = getattr(tag, "value", None)
    return value if isinstance(value, str) else str(tag)


class YamlEventGuard:
    """Checks YAML parser events one by one, as the composer pulls them.

    Refuses custom tags, alias bombs, recursive aliases, collections used as keys, very long
    numbers and deep nesting, each with the line and column of the offending node.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        # One frame per open collection: [anchor, expanded size, is mapping, children seen].
        self.stack: list[list[Any]] = []
        self.anchored_sizes: dict[str, int] = {}
        self.added_by_aliases = 0

    def check(self, event: Any) -> None:
        """Check one event; raise :class:`UnsafeInputError` (or MapFileError) on a problem."""
        from ruamel.yaml.events import (
            AliasEvent,
            CollectionEndEvent,
            CollectionStartEvent,
            MappingStartEvent,
            NodeEvent,
            ScalarEvent,
        )

        stack, source = self.stack, self.source
        if isinstance(event, NodeEvent) and not isinstance(event, AliasEvent):
            _check_tag(event, source)
        if isinstance(event, NodeEvent) and stack and stack[-1][2] and stack[-1][3] % 2 == 0:
            _check_key(event, self.anchored_sizes, source)
        size = 0
        if isinstance(event, ScalarEvent):
            size = 1
            _check_number(event, source)
            if event.anchor is not None:
                self.anchored_sizes[event.anchor] = 1
        elif isinstance(event, AliasEvent):
            if any(frame[0] == event.anchor for frame in stack):
                raise UnsafeInputError(
                    f"the alias *{event.anchor} refers to a node that contains it (a recursive "
                    "structure); map files cannot be recursive, write the values out",
                    _mark(event, source),
                )
            size = self.anchored_sizes.get(event.anchor, 1)
            self.added_by_aliases += size
            if self.added_by_aliases > MAX_ALIAS_EXPANSION:
                raise UnsafeInputError(
                    f"aliases expand the document by more than {MAX_ALIAS_EXPANSION:,} values "
                    "(an alias bomb?); write the values out instead of repeating aliases",
                    _mark(event, source),
                )
        elif isinstance(event, CollectionStartEvent):
            stack.append([event.anchor, 1, isinstance(event, MappingStartEvent), 0])
            if len(stack) > MAX_DEPTH:
                raise UnsafeInputError(
                    f"the document nests lists and mappings more than {MAX_DEPTH} levels deep; "
                    "a journey map needs only a few levels, flatten the structure",
                    _mark(event, source),
                )
            return
        elif isinstance(event, CollectionEndEvent):
            anchor, size, _, _ = stack.pop()
            if anchor is not None:
                self.anchored_sizes[anchor] = size
        else:
            return
        if stack:
            stack[-1][1] += size
            stack[-1][3] += 1


def check_yaml_events(events: Any, source: str) -> None:
    """Check every event of a YAML parse (see :class:`YamlEventGuard`)."""
    guard = YamlEventGuard(source)
    for event in events:
        guard.check(event)


def _check_tag(event: Any, source: str) -> None:
    tag = _tag_name(getattr(event, "tag", None))
    if tag is not None and tag != "!" and tag not in _STANDARD_TAGS:
        raise UnsafeInputError(
            f"the YAML tag {tag!r} is not allowed; map files use plain values only "
            "(remove the tag, or quote the value if it is text)",
            _mark(event, source),
        )


def _check_key(event: Any, anchored_sizes: dict[str, int], source: str) -> None:
    from ruamel.yaml.events import AliasEvent, CollectionStartEvent

    is_alias_to_collection = (
        isinstance(event, AliasEvent) and anchored_sizes.get(event.anchor, 1) > 1
    )
    if isinstance(event, CollectionStartEvent) or is_alias_to_collection:
        raise MapFileError(
            "a list or mapping is used as a key; keys must be plain text "
            "(check for a stray '?' or a misplaced colon)",
            _mark(event, source),
        )


def _check_number(event: Any, source: str) -> None:
    value = event.value
    if event.style is None and len(value) > MAX_NUMBER_DIGITS and _NUMBER_LIKE.fullmatch(value):
        raise UnsafeInputError(
            f"a number with {len(value):,} digits is too long (at most "
            f"{MAX_NUMBER_DIGITS}); quote it if it is text",
            _mark(event, source),
        )


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")
_JSON_LONG_NUMBER = re.compile("-?[0-9]{" + str(MAX_NUMBER_DIGITS + 1) + ",}")


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def check_json_text(text: str, source: str) -> None:
    """Refuse JSON nested deeper than :data:`MAX_DEPTH` or with absurdly long numbers.

    Strings are blanked out first (same length) so brackets inside them do not count.
    """
    blanked = _JSON_STRING.sub(lambda match: '"' + " " * (len(match.group()) - 2) + '"', text)
    depth = 0
    for match in _JSON_BRACKET.finditer(blanked):
        depth += 1 if match.group() in "[{" else -1
        if depth > MAX_DEPTH:
            line, column = _line_col(text, match.start())
            raise UnsafeInputError(
                f"the document nests lists and objects more than {MAX_DEPTH} levels deep; "
                "a journey map needs only a few levels, flatten the structure",
                Location(source, line, column),
            )
    long_number = _JSON_LONG_NUMBER.search(blanked)
    if long_number is not None:
        line, column = _line_col(text, long_number.start())
        raise UnsafeInputError(
            f"a number with more than {MAX_NUMBER_DIGITS} digits is too long; "
            "write it as text if it is an identifier",
            Location(source, line, column),
        )


def file_size(path: Path) -> int:
    """Size of ``path`` in bytes (callers translate ``OSError``)."""
    return path.stat().st_size
