"""Shared base for the domain models: strict fields, ids that read well in a URL and a file."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

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


if TYPE_CHECKING:
    from pydantic._internal._model_construction import ModelMetaclass as _Built
else:

    class _Built(type(BaseModel)):
        """Pydantic's model class, whose call (a model built in Python) says errors our way.

        Only a direct call: pydantic builds nested models itself, so a map file's errors keep
        their paths and file locations (a custom ``__init__`` would be called for every
        nested model too, and cut the path at it).
        """

        def __call__(cls, *args: Any, **data: Any) -> Any:
            try:
                return super().__call__(*args, **data)
            except ValidationError as error:
                raise _invalid(cls, error, data) from None


class Model(BaseModel, metaclass=_Built):
    """Base of every domain model: unknown keys are errors, assignment is validated.

    A model built or changed in Python with a wrong value raises
    :class:`~journeymap.errors.MapValidationError` (a
    :class:`~journeymap.errors.RulesValidationError` for the mapping rules), worded as the map
    file's errors are, so ``except JourneymapError`` catches it: pydantic's own error got past
    it (``Persona(id="65+")``). Loading a file goes through ``model_validate``, which reports
    the same problems with their file locations.
    """

    model_config = ConfigDict(
        extra="forbid",
        validate_assignment=True,
        str_strip_whitespace=True,
        populate_by_name=True,
    )

    if not TYPE_CHECKING:

        def __setattr__(self, name: str, value: Any) -> None:
            try:
                super().__setattr__(name, value)
            except ValidationError as error:
                raise _invalid(type(self), error, {name: value}) from None


def _invalid(model: type[BaseModel], error: ValidationError, data: Any) -> Exception:
    """Pydantic's ``error`` for ``model`` as the map's own validation error."""
    from journeymap.errors import MapValidationError, RulesValidationError
    from journeymap.model._messages import issues_from_validation_error

    issues = issues_from_validation_error(model, error, data, lambda _path, _key: None)
    rules = model.__module__.endswith(".mapping")
    return (RulesValidationError if rules else MapValidationError)(issues)
