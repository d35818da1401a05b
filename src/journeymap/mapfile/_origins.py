"""Which file (and where in it) loaded mapping rules came from, to locate later problems.

Some problems of the rules show only when they meet the data (a column the events lack); the
rules are then a :class:`MappingRules` object far from the file they were read from. The
loaders remember each object's document here, for as long as the object lives.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from typing import Any

from journeymap.errors import Location
from journeymap.mapfile._parse import ParsedDocument
from journeymap.model import MappingRules

__all__ = ["locate_in_rules", "remember_rules_file"]

# id(rules) -> (the document, the path of the rules in it); entries leave with the object.
_ORIGINS: dict[int, tuple[ParsedDocument, tuple[Any, ...]]] = {}


def remember_rules_file(
    rules: MappingRules, document: ParsedDocument, prefix: tuple[Any, ...] = ()
) -> None:
    """Note that ``rules`` were read from ``document`` at ``prefix`` (``("mapping",)``)."""
    key = id(rules)
    if key not in _ORIGINS:
        weakref.finalize(rules, _ORIGINS.pop, key, None)
    _ORIGINS[key] = (document, prefix)


def locate_in_rules(
    rules: MappingRules, wanted: Callable[[tuple[Any, ...], Any], bool]
) -> Location | None:
    """Where in its file the first value of ``rules`` that ``wanted`` picks is written.

    ``wanted`` gets each scalar's path within the rules (``("touchpoints", 0, "when", 0,
    "field")``) and its value, in the file's order. None when the rules came from no file
    (a dict, rules built in Python) or no value is picked.
    """
    origin = _ORIGINS.get(id(rules))
    if origin is None:
        return None
    document, prefix = origin
    data = document.data
    for part in prefix:
        data = data[part]
    for path, value in _scalars(data, ()):
        if wanted(path, value):
            return document.location(prefix + path)
    return None


def _scalars(data: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _scalars(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _scalars(value, (*path, index))
    else:
        yield path, data
