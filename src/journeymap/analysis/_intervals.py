"""Is a rate's change more than chance? Newcombe's interval for a difference of proportions.

Two analyses (this month and last, before and after a change) count independent journeys, so
a rate in each is a binomial proportion ``x / n``. The difference ``after - before`` gets the
hybrid score interval of Newcombe (1998, "Interval estimation for the difference between
independent proportions", method 10): each proportion's Wilson score interval
``(l, u)``, combined as::

    low  = d - sqrt((p_after - l_after) ** 2 + (u_before - p_before) ** 2)
    high = d + sqrt((u_after - p_after) ** 2 + (p_before - l_before) ** 2)

It keeps its coverage with small counts and rates near 0 or 1 (a touchpoint met by a few
dozen journeys, a drop-off of 2 %), where the plain Wald interval does not, and it needs no
more than the counts an analysis saves. A change is *significant* when its interval leaves
out 0: at 95 %, a difference as large arises by chance in fewer than one comparison in twenty.

Examples:
    Newcombe's own worked example, 56/70 against 48/80:

    >>> low, high = difference_interval(48, 80, 56, 70)
    >>> round(low, 4), round(high, 4)
    (0.0524, 0.3339)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

__all__ = ["CONFIDENCE", "METHOD", "RateChange", "difference_interval", "rate_change", "wilson"]

CONFIDENCE = 0.95
METHOD = "newcombe"


def _z(confidence: float) -> float:
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson(successes: int, trials: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The Wilson score interval of ``successes / trials`` (``trials`` > 0).

    Examples:
        >>> [round(v, 4) for v in wilson(56, 70)]
        [0.6918, 0.877]
    """
    z = _z(confidence)
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = (
        z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    )
    return max(0.0, centre - half), min(1.0, centre + half)


def difference_interval(
    before_successes: int,
    before_trials: int,
    after_successes: int,
    after_trials: int,
    confidence: float = CONFIDENCE,
) -> tuple[float, float]:
    """Newcombe's hybrid score interval of ``after rate - before rate`` (both trials > 0)."""
    p_before = before_successes / before_trials
    p_after = after_successes / after_trials
    low_before, high_before = wilson(before_successes, before_trials, confidence)
    low_after, high_after = wilson(after_successes, after_trials, confidence)
    difference = p_after - p_before
    low = difference - math.hypot(p_after - low_after, high_before - p_before)
    high = difference + math.hypot(high_after - p_after, p_before - low_before)
    return low, high


@dataclass(frozen=True)
class RateChange:
    """A rate before and after, its change and the change's interval (None: no rate there).

    Attributes:
        before: ``successes / trials`` before, or None when no trial was counted.
        after: The same after.
        change: ``after - before`` (a share: 0.028 is 2.8 percentage points).
        ci_low: The low end of the change's interval (None without both rates).
        ci_high: The high end.
        significant: Whether the interval leaves out 0 (None without both rates).
    """

    before: float | None
    after: float | None
    change: float | None
    ci_low: float | None
    ci_high: float | None
    significant: bool | None


def rate_change(
    before_successes: int,
    before_trials: int,
    after_successes: int,
    after_trials: int,
    confidence: float = CONFIDENCE,
) -> RateChange:
    """The rates ``successes / trials`` of both sides and their change, tested.

    Examples:
        >>> found = rate_change(48, 80, 56, 70)
        >>> round(found.change, 2), found.significant
        (0.2, True)
        >>> rate_change(0, 0, 3, 10).change is None
        True
    """
    before = before_successes / before_trials if before_trials else None
    after = after_successes / after_trials if after_trials else None
    if before is None or after is None:
        return RateChange(before, after, None, None, None, None)
    low, high = difference_interval(
        before_successes, before_trials, after_successes, after_trials, confidence
    )
    return RateChange(before, after, after - before, low, high, low > 0 or high < 0)
