"""Touchpoints: every point of contact between customer and company, and the built-in catalog."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, NamedTuple

from pydantic import Field, model_validator

from journeymap.i18n import N_, gettext
from journeymap.model._base import ElementId, Model

__all__ = [
    "CATALOG",
    "CatalogEntry",
    "Influence",
    "Mode",
    "Touchpoint",
    "catalog_touchpoint",
    "outcome_ids",
]

Mode = Literal["online", "offline"]
Influence = Literal["direct", "indirect"]


class Touchpoint(Model):
    """A point of contact, placed in one or more phases in the order customers meet it.

    Attributes:
        id: Stable identifier; events carry it in their ``touchpoint`` column.
        name: Display name in the map's language.
        channel: Marketing channel it belongs to (``paid-search``, ``email``, ``sales``, ...);
            attribution can be reported per channel.
        mode: ``online`` or ``offline``.
        influence: ``direct`` (we control it, e.g. our ad) or ``indirect`` (third parties,
            e.g. a review portal).
        phases: Ids of the phases the touchpoint belongs to.
        order: Position within each phase (phase id -> position, lower first). Phases not
            listed use the touchpoint's position in the map's touchpoint list.
        owner: Team or person responsible for it.
        description: What the customer meets there.
        catalog: Id of the built-in catalog entry it was made from, if any. Its channel,
            mode and influence are the entry's unless the touchpoint gives its own: a
            touchpoint made from ``radio-tv`` is offline without saying so.
        outcome: The touchpoint is an outcome or end state (a declined or approved
            application, a lost or won deal, a closed ticket), not a touch the customer
            meets on the way: the drop-off correlation leaves it out of its drivers, the
            drop-off counts a journey's exit at the touchpoint before it (and the journeys
            that ended in each outcome apart), a journey that reached one is not "still
            open", and no attribution model credits it.
    """

    id: ElementId
    name: str = Field(min_length=1)
    channel: str = "other"
    mode: Mode = "online"
    influence: Influence = "direct"
    phases: list[ElementId] = Field(default_factory=list)
    order: dict[ElementId, int] = Field(default_factory=dict)
    owner: str | None = None
    description: str = ""
    catalog: ElementId | None = None
    outcome: bool = False

    @model_validator(mode="before")
    @classmethod
    def _catalog_defaults(cls, data: Any) -> Any:
        """The catalog entry's channel, mode and influence where the touchpoint gives none."""
        if not isinstance(data, dict):
            return data
        catalog = data.get("catalog")
        entry = CATALOG.get(catalog) if isinstance(catalog, str) else None
        if entry is None:
            return data
        defaults = {"channel": entry.channel, "mode": entry.mode, "influence": entry.influence}
        missing = {name: value for name, value in defaults.items() if name not in data}
        return {**data, **missing} if missing else data


def outcome_ids(touchpoints: Iterable[Touchpoint]) -> list[str]:
    """The ids of the touchpoints marked ``outcome``, in the map's order.

    Examples:
        >>> declined = Touchpoint(id="declined", name="Declined", outcome=True)
        >>> outcome_ids([Touchpoint(id="ad", name="Ad"), declined])
        ['declined']
    """
    return [touchpoint.id for touchpoint in touchpoints if touchpoint.outcome]


class CatalogEntry(NamedTuple):
    """One touchpoint of the built-in catalog (English name is the gettext id)."""

    id: str
    name: str
    channel: str
    mode: Mode
    influence: Influence


CATALOG: dict[str, CatalogEntry] = {
    entry.id: entry
    for entry in [
        CatalogEntry("search-ads", N_("Search ads"), "paid-search", "online", "direct"),
        CatalogEntry("social-ads", N_("Social ads"), "paid-social", "online", "direct"),
        CatalogEntry("newsletter", N_("Newsletter"), "email", "online", "direct"),
        CatalogEntry("social-media", N_("Social media"), "organic-social", "online", "direct"),
        CatalogEntry("online-shop", N_("(B2B) online shop"), "web", "online", "direct"),
        CatalogEntry("review-portals", N_("Review portals"), "reviews", "online", "indirect"),
        CatalogEntry(
            "specialist-portals", N_("Specialist portals"), "referral", "online", "indirect"
        ),
        CatalogEntry("blogs", N_("Blogs"), "content", "online", "direct"),
        CatalogEntry("checkout", N_("Checkout"), "web", "online", "direct"),
        CatalogEntry("radio-tv", N_("Radio and TV"), "broadcast", "offline", "direct"),
        CatalogEntry("print", N_("Print"), "print", "offline", "direct"),
        CatalogEntry("trade-media", N_("Trade media"), "pr", "offline", "indirect"),
        CatalogEntry("customer-service", N_("Customer service"), "service", "offline", "direct"),
        CatalogEntry("product-inserts", N_("Product inserts"), "print", "offline", "direct"),
        CatalogEntry("stores", N_("Shops and branches"), "retail", "offline", "direct"),
        CatalogEntry(
            "recommendations",
            N_("Recommendations (word of mouth)"),
            "word-of-mouth",
            "offline",
            "indirect",
        ),
        # Industrial B2B (machinery, plant, components): a long, mostly offline sale by a
        # buying center, where the service after the purchase decides the next order.
        CatalogEntry("trade-fairs", N_("Trade fairs"), "events", "offline", "direct"),
        CatalogEntry("website", N_("Website"), "web", "online", "direct"),
        CatalogEntry("webinars", N_("Webinars"), "events", "online", "direct"),
        CatalogEntry("case-studies", N_("Case studies"), "content", "online", "direct"),
        CatalogEntry("field-sales-visits", N_("Field sales visits"), "sales", "offline", "direct"),
        CatalogEntry(
            "tenders", N_("Tenders and requests for quotation"), "sales", "online", "direct"
        ),
        CatalogEntry("quotes", N_("Quotes"), "sales", "offline", "direct"),
        CatalogEntry("plant-visits", N_("Plant visits"), "sales", "offline", "direct"),
        CatalogEntry(
            "reference-visits", N_("Reference visits"), "references", "offline", "indirect"
        ),
        CatalogEntry("trials", N_("Trials and samples"), "sales", "offline", "direct"),
        CatalogEntry(
            "contract-negotiation", N_("Contract negotiation"), "sales", "offline", "direct"
        ),
        CatalogEntry(
            "commissioning",
            N_("Installation and commissioning"),
            "service",
            "offline",
            "direct",
        ),
        CatalogEntry("training", N_("Training"), "service", "offline", "direct"),
        CatalogEntry("service-hotline", N_("Service hotline"), "service", "offline", "direct"),
        CatalogEntry("maintenance", N_("Maintenance and repair"), "service", "offline", "direct"),
        CatalogEntry("spare-parts", N_("Spare parts"), "service", "offline", "direct"),
        CatalogEntry("customer-portal", N_("Customer portal"), "web", "online", "direct"),
        CatalogEntry("user-groups", N_("User groups"), "community", "offline", "indirect"),
    ]
}


def catalog_touchpoint(
    catalog_id: str, language: str = "en", phases: list[str] | None = None
) -> Touchpoint:
    """Make a touchpoint from the built-in catalog, named in ``language``.

    Examples:
        >>> catalog_touchpoint("review-portals", "da").name
        'Anmeldelsesportaler'
        >>> catalog_touchpoint("commissioning", "de").name
        'Installation und Inbetriebnahme'
    """
    entry = CATALOG[catalog_id]
    return Touchpoint(
        id=entry.id,
        name=gettext(entry.name, language),
        channel=entry.channel,
        mode=entry.mode,
        influence=entry.influence,
        phases=list(phases or []),
        catalog=entry.id,
    )
