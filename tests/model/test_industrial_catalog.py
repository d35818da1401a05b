"""The built-in catalog has industrial B2B's touchpoints, named in English, Danish and German."""

from __future__ import annotations

from typing import Any

import pytest

from journeymap.errors import MapValidationError
from journeymap.model import CATALOG, JourneyMap, catalog_touchpoint

# id, English, Danish, German, mode, influence: what a map designer at a machine builder meets.
INDUSTRIAL = [
    ("trade-fairs", "Trade fairs", "Fagmesser", "Messen", "offline", "direct"),
    ("website", "Website", "Hjemmeside", "Website", "online", "direct"),
    ("webinars", "Webinars", "Webinarer", "Webinare", "online", "direct"),
    ("case-studies", "Case studies", "Kundecases", "Anwenderberichte", "online", "direct"),
    (
        "field-sales-visits",
        "Field sales visits",
        "Salgsbesøg",
        "Außendienstbesuche",
        "offline",
        "direct",
    ),
    (
        "tenders",
        "Tenders and requests for quotation",
        "Udbud og tilbudsforespørgsler",
        "Ausschreibungen und Anfragen",
        "online",
        "direct",
    ),
    ("quotes", "Quotes", "Tilbud", "Angebote", "offline", "direct"),
    ("plant-visits", "Plant visits", "Fabriksbesøg", "Werksbesuche", "offline", "direct"),
    (
        "reference-visits",
        "Reference visits",
        "Referencebesøg",
        "Referenzbesuche",
        "offline",
        "indirect",
    ),
    (
        "trials",
        "Trials and samples",
        "Afprøvninger og prøver",
        "Teststellungen und Muster",
        "offline",
        "direct",
    ),
    (
        "contract-negotiation",
        "Contract negotiation",
        "Kontraktforhandling",
        "Vertragsverhandlung",
        "offline",
        "direct",
    ),
    (
        "commissioning",
        "Installation and commissioning",
        "Installation og idriftsættelse",
        "Installation und Inbetriebnahme",
        "offline",
        "direct",
    ),
    ("training", "Training", "Oplæring", "Schulungen", "offline", "direct"),
    (
        "service-hotline",
        "Service hotline",
        "Servicehotline",
        "Service-Hotline",
        "offline",
        "direct",
    ),
    (
        "maintenance",
        "Maintenance and repair",
        "Vedligeholdelse og reparation",
        "Wartung und Reparatur",
        "offline",
        "direct",
    ),
    ("spare-parts", "Spare parts", "Reservedele", "Ersatzteile", "offline", "direct"),
    ("customer-portal", "Customer portal", "Kundeportal", "Kundenportal", "online", "direct"),
    ("user-groups", "User groups", "Brugergrupper", "Anwendertreffen", "offline", "indirect"),
]


@pytest.mark.parametrize(("catalog_id", "en", "da", "de", "mode", "influence"), INDUSTRIAL)
def test_industrial_touchpoint_is_in_the_catalog_in_three_languages(
    catalog_id: str, en: str, da: str, de: str, mode: str, influence: str
) -> None:
    names = [catalog_touchpoint(catalog_id, language).name for language in ("en", "da", "de")]
    assert names == [en, da, de]
    touchpoint = catalog_touchpoint(catalog_id, "de", phases=["retention"])
    assert (touchpoint.mode, touchpoint.influence) == (mode, influence)
    assert (touchpoint.catalog, touchpoint.phases) == (catalog_id, ["retention"])


def test_the_seeds_entries_come_first_and_stay_as_they_were() -> None:
    ids = list(CATALOG)
    assert len(ids) == 16 + len(INDUSTRIAL)
    assert ids[:16][0] == "search-ads" and ids[15] == "recommendations"
    assert ids[16:] == [row[0] for row in INDUSTRIAL]


@pytest.mark.parametrize("language", ["en", "da", "de"])
def test_no_two_catalog_entries_share_a_name(language: str) -> None:
    names = [catalog_touchpoint(catalog_id, language).name for catalog_id in CATALOG]
    assert len(set(names)) == len(names)


def _machine_builder_map(catalog_ids: list[str]) -> dict[str, Any]:
    return {
        "id": "cnc-zelle",
        "name": "Kauf einer CNC-Zelle",
        "language": "de",
        "kind": "b2b",
        "phases": [
            {"id": "awareness", "name": "Aufmerksamkeit", "order": 1},
            {"id": "retention", "name": "Kundenbindung", "order": 2},
        ],
        "touchpoints": [
            {
                "id": f"tp-{catalog_id}",
                "name": catalog_touchpoint(catalog_id, "de").name,
                "catalog": catalog_id,
                "mode": CATALOG[catalog_id].mode,
                "influence": CATALOG[catalog_id].influence,
                "phases": ["awareness" if index % 2 == 0 else "retention"],
            }
            for index, catalog_id in enumerate(catalog_ids)
        ],
        "cells": [{"phase": "awareness"}, {"phase": "retention"}],
    }


def test_a_map_naming_every_industrial_entry_is_valid_without_warnings() -> None:
    journey_map = JourneyMap.model_validate(_machine_builder_map([row[0] for row in INDUSTRIAL]))
    assert journey_map.issues() == []
    assert len(journey_map.touchpoints_in("retention")) == len(INDUSTRIAL) // 2


def test_a_misspelt_industrial_entry_is_met_with_its_real_id() -> None:
    data = _machine_builder_map(["trade-fairs"])
    data["touchpoints"][0]["catalog"] = "trade-fair"
    with pytest.raises(MapValidationError) as caught:
        JourneyMap.model_validate(data)
    [issue] = caught.value.issues
    assert issue.code == "unknown-catalog"
    assert "'trade-fairs'" in issue.message
