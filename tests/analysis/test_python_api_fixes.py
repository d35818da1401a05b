"""journeymap used from Python only: what the command line says, ``analyze`` says too.

From a data scientist's notebook (user test py-api): an analysis of no events came back as
zeros, the notes the command line prints were nowhere, unread attribution parameters were
accepted in silence, ``conversion_window=0`` turned the window off, a ``Date`` column was
refused, ``Analysis.options`` followed the caller's object and the notebook summary read
``4.596e+06``.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from typer.testing import CliRunner

from helpdesk import PHASES, helpdesk_map, helpdesk_rules
from journeymap import Workspace, import_events
from journeymap.analysis import Analysis, analyze
from journeymap.analysis.notes import figure_notes
from journeymap.cli.app import app
from journeymap.engine.journeys import JourneyOptions
from journeymap.errors import AnalysisError, UsageError
from journeymap.mapfile import save_map
from journeymap.model import JourneyMap


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- py-api 2: no events is refused with the reason, as the command line refuses it ---


def test_an_empty_frame_is_refused_not_analysed_into_zeros(
    shop_map: JourneyMap, shop_events: pa.Table
) -> None:
    empty = shop_events.to_pandas().query("touchpoint == 'newsletter'")  # a filter: nothing
    with pytest.raises(AnalysisError) as error:
        analyze(shop_map, empty, attribution=False)
    assert str(error.value) == (
        "the events given hold no rows (an empty DataFrame, or a filter that matched nothing): "
        "there is nothing to analyse"
    )
    with pytest.raises(AnalysisError, match="the events given hold no rows"):
        analyze(shop_map, shop_events.slice(0, 0), by="account")


@pytest.fixture
def quarantined_workspace(shop_map: JourneyMap, tmp_path: Path) -> Path:
    """A workspace whose only imported row was quarantined (no rule matched it)."""
    db = tmp_path / "empty.duckdb"
    rules = {
        "columns": {"person_id": "id", "timestamp": "t"},
        "touchpoints": [{"touchpoint": "ad", "when": [{"field": "x", "equals": "nomatch"}]}],
    }
    frame = pd.DataFrame({"id": ["a"], "t": ["2024-01-01T00:00:00Z"], "x": ["zzz"]})
    with Workspace(str(db)) as workspace:
        report = import_events(workspace, frame, rules)
    assert (report.rows_imported, report.rows_quarantined) == (0, 1)
    save_map(shop_map, tmp_path / "shop.yaml")
    return db


def test_a_workspace_of_quarantined_rows_is_refused_with_the_command_lines_reason(
    shop_map: JourneyMap, quarantined_workspace: Path, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        app,
        [
            "analyze",
            "--map",
            str(tmp_path / "shop.yaml"),
            "--db",
            str(quarantined_workspace),
            "--out",
            str(tmp_path / "out"),
        ],
        env={"JOURNEYMAP_LANG": "en", "COLUMNS": "400"},
    )
    assert result.exit_code == 2, result.output
    said = _one_line(result.output).removeprefix("Error: ")
    assert "all 1 rows imported so far were quarantined" in said
    with Workspace(str(quarantined_workspace), read_only=True) as workspace:
        for given in (str(quarantined_workspace), quarantined_workspace, workspace):
            with pytest.raises(AnalysisError) as error:
                analyze(shop_map, given)
            assert str(error.value) == said
        # The workspace's own events table, as Workspace.events() hands it over.
        with pytest.raises(AnalysisError, match="all 1 rows imported so far were quarantined"):
            analyze(shop_map, workspace.events())
    assert not (tmp_path / "out").exists()


def test_a_filter_on_a_workspace_that_matched_nothing_is_said_as_such(
    shop_map: JourneyMap, shop_events: pa.Table, tmp_path: Path
) -> None:
    db = tmp_path / "shop.duckdb"
    frame = shop_events.select(["person_id", "ts", "touchpoint"]).to_pandas()
    rules = {
        "columns": {"person_id": "person_id", "timestamp": "ts"},
        "touchpoints": [
            {"touchpoint": touchpoint, "when": [{"field": "touchpoint", "equals": touchpoint}]}
            for touchpoint in sorted(set(frame.touchpoint))
        ],
    }
    with Workspace(str(db)) as workspace:
        assert import_events(workspace, frame, rules).rows_imported == 11
        events = workspace.events()
        nothing = events.filter(events.touchpoint == "newsletter")
        with pytest.raises(AnalysisError) as error:
            analyze(shop_map, nothing, attribution=False)
    assert str(error.value) == (
        "none of the workspace's 11 events are in the events table given (a filter that "
        "matched nothing?): there is nothing to analyse"
    )


# --- py-api 4: the notes, and attribution parameters no model run reads ---


def test_notes_are_the_sentences_the_command_line_and_the_report_print(
    shop_map: JourneyMap, shop_events: pa.Table, tmp_path: Path
) -> None:
    without_ad = shop_events.filter(pc.invert(pc.equal(shop_events["touchpoint"], "blog")))
    with analyze(shop_map, without_ad, attribution=False) as analysis:
        notes = analysis.notes()
        assert notes == figure_notes(analysis, shop_map, "en")
        # p3 read the blog only (awareness): left out of the funnel, and Blog has no events.
        assert notes[0].startswith(
            "Note: the phase funnel above leaves out 1 of 4 journeys, which never reached the "
            "first phase, Awareness."
        )
        assert "Note: 1 touchpoint of the map has no events: Blog (blog)." in notes[-1]
        assert analysis.notes("da") == figure_notes(analysis, shop_map, "da")
        assert analysis.notes("de_DE.UTF-8")[0].startswith("Hinweis: ")
        with pytest.raises(UsageError, match="unknown language 'fr'; choose one of: en, da, de"):
            analysis.notes("fr")
        analysis.save(tmp_path / "out")
    loaded = Analysis.load(tmp_path / "out")
    with pytest.raises(AnalysisError, match=r"give it: analysis.notes\(journey_map="):
        loaded.notes()
    assert loaded.notes(journey_map=shop_map) == notes


def test_notes_follow_the_users_language(
    shop_map: JourneyMap, shop_events: pa.Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_ad = shop_events.filter(pc.invert(pc.equal(shop_events["touchpoint"], "blog")))
    monkeypatch.setenv("JOURNEYMAP_LANG", "da")
    with analyze(shop_map, without_ad, attribution=False) as analysis:
        assert analysis.notes()[0].startswith("Bemærk: fasetragten ovenfor udelader 1 af 4 rejser")


def test_an_attribution_parameter_no_model_run_reads_is_warned_of(
    shop_map: JourneyMap, shop_events: pa.Table
) -> None:
    with analyze(shop_map, shop_events) as analysis:
        with pytest.warns(UserWarning) as caught:
            linear = analysis.attribution(model="linear", order=3)
        assert [str(w.message) for w in caught] == [
            "order=3 changed nothing: it is read only by markov, which did not run here "
            "(linear did)"
        ]
        assert caught[0].filename == __file__  # points at the caller's line
        assert linear.table.num_rows > 0
        with pytest.warns(UserWarning, match="read only by w_shaped, full_path"):
            analysis.attribution(model="linear", lead_phases="awareness")
        with pytest.warns(UserWarning) as sampled:
            analysis.attribution(model="shapley", samples=100)
        assert [str(w.message) for w in sampled] == [
            "samples=100 changed nothing: Shapley reads it only with shapley_method='sampling'"
        ]
        # Read: nothing to say (the test run makes any warning an error).
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            analysis.attribution(model="markov", order=2)
            analysis.attribution(model="shapley", samples=100, shapley_method="sampling")
            analysis.attribution(model="linear", order=None)
            # What the models take anyway is no request: the parameters used, given back.
            analysis.attribution(model="linear", order=1, samples=2000)
            used = analysis.summary["attribution_used"]
            analysis.attribution(model="last_touch", **used)


def test_analyze_warns_of_a_sampling_parameter_without_sampling(
    shop_map: JourneyMap, shop_events: pa.Table
) -> None:
    with pytest.warns(UserWarning, match=r"^samples=100 changed nothing: Shapley reads it only"):
        analysis = analyze(shop_map, shop_events, attribution={"samples": 100})
    assert "shapley" in set(analysis.table("attribution").column("model").to_pylist())


# --- py-api 5: 0 is no way to turn a duration off, and a number needs its unit ---


@pytest.mark.parametrize("name", ["conversion_window", "session_gap"])
def test_zero_is_refused_like_a_zero_timedelta(name: str) -> None:
    with pytest.raises(UsageError) as as_timedelta:
        JourneyOptions(**{name: dt.timedelta(0)})
    with pytest.raises(UsageError) as as_number:
        JourneyOptions(**{name: 0})
    assert str(as_number.value) == str(as_timedelta.value).replace("0:00:00", "0")
    assert str(as_number.value) == (
        "the duration 0 is not positive; give None to turn it off, or a positive duration"
    )
    assert getattr(JourneyOptions(**{name: None}), name) is None


def test_analyze_refuses_a_zero_window_before_measuring(
    shop_map: JourneyMap, shop_events: pa.Table
) -> None:
    with pytest.raises(UsageError, match="the duration 0 is not positive"):
        analyze(shop_map, shop_events, conversion_window=0, attribution=False)
    with analyze(shop_map, shop_events, conversion_window=None, attribution=False) as analysis:
        assert analysis.summary["options"]["conversion_window"] is None


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (
            7,
            "7 is a number without a unit; write one of s, m, h, d or w after it (e.g. '7d' or "
            "'7h')",
        ),
        (
            1.5,
            "1.5 is a number without a unit; write one of s, m, h, d or w after it (e.g. "
            "'1.5d' or '1.5h')",
        ),
        (
            "12",
            "'12' is a number without a unit; write one of s, m, h, d or w after it (e.g. "
            "'12d' or '12h')",
        ),
    ],
)
def test_a_number_without_a_unit_is_told_to_give_one(given: object, said: str) -> None:
    with pytest.raises(UsageError) as error:
        JourneyOptions(conversion_window=given)  # type: ignore[arg-type]
    assert str(error.value) == said


# --- py-api 8: dates are midnight UTC ---


def _as_midnight(events: pa.Table) -> pa.Table:
    index = events.schema.get_field_index("ts")
    days = pc.cast(events["ts"], pa.date32())
    return events.set_column(index, "ts", pc.cast(days, pa.timestamp("us", "UTC")))


def test_a_date_column_is_read_as_midnight_utc(shop_map: JourneyMap, shop_events: pa.Table) -> None:
    # Days apart, so that the order of a person's events survives the cut to days.
    spread = shop_events.set_column(
        shop_events.schema.get_field_index("ts"),
        "ts",
        pa.array(
            [
                dt.datetime(2024, 1, 1 + index, 15, 30, tzinfo=dt.UTC)
                for index in range(shop_events.num_rows)
            ],
            pa.timestamp("us", "UTC"),
        ),
    )
    midnight = _as_midnight(spread)
    index = spread.schema.get_field_index("ts")
    date32 = spread.set_column(index, "ts", pc.cast(spread["ts"], pa.date32()))
    frame = spread.to_pandas()
    frames = {
        "arrow date32": date32,
        "polars Date": pl.from_arrow(spread).with_columns(pl.col("ts").dt.date()),
        "pandas date": frame.assign(ts=frame.ts.dt.date),
    }
    expected = analyze(shop_map, midnight, attribution=False)
    assert expected.summary["first_ts"] == "2024-01-01T00:00:00+00:00"
    for label, events in frames.items():
        with analyze(shop_map, events, attribution=False) as analysis:
            assert analysis.summary["first_ts"] == expected.summary["first_ts"], label
            assert analysis.summary["last_ts"] == "2024-01-11T00:00:00+00:00", label
            for name, table in expected.tables.items():
                assert analysis.table(name).to_pylist() == table.to_pylist(), (label, name)


# --- py-api 9: the analysis keeps its own options; the notebook summary reads well ---


def test_the_analysis_keeps_its_own_options(shop_map: JourneyMap, shop_events: pa.Table) -> None:
    options = JourneyOptions(after_conversion="continue", conversion_window=None, breakdown=[])
    with analyze(shop_map, shop_events, options, attribution=False) as analysis:
        options.by = "account"
        options.breakdown.append("country")
        assert analysis.options is not None
        assert (analysis.options.by, analysis.options.breakdown) == ("person", [])
        assert analysis.summary["options"]["by"] == "person"


def _notebook_summary(**figures: object) -> Analysis:
    summary = {
        "map_id": "cj",
        "journeys": 2469,
        "persons": 2469,
        "accounts": 0,
        "events": 1234567,
        "conversions": 2469,
        "conversion_rate": 0.995415,
        "value": 4596123.4,
        **figures,
    }
    return Analysis({"paths": pa.table({"journeys": [1]})}, summary)


def test_the_notebook_summary_writes_numbers_as_a_reader_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JOURNEYMAP_LANG", "en")
    shown = _notebook_summary(conversion_events=155848)._repr_html_()
    cells = dict(re.findall(r"<tr><th>([^<]*)</th><td>([^<]*)</td></tr>", shown))
    assert cells["value"] == "4,596,123.40"
    assert cells["events"] == "1,234,567"
    assert cells["conversion_rate"] == "99.5%"
    assert cells["conversion_events"] == "155,848"
    assert list(cells).index("conversion_events") == list(cells).index("conversions") + 1
    assert "e+06" not in shown
    # As many conversion events as conversions: nothing to add.
    assert "conversion_events" not in _notebook_summary(conversion_events=2469)._repr_html_()
    monkeypatch.setenv("JOURNEYMAP_LANG", "de")
    german = _notebook_summary(conversion_events=155848)._repr_html_()
    assert "<td>4.596.123,40</td>" in german and "<td>155.848</td>" in german


# --- Real data: the help desk log, as the user test ran it ---

# The help desk phases with the ticket's verdicts in resolution, as the user test mapped them.
PHASES_WITH_VERDICTS = {
    **PHASES,
    "resolution": ["Resolve ticket", "VERIFIED", "RESOLVED", "INVALID", "DUPLICATE"],
}


@pytest.mark.slow
def test_the_help_desk_notes_reach_the_python_user(datasets: Path, tmp_path: Path) -> None:
    """The command line and the report said the funnel leaves out 78 of 4,580 journeys."""
    journey_map = helpdesk_map(PHASES_WITH_VERDICTS)
    rules = helpdesk_rules(PHASES_WITH_VERDICTS)
    db = tmp_path / "hd.duckdb"
    with Workspace(str(db)) as workspace:
        import_events(workspace, datasets / "helpdesk" / "helpdesk.xes.gz", rules)
    # As the user test ran it: a ticket is one journey, whatever follows its closing.
    options = {"after_conversion": "continue", "conversion_window": None}
    with analyze(journey_map, db, attribution=False, **options) as analysis:
        assert (analysis.summary["journeys"], analysis.summary["conversions"]) == (4580, 4559)
        notes = analysis.notes("en")
    assert notes[0] == (
        "Note: the phase funnel above leaves out 78 of 4,580 journeys (including 78 of 4,559 "
        "conversions), which never reached the first phase, Intake. Every ordering counts "
        "from the first phase (--ordering any too); check that the touchpoints of Intake "
        "occur in the events, and whether the events start mid-journey."
    )
    # The same sentences `journeymap analyze` prints under its tables.
    save_map(journey_map, tmp_path / "hd.yaml")
    result = CliRunner().invoke(
        app,
        [
            "analyze",
            "--map",
            str(tmp_path / "hd.yaml"),
            "--db",
            str(db),
            "--out",
            str(tmp_path / "out"),
            "--no-attribution",
            "--after-conversion",
            "continue",
            "--window",
            "none",
        ],
        env={"JOURNEYMAP_LANG": "en", "COLUMNS": "2000"},
    )
    assert result.exit_code == 0, result.output
    printed = _one_line(result.output)
    for note in notes:
        assert _one_line(note) in printed
