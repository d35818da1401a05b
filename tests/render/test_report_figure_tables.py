"""The report shows the analysis' tables a reader acts on, not only its Parquet files.

A marketer looked for the conversion rate per channel (the first number GA4 and PostHog show)
and found only events and attribution shares on the map's cards; an analyst found checkout
abandonment, time in phase, the slow steps, the loops and the variants' reach only in
``analysis/*.parquet``. The report now has a table of each, in the report's language.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from journeymap.analysis import Analysis, analyze
from journeymap.model import JourneyMap
from journeymap.render import render_report_html

T0 = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)

# (person, [(hours, touchpoint, conversion)]): a loan process with a loop at the call.
#  - p1-p3: the call three times, then two days to the offer, then signed (converted);
#  - p4-p5: the call twice, the offer an hour later, never signed (abandoned at the offer);
#  - p6 stops after the form, p7 after one call.
# validate -> offer: 5 transitions, median 48 h (240 h lost); call -> call: 8 transitions, 1 h
# each (8 h lost): by count the loop comes first, by time lost the wait for the offer.
PROCESS = {
    **{
        f"p{i}": [
            (0, "form", False),
            (1, "call", False),
            (2, "call", False),
            (3, "call", False),
            (4, "validate", False),
            (52, "offer", False),
            (53, "sign", True),
        ]
        for i in (1, 2, 3)
    },
    **{
        f"p{i}": [
            (0, "form", False),
            (1, "call", False),
            (2, "call", False),
            (3, "validate", False),
            (4, "offer", False),
        ]
        for i in (4, 5)
    },
    "p6": [(0, "form", False)],
    "p7": [(0, "form", False), (1, "call", False)],
}


def _process_map(language: str = "en") -> JourneyMap:
    phases = ["apply", "check", "offer", "contract"]
    touchpoints = [
        ("form", "Application form", "apply"),
        ("call", "Call", "check"),
        ("validate", "Validation", "check"),
        ("offer", "Offer", "offer"),
        ("sign", "Signed contract", "contract"),
    ]
    return JourneyMap.model_validate(
        {
            "id": "loan",
            "name": "Loan",
            "language": language,
            "phases": [
                {"id": phase, "name": phase.capitalize(), "order": index}
                for index, phase in enumerate(phases, 1)
            ],
            "touchpoints": [
                {"id": tp, "name": name, "phases": [phase]} for tp, name, phase in touchpoints
            ],
        }
    )


def _events(journeys: dict[str, list[tuple[int, str, bool]]]) -> pa.Table:
    rows = [
        {
            "person_id": person,
            "account_id": None,
            "ts": T0 + dt.timedelta(hours=hours),
            "touchpoint": touchpoint,
            "phase": None,
            "persona": None,
            "conversion": conversion,
            "value": None,
            "source": "test",
        }
        for person, steps in journeys.items()
        for hours, touchpoint, conversion in steps
    ]
    return pa.Table.from_pylist(rows)


@pytest.fixture(scope="module")
def process_analysis() -> Analysis:
    return analyze(
        _process_map(),
        _events(PROCESS),
        attribution=False,
        checkout_touchpoints=["offer"],
        top_variants=2,
    )


def _table(html: str, table_id: str) -> list[list[str]]:
    """The rows of a figures table as text (group rows as one cell), header row first."""
    found = re.search(rf'<table class="measured" data-table="{table_id}">(.*?)</table>', html, re.S)
    assert found, f"no {table_id} table in the report"
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", found.group(1), re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells])
    return rows


def _section(html: str, table_id: str) -> str:
    found = re.search(
        rf'<section class="figures-section" id="figures-{table_id}">(.*?)</section>', html, re.S
    )
    assert found, f"no {table_id} section"
    return unescape(found.group(1))


def test_conversion_rate_per_touchpoint_in_phase_order(process_analysis: Analysis) -> None:
    html = render_report_html(_process_map(), process_analysis)
    rows = _table(html, "touchpoints")
    assert rows[0] == [
        "Touchpoint",
        "Conversion rate",
        "Journeys",
        "Converted",
        "Ended here without converting",
    ]
    # Phases as group rows, touchpoints in the map's order; 3 of 7 journeys converted.
    assert rows[1:] == [
        ["Apply"],
        ["Application form", "42.9%", "7", "3", "14%"],
        ["Check"],
        ["Call", "50.0%", "6", "3", "17%"],
        ["Validation", "60.0%", "5", "3", "0%"],
        ["Offer"],
        ["Offer", "60.0%", "5", "3", "40%"],
        ["Contract"],
        ["Signed contract", "100.0%", "3", "3", "0%"],
    ]


def test_checkout_abandonment_time_in_phase_slow_steps_repeats_and_variants(
    process_analysis: Analysis,
) -> None:
    html = render_report_html(_process_map(), process_analysis)
    assert _table(html, "checkout")[1] == ["Offer", "5", "3", "2", "40.0%"]
    time_in_phase = _table(html, "time_in_phase")
    assert time_in_phase[0] == ["Phase", "Journeys", "Median", "Middle half", "Mean"]
    # In Check p1-p3 spend 51 hours (three calls, two days to the offer), p4-p5 3 hours and
    # p7 none: the median of the six is 27 hours.
    assert time_in_phase[2][:3] == ["Check", "6", "1.1 days"]
    steps = _table(html, "slowest_steps")
    # Ranked by time lost (transitions x median), not by transitions as the Parquet file is.
    assert steps[1] == ["Validation → Offer", "5", "2.0 days", "10.0 days"]
    assert steps[2][0] == "Call → Call" and steps[2][1:] == ["8", "1.0 hour", "8.0 hours"]
    assert process_analysis.table("time_between_steps").to_pylist()[0]["to_touchpoint"] == "call"
    repeats = _table(html, "repeats")
    assert repeats[1] == ["Call", "6", "5", "83%", "2.3"]  # 14 calls in 6 journeys
    variants = _section(html, "variants")
    assert (
        "The 2 most frequent variants (touchpoint sequences) cover 5 of 7 journeys (71%); the "
        "journeys follow 4 variants in all." in variants
    )
    assert process_analysis.summary["variants_total"] == 4
    assert process_analysis.summary["touchpoint_repeats"] == {"call": 5}
    stats = process_analysis.table("touchpoint_stats").to_pylist()
    repeated = {row["touchpoint"]: row["repeat_journeys"] for row in stats}
    assert repeated["call"] == 5 and sum(repeated.values()) == 5  # the table says it too


def test_figure_tables_in_danish_with_danish_numbers(process_analysis: Analysis) -> None:
    html = render_report_html(_process_map("da"), process_analysis)
    assert "<h2>Konverteringsrate pr. touchpoint</h2>" in html
    assert _table(html, "touchpoints")[2] == [
        "Application form",
        "42,9\xa0%",
        "7",
        "3",
        "14\xa0%",
    ]
    assert _table(html, "slowest_steps")[1][2:] == ["2,0 dage", "10,0 dage"]
    assert "<h2>Afbrudt checkout</h2>" in html and "<h2>Varianter</h2>" in html


@pytest.mark.slow
def test_conversion_rate_per_traffic_type_of_the_online_shoppers(datasets: Path) -> None:
    """The UCI sessions: one row per session, its traffic type, Revenue the purchase."""
    sessions = pd.read_csv(
        datasets / "uci-online-shoppers" / "online_shoppers_intention.csv", sep=";"
    )
    sessions = sessions.reset_index()
    events = pa.Table.from_pandas(
        pd.DataFrame(
            {
                "person_id": "s" + sessions["index"].astype(str),
                "account_id": None,
                "ts": pd.Timestamp("2017-01-01", tz="UTC"),
                "touchpoint": "traffic-" + sessions["TrafficType"].astype(str),
                "phase": None,
                "persona": None,
                "conversion": sessions["Revenue"].astype(bool),
                "value": None,
                "source": "uci",
            }
        ),
        preserve_index=False,
    )
    types = sorted(sessions["TrafficType"].unique())
    journey_map = JourneyMap.model_validate(
        {
            "id": "shop",
            "name": "Shop",
            "language": "da",
            "phases": [{"id": "awareness", "name": "Opmærksomhed", "order": 1}],
            "touchpoints": [
                {"id": f"traffic-{t}", "name": f"Trafiktype {t}", "phases": ["awareness"]}
                for t in types
            ],
        }
    )
    html = render_report_html(journey_map, analyze(journey_map, events, attribution=False))
    shown = {row[0]: row for row in _table(html, "touchpoints")[2:]}
    truth = sessions.groupby("TrafficType")["Revenue"].agg(["count", "sum"])
    for traffic_type, (journeys, converted) in truth.iterrows():
        row = shown[f"Trafiktype {traffic_type}"]
        rate = f"{converted / journeys * 100:.1f}".replace(".", ",") + "\xa0%"
        assert row[1:4] == [rate, f"{journeys:,}".replace(",", "."), str(converted)]
    assert shown["Trafiktype 2"][1] == "21,6\xa0%" and shown["Trafiktype 8"][1] == "27,7\xa0%"
