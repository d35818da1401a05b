r"""Numbers as the report's language writes them (Babel's CLDR data): ``12.330`` and ``15,5 %``.

English keeps what the reports have always printed (``12,330``, ``15.5%``); only the symbols
around the digits (decimal sign, grouping, the percent sign and its spacing) come from the
locale. The digits are the value to 12 significant digits, rounded half up as a spreadsheet
rounds (1.45 % reads 1.5 %, whatever bits 0.0145 * 100 leaves). A sum that
DuckDB and PostgreSQL add up in different orders differs in its last bits, and that must not
turn 505.35 into 505.3 on one engine and 505.4 on the other. Danish and
German put a no-break space before ``%``, so a line never ends between number and sign.

Examples:
    >>> format_integer(12330, "da"), format_integer(12330, "en")
    ('12.330', '12,330')
    >>> format_percent(0.155, "de", 1).replace("\xa0", " "), format_percent(0.155, "en", 1)
    ('15,5 %', '15.5%')
    >>> format_decimal(4.5, "da"), format_decimal(120.0, "en")
    ('4,5', '120')
    >>> format_fixed(505.34999999999997, 1), format_fixed(505.35000000000002, 1, "de")
    ('505.4', '505,4')
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from babel import Locale
from babel.numbers import format_decimal as _babel_decimal
from babel.numbers import get_decimal_symbol, get_group_symbol

__all__ = [
    "format_day",
    "format_decimal",
    "format_fixed",
    "format_integer",
    "format_percent",
    "format_share",
    "number_symbols",
    "utc_day",
]


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(language if language in ("da", "de") else "en")


def format_integer(value: int | float, language: str = "en") -> str:
    """A whole number with the locale's thousands separator (``12.330`` in Danish)."""
    return str(_babel_decimal(int(value), locale=_locale(language)))


def format_percent(value: float, language: str = "en", decimals: int = 0) -> str:
    """A ratio (0.155) as a percentage with ``decimals`` places (``15,5 %`` in Danish)."""
    digits = _rounded(float(value) * 100, decimals)
    pattern = copy.copy(_locale(language).percent_formats[None])
    pattern.frac_prec = (decimals, decimals)
    return str(pattern.apply(digits / 100, _locale(language)))


def format_share(share: float, language: str = "en") -> str:
    """A share in whole percents, unless rounding would hide that it is not 0 or all.

    One decimal below 1 % and above 99 %, ``< 0.1%`` and ``> 99.9%`` beyond: a small credit
    must not read as the zeros beside it, nor 99.7 % of the drop-offs as all of them.

    Examples:
        >>> [format_share(v) for v in (0, 0.0004, 0.003, 0.42, 0.997, 0.9996, 1)]
        ['0%', '< 0.1%', '0.3%', '42%', '99.7%', '> 99.9%', '100%']
    """
    if share <= 0:
        return format_percent(0, language)
    if share >= 1:
        return format_percent(1, language)
    if share < 0.00095:
        return "< " + format_percent(0.001, language, decimals=1)
    if share > 0.99905:
        return "> " + format_percent(0.999, language, decimals=1)
    close = share < 0.0095 or share > 0.9905
    return format_percent(share, language, decimals=1 if close else 0)


def format_fixed(value: float, places: int = 2, language: str = "en") -> str:
    """A measurement with ``places`` decimals and grouping (``1.234,50`` in German)."""
    pattern = "#,##0." + "0" * places if places else "#,##0"
    return str(
        _babel_decimal(_rounded(float(value), places), format=pattern, locale=_locale(language))
    )


def _rounded(value: float, places: int) -> Decimal:
    """``value`` to 12 significant digits, then to ``places`` decimals, half up."""
    if not math.isfinite(value):
        return Decimal(repr(value))
    return Decimal(f"{value:.12g}").quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def format_decimal(value: float, language: str = "en", significant: int = 6) -> str:
    """A measurement (a KPI target) as ``f"{value:g}"`` writes it, in the locale's decimals.

    ``significant`` digits at most (``:g``'s 6 by default): a weights' sum of 1.0000000002
    must not read as 1.
    """
    return str(
        _babel_decimal(
            Decimal(f"{float(value):.{significant}g}"),
            locale=_locale(language),
            group_separator=False,
            decimal_quantization=False,
        )
    )


def number_symbols(language: str = "en") -> tuple[str, str]:
    """The locale's decimal sign and thousands separator (``(",", ".")`` in Danish)."""
    locale = _locale(language)
    return str(get_decimal_symbol(locale)), str(get_group_symbol(locale))


def utc_day(moment: object) -> dt.date | None:
    """The UTC date of a time (a datetime, or ISO 8601 text as an analysis' summary holds it).

    None for anything else (no time, text that is no time). A time without a zone is UTC.

    Examples:
        >>> utc_day("2012-03-14T23:30:00-02:00"), utc_day("soon"), utc_day(None)
        (datetime.date(2012, 3, 15), None, None)
    """
    if isinstance(moment, str):
        try:
            moment = dt.datetime.fromisoformat(moment)
        except ValueError:
            return None
    if not isinstance(moment, dt.datetime):
        return None
    return (moment.astimezone(dt.UTC) if moment.tzinfo else moment).date()


def format_day(moment: object, language: str = "en", width: str = "medium") -> str | None:
    """The UTC date of ``moment`` (see :func:`utc_day`) as the language writes it.

    ``width``: Babel's ``short`` (``14.06.2017``, ``6/14/17``) or ``medium`` (``Jun 14,
    2017``); None where there is no time.

    Examples:
        >>> format_day("2017-06-14T23:00:00+00:00", "de"), format_day("2017-06-14", "en")
        ('14.06.2017', 'Jun 14, 2017')
        >>> format_day("2017-06-14", "da", "short"), format_day(None)
        ('14.06.2017', None)
    """
    from babel.dates import format_date

    day = utc_day(moment)
    if day is None:
        return None
    return str(format_date(day, width, locale=_locale(language)))
