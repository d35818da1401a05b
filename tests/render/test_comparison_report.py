"""The comparison report (HTML and PDF) of two real analyses, read in Chromium and pdftotext.

BPI Challenge 2012 (van Dongen, 2012): the loan applications submitted in 2011 against those
submitted in 2012, analysed from the imported log (``bpic_cohorts``); the figures expected are
counted from the raw XES, case by case.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import ibis
import pytest

from bpic_cohorts import Cohort, cohort_analyses, raw_cohorts
from bpic_log import LOAN_MAP
from journeymap import Comparison, compare
from journeymap.analysis import analyze
from journeymap.errors import UsageError
from journeymap.model import JourneyMap
from journeymap.render import render_comparison_html, render_comparison_pdf
from shop_journeys import shop_events

CHART = "Biggest changes in the touchpoints' conversion rates"


@pytest.fixture(scope="module")
def bpic(bpic2012_events: ibis.Table, datasets: Path) -> tuple[Comparison, Cohort, Cohort]:
    before, after = cohort_analyses(bpic2012_events)
    return (compare(before, after, warn=False), *raw_cohorts(datasets))


@pytest.fixture
def neutral_language(monkeypatch: pytest.MonkeyPatch) -> None:
    """No language chosen by the user: the map's own decides."""
    for variable in ("JOURNEYMAP_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


def _open(browser: Any, html: str, path: Path) -> tuple[Any, list[str]]:
    path.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, [url for url in requests if not url.startswith("file://")]


def _rows(page: Any, table: str) -> dict[str, list[str]]:
    """The cells of each row of a figures table, by the row's header (group rows left out)."""
    found = page.eval_on_selector_all(
        f"table[data-table={table}] tbody tr:not(.group):not(.more)",
        "rows => rows.map(r => [r.querySelector('th').innerText,"
        " ...[...r.querySelectorAll('td')].map(c => c.innerText)])",
    )
    return {row[0]: [cell.strip() for cell in row[1:]] for row in found}


def _rate(cohort: Cohort, decimal: str = ".", percent: str = "%") -> str:
    return f"{100 * cohort.conversions / cohort.journeys:.1f}".replace(".", decimal) + percent


@pytest.mark.browser
@pytest.mark.slow
def test_bpic_report_shows_headline_warnings_tables_and_chart_in_chromium(
    bpic: tuple[Comparison, Cohort, Cohort], browser: Any, tmp_path: Path
) -> None:
    comparison, first, second = bpic
    page, outside = _open(
        browser, render_comparison_html(comparison, language="en"), tmp_path / "c.html"
    )
    assert outside == []  # self-contained: no request leaves the file
    assert page.title() == "Comparison: Sep 30, 2011 to Feb 26, 2012 → Jan 1, 2012 to Mar 14, 2012"
    headline = page.inner_text("#headline")
    # The headline as the terminal prints it (test_compare_cmd.py, docs/optimise.md).
    assert f"Conversion rate: {_rate(first)} → {_rate(second)}, -1.8 pp" in headline
    assert "(95% interval: -3.1 to -0.5 pp)" in headline
    assert "Significant: the 95% interval of the change leaves out 0" in headline
    warnings = page.inner_text("#warnings")
    assert "may still be under way at the data's end: 88 (1.2%) before, 2,128 (37.8%) after" in (
        warnings
    )
    overall = _rows(page, "overall")
    assert overall["Journeys"][:2] == [f"{first.journeys:,}", f"{second.journeys:,}"]
    assert overall["Conversion rate"][2] == "-1.8 pp significant"
    # One row per phase and per touchpoint, the biggest changes first.
    phases = _rows(page, "phases")
    assert len(phases) == 5
    assert next(iter(phases)) == "4. O_SENT"
    assert phases["4. O_SENT"][4:7] == ["52.9% → 58.2%", "+5.3 pp significant", "2.6 to 8.1 pp"]
    assert phases["1. A_SUBMITTED"][4:6] == ["44.4% → 42.8%", "-1.7 pp"]  # not significant
    touchpoints = _rows(page, "touchpoints")
    assert len(touchpoints) == len(first.met | second.met)
    assert len(touchpoints) == comparison.table("touchpoints").num_rows
    met = "W_Nabellen offertes"
    assert next(iter(touchpoints)) == met
    assert touchpoints[met][0] == f"{first.met[met]:,} → {second.met[met]:,}"
    assert touchpoints[met][2] == "-5.3 pp significant"
    # The chart: named as a region and as an image whose name reads its figures.
    assert page.get_by_role("region", name=CHART).count() == 1
    image = page.get_by_role("img", name=re.compile("^" + re.escape(CHART)))
    assert image.count() == 1
    assert "O_SENT_BACK -6.9 pp (significant)" in image.get_attribute("aria-label")
    assert page.locator("#chart-changes svg [aria-roledescription]").count() > 0
    models = page.eval_on_selector_all(
        "table[data-table=attribution] tr.group th", "cells => cells.map(c => c.innerText)"
    )
    assert "Markov chain" in models and "Shapley value" in models
    assert "50%" in _rows(page, "time_to_convert")
    page.close()


@pytest.mark.browser
@pytest.mark.slow
def test_danish_map_writes_danish_numbers(
    bpic: tuple[Comparison, Cohort, Cohort],
    browser: Any,
    tmp_path: Path,
    neutral_language: None,
) -> None:
    comparison, first, second = bpic
    danish = LOAN_MAP.model_copy(update={"language": "da"})
    page, _outside = _open(
        browser, render_comparison_html(comparison, journey_map=danish), tmp_path / "da.html"
    )
    assert page.locator("html").get_attribute("lang") == "da"
    headline = page.inner_text("#headline")
    rates = [_rate(cohort, ",", "\xa0%") for cohort in (first, second)]
    assert f"Konverteringsrate: {rates[0]} → {rates[1]}, -1,8 pct.-point" in headline
    assert "-3,1 til -0,5 pct.-point" in headline
    overall = _rows(page, "overall")
    assert overall["Rejser"][:2] == ["7.455", "5.632"]
    assert overall["Hændelser"][:2] == ["94.311", "70.195"]
    assert overall["Mediantid til konvertering"][:2] == ["14,7 dage", "13,9 dage"]
    # The warning is worded again in the report's language.
    assert "2.128 (37,8\xa0%) efter" in page.inner_text("#warnings")
    page.close()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler) is missing")
def test_the_pdf_holds_the_headline(
    bpic: tuple[Comparison, Cohort, Cohort], tmp_path: Path
) -> None:
    comparison, first, second = bpic
    pdf = render_comparison_pdf(comparison, tmp_path / "change.pdf", language="en")
    assert pdf.read_bytes().startswith(b"%PDF")
    raw = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = re.sub(r"\s+", " ", raw)
    assert (
        f"Conversion rate: {_rate(first)} → {_rate(second)}, -1.8 pp "
        "(95% interval: -3.1 to -0.5 pp)"
    ) in text
    assert "Significant: the 95% interval of the change leaves out 0" in text
    assert "W_Nabellen offertes" in text


_events = shop_events


@pytest.mark.browser
def test_analyses_cut_differently_show_their_warnings(
    shop_map: JourneyMap, browser: Any, tmp_path: Path
) -> None:
    events = _events(40, 10)
    before = analyze(shop_map, events, session_gap="30m")
    after = analyze(shop_map, events, attribution=False)
    comparison = compare(before, after, warn=False)
    page, _outside = _open(
        browser, render_comparison_html(comparison, language="en"), tmp_path / "w.html"
    )
    warnings = page.locator("#warnings li").all_inner_texts()
    assert (
        "the journeys were cut differently: session gap 30m vs none; journeys, conversions and "
        "rates do not count the same things"
    ) in warnings
    assert any(line.startswith("only the before analysis has attribution") for line in warnings)
    # The map the analyses carry names the touchpoints; no attribution table on one side only.
    assert "Checkout" in _rows(page, "touchpoints")
    assert page.locator("table[data-table=attribution]").count() == 0
    # Sessions 30 minutes apart count 130 journeys before against 40 after: the headline's
    # "significant" rise is the cut's, which the warnings, above the figures, say first.
    assert "Conversion rate: 7.7% → 25.0%, +17.3 pp" in page.inner_text("#headline")
    above = page.evaluate(
        "document.querySelector('#warnings').compareDocumentPosition("
        "document.querySelector('table[data-table=overall]')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    assert above
    page.close()


def test_no_change_is_said_to_be_maybe_chance_and_a_foreign_language_is_refused(
    shop_map: JourneyMap,
) -> None:
    events = _events(20, 5)
    comparison = compare(
        analyze(shop_map, events, attribution=False),
        analyze(shop_map, events, attribution=False),
        warn=False,
    )
    html = render_comparison_html(comparison, language="en")
    headline = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html.split('id="headline">')[1]))
    assert headline.startswith(
        " Conversion rate: 25.0% → 25.0%, 0.0 pp (95% interval: -25.9 to 25.9 pp) Not "
        "significant: the 95% interval of the change includes 0, so the change may be chance."
    )
    assert 'class="significant"' not in html
    with pytest.raises(UsageError, match="unknown language 'fr'; choose one of: en, da, de"):
        render_comparison_html(comparison, language="fr")
