"""``journeymap compare BEFORE AFTER``: the changes, in tables, in the user's language."""

from __future__ import annotations

import json
from pathlib import Path

import ibis
import pytest
from typer.testing import CliRunner

from bpic_cohorts import cohort_analyses, raw_cohorts
from journeymap import compare
from journeymap.analysis import analyze
from journeymap.cli.app import app, console
from journeymap.model import JourneyMap
from shop_journeys import shop_events, two_months

WIDE = {"COLUMNS": "250", "JOURNEYMAP_LANG": "en"}


_events = shop_events


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wide enough that no cell wraps: the console took its width when first imported."""
    monkeypatch.setattr(console, "width", 250)


@pytest.fixture
def folders(shop_map: JourneyMap, tmp_path: Path) -> tuple[Path, Path]:
    """Last month: 400 journeys by the blog, 20 % bought; this month by the ad, 30 %."""
    return two_months(shop_map, tmp_path)


def _run(*args: str | Path, language: str = "en") -> tuple[int, str, str]:
    env = {**WIDE, "JOURNEYMAP_LANG": language}
    result = CliRunner().invoke(app, ["compare", *map(str, args)], env=env)
    return result.exit_code, result.stdout, result.stderr


def _lines(output: str, title: str) -> list[list[str]]:
    """The cells of each row of the table under ``title`` (section lines left out)."""
    lines = output.splitlines()
    rows = []
    for line in lines[lines.index(title) + 4 :]:
        if line.startswith("├"):
            continue
        if not line.startswith("│"):
            break
        rows.append([cell.strip() for cell in line.strip("│").split("│")])
    return rows


def _table(output: str, title: str) -> dict[str, list[str]]:
    """The rows of the table under ``title``, by their first cell."""
    return {cells[0]: cells[1:] for cells in _lines(output, title)}


def test_compare_prints_each_section_with_the_changes_marked(folders: tuple[Path, Path]) -> None:
    code, out, err = _run(*folders)
    assert code == 0, err
    assert f"Before: {folders[0]}  (Mar 1, 2024 to Mar 1, 2024; journeys: 400)" in out
    overall = _table(out, "Overall")
    assert overall["Conversion rate"] == ["20.0%", "30.0%", "+10.0 pp *", "4.0 to 15.9 pp"]
    assert overall["Conversions"] == ["80", "120", "+40 (+50.0%)", ""]
    assert overall["Journeys"] == ["400", "400", "0 (0.0%)", ""]
    assert "Value" not in overall  # no event carries a value
    assert overall["Median time to convert"][:2] == ["3 hours", "3 hours"]
    # Three lines a phase, the biggest change first: Purchase's drop-off fell 10 points.
    phases = _lines(out, "Phase funnel")
    assert phases[:3] == [
        ["3. Purchase", "before", "400", "0", "80", "320", "100.0%", "80.0%"],
        ["", "after", "400", "0", "120", "280", "100.0%", "70.0%"],
        ["", "change", "0", "0", "+40", "-40", "0.0 pp", "-10.0 pp *"],
    ]
    assert "New touchpoints (only after): ad (400)" in out
    assert "Vanished touchpoints (only before): blog (400)" in out
    touchpoints = _table(out, "Touchpoints")
    assert touchpoints["ad (new)"] == ["0 → 400", "– → 30.0%", "–", "– → 0.0%", "–"]
    assert touchpoints["checkout"] == [
        "400 → 400",
        "20.0% → 30.0%",
        "+10.0 pp *",
        "80.0% → 70.0%",
        "-10.0 pp *",
    ]
    shares = _table(out, "Attribution: share of conversions per touchpoint")
    assert shares  # both were analysed with attribution (the default)
    assert "Time to convert" in out
    # Journeys hours long, with a 30-day conversion window: any that did not convert may yet.
    assert err.splitlines() == [
        "Warning: journeys that did not convert but may still be under way at the data's end: "
        "320 (80.0%) before, 280 (70.0%) after; a rate with many of them can still rise"
    ]


def test_numbers_and_words_in_danish_and_german(folders: tuple[Path, Path]) -> None:
    code, out, err = _run(*folders, language="de")
    assert code == 0
    overall = _table(out, "Gesamt")
    assert overall["Conversion-Rate"][:3] == ["20,0\xa0%", "30,0\xa0%", "+10,0 Pp. *"]
    assert _lines(out, "Phasen-Funnel")[2][:2] == ["", "Änderung"]
    assert err.startswith("Warnung: Journeys, die nicht konvertiert haben, aber am Ende")
    code, out, err = _run(*folders, language="da")
    assert code == 0
    overall = _table(out, "Samlet")
    assert overall["Konverteringsrate"][:3] == ["20,0\xa0%", "30,0\xa0%", "+10,0 pct.-point *"]
    assert "Nye touchpoints (kun efter): ad (400)" in out
    assert err.startswith("Advarsel: rejser, der ikke konverterede")


def test_json_and_out_write_what_compare_returns(
    folders: tuple[Path, Path], tmp_path: Path
) -> None:
    target = tmp_path / "change.json"
    code, out, _err = _run(*folders, "--json", "--out", target)
    assert code == 0
    printed = json.loads(out)
    expected = compare(*folders, warn=False).to_dict()
    assert printed == json.loads(target.read_text(encoding="utf-8")) == expected
    rate = next(r for r in printed["tables"]["overall"] if r["metric"] == "conversion_rate")
    assert rate["significant"] is True
    code, out, err = _run(*folders, "--out", tmp_path / "change.txt")
    assert code == 2
    assert (
        "Error: --out writes the comparison as JSON (.json) or as a report (.html, .htm or "
        ".pdf); give a file name ending in one of them (not change.txt)"
    ) in " ".join(err.split())
    assert not (tmp_path / "change.txt").exists()


def test_top_keeps_the_biggest_rows_and_says_how_many_more(folders: tuple[Path, Path]) -> None:
    code, out, _err = _run(*folders, "--top", "2")
    assert code == 0
    assert list(_table(out, "Touchpoints")) == ["checkout", "reviews"]
    assert "3 more rows: all of them with --top 0, or in --json and --out." in out


def test_analyses_cut_differently_are_warned(shop_map: JourneyMap, tmp_path: Path) -> None:
    events = _events(40, 10, "ad")
    before = analyze(shop_map, events, session_gap="30m").save(tmp_path / "gap")
    after = analyze(shop_map, events, attribution=False).save(tmp_path / "plain")
    code, _out, err = _run(before, after)
    assert code == 0
    lines = err.splitlines()
    assert (
        "Warning: the journeys were cut differently: session gap 30m vs none; journeys, "
        "conversions and rates do not count the same things"
    ) in lines
    assert any(
        line.startswith("Warning: only the before analysis has attribution") for line in lines
    )


def test_mistakes_are_said_without_a_traceback(folders: tuple[Path, Path], tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = _run(empty, folders[1])
    assert code == 1
    assert err.startswith(f"Error: {empty} holds no analysis (analysis.json is missing); run")
    assert "Traceback" not in out + err
    document = json.loads((folders[0] / "analysis.json").read_text(encoding="utf-8"))
    del document["summary"]["options"]
    (folders[0] / "analysis.json").write_text(json.dumps(document), encoding="utf-8")
    code, out, err = _run(*folders)
    assert code == 1
    assert "is of an older format that compare cannot read (it lacks options)" in err
    code, out, err = _run(folders[1], tmp_path / "missing", language="de")
    assert code == 1 and err.startswith("Fehler:")


@pytest.mark.slow
def test_bpic_cohorts_in_the_terminal(
    bpic2012_events: ibis.Table, datasets: Path, tmp_path: Path
) -> None:
    """BPI Challenge 2012 (van Dongen, 2012): applications of 2011 against those of 2012."""
    before, after = cohort_analyses(bpic2012_events)
    folders = before.save(tmp_path / "2011"), after.save(tmp_path / "2012")
    raw = raw_cohorts(datasets)
    code, out, err = _run(*folders)
    assert code == 0
    overall = _table(out, "Overall")
    assert overall["Journeys"][:2] == [f"{raw[0].journeys:,}", f"{raw[1].journeys:,}"]
    rates = [f"{100 * cohort.conversions / cohort.journeys:.1f}%" for cohort in raw]
    assert overall["Conversion rate"][:3] == [*rates, "-1.8 pp *"]
    assert "Warning: journeys that did not convert but may still be under way" in err
    assert next(iter(_table(out, "Touchpoints"))) == "W_Nabellen offertes"
