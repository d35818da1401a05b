"""Feedback scales and how each maps onto the map's emotion scale (-2..+2).

Every numeric scale maps linearly, its lowest value to -2 and its highest to +2:

========== ========== ============================== =====================
scale      values     to -2..+2                      e.g.
========== ========== ============================== =====================
csat       1..5       score - 3                      4 -> +1
nps        0..10      (score - 5) * 0.4              7 -> +0.8, 0 -> -2
ces        1..7       (score - 4) * 2 / 3            6 -> +1.33
emotion    -2..+2     as it is                       -0.5 -> -0.5
LOW..HIGH  LOW..HIGH  (score - mid) * 4 / (HIGH-LOW)  1..10: 10 -> +2
sentiment  labels     negative -2, neutral 0,        positive -> +2
                      positive +2
========== ========== ============================== =====================

NPS is read as a 0..10 score, not as promoter/passive/detractor groups: a 7 counts +0.8.
CES is read with 7 as the best (CES 2.0: "the company made it easy", 7 = strongly agree);
``reverse`` turns any numeric scale whose 1 is the best (an older CES, a school grade) around.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from journeymap.errors import UsageError
from journeymap.i18n.messages import _

__all__ = ["SCALES", "SENTIMENT", "Scale", "infer_scale", "scale_from"]

# Sentiment labels (English, Danish, German, and common short forms) and their scores.
SENTIMENT: dict[str, float] = {
    "positive": 2.0,
    "pos": 2.0,
    "positiv": 2.0,
    "neutral": 0.0,
    "neu": 0.0,
    "negative": -2.0,
    "neg": -2.0,
    "negativ": -2.0,
}


@dataclass(frozen=True)
class Scale:
    """A feedback scale: its name, its range (numeric scales) and whether 1 is the best.

    Attributes:
        name: ``csat``, ``nps``, ``ces``, ``emotion``, ``sentiment`` or ``LOW..HIGH``.
        low: The scale's worst value (numeric scales).
        high: The scale's best value (numeric scales).
        reverse: The low end is the best (then ``low`` maps to +2).
    """

    name: str
    low: float = 0.0
    high: float = 0.0
    reverse: bool = False

    @property
    def labelled(self) -> bool:
        """Whether the scores are labels (sentiment), not numbers."""
        return self.name == "sentiment"

    def describe(self) -> str:
        """``CSAT 1..5``, ``sentiment (positive/neutral/negative)``."""
        if self.labelled:
            return "sentiment (positive/neutral/negative)"
        name = self.name.upper() if self.name in {"csat", "nps", "ces"} else self.name
        text = f"{_fmt(self.low)}..{_fmt(self.high)}"
        described = text if name == text else f"{name} {text}"
        return described + (" " + _("(reversed: the low end is the best)") if self.reverse else "")

    def normalise(self, text: str) -> tuple[float | None, str | None]:
        """The score on -2..+2, or None and the quarantine reason (``unparseable score``...)."""
        value = text.strip()
        if not value:
            return None, "missing score"
        if self.labelled:
            found = SENTIMENT.get(value.lower())
            return (found, None) if found is not None else (None, "unparseable score")
        try:
            number = float(value.replace(",", ".")) if value.count(",") == 1 else float(value)
        except ValueError:
            return None, "unparseable score"
        if not math.isfinite(number):
            return None, "unparseable score"
        if not self.low <= number <= self.high:
            return None, "score outside the scale"
        position = (number - self.low) / (self.high - self.low)
        if self.reverse:
            position = 1.0 - position
        return round(position * 4.0 - 2.0, 9), None


def _fmt(value: float) -> str:
    return f"{value:g}"


SCALES: dict[str, Scale] = {
    "csat": Scale("csat", 1, 5),
    "nps": Scale("nps", 0, 10),
    "ces": Scale("ces", 1, 7),
    "emotion": Scale("emotion", -2, 2),
    "sentiment": Scale("sentiment"),
}
_RANGE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*\.\.\s*(-?\d+(?:\.\d+)?)\s*$")


def scale_from(name: str, *, reverse: bool = False) -> Scale:
    """The scale ``name`` names: ``csat``, ``nps``, ``ces``, ``emotion``, ``sentiment``, ``1..10``.

    Raises:
        UsageError: An unknown name, a range whose ends are equal or reversed, or
            ``reverse`` with sentiment labels.

    Examples:
        >>> scale_from("csat").normalise("4")
        (1.0, None)
        >>> scale_from("nps").normalise("10"), scale_from("1..10").normalise("1")
        ((2.0, None), (-2.0, None))
    """
    key = name.strip().lower()
    found = SCALES.get(key)
    if found is None:
        matched = _RANGE.match(key)
        if matched is None:
            raise UsageError(
                _("unknown scale {scale}; use one of {scales}, or a range such as 1..10").format(
                    scale=repr(name), scales=", ".join(SCALES)
                )
            )
        low, high = float(matched.group(1)), float(matched.group(2))
        if not low < high:
            raise UsageError(
                _("the scale {scale} must run from its lowest to its highest value").format(
                    scale=repr(name)
                )
            )
        found = Scale(f"{_fmt(low)}..{_fmt(high)}", low, high)
    if reverse:
        if found.labelled:
            raise UsageError(_("--reverse applies to numeric scales, not to sentiment labels"))
        found = Scale(found.name, found.low, found.high, reverse=True)
    return found


# A score column's name that says its scale.
_NAMED = (("nps", "nps"), ("csat", "csat"), ("ces", "ces"), ("sentiment", "sentiment"))


def infer_scale(column: str, values: list[str]) -> tuple[Scale, str]:
    """The scale a score column most likely holds, and why (for the user's note).

    The column's name first (``nps``, ``csat``, ``ces``, ``sentiment`` in it), else the values:
    labels are sentiment; numbers within -2..+2 with a negative one the emotion scale; within
    1..5 CSAT; within 1..7 CES; within 0..10 NPS.

    Raises:
        UsageError: The values fit no scale (the user must say which with ``--scale``).
    """
    lowered = column.lower()
    for part, name in _NAMED:
        if part in re.split(r"[^a-z]+", lowered):
            return SCALES[name], _("the column is named {column}").format(column=repr(column))
    present = [value.strip() for value in values if value and value.strip()]
    if present and all(value.lower() in SENTIMENT for value in present):
        return SCALES["sentiment"], _("every score is a sentiment label")
    numbers = []
    for value in present:
        try:
            numbers.append(float(value.replace(",", ".") if value.count(",") == 1 else value))
        except ValueError:
            continue
    if not numbers:
        raise UsageError(
            _(
                "cannot tell the scale of the column {column}: no score is a number or a "
                "sentiment label; give it with --scale"
            ).format(column=repr(column))
        )
    low, high = min(numbers), max(numbers)
    seen = _("the scores run from {low} to {high}").format(low=_fmt(low), high=_fmt(high))
    for name, fits in (
        ("emotion", -2 <= low < 0 and high <= 2),
        ("csat", low >= 1 and high <= 5),
        ("ces", low >= 1 and high <= 7),
        ("nps", low >= 0 and high <= 10),
    ):
        if fits:
            return SCALES[name], seen
    raise UsageError(
        _(
            "cannot tell the scale of the column {column} ({seen}); give it with --scale, "
            "e.g. --scale 1..100"
        ).format(column=repr(column), seen=seen)
    )
