"""``journeymap compare BEFORE AFTER --out FILE.html|.pdf``: a report to send, with the figures
the terminal prints; ``--map`` names the elements and speaks the map's language."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app, console
from journeymap.model import JourneyMap
from shop_journeys import two_months

# No language chosen by the user (the map's own decides), else English.
NEUTRAL = {"JOURNEYMAP_LANG": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": "C.UTF-8"}
DANISH_MAP = """\
id: shop
name: Butikken
language: da
phases:
  - {id: awareness, name: Opmærksomhed, order: 1}
  - {id: consideration, name: Overvejelse, order: 2}
  - {id: purchase, name: Køb, order: 3}
touchpoints:
  - {id: ad, name: Annonce, channel: paid, phases: [awareness]}
  - {id: blog, name: Blog, channel: content, phases: [awareness]}
  - {id: reviews, name: Anmeldelser, channel: reviews, phases: [consideration]}
  - {id: checkout, name: Kassen, channel: web, phases: [purchase]}
  - {id: buy, name: Købt, channel: web, phases: [purchase]}
"""


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wide enough that no cell wraps: the console took its width when first imported."""
    monkeypatch.setattr(console, "width", 250)


@pytest.fixture
def folders(shop_map: JourneyMap, tmp_path: Path) -> tuple[Path, Path]:
    """Last month: 400 journeys by the blog, 20 % bought; this month by the ad, 30 %."""
    return two_months(shop_map, tmp_path)


def _run(*args: str | Path, **env: str | None) -> tuple[int, str, str]:
    environment = {"COLUMNS": "250", "JOURNEYMAP_LANG": "en", **env}
    result = CliRunner().invoke(app, ["compare", *map(str, args)], env=environment)
    return result.exit_code, result.stdout, result.stderr


def _terminal_row(output: str, title: str, first: str) -> list[str]:
    """The cells of the row ``first`` of the terminal's table under ``title``."""
    lines = output.splitlines()
    for line in lines[lines.index(title) :]:
        cells = [cell.strip() for cell in line.strip("│").split("│")]
        if line.startswith("│") and cells[0] == first:
            return cells[1:]
    raise AssertionError(f"no row {first!r} under {title!r}")


def _open(browser: Any, path: Path) -> Any:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page


def _row(page: Any, table: str, header: str) -> list[str]:
    return [
        text.strip()
        for text in page.locator(f"table[data-table={table}] tr")
        .filter(has=page.get_by_role("rowheader", name=header, exact=True))
        .locator("td")
        .all_inner_texts()
    ]


@pytest.mark.browser
def test_out_html_is_the_report_with_the_figures_the_terminal_prints(
    folders: tuple[Path, Path], tmp_path: Path, browser: Any
) -> None:
    target = tmp_path / "change.html"
    code, out, err = _run(*folders, "--out", target)
    assert code == 0, err
    assert out.rstrip().endswith(f"Wrote {target}")
    before, after, change, interval = _terminal_row(out, "Overall", "Conversion rate")
    assert (before, after, change, interval) == ("20.0%", "30.0%", "+10.0 pp *", "4.0 to 15.9 pp")
    page = _open(browser, target)
    assert page.title() == f"Comparison: {folders[0]} → {folders[1]}"
    headline = page.inner_text("#headline")
    assert f"Conversion rate: {before} → {after}, {change.rstrip(' *')}" in headline
    assert f"(95% interval: {interval})" in headline
    assert "Significant: the 95% interval of the change leaves out 0" in headline
    # Each warning the terminal printed, in the report too.
    printed = [line.removeprefix("Warning: ") for line in err.splitlines()]
    assert page.locator("#warnings li").all_inner_texts() == printed
    assert _row(page, "phases", "3. Purchase")[4:7] == [
        "80.0% → 70.0%",
        "-10.0 pp significant",
        "-15.9 to -4.0 pp",
    ]
    assert _row(page, "touchpoints", "checkout")[:3] == [
        "400 → 400",
        "20.0% → 30.0%",
        "+10.0 pp significant",
    ]
    assert _row(page, "touchpoints", "ad (new)")[:2] == ["0 → 400", "– → 30.0%"]
    assert page.inner_text("#new-touchpoints li") == "ad: 400 journeys"
    assert page.inner_text("#vanished-touchpoints li") == "blog: 400 journeys"
    page.close()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler) is missing")
def test_out_pdf_holds_the_headline(folders: tuple[Path, Path], tmp_path: Path) -> None:
    target = tmp_path / "change.pdf"
    code, _out, err = _run(*folders, "--out", target)
    assert code == 0, err
    raw = subprocess.run(
        ["pdftotext", "-raw", str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = re.sub(r"\s+", " ", raw)
    assert "Conversion rate: 20.0% → 30.0%, +10.0 pp (95% interval: 4.0 to 15.9 pp)" in text
    assert "Significant: the 95% interval of the change leaves out 0" in text


@pytest.mark.parametrize("name", ["change.txt", "change.png", "change"])
def test_other_suffixes_are_refused_naming_the_accepted_ones(
    folders: tuple[Path, Path], tmp_path: Path, name: str
) -> None:
    code, out, err = _run(*folders, "--out", tmp_path / name)
    assert code == 2
    assert err == (
        "Error: --out writes the comparison as JSON (.json) or as a report (.html, .htm or "
        f".pdf); give a file name ending in one of them (not {name})\n"
    )
    assert out == ""
    assert not (tmp_path / name).exists()


def test_map_names_the_elements_and_speaks_its_language(
    folders: tuple[Path, Path], tmp_path: Path
) -> None:
    map_file = tmp_path / "shop.yaml"
    map_file.write_text(DANISH_MAP, encoding="utf-8")
    target = tmp_path / "ændring.html"
    code, out, err = _run(*folders, "--map", map_file, "--out", target, **NEUTRAL)
    assert code == 0, err
    # The terminal speaks the map's Danish, and so does the report.
    assert _terminal_row(out, "Samlet", "Konverteringsrate")[:3] == [
        "20,0\xa0%",
        "30,0\xa0%",
        "+10,0 pct.-point *",
    ]
    html = target.read_text(encoding="utf-8")
    assert '<html lang="da">' in html
    text = re.sub(r"[ \n]+", " ", re.sub(r"<[^>]+>", "", html))  # \s would take the nbsp
    assert "Konverteringsrate: 20,0\xa0% → 30,0\xa0%, +10,0 pct.-point" in text
    assert "(95 %-interval: 4,0 til 15,9 pct.-point)" in text
    assert 'data-ref="checkout"><th scope="row">Kassen</th>' in html
    assert "3. Køb" in text and "Annonce (ny)" in text
    assert err.startswith("Advarsel: rejser, der ikke konverterede")


def test_a_map_the_analyses_did_not_measure_is_refused(
    folders: tuple[Path, Path], tmp_path: Path
) -> None:
    map_file = tmp_path / "other.yaml"
    map_file.write_text(DANISH_MAP.replace("id: shop", "id: other", 1), encoding="utf-8")
    code, _out, err = _run(*folders, "--map", map_file, "--out", tmp_path / "x.html")
    assert code == 2
    assert "the analyses measured the map shop, not other: give --map the map they measured" in (
        err
    )
    assert "Traceback" not in err
    assert not (tmp_path / "x.html").exists()
