"""The keyword parameters of ``attribute`` and ``compare_models``: their names and values.

A notebook, a form or a config file hands a parameter over as text as often as as a Python
value. Text is read as the command line reads it (``"0.4,0.2,0.4"``, ``"false"``, ``"2"``):
iterated, it became single characters, and any non-empty text was true. A misspelt name
was ignored in silence, so the model ran without it. Either is now a
:class:`~journeymap.errors.UsageError` that says what to write.
"""

from __future__ import annotations

import contextlib
import functools
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from numbers import Real
from typing import Any

import numpy as np

from journeymap.attribution._settings import numbers_of
from journeymap.engine._checks import unknown_name_message
from journeymap.errors import UsageError
from journeymap.i18n.messages import _
from journeymap.settings import as_bool, as_whole_number, parse_names

__all__ = [
    "PARAMETERS",
    "PYTHON",
    "Spelling",
    "checked",
    "example",
    "flag",
    "half_life",
    "named",
    "names",
    "option",
    "spelled",
    "value_of",
    "weights",
    "whole_number",
]


@dataclass(frozen=True)
class Spelling:
    """How the caller writes a parameter, so that a message names it the caller's way.

    Attributes:
        option: The parameter's name as written (``u_weights``, or ``--u-weights``).
        example: The parameter given a value as written (``u_weights=[0.4, 0.2, 0.4]``,
            or ``--u-weights 0.4,0.2,0.4``).
    """

    option: Callable[[str], str]
    example: Callable[[str, Any], str]


def _python_example(name: str, value: Any) -> str:
    shown = list(value) if isinstance(value, tuple) else value
    return f"{name}={shown!r}"


def _same_name(name: str) -> str:
    return name


# Keyword arguments of attribute() and compare_models(): the default.
PYTHON = Spelling(option=_same_name, example=_python_example)
_SPELLING: ContextVar[Spelling] = ContextVar("journeymap_attribution_spelling", default=PYTHON)


@contextlib.contextmanager
def spelled(spelling: Spelling) -> Iterator[None]:
    """Messages raised inside the block name the parameters as ``spelling`` writes them.

    The command line runs its models inside ``spelled(...)`` with its options' spelling: one
    check serves Python and the command line, each told what it would write.
    """
    token = _SPELLING.set(spelling)
    try:
        yield
    finally:
        _SPELLING.reset(token)


def option(name: str) -> str:
    """Parameter ``name`` as the caller writes it.

    Examples:
        >>> option("u_weights")
        'u_weights'
    """
    return _SPELLING.get().option(name)


def example(name: str, value: Any) -> str:
    """Parameter ``name`` given ``value``, as the caller writes it.

    Examples:
        >>> example("custom_weights", (0.5, 0.3, 0.2))
        'custom_weights=[0.5, 0.3, 0.2]'
    """
    return _SPELLING.get().example(name, value)


def named(parameter: str, given: bool) -> str:
    """The parameter as the caller wrote it, or, taken from its setting, the setting.

    A wrong JOURNEYMAP_ATTRIBUTION_DIRECT_TOUCHPOINTS was blamed on ``--direct``, which the
    user never gave.
    """
    if given:
        return option(parameter)
    from journeymap.settings import SETTINGS

    setting = SETTINGS[f"attribution.{parameter}"]
    return _("setting {name}, {variable}").format(name=setting.name, variable=setting.env_var)


def flag(name: str, value: Any) -> bool:
    """``value`` as a boolean: True or False, or text such as ``"no"`` (:func:`as_bool`).

    Examples:
        >>> flag("collapse_repeats", "false"), flag("by_account", True)
        (False, True)
    """
    found = as_bool(value)
    if found is None:
        raise UsageError(
            _(
                "{name} takes True or False (as text: true/false, yes/no, on/off, 1/0); got {value}"
            ).format(name=name, value=repr(value))
        )
    return found


def whole_number(name: str, value: Any, example: int) -> int:
    """``value`` as an int: a whole number, or text that is one (:func:`as_whole_number`).

    Examples:
        >>> whole_number("order", " 2 ", 2), whole_number("seed", 7.0, 0)
        (2, 7)
    """
    found = as_whole_number(value)
    if found is None:
        raise UsageError(
            _("{name} takes a whole number, e.g. {name}={example}; got {value}").format(
                name=name, example=example, value=repr(value)
            )
        )
    return found


def weights(name: str, value: Any, example: Sequence[float]) -> tuple[float, ...]:
    """``value`` as weights: a list of numbers, or text with them separated by commas.

    The text is read as the command line reads ``--u-weights`` and ``--custom-weights``.

    Examples:
        >>> weights("u_weights", "0.4, 0.2,0.4", (0.4, 0.2, 0.4))
        (0.4, 0.2, 0.4)
    """
    found: tuple[float, ...] | None = None
    if isinstance(value, str):
        try:
            found = numbers_of(value)
        except ValueError:
            found = None
    elif isinstance(value, Iterable) and not isinstance(value, bytes | Mapping):
        try:
            found = tuple(_number(item) for item in value)
        except ValueError:
            found = None
    if found and all(math.isfinite(number) for number in found):
        return found
    listed = ", ".join(f"{number:g}" for number in example)
    raise UsageError(
        _(
            "{name} takes numbers, as a list or separated by commas: {name}=[{listed}] or "
            "{name}={text}; got {value}"
        ).format(name=name, listed=listed, text=repr(listed.replace(" ", "")), value=repr(value))
    )


def _number(item: Any) -> float:
    """One weight of a list: a number, or text that is one."""
    if isinstance(item, str) or (isinstance(item, Real) and not isinstance(item, bool | np.bool_)):
        return float(item)
    raise ValueError(f"{item!r} is no number")


def names(name: str, value: Any, example: Sequence[str]) -> tuple[str, ...]:
    """``value`` as names: a list of texts, or one text with them separated by commas.

    Examples:
        >>> names("lead_phases", "consideration", ("consideration",))
        ('consideration',)
        >>> names("models", "linear, markov", ("linear",))
        ('linear', 'markov')
    """
    if isinstance(value, str):
        return tuple(parse_names(value))
    if isinstance(value, Iterable) and not isinstance(value, bytes | Mapping):
        items = list(value)
        if all(isinstance(item, str) for item in items):
            return tuple(items)
    raise UsageError(
        _(
            "{name} takes names, as a list or separated by commas: {name}={listed} or "
            "{name}={text}; got {value}"
        ).format(
            name=name,
            listed=repr(list(example)),
            text=repr(",".join(example)),
            value=repr(value),
        )
    )


def half_life(value: Any) -> Any:
    """``value`` as given (read as a duration where it is used), unless it is not positive.

    A number or a number without a unit that is not positive (``0``, ``-3``, ``"0"``) was
    told "give None to turn it off", or that it is no duration at all: a half-life cannot
    be turned off, and what the user wanted to hear is that it must be positive and how to
    write one.

    Examples:
        >>> half_life("7d")
        '7d'
        >>> half_life(0)
        Traceback (most recent call last):
        ...
        journeymap.errors.UsageError: the time-decay half-life must be positive: ...
    """
    if isinstance(value, timedelta):
        not_positive = value <= timedelta(0)
    elif isinstance(value, Real) and not isinstance(value, bool | np.bool_):
        not_positive = not float(value) > 0
    elif isinstance(value, str):
        number = re.fullmatch(r"[-+]?\s*\d+(?:\.\d+)?", value.strip())
        not_positive = number is not None and not float(number[0].replace(" ", "")) > 0
    else:
        not_positive = False
    if not_positive:
        raise UsageError(
            _(
                "the time-decay half-life must be positive: a duration with its unit, "
                "e.g. {days} or {hours}; got {value}"
            ).format(
                days=example("half_life", "7d"),
                hours=example("half_life", "12h"),
                value=repr(value),
            )
        )
    return value


_Parse = Callable[[Any], Any]


def _parser(kind: Callable[..., Any], name: str, example: Any) -> _Parse:
    return functools.partial(kind, name, example=example)


# Every parameter, in the order attribute() documents them, with how its value is read; None:
# as given (durations are read where they are used, as their settings are; a half-life that
# is not positive is refused here, with how to write one).
PARAMETERS: dict[str, _Parse | None] = {
    "lookback": None,
    "conversion_touch": functools.partial(flag, "conversion_touch"),
    "half_life": half_life,
    "u_weights": _parser(weights, "u_weights", (0.4, 0.2, 0.4)),
    "direct_touchpoints": _parser(names, "direct_touchpoints", ("direct", "web")),
    "custom_weights": _parser(weights, "custom_weights", (0.5, 0.3, 0.2)),
    "lead_phases": _parser(names, "lead_phases", ("consideration",)),
    "decision_phases": _parser(names, "decision_phases", ("decision",)),
    "order": _parser(whole_number, "order", 2),
    "collapse_repeats": functools.partial(flag, "collapse_repeats"),
    "shapley_cap": _parser(whole_number, "shapley_cap", 15),
    "shapley_method": None,
    "worth": None,
    "samples": _parser(whole_number, "samples", 2000),
    "seed": _parser(whole_number, "seed", 0),
    "by_account": functools.partial(flag, "by_account"),
}


def value_of(name: str, value: Any) -> Any:
    """The value of parameter ``name`` read as its kind (None stays None: the default)."""
    parse = PARAMETERS[name]
    return value if value is None or parse is None else parse(value)


def checked(params: Mapping[str, Any], arguments: Sequence[str]) -> dict[str, Any]:
    """``params`` with every value read as its kind.

    Args:
        params: The keyword parameters given.
        arguments: The function's own keyword arguments, named in the did-you-mean.

    Raises:
        UsageError: for a name that is no parameter (with a did-you-mean and the known
            names), or a value that is not of the parameter's kind.
    """
    for name in params:
        if name not in PARAMETERS:
            raise UsageError(
                unknown_name_message(
                    _("unknown attribution parameter {name}").format(name=repr(name)),
                    name,
                    [(_("arguments"), arguments), (_("model parameters"), list(PARAMETERS))],
                )
            )
    return {name: value_of(name, value) for name, value in params.items()}
