"""``analyze(..., since=..., until=...)``: only the events of a period, cut into journeys.

On BPI Challenge 2012 (van Dongen, 2012; loan applications at a Dutch bank, Oct 2011 - Mar
2012): the expected counts come from the raw XES read with pandas (``bpic_log.raw_events``),
not from the engine. ``since`` is included, ``until`` left out, both in UTC unless a zone is
given; a span (``30d``) counts back from the data's last event.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import ibis
import pandas as pd
import pyarrow as pa
import pytest

from bpic_log import LOAN_MAP, STEPS, raw_events
from journeymap.analysis import Analysis, analyze
from journeymap.engine.journeys import JourneyOptions
from journeymap.errors import AnalysisError, UsageError
from journeymap.model import JourneyMap, Phase, Touchpoint
from journeymap.render.context import measurement_scope
from journeymap.render.measured import measured_from

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]

SINCE = pd.Timestamp("2012-01-01", tz="UTC")
UNTIL = pd.Timestamp("2012-02-01", tz="UTC")


@pytest.fixture(scope="module")
def loans(bpic2012_events: ibis.Table, datasets: Path) -> tuple[ibis.Table, pd.DataFrame]:
    """The imported events (imported once per session) and, independently, the raw events."""
    return bpic2012_events, raw_events(datasets)


def _january(events: ibis.Table) -> Analysis:
    return analyze(
        LOAN_MAP,
        events,
        since="2012-01-01",
        until="2012-02-01",
        after_conversion="continue",
        attribution=False,
    )


def test_a_month_of_the_loan_log_counts_only_its_events(
    loans: tuple[ibis.Table, pd.DataFrame],
) -> None:
    events, raw = loans
    inside = raw[(raw.ts >= SINCE) & (raw.ts < UNTIL)]
    cases = set(inside.case)
    analysis = _january(events)
    summary = analysis.summary
    assert summary["events"] == len(inside) == 34_363
    assert summary["persons"] == summary["journeys"] == len(cases)
    assert summary["conversions"] == inside[inside.activity == "A_APPROVED"].case.nunique()
    assert pd.Timestamp(summary["first_ts"]) >= SINCE and pd.Timestamp(summary["last_ts"]) < UNTIL
    period = summary["period"]
    assert (period["since"], period["until"]) == ("2012-01-01", "2012-02-01")
    assert (summary["options"]["since"], summary["options"]["until"]) == (
        "2012-01-01",
        "2012-02-01",
    )
    assert period["events_total"] == len(raw) == 164_506
    assert period["actors"] == len(cases)
    # The cases the period cuts: they have events before it, or after it.
    assert period["actors_before"] == len(cases & set(raw[raw.ts < SINCE].case)) == 645
    assert period["actors_after"] == len(cases & set(raw[raw.ts >= UNTIL].case)) == 854
    stats = {row["touchpoint"]: row for row in analysis.table("touchpoint_stats").to_pylist()}
    for step in STEPS:
        mine = inside[inside.activity == step]
        assert stats[step]["events"] == len(mine)
        assert stats[step]["first_seen"] == mine.ts.min().to_pydatetime()
        assert stats[step]["last_seen"] == mine.ts.max().to_pydatetime()


def test_the_period_is_said_in_the_notes_and_the_report(
    loans: tuple[ibis.Table, pd.DataFrame], tmp_path: Path
) -> None:
    analysis = _january(loans[0])
    first = analysis.notes("en")[0]
    assert first == (
        "Note: only events from 2012-01-01 up to 2012-02-01 (not included) are analysed: "
        "34,363 of 164,506 events. Journeys are cut from these events only: of the 3,393 "
        "persons analysed, 645 also have events before the period and 854 after it; their "
        "journeys start or end at its edge."
    )
    assert analysis.notes("de")[0].startswith("Hinweis: ")
    scope = dict(measurement_scope(LOAN_MAP, measured_from(analysis)))  # type: ignore[arg-type]
    # First to last event analysed (as Babel writes a range, thin spaces and all), then the
    # period chosen.
    assert scope["Period"].startswith("Jan 1")
    assert scope["Period"].endswith(
        "31, 2012 (only events from 2012-01-01 up to 2012-02-01 (not included): 34,363 of "
        "164,506 events)"
    )
    # Saved and read back: the period is in analysis.json, and the note with it.
    loaded = Analysis.load(analysis.save(tmp_path / "january"))
    assert loaded.summary["period"]["events"] == 34_363
    assert loaded.notes("en", journey_map=LOAN_MAP)[0] == first


def test_a_bound_with_a_zone_and_a_span_back_from_the_end(
    loans: tuple[ibis.Table, pd.DataFrame],
) -> None:
    events, raw = loans
    zoned = analyze(LOAN_MAP, events, since="2012-01-01T00:00+01:00", attribution=False)
    assert zoned.summary["events"] == int((raw.ts >= SINCE - pd.Timedelta(hours=1)).sum())
    assert zoned.summary["period"]["since"] == "2011-12-31T23:00:00+00:00"
    last = raw.ts.max()
    recent = analyze(LOAN_MAP, events, since="30d", attribution=False)
    assert recent.summary["events"] == int((raw.ts >= last - pd.Timedelta(days=30)).sum())
    period = recent.summary["period"]
    assert period["given_since"] == "30d"
    assert pd.Timestamp(period["since"]) == last - pd.Timedelta(days=30)
    assert (
        "since 30d counts back from the data's last event (2012-03-14 15:04:54 UTC)."
        in (recent.notes("en")[0])
    )
    # A date object, as Python hands it; until only.
    before = analyze(LOAN_MAP, events, until=dt.date(2011, 11, 1), attribution=False)
    assert before.summary["events"] == int((raw.ts < pd.Timestamp("2011-11-01", tz="UTC")).sum())


def test_a_period_without_events_says_where_the_events_are(
    loans: tuple[ibis.Table, pd.DataFrame],
) -> None:
    with pytest.raises(AnalysisError) as caught:
        analyze(LOAN_MAP, loans[0], since="2013-01-01", attribution=False)
    assert str(caught.value) == (
        "no event falls in the period from 2013-01-01 up to the last event (since is included, "
        "until left out): the 164,506 events given run from 2011-09-30 22:38:44 UTC to "
        "2012-03-14 15:04:54 UTC; choose a period within that"
    )


# Small, explicit events for the edges.
T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
SHOP = JourneyMap(
    id="shop",
    name="Shop",
    phases=[Phase(id="p", name="P", order=1)],
    touchpoints=[Touchpoint(id="ad", name="Ad", phases=["p"])],
)


def _events(hours: list[int], zone: str | None = "UTC") -> pa.Table:
    return pa.table(
        {
            "person_id": [f"p{i}" for i in range(len(hours))],
            "account_id": pa.array([None] * len(hours), pa.string()),
            "ts": pa.array(
                [(T0 + dt.timedelta(hours=h)).replace(tzinfo=None) for h in hours]
                if zone is None
                else [T0 + dt.timedelta(hours=h) for h in hours],
                pa.timestamp("us", zone),
            ),
            "touchpoint": ["ad"] * len(hours),
            "phase": pa.array([None] * len(hours), pa.string()),
            "persona": pa.array([None] * len(hours), pa.string()),
            "conversion": [False] * len(hours),
            "value": pa.array([None] * len(hours), pa.float64()),
            "source": ["test"] * len(hours),
        }
    )


@pytest.mark.parametrize("zone", ["UTC", "Europe/Copenhagen", None])
def test_since_is_included_and_until_left_out(zone: str | None) -> None:
    events = _events([0, 1, 2, 3, 4, 5], zone)
    analysis = analyze(
        SHOP, events, since=T0 + dt.timedelta(hours=1), until="2024-01-01T04:00", attribution=False
    )
    assert analysis.summary["events"] == 3  # hours 1, 2 and 3; 4 is the first left out
    assert analysis.summary["period"]["until"] == "2024-01-01T04:00:00+00:00"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"since": "last tuesday"},
            "since 'last tuesday' is not a date: write a date (2012-01-31) or a date and time "
            "(2012-01-31T08:00; UTC unless a zone such as +01:00 follows) in ISO 8601, or a "
            "span back from the data's last event (e.g. 30d, 12w)",
        ),
        ({"until": "2024-02-30"}, "until '2024-02-30' is not a date"),
        ({"since": "0d"}, "since '0d' is not a date"),
        (
            {"since": "2024-01-02", "until": "2024-01-02"},
            "since 2024-01-02 is not before until 2024-01-02: the period is empty (since is "
            "included, until is left out)",
        ),
        ({"since": "5d", "until": "30d"}, "since 5d is not before until 30d"),
    ],
)
def test_a_bad_period_is_refused_naming_the_option(values: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError) as caught:
        analyze(SHOP, _events([0, 1]), attribution=False, **values)
    assert str(caught.value).startswith(message)
    with pytest.raises(UsageError):
        JourneyOptions(**values)  # type: ignore[arg-type]


def test_a_span_and_a_date_that_cross_are_refused_once_the_end_is_known() -> None:
    # The data end at hour 10: since 2 hours back is 08:00, after until 05:00.
    with pytest.raises(UsageError) as caught:
        analyze(SHOP, _events([0, 10]), since="2h", until="2024-01-01T05:00", attribution=False)
    assert str(caught.value).startswith(
        "since 2024-01-01 08:00 UTC is not before until 2024-01-01 05:00 UTC"
    )


def test_the_period_settings_apply_and_a_bad_one_names_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JOURNEYMAP_ANALYSIS_SINCE", "2024-01-01T02:00")
    analysis = analyze(SHOP, _events([0, 1, 2, 3]), attribution=False)
    assert analysis.summary["events"] == 2
    # Given explicitly, the option wins over the setting.
    assert (
        analyze(SHOP, _events([0, 1, 2, 3]), since=None, attribution=False).summary["events"] == 4
    )
    monkeypatch.setenv("JOURNEYMAP_ANALYSIS_SINCE", "soon")
    with pytest.raises(UsageError) as caught:
        analyze(SHOP, _events([0, 1]), attribution=False)
    assert str(caught.value).startswith("JOURNEYMAP_ANALYSIS_SINCE='soon': ")


def test_without_a_period_nothing_changes() -> None:
    analysis = analyze(SHOP, _events([0, 1, 2]), attribution=False)
    assert "period" not in analysis.summary
    assert analysis.summary["options"]["since"] is None
    assert not any("are analysed" in note for note in analysis.notes("en"))
