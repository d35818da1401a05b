"""Conversion values as numbers: one decimal mark per column, given or settled by the values.

``1,234.50`` says the decimal mark is ``.`` and ``1.234,50`` or ``19,99`` that it is ``,``;
``1,234`` fits both (1234 or 1.234). Such values are read with the column's mark once a value
has settled it; until then ``.`` is assumed, and the importer checks the rows that follow.
``NaN``, ``inf`` and numbers beyond a double's range (``1e400``) are no numbers here: one of
them as a conversion value made every value figure NaN.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "AMBIGUOUS",
    "NotFinite",
    "NumberConvention",
    "evidence",
    "parse_loose",
    "parse_number",
]

AMBIGUOUS = "ambiguous"
# One separator followed by exactly three digits after a group that may be a thousands
# group: ``1,234`` or ``1.234``. A leading 0 (``0,125``) is no thousands group.
_AMBIGUOUS = re.compile(r"^[+-]?[1-9][0-9]{0,2}[.,][0-9]{3}$")
_GROUPED = {
    ".": re.compile(r"^[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?$"),
    ",": re.compile(r"^[+-]?[0-9]{1,3}(\.[0-9]{3})+(,[0-9]*)?$"),
}


def _cleaned(text: str) -> str:
    return text.strip().replace(" ", "").replace("\u00a0", "")


def evidence(text: str) -> str | None:
    """The decimal mark ``text`` implies (``.`` or ``,``), :data:`AMBIGUOUS`, or None.

    Examples:
        >>> [evidence(t) for t in ["1,234.50", "19,99", "2,500,000", "1,234", "12"]]
        ['.', ',', '.', 'ambiguous', None]
    """
    cleaned = _cleaned(text)
    if _AMBIGUOUS.match(cleaned):
        return AMBIGUOUS
    if "," in cleaned and "." in cleaned:
        return "." if cleaned.rfind(".") > cleaned.rfind(",") else ","
    if cleaned.count(",") > 1:
        return "."  # commas that group thousands
    if cleaned.count(".") > 1:
        return ","
    if "," in cleaned:
        return ","
    if "." in cleaned:
        return "."
    return None


class NotFinite(ValueError):
    """The text reads as a float that is no finite number: ``NaN``, ``inf``, ``1e400``."""


def parse_number(text: str, decimal: str) -> float:
    """``text`` read with the decimal mark ``decimal``; the other mark may group thousands.

    Raises:
        NotFinite: ``text`` is ``NaN``, an infinity or beyond a double's range (``1e400``).
        ValueError: ``text`` is no number in that convention (``12,5`` with ``.``).

    Examples:
        >>> parse_number("1,234", "."), parse_number("1,234", ","), parse_number("2.500,5", ",")
        (1234.0, 1.234, 2500.5)
        >>> parse_number("1e400", ".")
        Traceback (most recent call last):
        ...
        journeymap.ingest.numbers.NotFinite: '1e400' is not a finite number
    """
    cleaned = _cleaned(text)
    group = "," if decimal == "." else "."
    if group in cleaned:
        if not _GROUPED[decimal].match(cleaned):
            raise ValueError(f"{text!r} is no number with the decimal mark {decimal!r}")
        cleaned = cleaned.replace(group, "")
    number = float(cleaned.replace(",", ".") if decimal == "," else cleaned)
    if not math.isfinite(number):
        raise NotFinite(f"{text!r} is not a finite number")
    return number


def parse_loose(text: str) -> float:
    """A number read by its own look (band edges' fields): ``1.234,50``, ``12,5``, ``1,234.5``."""
    found = evidence(text)
    return parse_number(text, "," if found == "," else ".")


@dataclass
class NumberConvention:
    """The decimal mark of the value column, as the rows so far settle it.

    Attributes:
        decimal: ``.`` or ``,`` once given or settled; None while every value fits both.
        ambiguous: Values read with the assumed ``.`` that ``,`` reads otherwise.
        first_ambiguous: The first of them, for the note.
        first_ambiguous_row: Its row number.
    """

    decimal: str | None = None
    ambiguous: int = 0
    first_ambiguous: str | None = None
    first_ambiguous_row: int = 0

    def settle(self, texts: Sequence[str | None], first_row: int) -> tuple[str, int | None]:
        """Look at a batch's values; the mark to read them with, and a row that contradicts.

        Returns:
            The decimal mark, and the index of the first value that settles ``,`` when values
            before this batch were already read with ``.`` (the caller refuses the import),
            else None.
        """
        if self.decimal is not None:
            return self.decimal, None
        votes = {".": 0, ",": 0}
        first_comma: int | None = None
        ambiguous: list[int] = []
        for index, text in enumerate(texts):
            if not text or ("," not in text and "." not in text):
                continue
            found = evidence(text)
            if found == AMBIGUOUS:
                ambiguous.append(index)
            elif found is not None:
                votes[found] += 1
                if found == "," and first_comma is None:
                    first_comma = index
        if votes["."] or votes[","]:
            self.decimal = "," if votes[","] > votes["."] else "."
            if self.decimal == "," and self.ambiguous:
                return self.decimal, first_comma
            return self.decimal, None
        if ambiguous:
            if self.first_ambiguous is None:
                self.first_ambiguous = str(texts[ambiguous[0]])
                self.first_ambiguous_row = first_row + ambiguous[0]
            self.ambiguous += len(ambiguous)
        return ".", None
