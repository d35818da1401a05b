"""A touchpoint's catalog id and the phases' order are checked, and pointed at in the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.errors import Location, MapValidationError, ValidationIssue
from journeymap.mapfile import loads_map

runner = CliRunner()

SHOP = """\
id: shop
name: Shop
phases:
  - id: awareness
    name: Awareness
    order: 1
  - id: purchase
    name: Purchase
    order: 2
touchpoints:
  - id: ads
    name: Ads
    phases: [awareness]
  - id: pay
    name: Pay
    catalog: checkout
    phases: [purchase]
"""


def _validate(tmp_path: Path, text: str, language: str = "en") -> tuple[int, str]:
    path = tmp_path / "shop.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(
        app, ["validate", str(path)], env={"JOURNEYMAP_LANG": language, "COLUMNS": "400"}
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def _only_issue(text: str) -> ValidationIssue:
    with pytest.raises(MapValidationError) as caught:
        loads_map(text, source="shop.yaml")
    assert len(caught.value.issues) == 1, caught.value.issues
    return caught.value.issues[0]


def test_the_shop_is_valid_without_warnings(tmp_path: Path) -> None:
    code, output = _validate(tmp_path, SHOP)
    assert (code, output.strip()) == (0, f"✓ {tmp_path / 'shop.yaml'} is a valid journey map")


def test_a_misspelt_catalog_id_is_an_error_at_the_value_with_a_suggestion(tmp_path: Path) -> None:
    text = SHOP.replace("catalog: checkout", "catalog: chekout")
    issue = _only_issue(text)
    assert (issue.code, issue.location) == ("unknown-catalog", Location("shop.yaml", 16, 14))
    code, output = _validate(tmp_path, text)
    assert code == 1
    assert "is a valid journey map" not in output
    assert (
        f"{tmp_path / 'shop.yaml'}:16:14: error: touchpoint 'pay' names catalog entry "
        "'chekout', which the touchpoint catalog does not have (did you mean 'checkout'?); "
        "write one of its ids, or remove 'catalog' (at touchpoints.2.catalog)"
    ) in output


def test_a_catalog_id_with_no_near_miss_lists_the_catalog(tmp_path: Path) -> None:
    code, output = _validate(tmp_path, SHOP.replace("catalog: checkout", "catalog: organic-search"))
    assert code == 1
    from journeymap.model import CATALOG

    assert (
        "touchpoint 'pay' names catalog entry 'organic-search', which the touchpoint catalog "
        f"does not have (catalog ids: {', '.join(sorted(CATALOG))}); "
        "write one of its ids, or remove 'catalog'"
    ) in " ".join(output.split())


def test_a_misspelt_catalog_id_in_danish(tmp_path: Path) -> None:
    code, output = _validate(tmp_path, SHOP.replace("catalog: checkout", "catalog: chekout"), "da")
    assert code == 1
    assert (
        "shop.yaml:16:14: fejl: touchpointet 'pay' angiver katalogposten 'chekout', som "
        "touchpoint-kataloget ikke har (mente du 'checkout'?)"
    ) in output


def test_two_phases_with_the_same_order_are_a_warning_at_the_second(tmp_path: Path) -> None:
    code, output = _validate(tmp_path, SHOP.replace("order: 2", "order: 1"))
    assert code == 0  # usable: file order decides, as before; a warning says so
    # Warnings point at the key (9:5), as every warning of `validate` does.
    assert output.splitlines()[1:] == [
        "1 warning:",
        f"  {tmp_path / 'shop.yaml'}:9:5: warning: phases 'awareness' and 'purchase' both "
        "have order 1, so the journey, and every funnel over it, puts them in file order; give "
        "each phase its own order (at phases.2.order)",
    ]


def test_two_phases_with_the_same_order_in_german(tmp_path: Path) -> None:
    code, output = _validate(tmp_path, SHOP.replace("order: 2", "order: 1"), "de")
    assert code == 0
    assert "shop.yaml:9:5: Warnung: die Phasen 'awareness' und 'purchase' haben beide" in output


def test_phases_without_order_follow_the_file_without_a_warning(tmp_path: Path) -> None:
    text = SHOP.replace("    order: 1\n", "").replace("    order: 2\n", "")
    code, output = _validate(tmp_path, text)
    assert (code, output.strip()) == (0, f"✓ {tmp_path / 'shop.yaml'} is a valid journey map")
