"""Usage errors (a missing or unknown option, a bad value) in the user's language.

Typer words them in English f-strings of its own Click (no catalog to hook into), so each
message is read back here by its English pattern and worded again through our catalogs, with
the option, argument or value it names kept as the user typed it. A value Typer's pydantic
coercion refused (``--order abc``) is worded from pydantic's error type, not its English text.
A message no pattern knows stays as Typer wrote it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from journeymap.i18n import N_, current_language, gettext

__all__ = ["install", "reword"]

_Rule = tuple[re.Pattern[str], str]

# English pattern -> our template; the named groups fill the template's fields.
_RULES: list[_Rule] = [
    (
        re.compile(r"^Missing argument (?P<name>.+?)\.(?P<rest>.*)$", re.S),
        N_("Missing argument {name}."),
    ),
    (
        re.compile(r"^Missing option (?P<name>.+?)\.(?P<rest>.*)$", re.S),
        N_("Missing option {name}."),
    ),
    (
        re.compile(r"^Missing parameter:? (?P<name>.+?)\.?$", re.S),
        N_("Missing parameter {name}."),
    ),
    (re.compile(r"^Missing command\.$"), N_("Missing command.")),
    (
        re.compile(r"^No such option:? (?P<name>\S+?)\.?$"),
        N_("No such option: {name}"),
    ),
    (
        re.compile(r"^No such option:? (?P<name>\S+?)\.? \(Possible options: (?P<options>.+)\)$"),
        N_("No such option: {name} (possible options: {options})"),
    ),
    (re.compile(r"^No such command (?P<name>.+?)\.$"), N_("No such command {name}.")),
    (
        re.compile(r"^Option (?P<name>'[^']+') requires an argument\.$"),
        N_("Option {name} requires a value."),
    ),
    (
        re.compile(r"^Option (?P<name>'[^']+') requires (?P<count>\d+) arguments\.$"),
        N_("Option {name} requires {count} values."),
    ),
    (
        re.compile(r"^Option (?P<name>'[^']+') does not take a value\.$"),
        N_("Option {name} does not take a value."),
    ),
    (
        re.compile(r"^Got unexpected extra arguments?(?:\(s\))? \((?P<args>.*)\)$", re.S),
        N_("Unexpected extra argument(s): {args}"),
    ),
]
_INVALID = re.compile(r"^Invalid value for (?P<hint>.+?): (?P<message>.*)$", re.S)
_INVALID_TEMPLATE = N_("Invalid value for {hint}: {message}")

# pydantic's error types for the values options take, worded by us.
_VALUE_ERRORS = {
    "int_parsing": N_("{value} is not a whole number"),
    "int_from_float": N_("{value} is not a whole number"),
    "float_parsing": N_("{value} is not a number"),
    "bool_parsing": N_("{value} is not a yes/no value (true, false, yes, no, 1, 0)"),
}

# Typer's words around the error, set as its module globals when a language is chosen.
WORDS = {
    "ERRORS_PANEL_TITLE": N_("Error"),
    "ABORTED_TEXT": N_("Aborted."),
    "RICH_HELP": N_("Try [blue]'{command_path} {help_option}'[/] for help."),
}


def reword(error: Any) -> str:
    """The message of a Click/Typer usage ``error`` in the user's language."""
    text: str = error.format_message()
    language = current_language()
    if language == "en":
        return text
    invalid = _INVALID.match(text)
    if invalid:
        message = _value_message(error, language) or invalid["message"]
        return gettext(_INVALID_TEMPLATE, language).format(hint=invalid["hint"], message=message)
    for pattern, template in _RULES:
        found = pattern.match(text)
        if found:
            fields = found.groupdict()
            rest = fields.pop("rest", None) or ""
            return gettext(template, language).format(**fields) + rest
    return text


def _value_message(error: Any, language: str) -> str | None:
    """The refusal by pydantic of an option's value (``error.__cause__``), worded by us."""
    cause = error.__cause__
    errors = getattr(cause, "errors", None)
    if not callable(errors):
        return None
    try:
        first = errors()[0]
    except (IndexError, TypeError):
        return None
    template = _VALUE_ERRORS.get(str(first.get("type")))
    if template is None:
        return None
    return gettext(template, language).format(value=repr(first.get("input")))


def install(rich_utils: Any) -> None:
    """Have Typer's error printer (``rich_utils.rich_format_error``) print reworded messages."""
    original: Callable[[Any], None] = rich_utils.rich_format_error
    if getattr(original, "journeymap", False):
        return

    def rich_format_error(error: Any) -> None:
        message = reword(error)
        if message != error.format_message():
            error.format_message = lambda: message
        original(error)

    rich_format_error.journeymap = True  # type: ignore[attr-defined]
    rich_utils.rich_format_error = rich_format_error
