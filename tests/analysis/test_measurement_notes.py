"""Notes on how far the measured figures hold (analysis.notes.measurement_notes).

Found by a CX analyst optimising two real funnels: BPIC 2012's "top positive" drivers were
steps taken with the approval (A_REGISTERED, A_ACTIVATED) and its top negative ones the
rejections, with nothing to say so; the correlation counted 1,662 journeys with A_REGISTERED
where the touchpoint table said 2,246; the log ends on 14 Mar 2012 with cases still being
worked on, counted as drop-offs. On Olist, a breakdown by ``lead_type`` (a field of the won
deal) read 100 % conversion per value, and 15 journeys that are only the won deal pulled the
10th percentile of the time to convert from 2.67 to 1.87 days. Every figure here is recomputed
with pandas on the raw files or on the imported events table.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from bpic_log import LOAN_MAP
from journeymap import analyze
from journeymap.analysis.notes import figure_notes, measurement_notes
from journeymap.analysis.result import Analysis
from journeymap.cli.app import app
from journeymap.mapfile import load_map
from journeymap.model import JourneyMap

pytestmark = [
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]

# --- BPI Challenge 2012: a loan application per case, A_APPROVED the conversion ------------

# The log is imported once per session (``bpic2012_events``, tests/conftest.py) by the
# rules of ``bpic_log.RULES``; LOAN_MAP is the map of those rules.


@pytest.fixture(scope="module")
def loans(bpic2012_events: ir.Table) -> tuple[ir.Table, pd.DataFrame]:
    """The imported log (as ``analyze`` reads it) and its events table in pandas."""
    frame = bpic2012_events.select("person_id", "ts", "touchpoint", "conversion").to_pandas()
    return bpic2012_events, frame


def _cases(frame: pd.DataFrame) -> pd.DataFrame:
    """Per case (one journey each: journeys continue after the approval): the facts."""
    by_case = frame.groupby("person_id")
    return pd.DataFrame(
        {
            "converted": by_case["conversion"].any(),
            "first_ts": by_case["ts"].min(),
            "last_ts": by_case["ts"].max(),
            "conversion_ts": frame[frame["conversion"]].groupby("person_id")["ts"].min(),
        }
    )


def _touched_before(frame: pd.DataFrame, cases: pd.DataFrame) -> pd.DataFrame:
    """Per touchpoint: cases that met it (a non-conversion event) at all, and before converting.

    Also how many of those that met it before converting converted.
    """
    plain = frame[~frame["conversion"]].join(cases["conversion_ts"], on="person_id")
    before = plain[plain["conversion_ts"].isna() | (plain["ts"] <= plain["conversion_ts"])]
    pairs = before[["person_id", "touchpoint"]].drop_duplicates()
    pairs = pairs.join(cases["converted"], on="person_id")
    return pd.DataFrame(
        {
            "met": plain.groupby("touchpoint")["person_id"].nunique(),
            "with": pairs.groupby("touchpoint").size(),
            "converted_with": pairs.groupby("touchpoint")["converted"].sum(),
        }
    )


@pytest.mark.slow
def test_bpic_outcomes_and_open_cases_are_said(loans: tuple[ir.Table, pd.DataFrame]) -> None:
    events, frame = loans
    analysis = analyze(LOAN_MAP, events, after_conversion="continue", attribution=False)
    cases = _cases(frame)
    touched = _touched_before(frame, cases)
    journeys = len(cases)
    supported = touched[(touched["with"] >= 5) & (journeys - touched["with"] >= 5)].sort_values(
        "touchpoint"
    )
    always = supported[supported["converted_with"] == supported["with"]]
    never = supported[supported["converted_with"] == 0]
    assert sorted(always.index) == ["A_ACTIVATED", "A_REGISTERED", "O_ACCEPTED"]
    assert sorted(never.index) == ["A_CANCELLED", "A_DECLINED", "O_DECLINED"]
    # The note lists them as the correlation ranks them: highest odds ratio first, and the
    # lowest first for those that never convert.
    rows = {r["touchpoint"]: r for r in analysis.table("correlation").to_pylist() if r["direction"]}
    by_ratio = sorted(always.index, key=lambda t: -rows[t]["odds_ratio"])
    assert by_ratio == ["O_ACCEPTED", "A_REGISTERED", "A_ACTIVATED"]
    lowest = sorted(never.index, key=lambda t: rows[t]["odds_ratio"])
    assert lowest == ["A_DECLINED", "A_CANCELLED", "O_DECLINED"]

    # Touches after the approval are left out of the correlation: registered 1,662 of 2,246.
    assert touched.loc["A_REGISTERED", ["with", "met"]].tolist() == [1_662, 2_246]
    fewer = touched[touched["with"] < touched["met"]]
    fewer = fewer.assign(gap=fewer["with"] - fewer["met"]).sort_values(["gap"])
    examples = ", ".join(
        f"{name} ({row['with']:,} of {row['met']:,})" for name, row in fewer.head(3).iterrows()
    )
    assert examples.startswith("A_ACTIVATED (1,466 of 2,246)")

    # Open at the data's end: no approval, an event within the 30-day window of the last one.
    end = frame["ts"].max()
    assert end.date() == dt.date(2012, 3, 14)
    open_cases = (~cases["converted"]) & (cases["last_ts"] > end - pd.Timedelta(days=30))
    not_converted = int((~cases["converted"]).sum())
    assert (int(open_cases.sum()), not_converted) == (2_144, 10_841)
    assert analysis.summary["open_journeys"] == {
        "journeys": 2_144,
        "horizon_seconds": 30 * 86400.0,
        "horizon": "conversion_window",
    }
    assert analysis.summary["converted_at_first_event"] == 0

    assert measurement_notes(analysis, LOAN_MAP, "en") == [
        "Note: 2,144 of 10,841 journeys that did not convert had events within 30 days (the "
        "conversion window) of the data's last event on Mar 14, 2012: they may still be "
        "under way and convert later, yet every figure counts them as not converted (funnel "
        "drop-off, exits, correlation). If some touchpoint ends a journey without a "
        "conversion (declined, cancelled, lost), mark it with outcome: true in the map: "
        "journeys that reached it have ended and are no longer counted here.",
        "Note: every journey that met one of these touchpoints converted: O_ACCEPTED, "
        "A_REGISTERED, A_ACTIVATED. They may be steps of converting (outcomes) rather than "
        "causes; their odds ratios in the drop-off correlation say little.",
        "Note: no journey that met one of these touchpoints converted: A_DECLINED, "
        "A_CANCELLED, O_DECLINED. They may be outcomes of not converting (a rejection, a "
        "cancellation) rather than causes; their odds ratios in the drop-off correlation say "
        "little.",
        "Note: the drop-off correlation counts a touchpoint only where a journey met it "
        f"before its first conversion (a touch after it cannot have caused it), so it counts "
        f"fewer journeys with some touchpoints than met them at all: {examples} and "
        f"{len(fewer) - 3} more (journeys_with in the correlation table, journeys in "
        "touchpoint_stats).",
    ]
    german = measurement_notes(analysis, LOAN_MAP, "de")
    assert german[0].startswith(
        "Hinweis: 2.144 von 10.841 Journeys ohne Conversion hatten Ereignisse höchstens "
        "30 Tage (das Conversion-Fenster) vor dem letzten Ereignis der Daten am 14.03.2012"
    )
    assert "A_ACTIVATED (1.466 von 2.246)" in german[3]
    danish = measurement_notes(analysis, LOAN_MAP, "da")
    assert danish[1].startswith("Bemærk: alle rejser, der mødte et af disse touchpoints")


@pytest.mark.slow
def test_without_a_window_the_horizon_is_the_90th_percentile_of_time_to_convert(
    loans: tuple[ir.Table, pd.DataFrame],
) -> None:
    events, frame = loans
    analysis = analyze(
        LOAN_MAP,
        events,
        after_conversion="continue",
        conversion_window=None,
        attribution=False,
    )
    cases = _cases(frame)
    converted = cases[cases["converted"]]
    to_convert = (converted["conversion_ts"] - converted["first_ts"]).dt.total_seconds()
    p90 = to_convert.quantile(0.9)
    assert p90 / 86400 == pytest.approx(28.68, abs=0.01)
    end = frame["ts"].max()
    open_cases = (~cases["converted"]) & (cases["last_ts"] > end - pd.Timedelta(seconds=p90))
    found = analysis.summary["open_journeys"]
    assert found["horizon"] == "time_to_convert_p90"
    assert found["horizon_seconds"] == pytest.approx(p90)
    assert found["journeys"] == int(open_cases.sum()) == 1_982
    assert measurement_notes(analysis, LOAN_MAP, "en")[0].startswith(
        "Note: 1,982 of 10,841 journeys that did not convert had events within 28.7 days (the "
        "time in which 90% of the converted journeys converted; no conversion window is set) "
        "of the data's last event on Mar 14, 2012:"
    )


@pytest.mark.slow
def test_a_window_longer_than_the_data_is_said(loans: tuple[ir.Table, pd.DataFrame]) -> None:
    """183 days on a log of 165: every case that was not approved is still inside its window."""
    events, frame = loans
    assert (frame["ts"].max() - frame["ts"].min()).days == 165
    analysis = analyze(
        LOAN_MAP, events, after_conversion="continue", conversion_window="183d", attribution=False
    )
    note = measurement_notes(analysis, LOAN_MAP, "en")[0]
    assert note.startswith("Note: 10,841 of 10,841 journeys that did not convert had events")
    assert note.endswith(
        "The conversion window is longer than the whole period of the data, so no journey has "
        "been followed for a whole window."
    )


# --- Olist marketing funnel: leads (first contact), then won deals ------------------------

OLIST_MAP = """\
id: olist-sellers
name: Olist seller acquisition
phases:
  - {id: awareness, name: Awareness, order: 1}
  - {id: decision, name: Decision, order: 2}
touchpoints:
  - {id: search-ads, name: Paid search, phases: [awareness]}
  - {id: organic-search, name: Organic search, phases: [awareness]}
  - {id: social-media, name: Social, phases: [awareness]}
  - {id: other-origin, name: Other origins, phases: [awareness]}
  - {id: contract, name: Contract signed, phases: [decision]}
"""
# As the analyst wrote them: leads without an origin match no rule and are quarantined, so
# their won deals begin journeys of their own.
LEAD_RULES = """\
columns: {person_id: mql_id, timestamp: first_contact_date}
touchpoints:
  - {touchpoint: search-ads, when: [{field: origin, equals: paid_search}]}
  - {touchpoint: organic-search, when: [{field: origin, equals: organic_search}]}
  - {touchpoint: social-media, when: [{field: origin, equals: social}]}
  - touchpoint: other-origin
    when: [{field: origin, in: [email, referral, display, direct_traffic, other_publicities,
                                unknown, other]}]
"""
DEAL_RULES = """\
columns: {person_id: mql_id, timestamp: won_date, value: declared_monthly_revenue}
constant: {stage: won}
conversion: [{field: stage, equals: won}]
keep: [business_segment, lead_type]
touchpoints:
  - {touchpoint: contract}
"""


@pytest.fixture(scope="module")
def olist(datasets: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A workspace file with the leads and the won deals, imported by ``journeymap import``."""
    folder = tmp_path_factory.mktemp("olist")
    (folder / "olist.yaml").write_text(OLIST_MAP, encoding="utf-8")
    (folder / "leads.rules.yaml").write_text(LEAD_RULES, encoding="utf-8")
    (folder / "deals.rules.yaml").write_text(DEAL_RULES, encoding="utf-8")
    source = datasets / "olist-marketing-funnel"
    db = folder / "olist.duckdb"
    for data, rules in (
        ("marketing_qualified_leads.csv", "leads.rules.yaml"),
        ("closed_deals.csv", "deals.rules.yaml"),
    ):
        args = ["import", str(source / data), "--map", str(folder / "olist.yaml")]
        args += ["--rules", str(folder / rules), "--db", str(db)]
        result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
    return folder / "olist.yaml", db


def _olist_raw(datasets: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    folder = datasets / "olist-marketing-funnel"
    leads = pd.read_csv(folder / "marketing_qualified_leads.csv")
    deals = pd.read_csv(folder / "closed_deals.csv")
    leads["first"] = pd.to_datetime(leads["first_contact_date"], format="%d-%m-%Y", utc=True)
    deals["won"] = pd.to_datetime(deals["won_date"], format="%d-%m-%Y %H:%M", utc=True)
    return leads, deals


@pytest.mark.slow
def test_olist_breakdown_of_a_won_deal_field_and_conversions_alone_are_said(
    olist: tuple[Path, Path], datasets: Path
) -> None:
    map_path, db = olist
    analysis = analyze(
        map_path, db, conversion_window="365d", breakdown=["lead_type"], attribution=False
    )
    leads, deals = _olist_raw(datasets)
    kept = leads[leads["origin"].notna()]
    won = deals.merge(kept[["mql_id", "first"]], on="mql_id", how="left")
    # Journeys at 0 s: the deal's lead was quarantined (no origin), or it was won no later
    # than its first contact (a conversion ends a journey, so the deal starts one).
    alone = won["first"].isna() | (won["won"] <= won["first"])
    assert (int(won["first"].isna().sum()), int(alone.sum())) == (14, 15)
    after = won.loc[~alone, "won"] - won.loc[~alone, "first"]
    days = pd.concat([pd.Series(0.0, index=won.index[alone]), after.dt.total_seconds()]) / 86400
    p10 = analysis.to_pandas("time_to_convert")["seconds"].iloc[0] / 86400
    assert p10 == pytest.approx(days.quantile(0.1))
    # The 15 zeros pull the 10th percentile from 2.68 days (the 827 with a first contact).
    assert days.quantile(0.1) == pytest.approx(1.87, abs=0.005)
    assert after.dt.total_seconds().quantile(0.1) / 86400 == pytest.approx(2.68, abs=0.005)
    # lead_type is a field of the won deal: every journey without it did not convert.
    with_type = int(deals["lead_type"].notna().sum())
    journeys, conversions = analysis.summary["journeys"], analysis.summary["conversions"]
    not_converted = len(kept) - int((~alone).sum())
    assert (with_type, conversions, journeys - conversions) == (836, 842, not_converted)
    assert analysis.summary["converted_at_first_event"] == 15
    assert analysis.summary["breakdown_converters_only"] == {"lead_type": 836}
    notes = measurement_notes(analysis, analysis.journey_map, "en")
    assert (
        "Note: 15 of 842 converted journeys converted at the time of their first event (the "
        "conversion is their first event, or shares its time): they count as 0 s in the time "
        "to convert and pull its percentiles down."
    ) in notes
    assert (
        f"Note: lead_type is set only on journeys that converted (836 of 842; none of the "
        f"{not_converted:,} that did not): it likely comes with the conversion itself, so its "
        "conversion rates say nothing about who converts."
    ) in notes
    # Every lead is touched before its deal: the correlation's counts are the table's.
    assert not [note for note in notes if "drop-off correlation" in note]
    # Open leads: not won, first contact within 365 days of the last won deal.
    end = deals["won"].max()
    open_leads = kept[~kept["mql_id"].isin(won.loc[~alone, "mql_id"])]
    expected_open = int((open_leads["first"] > end - pd.Timedelta(days=365)).sum())
    assert analysis.summary["open_journeys"]["journeys"] == expected_open
    assert notes[0].startswith(
        f"Note: {expected_open:,} of {not_converted:,} journeys that did not convert had "
        "events within 365 days (the conversion window) of the data's last event on "
        "Nov 14, 2018:"
    )


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "de"])
def test_analyze_prints_the_notes(olist: tuple[Path, Path], tmp_path: Path, language: str) -> None:
    map_path, db = olist
    args = ["analyze", "--map", str(map_path), "--db", str(db), "--out", str(tmp_path / "out")]
    args += ["--no-attribution", "--window", "365d", "--breakdown", "lead_type"]
    env = {"COLUMNS": "100000", "JOURNEYMAP_LANG": language}
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # The saved analysis (analysis.json) gives the same notes, in the order printed.
    saved = Analysis.load(tmp_path / "out")
    journey_map = load_map(map_path)
    notes = figure_notes(saved, journey_map, language)
    measured = measurement_notes(saved, journey_map, language)
    assert len(measured) == 3
    assert set(measured) <= set(notes)
    assert all(note in lines for note in notes)
    assert [lines.index(note) for note in notes] == sorted(lines.index(note) for note in notes)
    wording = {
        "en": "Note: lead_type is set only on journeys that converted (836 of 842;",
        "de": "Hinweis: lead_type ist nur bei Journeys mit Conversion gesetzt (836 von 842;",
    }
    assert any(line.startswith(wording[language]) for line in lines)
    first = {
        "en": "Note: 15 of 842 converted journeys converted at the time of their first event",
        "de": "Hinweis: 15 von 842 konvertierten Journeys konvertierten zum Zeitpunkt ihres",
    }
    assert any(line.startswith(first[language]) for line in lines)


# --- A small shop: the edges ----------------------------------------------------------------


def test_a_column_only_conversion_events_carry_and_a_horizon_in_hours(
    shop_map: JourneyMap, shop_events: pa.Table
) -> None:
    """Two purchases (p1 after 3 hours, p4 after 6); p2 and p3 did not buy, 6 hours of data."""
    deal = [
        f"order-{i}" if c else None for i, c in enumerate(shop_events["conversion"].to_pylist())
    ]
    events = shop_events.append_column("deal", pa.array(deal, pa.string()))
    analysis = analyze(
        shop_map, events, breakdown=["deal", "country"], conversion_window=None, attribution=False
    )
    summary = analysis.summary
    assert summary["breakdown_converters_only"] == {"deal": 2}  # country: p3 (DE) did not buy
    # The 90th percentile of 3 and 6 hours is 5.7 hours: p2 and p3 ended 5 and 4 hours before
    # the last event.
    assert summary["open_journeys"] == {
        "journeys": 2,
        "horizon_seconds": pytest.approx(5.7 * 3600),
        "horizon": "time_to_convert_p90",
    }
    notes = measurement_notes(analysis, shop_map, "en")
    assert notes[0].startswith(
        "Note: 2 of 2 journeys that did not convert had events within 5.7 hours (the time in "
        "which 90% of the converted journeys converted; no conversion window is set) of the "
        "data's last event on Jan 1, 2024:"
    )
    assert notes[1] == (
        "Note: deal is set only on journeys that converted (2 of 2; none of the 2 that did "
        "not): it likely comes with the conversion itself, so its conversion rates say nothing "
        "about who converts."
    )
    assert len(notes) == 2
    assert measurement_notes(analysis, shop_map, "da")[0].startswith(
        "Bemærk: 2 af 2 rejser, der ikke konverterede, havde hændelser inden for 5,7 timer"
    )
    # An analysis saved by an earlier journeymap lacks the keys: no note, no error.
    for key in ("open_journeys", "converted_at_first_event", "breakdown_converters_only"):
        del summary[key]
    assert measurement_notes(analysis, shop_map, "en") == []


def test_no_horizon_without_a_window_or_a_conversion(
    shop_map: JourneyMap, shop_events: pa.Table
) -> None:
    events = shop_events.set_column(
        shop_events.schema.get_field_index("conversion"),
        "conversion",
        pa.array([False] * shop_events.num_rows),
    )
    analysis = analyze(shop_map, events, conversion_window=None, attribution=False)
    assert analysis.summary["open_journeys"] is None
    assert analysis.summary["converted_at_first_event"] == 0
    assert measurement_notes(analysis, shop_map, "en") == []


def test_the_report_can_leave_out_the_touchpoint_funnel_note(
    shop_map: JourneyMap, shop_events: pa.Table
) -> None:
    """The shop's awareness holds ad and blog: alternatives the touchpoint funnel takes as steps."""
    analysis = analyze(shop_map, shop_events, attribution=False)
    every = figure_notes(analysis, shop_map, "en")
    shown = figure_notes(analysis, shop_map, "en", touchpoint_funnel=False)
    dropped = [note for note in every if note not in shown]
    assert len(dropped) == 1 and dropped[0].startswith("Note: the touchpoint funnel")
    assert shown == [note for note in every if note != dropped[0]]
