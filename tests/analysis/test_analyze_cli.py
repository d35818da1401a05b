"""``journeymap analyze`` on a small DuckDB workspace built in the test."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.mapfile import save_map
from journeymap.model import JourneyMap


def _workspace(path: Path, events: pa.Table, fill: Callable[[Path, pa.Table], Path]) -> None:
    """The shop events with their ``country`` column kept in ``extra`` (for the breakdown)."""
    extra = [json.dumps({"country": c}) for c in events.column("country").to_pylist()]
    fill(path, events.drop_columns(["country"]).append_column("extra", pa.array(extra)))


@pytest.fixture
def analyze_shop(
    shop_map: JourneyMap,
    shop_events: pa.Table,
    tmp_path: Path,
    fill_workspace: Callable[[Path, pa.Table], Path],
) -> list[str]:
    """``journeymap analyze`` of the shop map and events in a workspace, writing to ``out``."""
    db = tmp_path / "ws.duckdb"
    _workspace(db, shop_events, fill_workspace)
    save_map(shop_map, tmp_path / "shop.yaml")
    arguments = ["analyze", "--map", str(tmp_path / "shop.yaml"), "--db", str(db)]
    return [*arguments, "--out", str(tmp_path / "out")]


def test_cli_analyze_writes_json_parquet_and_summary(
    analyze_shop: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, [*analyze_shop, "--breakdown", "country", "--window", "7d"])
    assert result.exit_code == 0, result.output
    assert "Journeys: 4" in result.output
    assert "Conversion rate: 50.0%" in result.output
    assert "Phase funnel" in result.output and "Awareness" in result.output
    document = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    assert document["summary"]["conversions"] == 2
    assert document["summary"]["options"]["conversion_window"] == 7 * 86400
    funnel = pq.read_table(out / "phase_funnel.parquet").to_pylist()
    reached = {(r["country"], r["phase"]): r["reached"] for r in funnel}
    assert reached[("DK", "awareness")] == 2 and reached[("DE", "purchase")] == 0
    assert (out / "attribution.parquet").exists()


def test_cli_analyze_without_attribution_writes_the_metrics_only(
    analyze_shop: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, [*analyze_shop, "--no-attribution"])
    assert result.exit_code == 0, result.output
    written = {path.stem for path in out.glob("*.parquet")}
    assert {"phase_funnel", "paths", "variants", "correlation"} <= written
    assert not written & {"attribution", "markov_removal_effects"}


def test_cli_analyze_missing_db_is_a_clean_error(shop_map: JourneyMap, tmp_path: Path) -> None:
    save_map(shop_map, tmp_path / "shop.yaml")
    result = CliRunner().invoke(
        app,
        [
            "analyze",
            "--map",
            str(tmp_path / "shop.yaml"),
            "--db",
            str(tmp_path / "no.duckdb"),
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code != 0
    assert "import events first" in result.output


def test_analyze_takes_a_workspace_path_or_url(
    shop_map: JourneyMap,
    shop_events: pa.Table,
    tmp_path: Path,
    fill_workspace: Callable[[Path, pa.Table], Path],
) -> None:
    from journeymap.analysis import analyze

    db = tmp_path / "ws.duckdb"
    _workspace(db, shop_events, fill_workspace)
    by_path = analyze(shop_map, str(db))
    by_url = analyze(shop_map, f"duckdb:///{db}")
    assert by_path.summary["journeys"] == by_url.summary["journeys"] == 4
    assert by_path.table("phase_funnel").equals(by_url.table("phase_funnel"))


def test_cli_analyze_notes_a_phase_no_journey_reached(
    shop_map: JourneyMap,
    shop_events: pa.Table,
    tmp_path: Path,
    fill_workspace: Callable[[Path, pa.Table], Path],
) -> None:
    # Without any review event, Consideration is reached by no journey, and the ordered
    # funnel counts no journey in Purchase either, though checkouts and purchases happened.
    import pyarrow.compute as pc

    events = shop_events.filter(pc.not_equal(shop_events["touchpoint"], "reviews"))
    db = tmp_path / "ws.duckdb"
    _workspace(db, events, fill_workspace)
    save_map(shop_map, tmp_path / "shop.yaml")
    args = ["analyze", "--map", str(tmp_path / "shop.yaml"), "--db", str(db)]
    args += ["--out", str(tmp_path / "out"), "--no-attribution"]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200", "JOURNEYMAP_LANG": "en"})
    assert result.exit_code == 0, result.output
    assert "Note: no journey reached Consideration. Every ordering counts a phase only" in (
        result.output
    )
    # A phase nobody reached has no drop-off rate: 0/0 read as a measured 0.0%.
    for phase in ("Consideration", "Purchase"):
        row = next(line for line in result.output.splitlines() if line.startswith(f"│ {phase} "))
        assert row.rstrip(" │").endswith("-"), row
    # Any order still counts a phase only with the ones before it: the note stays, and says so
    # (it used to advise --ordering any, which counts no journey in Purchase either).
    result = CliRunner().invoke(
        app, [*args, "--ordering", "any"], env={"COLUMNS": "200", "JOURNEYMAP_LANG": "en"}
    )
    assert result.exit_code == 0, result.output
    assert "(--ordering any too)" in result.output.replace("\n", " ")
    _workspace(tmp_path / "all.duckdb", shop_events, fill_workspace)
    full = CliRunner().invoke(
        app,
        [
            "analyze",
            "--map",
            str(tmp_path / "shop.yaml"),
            "--db",
            str(tmp_path / "all.duckdb"),
            "--out",
            str(tmp_path / "all"),
            "--no-attribution",
        ],
        env={"COLUMNS": "200"},
    )
    assert full.exit_code == 0 and "no journey reached" not in full.output


def test_cli_analyze_takes_the_funnel_steps_and_checkout_touchpoints(
    analyze_shop: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    arguments = [*analyze_shop, "--no-attribution"]
    chosen = ["--funnel-step", "ad,reviews", "--funnel-step", "buy", "--checkout", "buy"]
    result = CliRunner().invoke(app, [*arguments, *chosen])
    assert result.exit_code == 0, result.output
    funnel = pq.read_table(out / "touchpoint_funnel.parquet").to_pylist()
    assert [r["touchpoint"] for r in funnel] == ["ad", "reviews", "buy"]
    assert [r["phase"] for r in funnel] == ["awareness", "consideration", "purchase"]
    checkout = pq.read_table(out / "checkout_abandonment.parquet").to_pylist()
    assert [r["touchpoint"] for r in checkout] == ["buy"]
    document = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    assert document["summary"]["options"]["funnel_touchpoints"] == ["ad", "reviews", "buy"]

    typo = CliRunner().invoke(app, [*arguments, "--funnel-step", "ad,reveiws"])
    assert typo.exit_code == 2
    assert "the funnel step 'reveiws' is not a touchpoint of the map" in typo.output
    assert "did you mean 'reviews'?" in typo.output
    assert "Traceback" not in typo.output


def test_cli_analyze_says_why_there_are_more_journeys_than_persons(
    shop_map: JourneyMap,
    shop_events: pa.Table,
    tmp_path: Path,
    fill_workspace: Callable[[Path, pa.Table], Path],
) -> None:
    # A process log: the case goes on after its conversion; by default that is a new journey.
    import datetime as dt

    later = shop_events.slice(0, 1).to_pylist()[0]
    buyer = next(r for r in shop_events.to_pylist() if r["conversion"])
    later |= {"person_id": buyer["person_id"], "ts": buyer["ts"] + dt.timedelta(days=1)}
    events = pa.concat_tables([shop_events, pa.Table.from_pylist([later], shop_events.schema)])
    db = tmp_path / "ws.duckdb"
    _workspace(db, events, fill_workspace)
    save_map(shop_map, tmp_path / "shop.yaml")
    args = ["analyze", "--map", str(tmp_path / "shop.yaml"), "--db", str(db), "--out"]
    args += [str(tmp_path / "out"), "--no-attribution"]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Journeys: 5" in result.output
    assert "5 journeys of 4 persons: a conversion ends a journey (--after-conversion continue" in (
        result.output
    )
    whole = CliRunner().invoke(app, [*args, "--after-conversion", "continue"])
    assert whole.exit_code == 0 and "Journeys: 4" in whole.output
    assert "journeys of" not in whole.output


def test_a_database_failure_is_a_message_not_a_traceback(
    analyze_shop: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # DuckDB's exceptions come from its C module `_duckdb`: they went through as tracebacks.
    import duckdb

    from journeymap.analysis import run

    def fail(*args: object, **kwargs: object) -> None:
        raise duckdb.OutOfMemoryException("Out of Memory Error: failed to pin block")

    monkeypatch.setattr(run, "_metrics", fail)
    monkeypatch.setattr(run, "local_metrics", fail)  # where the journeys are counted locally
    result = CliRunner().invoke(app, [*analyze_shop, "--no-attribution"])
    assert result.exit_code == 1, result.output
    assert "the analysis failed in the database: Out of Memory Error" in result.output
    assert isinstance(result.exception, SystemExit)  # handled, not raised through


def test_cli_drop_offs_name_the_phases_as_the_funnel_does(
    analyze_shop: list[str],
) -> None:
    result = CliRunner().invoke(app, [*analyze_shop, "--no-attribution"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "the map does not have" not in result.output  # every touchpoint is on the map
    drops = result.output.split("Top drop-offs")[1].split("Top paths")[0]
    rows = [line.split("│")[1].strip() for line in drops.splitlines() if line.startswith("│")]
    assert rows and set(rows) <= {"Awareness", "Consideration", "Purchase"}, rows


def test_cli_analyze_names_the_events_no_phase_of_the_map_shows(
    shop_map: JourneyMap,
    shop_events: pa.Table,
    tmp_path: Path,
    fill_workspace: Callable[[Path, pa.Table], Path],
) -> None:
    # A map that names none of the events' touchpoints gave a funnel of zeros, unexplained.
    import pyarrow.compute as pc

    renamed = pc.binary_join_element_wise("tp-", shop_events["touchpoint"], "")
    index = shop_events.schema.get_field_index("touchpoint")
    events = shop_events.set_column(index, "touchpoint", renamed)
    _workspace(tmp_path / "ws.duckdb", events, fill_workspace)
    save_map(shop_map, tmp_path / "shop.yaml")
    args = ["analyze", "--map", str(tmp_path / "shop.yaml"), "--db", str(tmp_path / "ws.duckdb")]
    args += ["--out", str(tmp_path / "out"), "--no-attribution"]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    note = f"Note: {events.num_rows} events have touchpoints the map does not have: "
    assert note in result.output
    for found in pc.value_counts(renamed).to_pylist():
        assert f"{found['values']} ({found['counts']})" in result.output


def test_cli_analyze_a_sqlite_workspace_as_a_duckdb_one(tmp_path: Path) -> None:
    """SQLite has no ordered aggregates: its events are analysed on a copy, to the same result.

    Before, ``analyze`` of a workspace the CLI had just imported into SQLite failed.
    """
    from journeymap.examples import example_path
    from journeymap.ingest.synthetic import write_demo_events
    from journeymap.mapfile import load_map

    map_file = example_path("payment-provider")
    events = write_demo_events(tmp_path / "events.csv", load_map(map_file), accounts=150)
    rules = map_file.with_name("payment-provider.rules.yaml")
    found: dict[str, Any] = {}
    for name, where in {
        "sqlite": ["--engine", f"sqlite:///{tmp_path / 'ws.sqlite'}"],
        "duckdb": ["--db", str(tmp_path / "ws.duckdb")],
    }.items():
        imported = CliRunner().invoke(
            app, ["import", str(events), "--map", str(map_file), "--rules", str(rules), *where]
        )
        assert imported.exit_code == 0, imported.output
        out = tmp_path / name
        result = CliRunner().invoke(
            app, ["analyze", "--map", str(map_file), *where, "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
        found[name] = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    assert found["sqlite"]["summary"]["accounts"] == 150
    assert found["sqlite"]["summary"]["conversions"] > 0
    assert _same(found["sqlite"], found["duckdb"])


def _same(one: object, other: object) -> bool:
    """Equal, floats to 1e-9 relative (sums may add up in another order)."""
    if isinstance(one, float) and isinstance(other, float):
        return math.isclose(one, other, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(one, dict) and isinstance(other, dict):
        return one.keys() == other.keys() and all(_same(one[k], other[k]) for k in one)
    if isinstance(one, list) and isinstance(other, list):
        return len(one) == len(other) and all(map(_same, one, other))
    return one == other


def test_cli_analyze_prints_the_funnel_per_breakdown_value(analyze_shop: list[str]) -> None:
    """Before, the breakdown reached only the Parquet files and the report."""
    result = CliRunner().invoke(
        app, [*analyze_shop, "--breakdown", "country"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "Phase funnel by country" in result.output
    rows = {
        cells[1].strip(): [cell.strip() for cell in cells[2:-1]]
        for cells in (line.split("│") for line in result.output.splitlines())
        if len(cells) > 5 and cells[1].strip() in {"All journeys", "DK", "DE"}
    }
    assert rows["DK"][0] == "2" and rows["DE"][0] == "2" and rows["All journeys"][0] == "4"


def test_cli_analyze_notes_the_conversion_event_crediting_itself_and_can_leave_it_out(
    analyze_shop: list[str], tmp_path: Path
) -> None:
    """Both purchases of the shop are ``buy`` events."""
    out = tmp_path / "out"
    result = CliRunner().invoke(app, analyze_shop, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert (
        "Note: 2 of 2 conversions are buy events, so buy is credited for the conversion itself"
    ) in " ".join(result.output.split())

    def last_touch() -> dict[str, float]:
        rows = pq.read_table(out / "attribution.parquet").to_pylist()
        return {
            r["key"]: r["conversions"]
            for r in rows
            if r["model"] == "last_touch" and r["level"] == "touchpoint" and r["conversions"]
        }

    assert last_touch() == {"buy": 2.0}
    result = CliRunner().invoke(app, [*analyze_shop, "--no-conversion-touch"])
    assert result.exit_code == 0, result.output
    assert "credited for the conversion itself" not in result.output
    assert last_touch() == {"checkout": 2.0}
    summary = json.loads((out / "analysis.json").read_text(encoding="utf-8"))["summary"]
    assert summary["conversion_touch"] is False
    assert summary["conversion_credits_itself"] is None
