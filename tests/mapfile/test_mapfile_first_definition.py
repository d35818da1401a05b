"""A duplicate id says where the id was first defined, as file:line:column.

Mette found "touchpoint id 'instagram' is used more than once" and had to search the file for
the other one; the message now names both places.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.errors import MapValidationError
from journeymap.mapfile import load_map

runner = CliRunner()

MAP = """\
id: hjem
name: Familien Hansen køber en sofa
phases:
  - id: awareness
    name: Opmærksomhed
  - {id: purchase, name: Køb}
  - id: awareness
    name: Opmærksomhed igen
personas:
  - id: mette-hansen
    first_name: Mette
  - id: mette-hansen
    first_name: Mette igen
touchpoints:
  - id: instagram
    name: Instagram-annonce
    phases: [awareness]
  - id: chat
    name: Chat
    phases: [purchase]
  - id: instagram
    name: Kundeservice-chat
    phases: [purchase]
evidence:
  - {id: crm, name: CRM-udtræk}
  - {id: crm, name: Branchestudie, origin: external}
"""


def test_every_duplicate_names_the_place_of_the_first(tmp_path: Path) -> None:
    path = tmp_path / "sofa.yaml"
    path.write_text(MAP, encoding="utf-8")
    with pytest.raises(MapValidationError) as caught:
        load_map(path)
    found = {
        (str(issue.location), issue.message)
        for issue in caught.value.issues
        if issue.code == "duplicate-id"
    }
    assert found == {
        (
            f"{path}:7:9",
            f"phase id 'awareness' is used more than once (first defined at {path}:4:9); "
            "give each phase its own id",
        ),
        (
            f"{path}:12:9",
            f"persona id 'mette-hansen' is used more than once (first defined at {path}:10:9); "
            "give each persona its own id",
        ),
        (
            f"{path}:21:9",
            f"touchpoint id 'instagram' is used more than once (first defined at {path}:15:9); "
            "give each touchpoint its own id",
        ),
        (
            f"{path}:26:10",
            f"evidence source id 'crm' is used more than once (first defined at {path}:25:10); "
            "give each evidence source its own id",
        ),
    }


def test_validate_shows_both_places_in_danish(tmp_path: Path) -> None:
    path = tmp_path / "sofa.yaml"
    path.write_text(MAP, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)], env={"JOURNEYMAP_LANG": "da"})
    assert result.exit_code == 1
    assert (
        f"{path}:21:9: fejl: touchpoint-id'et 'instagram' bruges mere end én gang (først "
        f"defineret ved {path}:15:9); giv hvert touchpoint sit eget id (ved touchpoints.3.id)"
    ) in result.output


def test_a_json_map_names_the_first_place_too(tmp_path: Path) -> None:
    data = {
        "id": "shop",
        "name": "Shop",
        "phases": [{"id": "awareness", "name": "Awareness"}],
        "touchpoints": [
            {"id": "ads", "name": "Ads", "phases": ["awareness"]},
            {"id": "ads", "name": "More ads", "phases": ["awareness"]},
        ],
    }
    path = tmp_path / "shop.json"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)], env={"JOURNEYMAP_LANG": "en"})
    assert result.exit_code == 1
    assert (
        f"{path}:19:13: error: touchpoint id 'ads' is used more than once (first defined at "
        f"{path}:12:13); give each touchpoint its own id (at touchpoints.2.id)"
    ) in result.output
