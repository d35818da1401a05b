"""Shared base for the domain models: strict fields, ids that read well in a URL and a file."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

from journeymap.model._i18n import _

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$")


# How Danish and German write their letters without accents: the usual spelling of an id.
_ASCII_SPELLINGS = str.maketrans(
    {
        "æ": "ae",
        "ø": "oe",
        "å": "aa",
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "ß": "ss",
        "Æ": "Ae",
        "Ø": "Oe",
        "Å": "Aa",
        "Ä": "Ae",
        "Ö": "Oe",
        "Ü": "Ue",
    }
)


def ascii_id(value: str) -> str | None:
    """A valid id spelling ``value`` without accents and spaces, if there is one.

    Examples:
        >>> ascii_id("køb"), ascii_id("Sociale medier"), ascii_id("über uns")
        ('koeb', 'Sociale-medier', 'ueber-uns')
    """
    import unicodedata

    spelled = unicodedata.normalize("NFKD", value.strip().translate(_ASCII_SPELLINGS))
    plain = "".join(char for char in spelled if not unicodedata.combining(char))
    candidate = re.sub(r"[^A-Za-z0-9_.:\-]+", "-", plain).strip("-_.:")
    return candidate if candidate and ID_PATTERN.match(candidate) else None


def _check_id(value: str) -> str:
    if not ID_PATTERN.match(value):
        message = _(
            "{value} is not a valid id: use the letters a-z and A-Z (no accents such as æ, ø, "
            "å), digits, '-', '_', '.' or ':', starting with a letter or digit (e.g. "
            "'search-ads')"
        ).format(value=repr(value))
        spelled = ascii_id(value)
        if spelled is not None and spelled != value:
            message += _("; write {spelled}, and the same everywhere the id is used").format(
                spelled=repr(spelled)
            )
        raise ValueError(message)
    return value


ElementId = Annotated[str, AfterValidator(_check_id)]
"""Identifier of a phase, persona, touchpoint or evidence source."""


class Model(BaseModel):
    """Base of every domain model: unknown keys are errors, assignment is validated."""

    model_config = ConfigDict(
        extra="forbid",
        validate_assignment=True,
        str_strip_whitespace=True,
        populate_by_name=True,
    )
