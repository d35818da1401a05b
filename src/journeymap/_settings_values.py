"""How a setting's value is read from text, and written back as a user writes it.

Each setting's ``parse`` turns the text of an environment variable or a settings file into its
value; ``int`` and ``float`` are read by :func:`parse_whole_number` and :func:`parse_number`,
which say what is wrong in journeymap's words, not Python's. Every reader raises a ValueError
whose message a user can act on.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from functools import cache
from numbers import Integral, Real
from typing import Any

from journeymap.i18n.messages import _


def parse_names(text: str) -> list[str]:
    """Parse a comma-separated list of names (``"web, demo"`` -> ``["web", "demo"]``)."""
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_bool(text: str) -> bool:
    """Parse yes/no, true/false, 1/0, on/off."""
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    # A user's value (an environment variable's): resolve() shows the message as the reason.
    raise ValueError(_("{text} is not a yes/no value").format(text=repr(text)))


def as_bool(value: Any) -> bool | None:
    """``value`` as a boolean, as a user may hand one over; None if it is none.

    True and False (NumPy's too), the integers 1 and 0, and the texts :func:`parse_bool` reads.

    Examples:
        >>> as_bool("no"), as_bool(1), as_bool(True), as_bool("maybe"), as_bool(2)
        (False, True, True, None, None)
    """
    if isinstance(value, str):
        try:
            return parse_bool(value)
        except ValueError:
            return None
    if isinstance(value, bool) or getattr(getattr(value, "dtype", None), "kind", None) == "b":
        return bool(value)
    if isinstance(value, Integral) and value in (0, 1):
        return bool(value)
    return None


def as_whole_number(value: Any) -> int | None:
    """``value`` as an int: a whole number, or text or a float that is one; else None.

    A boolean is no number.

    Examples:
        >>> [as_whole_number(v) for v in (" 2 ", 7.0, 2.5, True)]
        [2, 7, None, None]
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, Integral):
        return int(value)
    number: Any = value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            try:
                number = float(value)
            except ValueError:
                return None
    if isinstance(number, Real):
        real = float(number)
        if math.isfinite(real) and real.is_integer():
            return int(real)
    return None


def parse_whole_number(text: str) -> int:
    """Read a whole number (``" 3 "``, ``"3.0"``); a ValueError in a user's words otherwise.

    Examples:
        >>> parse_whole_number(" 3 ")
        3
        >>> parse_whole_number("many")
        Traceback (most recent call last):
        ...
        ValueError: 'many' is not a whole number
    """
    number = as_whole_number(text)
    if number is None:
        raise ValueError(_("{text} is not a whole number").format(text=repr(text)))
    return number


@cache
def whole_number(least: int) -> Callable[[str], int]:
    """A ``parse`` for a whole number of at least ``least`` (one function per ``least``).

    Examples:
        >>> whole_number(0)("-1")
        Traceback (most recent call last):
        ...
        ValueError: '-1' is less than 0; give a whole number of at least 0
    """

    def parse(text: str) -> int:
        number = parse_whole_number(text)
        if number < least:
            raise ValueError(
                _("{text} is less than {least}; give a whole number of at least {least}").format(
                    text=repr(text), least=least
                )
            )
        return number

    return parse


def parse_number(text: str) -> float:
    """Read a finite number (``"0.95"``, ``"1e-3"``); a ValueError in a user's words otherwise.

    Examples:
        >>> parse_number("1e-3")
        0.001
        >>> parse_number("nan")
        Traceback (most recent call last):
        ...
        ValueError: 'nan' is not a number
    """
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise ValueError(_("{text} is not a number").format(text=repr(text)))
    return number


@cache
def one_of(*choices: str) -> Callable[[str], str]:
    """A ``parse`` that takes one of ``choices`` (one function per set of choices).

    Examples:
        >>> one_of("person", "account")("acount")
        Traceback (most recent call last):
        ...
        ValueError: 'acount' is not one of person, account; did you mean 'account'?
    """

    def parse(text: str) -> str:
        cleaned = text.strip()
        if cleaned in choices:
            return cleaned
        message = _("{text} is not one of {choices}").format(
            text=repr(text), choices=", ".join(choices)
        )
        raise ValueError(message + _did_you_mean(cleaned, choices))

    return parse


_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*(kb|mb|gb|tb|kib|mib|gib|tib|k|m|g|t|%)", re.I)


def parse_size(text: str) -> str | None:
    """Read an amount of memory as DuckDB takes it (``2GB``, ``500MB``, ``1.5GiB``, ``80%``).

    ``none``, ``off`` and an empty text mean no limit (None).

    Examples:
        >>> parse_size(" 2 gb "), parse_size("500MB"), parse_size("none")
        ('2GB', '500MB', None)
        >>> parse_size("lots")
        Traceback (most recent call last):
        ...
        ValueError: 'lots' is not a size; write a number and a unit, such as 2GB or 500MB ...
    """
    cleaned = text.strip()
    if cleaned.lower() in {"", "none", "off"}:
        return None
    found = _SIZE.fullmatch(cleaned)
    if (
        found is None
        or not float(found.group(1))
        or (found.group(2) == "%" and float(found.group(1)) > 100)
    ):
        raise ValueError(
            _(
                "{text} is not a size; write a number and a unit, such as 2GB or 500MB "
                "(none: no limit)"
            ).format(text=repr(text))
        )
    unit = found.group(2).upper().replace("I", "i")
    return found.group(1) + unit


# Python's own readers say "invalid literal for int() with base 10": ours say what is wrong.
_READERS: dict[Callable[[str], Any], Callable[[str], Any]] = {
    int: parse_whole_number,
    float: parse_number,
}


def _did_you_mean(name: str, known: Iterator[str] | tuple[str, ...] | list[str]) -> str:
    candidates = list(known)
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    if not close:
        # ``top:`` at the top level meant ``paths.top``: the last part names it.
        last = name.rsplit(".", 1)[-1]
        close = [c for c in candidates if c.rsplit(".", 1)[-1] == last][:1]
    return "; " + _("did you mean {name}?").format(name=repr(close[0])) if close else ""


def written(value: Any) -> str:
    """A setting's value as a user writes it in an environment variable or a config file.

    Examples:
        >>> from datetime import timedelta
        >>> [written(v) for v in (None, True, ("decision",), timedelta(days=30), 0.95, [])]
        ['none', 'true', 'decision', '30d', '0.95', '']
    """
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
        for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
            if seconds and seconds % size == 0:
                return f"{int(seconds // size)}{unit}"
        return f"{seconds:g}s"
    if isinstance(value, list | tuple):
        return ",".join(written(item) for item in value)
    return str(value)
