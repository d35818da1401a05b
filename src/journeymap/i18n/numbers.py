r"""Numbers as the report's language writes them (Babel's CLDR data): ``12.330`` and ``15,5 %``.

English keeps exactly what the reports have always printed (``12,330``, ``15.5%``): the digits
are rounded the way Python's ``f"{value:.1%}"`` rounds them, and only the symbols around them
(decimal sign, grouping, the percent sign and its spacing) come from the locale. Danish and
German put a no-break space before ``%``, so a line never ends between number and sign.

Examples:
    >>> format_integer(12330, "da"), format_integer(12330, "en")
    ('12.330', '12,330')
    >>> format_percent(0.155, "de", 1).replace("\xa0", " "), format_percent(0.155, "en", 1)
    ('15,5 %', '15.5%')
    >>> format_decimal(4.5, "da"), format_decimal(120.0, "en")
    ('4,5', '120')
"""

from __future__ import annotations

import copy
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.numbers import format_decimal as _babel_decimal
from babel.numbers import get_decimal_symbol, get_group_symbol

__all__ = ["format_decimal", "format_integer", "format_percent", "format_share", "number_symbols"]


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(language if language in ("da", "de") else "en")


def format_integer(value: int | float, language: str = "en") -> str:
    """A whole number with the locale's thousands separator (``12.330`` in Danish)."""
    return str(_babel_decimal(int(value), locale=_locale(language)))


def format_percent(value: float, language: str = "en", decimals: int = 0) -> str:
    """A ratio (0.155) as a percentage with ``decimals`` places (``15,5 %`` in Danish)."""
    # Python's own rounding of value * 100 keeps English digits identical to f"{value:.1%}".
    digits = Decimal(f"{float(value) * 100:.{decimals}f}")
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


def format_decimal(value: float, language: str = "en") -> str:
    """A measurement (a KPI target) as ``f"{value:g}"`` writes it, in the locale's decimals."""
    return str(
        _babel_decimal(
            Decimal(f"{float(value):g}"),
            locale=_locale(language),
            group_separator=False,
            decimal_quantization=False,
        )
    )


def number_symbols(language: str = "en") -> tuple[str, str]:
    """The locale's decimal sign and thousands separator (``(",", ".")`` in Danish)."""
    locale = _locale(language)
    return str(get_decimal_symbol(locale)), str(get_group_symbol(locale))
