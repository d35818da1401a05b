"""Shared base for the domain models: strict fields, ids that read well in a URL and a file."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$")


def _check_id(value: str) -> str:
    if not ID_PATTERN.match(value):
        raise ValueError(
            f"{value!r} is not a valid id: use letters, digits, '-', '_', '.' or ':', "
            "starting with a letter or digit (e.g. 'search-ads')"
        )
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
