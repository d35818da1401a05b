"""Phases of a journey and the built-in phase templates (en/da/de)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from journeymap.i18n import N_, gettext
from journeymap.model._base import ElementId, Model

__all__ = ["PHASE_TEMPLATES", "Phase", "TemplateName", "phase_template"]

TemplateName = Literal["b2b", "webshop", "classic4"]


class Phase(Model):
    """A stage customers pass through, such as Awareness or Decision.

    Attributes:
        id: Stable identifier used by touchpoints, cells and events.
        name: Display name in the map's language.
        description: What happens in this phase.
        order: Position of the phase in the journey; lower comes first.
    """

    id: ElementId
    name: str = Field(min_length=1)
    description: str = ""
    order: int = 0


# (id, English name, description). English is the gettext message id; da/de come from catalogs.
PHASE_TEMPLATES: dict[str, list[tuple[str, str, str]]] = {
    "b2b": [
        ("awareness", N_("Awareness"), N_("The prospect notices a need and our offer.")),
        ("consideration", N_("Consideration"), N_("The prospect compares providers and terms.")),
        ("decision", N_("Decision"), N_("The buying center decides and purchases.")),
        ("retention", N_("Retention"), N_("The customer uses, integrates and buys more.")),
        ("advocacy", N_("Advocacy"), N_("The customer recommends us and writes reviews.")),
    ],
    "webshop": [
        ("awareness", N_("Awareness"), N_("The shopper discovers the shop or a product.")),
        ("consideration", N_("Consideration"), N_("The shopper compares products and reviews.")),
        ("purchase", N_("Purchase"), N_("The shopper buys at checkout.")),
        ("retention", N_("Retention"), N_("The customer comes back and buys again.")),
        ("loyalty", N_("Loyalty"), N_("The customer joins the programme and recommends us.")),
    ],
    "classic4": [
        ("attention", N_("Attention"), N_("The customer's attention is caught.")),
        ("consideration", N_("Consideration"), N_("The customer weighs the options.")),
        ("decision", N_("Decision"), N_("The customer decides and buys.")),
        ("evaluation", N_("Evaluation"), N_("The customer judges the purchase afterwards.")),
    ],
}


def phase_template(template: str = "b2b", language: str = "en") -> list[Phase]:
    """Return the phases of a built-in template, named in ``language``.

    Args:
        template: ``b2b`` (default), ``webshop`` or ``classic4``.
        language: ``en``, ``da`` or ``de``.

    Raises:
        KeyError: if the template does not exist.

    Examples:
        >>> [p.name for p in phase_template("classic4", "de")]
        ['Aufmerksamkeit', 'Erwägung', 'Entscheidung', 'Bewertung']
    """
    return [
        Phase(
            id=phase_id,
            name=gettext(name, language),
            description=gettext(description, language),
            order=index + 1,
        )
        for index, (phase_id, name, description) in enumerate(PHASE_TEMPLATES[template])
    ]
