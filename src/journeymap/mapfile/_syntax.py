"""YAML syntax errors said in a map author's words, at the place of the mistake.

The YAML parser reports where it stopped, in its own English ("expected <block end>, but
found '<scalar>'"). For the mistakes map authors make by hand (a quote left open, a tab, a
colon inside a value, a line indented wrongly, a key given twice) the message here says what
is wrong and how to fix it, and points at the mistake: an open quote is reported where it
opens, with the parser's position kept as context. Other errors keep the parser's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from journeymap.errors import Location, MapFileError
from journeymap.model._messages import _

__all__ = ["yaml_syntax_error"]


@dataclass(frozen=True, order=True)
class _Place:
    """A 1-based line and column, written ``line:column`` as in messages."""

    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.line}:{self.column}"


def _place(mark: Any) -> _Place | None:
    if mark is None:
        return None
    return _Place(mark.line + 1, mark.column + 1)


@dataclass(frozen=True)
class _Explained:
    problem: str
    hint: str
    place: _Place


# A line that YAML structure starts (``key:``, ``- item``): when a quoted text took such
# lines in, its quote was left open.
_STRUCTURE_LINE = re.compile(r"\s*(?:-\s+)*[\w.-]+:(?:\s|$)|\s*-\s")
_FIRST_KEY_VALUE = re.compile(r"(\s*(?:-\s+)?)([a-z][a-z0-9_]*):\s+(.*\S)")
_LIST_ITEM = re.compile(r"(\s*)-\s+(.*\S)")
_DUPLICATE_KEY = re.compile(r'found duplicate key "(.*?)" with value "', re.DOTALL)


def yaml_syntax_error(error: Exception, text: str, source: str) -> MapFileError:
    """Our located error for what ruamel raised while reading ``text``."""
    from ruamel.yaml.error import MarkedYAMLError
    from ruamel.yaml.reader import ReaderError

    if isinstance(error, MarkedYAMLError):
        stop = _place(error.problem_mark) or _place(error.context_mark) or _Place(1, 1)
        explained = _explain(error, text, stop)
        if explained is not None:
            return MapFileError(
                _("YAML syntax error: {problem}; {hint}").format(
                    problem=explained.problem, hint=explained.hint
                ),
                Location(source, explained.place.line, explained.place.column),
            )
        problem = error.problem or "invalid YAML"
        context = f" ({error.context})" if error.context else ""
        hint = _(
            "check the indentation (the keys of one mapping start in the same column), the "
            "quotes and the colons here"
        )
        return MapFileError(
            _("YAML syntax error: {problem}; {hint}").format(problem=problem + context, hint=hint),
            Location(source, stop.line, stop.column),
        )
    if isinstance(error, ReaderError):
        return MapFileError(
            _("the text contains a character YAML does not allow ({reason}); remove it").format(
                reason=error.reason
            ),
            _offset_location(text, error.position, source),
        )
    return MapFileError(_("YAML error: {error}").format(error=error), Location(source, 1, 1))


def _offset_location(text: str, offset: int, source: str) -> Location:
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    return Location(source, line, offset - (text.rfind("\n", 0, offset) + 1) + 1)


def _explain(error: Any, text: str, stop: _Place) -> _Explained | None:
    """The mistake behind a parser error, in the author's words, or None when unsure."""
    problem = str(error.problem or "")
    context = str(error.context or "")
    lines = text.split("\n")
    opened = _place(error.context_mark)
    if context.startswith("while scanning a quoted scalar") and opened is not None:
        return _Explained(
            _("a quoted text starting at {start} is never closed").format(start=opened),
            _(
                "close it with {quote} (YAML read on to {stop} looking for the closing quote)"
            ).format(quote=_character(lines, opened), stop=stop),
            opened,
        )
    if "found duplicate key" in problem:
        return _duplicate_key(problem, lines, stop, opened)
    if "'\\t'" in problem:
        return _tab(lines, stop)
    quoted = _quoted_before(text, stop)
    if quoted is not None:
        explained = _after_quoted(quoted, lines, stop)
        if explained is not None:
            return explained
    if problem == "mapping values are not allowed here":
        return _colon_or_indentation(lines, stop)
    if problem == "could not find expected ':'" and opened is not None:
        return _Explained(
            _("line {line} is neither key: value nor a list item").format(line=opened.line),
            _(
                "write ': ' after the key, or indent the line further if it continues the "
                "text above"
            ),
            opened,
        )
    if problem.startswith("expected <block end>, but found"):
        return _misaligned(lines, stop, opened)
    return None


def _line(lines: list[str], number: int) -> str:
    return lines[number - 1] if 0 < number <= len(lines) else ""


def _character(lines: list[str], place: _Place) -> str:
    line = _line(lines, place.line)
    return line[place.column - 1] if 0 < place.column <= len(line) else '"'


def _indent_column(line: str) -> int:
    """The column of a line's first character that is not a space."""
    return len(line) - len(line.lstrip(" ")) + 1


def _key_column(line: str) -> int:
    """The column where a line's key starts: after its indentation and any ``- ``."""
    match = re.match(r"\s*(?:-\s+)*", line)
    return (match.end() if match else 0) + 1


def _line_above(lines: list[str], number: int) -> int | None:
    """The nearest line before ``number`` that holds more than space or a comment."""
    for above in range(number - 1, 0, -1):
        content = _line(lines, above).strip()
        if content and not content.startswith("#"):
            return above
    return None


def _quoted_before(text: str, stop: _Place) -> Any:
    """The quoted text just before ``stop``, if the last token there is one."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    last: Any = None
    try:
        for token in YAML(typ="rt").scan(text):
            start = _place(token.start_mark)
            if start is not None and start >= stop:
                break
            last = token
    except YAMLError:
        pass  # the tokens before the scanner's own error are what counts
    if type(last).__name__ == "ScalarToken" and getattr(last, "style", None) in ('"', "'"):
        return last
    return None


def _after_quoted(token: Any, lines: list[str], stop: _Place) -> _Explained | None:
    """An open quote (a quoted text that took YAML lines in), or text after a closing quote."""
    start = _place(token.start_mark)
    end = _place(token.end_mark)
    if start is None or end is None or end.line != stop.line:
        return None
    quote = _character(lines, start)
    taken_in = [_line(lines, number) for number in range(start.line + 1, end.line + 1)]
    if any(_STRUCTURE_LINE.match(line) for line in taken_in):
        return _Explained(
            _("a quoted text starting at {start} is never closed").format(start=start),
            _(
                "close it with {quote} (YAML took everything up to the quote at {end} as part "
                "of the text and stopped at {stop})"
            ).format(quote=quote, end=_Place(end.line, end.column - 1), stop=stop),
            start,
        )
    closing = _Place(end.line, end.column - 1)
    hint = (
        _('to use " inside a text, put the whole text in single quotes: \'... "..." ...\'')
        if quote == '"'
        else _("to use ' inside a text, write it twice ('') or put the whole text in double quotes")
    )
    return _Explained(
        _("the quote at {end} closes the quoted text, but more text follows it").format(
            end=closing
        ),
        hint,
        closing,
    )


def _duplicate_key(
    problem: str, lines: list[str], stop: _Place, mapping: _Place | None
) -> _Explained:
    found = _DUPLICATE_KEY.search(problem)
    key = found.group(1) if found else ""
    first = _first_key(lines, key, stop, mapping) if key else None
    repeated = (
        _("the key {key} is given a second time in this mapping (first at {first})").format(
            key=repr(key), first=first
        )
        if first is not None
        else _("the key {key} is given a second time in this mapping").format(key=repr(key))
    )
    return _Explained(
        repeated,
        _("each key may appear once in a mapping; remove or rename the repeated one"),
        stop,
    )


def _first_key(lines: list[str], key: str, stop: _Place, mapping: _Place | None) -> _Place | None:
    """Where ``key`` first stands in the block mapping that repeats it at ``stop``."""
    first_line = mapping.line if mapping is not None else 1
    column = stop.column
    for number in range(first_line, stop.line):
        line = _line(lines, number)
        before, after = line[: column - 1], line[column - 1 :]
        if before.strip(" -") == "" and re.match(re.escape(key) + r"\s*:", after):
            return _Place(number, column)
    return None


def _tab(lines: list[str], stop: _Place) -> _Explained:
    before = _line(lines, stop.line)[: stop.column - 1]
    if before.strip() == "":
        return _Explained(
            _("a tab at the start of line {line}").format(line=stop.line),
            _("YAML indents with spaces, not tabs; replace the tab with spaces"),
            stop,
        )
    return _Explained(
        _("a tab in line {line}").format(line=stop.line),
        _("YAML separates with spaces, not tabs; replace the tab with a space"),
        stop,
    )


def _quoted_value(value: str) -> str:
    """``value`` in quotes YAML reads back as the same text."""
    if " #" in value:
        value = value[: value.index(" #")].rstrip()
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _colon_or_indentation(lines: list[str], stop: _Place) -> _Explained | None:
    """``mapping values are not allowed here``: a ': ' inside a value, or a line indented deeper."""
    line = _line(lines, stop.line)
    if re.search(r":(?:\s|$)", line[: stop.column - 1]):
        example = None
        key_value = _FIRST_KEY_VALUE.fullmatch(line.rstrip())
        item = _LIST_ITEM.fullmatch(line.rstrip())
        if key_value is not None:
            example = f"{key_value.group(2)}: {_quoted_value(key_value.group(3))}"
        elif item is not None:
            example = f"- {_quoted_value(item.group(2))}"
        return _Explained(
            _("the value holds ': ', which YAML reads as the start of another key"),
            _("put the value in quotes: {example}").format(example=example)
            if example is not None
            else _("put the value in quotes"),
            stop,
        )
    above = _line_above(lines, stop.line)
    if above is None:
        return None
    start = _Place(stop.line, _indent_column(line))
    return _Explained(
        _(
            "line {line} is indented deeper than line {above}, so YAML reads it as part of "
            "the value on line {above}"
        ).format(line=stop.line, above=above),
        _(
            "if it starts a key, indent it like the other keys of its mapping (column "
            "{column}); if it belongs to the text, put the whole text in quotes"
        ).format(column=_key_column(_line(lines, above))),
        start,
    )


def _misaligned(lines: list[str], stop: _Place, mapping: _Place | None) -> _Explained | None:
    """``expected <block end>``: a line that lines up with nothing, or a list among keys."""
    line = _line(lines, stop.line)
    if line[: stop.column - 1].strip():
        return None  # not at the start of its line: not a matter of indentation
    above = _line_above(lines, stop.line)
    if above is None:
        return None
    above_line = _line(lines, above)
    is_item = line.lstrip().startswith("-")
    above_column = (
        _indent_column(above_line)
        if is_item and above_line.lstrip().startswith("-")
        else _key_column(above_line)
    )
    column = _indent_column(line)
    if column != above_column:
        return _Explained(
            _(
                "line {line} starts in column {column}, but line {above} above it in column "
                "{above_column}"
            ).format(line=stop.line, column=column, above=above, above_column=above_column),
            _(
                "the keys of one mapping, and the items of one list, start in the same "
                "column; indent the line like the ones it belongs to"
            ),
            _Place(stop.line, column),
        )
    if is_item and mapping is not None:
        return _Explained(
            _("a list item ('- ') among the keys of the mapping that starts at {start}").format(
                start=mapping
            ),
            _("put the list under its key (key:, then the items indented below it)"),
            _Place(stop.line, column),
        )
    return None
