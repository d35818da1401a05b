"""``journeymap attribute`` cuts journeys as ``analyze`` does, and names unknown models well."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from cli_tables import printed_credits
from journeymap.attribution import MODELS, attribute, compare_models
from journeymap.cli.app import app
from journeymap.engine.journeys import build_journeys
from journeymap.errors import UsageError
from journeymap.mapfile import save_map
from journeymap.model import JourneyMap, Persona, Phase, Touchpoint
from journeymap.services.attribution import attribute_workspace

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
# (person, account, minutes, touchpoint, conversion, value). A 30-minute session gap splits
# p1 before web, p3 before web, p4 before buy; p2 goes on after its purchase.
EVENTS = [
    ("p1", "acme", 0, "ad", False, None),
    ("p1", "acme", 10, "mail", False, None),
    ("p1", "acme", 130, "web", False, None),
    ("p1", "acme", 140, "buy", True, 100.0),
    ("p2", None, 0, "mail", False, None),
    ("p2", None, 5, "buy", True, 50.0),
    ("p2", None, 400, "ad", False, None),
    ("p3", "acme", 0, "ad", False, None),
    ("p3", "acme", 200, "web", False, None),
    ("p4", None, 0, "web", False, None),
    ("p4", None, 300, "buy", True, 20.0),
]
WIDE = {"COLUMNS": "200", "JOURNEYMAP_LANG": "en"}


@pytest.fixture
def workspace(
    tmp_path: Path, fill_workspace: Callable[[Path, pa.Table], Path]
) -> tuple[Path, Path]:
    journey_map = JourneyMap(
        id="shop",
        name="Shop",
        phases=[
            Phase(id="awareness", name="Awareness", order=1),
            Phase(id="consideration", name="Consideration", order=2),
            Phase(id="purchase", name="Purchase", order=3),
        ],
        touchpoints=[
            Touchpoint(id="ad", name="Ad", channel="paid", phases=["awareness"]),
            Touchpoint(id="mail", name="Mail", channel="email", phases=["awareness"]),
            Touchpoint(id="web", name="Web", channel="web", phases=["consideration"]),
            Touchpoint(id="buy", name="Buy", channel="web", phases=["purchase"]),
        ],
    )
    save_map(journey_map, tmp_path / "shop.yaml")
    rows = pa.table(
        {
            "person_id": [e[0] for e in EVENTS],
            "account_id": pa.array([e[1] for e in EVENTS], pa.string()),
            "ts": pa.array(
                [T0 + dt.timedelta(minutes=e[2]) for e in EVENTS], pa.timestamp("us", "UTC")
            ),
            "touchpoint": [e[3] for e in EVENTS],
            "conversion": [e[4] for e in EVENTS],
            "value": pa.array([e[5] for e in EVENTS], pa.float64()),
        }
    )
    db = fill_workspace(tmp_path / "ws.duckdb", rows)
    return tmp_path / "shop.yaml", db


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=WIDE)
    return result.exit_code, result.output


def _stored(out: Path, model: str) -> dict[str, float]:
    """Credit per touchpoint of ``model`` in the attribution table ``analyze`` wrote."""
    rows = pq.read_table(out / "attribution.parquet").to_pylist()
    return {
        r["key"]: r["conversions"]
        for r in rows
        if r["model"] == model and r["level"] == "touchpoint" and r["conversions"]
    }


CUTS = [
    ["--session-gap", "30m"],
    ["--after-conversion", "continue"],
    ["--by", "account"],
    ["--session-gap", "30m", "--after-conversion", "continue", "--by", "account"],
]


@pytest.mark.parametrize("cut", CUTS, ids=lambda cut: " ".join(cut))
def test_attribute_cuts_journeys_as_analyze_does(
    workspace: tuple[Path, Path], tmp_path: Path, cut: list[str]
) -> None:
    map_path, db = workspace
    base = ["--map", str(map_path), "--db", str(db)]
    out = tmp_path / "out"
    code, output = _run("analyze", *base, "--out", str(out), *cut)
    assert code == 0, output
    models = ["first_touch", "markov"]
    code, output = _run("attribute", *base, *(f"--model={m}" for m in models), *cut)
    assert code == 0, output
    for model in models:
        printed = {k: v for k, v in printed_credits(output, model).items() if v}
        assert printed == pytest.approx(_stored(out, model), abs=0.05), model


def test_a_session_gap_changes_the_credits(workspace: tuple[Path, Path]) -> None:
    map_path, db = workspace
    base = ["--map", str(map_path), "--db", str(db), "--model", "first_touch"]
    code, whole = _run("attribute", *base)
    assert code == 0, whole
    code, split = _run("attribute", *base, "--session-gap", "30m")
    assert code == 0, split
    # One journey per person: p1's ad, p2's mail and p4's web come first. Split after 30
    # minutes, p1's purchase follows web and p4's stands alone.
    assert {k: v for k, v in printed_credits(whole, "first_touch").items() if v} == {
        "ad": 1.0,
        "mail": 1.0,
        "web": 1.0,
    }
    assert {k: v for k, v in printed_credits(split, "first_touch").items() if v} == {
        "web": 1.0,
        "mail": 1.0,
        "buy": 1.0,
    }


def test_the_service_gives_analyze_s_credits_for_every_model(
    workspace: tuple[Path, Path], tmp_path: Path
) -> None:
    map_path, db = workspace
    out = tmp_path / "out"
    code, output = _run(
        "analyze", "--map", str(map_path), "--db", str(db), "--out", str(out), "--session-gap=30m"
    )
    assert code == 0, output
    table = attribute_workspace(map_path, db, session_gap="30m").table
    for model in {str(m) for m in table.column("model").to_pylist()}:
        got = {
            r["key"]: r["conversions"]
            for r in table.to_pylist()
            if r["model"] == model and r["conversions"]
        }
        assert got == pytest.approx(_stored(out, model)), model


@pytest.mark.parametrize(
    "wrong",
    [
        ["--session-gap", "0m"],
        ["--session-gap", "thirty"],
        ["--after-conversion", "stop"],
        ["--by", "household"],
    ],
    ids=lambda wrong: " ".join(wrong),
)
def test_attribute_validates_the_options_as_analyze_does(
    workspace: tuple[Path, Path], tmp_path: Path, wrong: list[str]
) -> None:
    map_path, db = workspace
    base = ["--map", str(map_path), "--db", str(db)]
    analyzed = _run("analyze", *base, "--out", str(tmp_path / "out"), *wrong)
    attributed = _run("attribute", *base, *wrong)
    assert attributed == analyzed
    assert analyzed[0] == 2 and analyzed[1].startswith("Error: ")


def test_a_zero_session_gap_says_how_to_turn_it_off(workspace: tuple[Path, Path]) -> None:
    map_path, db = workspace
    code, output = _run("attribute", "--map", str(map_path), "--db", str(db), "--session-gap=0m")
    assert code == 2
    assert output == (
        "Error: '0m' is a zero duration; write none to turn it off, or give a positive "
        "duration (e.g. 30m, 30d)\n"
    )
    code, output = _run("attribute", "--map", str(map_path), "--db", str(db), "--session-gap=0")
    assert code == 0, output


def test_the_options_share_analyze_s_names_and_help() -> None:
    def options(command: str) -> dict[str, str]:
        output = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "300"}).output
        found = {}
        for name in ("--by ", "--session-gap", "--after-conversion"):
            line = next(line for line in output.splitlines() if line.strip("│ ").startswith(name))
            found[name] = " ".join(line.strip("│ ").split())
        return found

    assert options("attribute") == options("analyze")


def test_path_data_take_no_journey_options(tmp_path: Path) -> None:
    paths = tmp_path / "paths.csv"
    paths.write_text("path,total_conversions,total_null\nad>buy,1,0\n", encoding="utf-8")
    code, output = _run("attribute", "--paths", str(paths), "--session-gap", "30m", "--by=account")
    assert code == 2
    assert output == (
        "Error: path data are journeys already cut: leave out --by and --session-gap (they cut "
        "a workspace's events into journeys)\n"
    )


def test_an_unknown_model_gets_a_suggestion_and_the_models(workspace: tuple[Path, Path]) -> None:
    map_path, db = workspace
    listed = ", ".join(MODELS)
    code, output = _run("attribute", "--map", str(map_path), "--db", str(db), "--model=firsttouch")
    assert code == 2
    # It was: unknown attribution model(s) ['firsttouch']; known: ...
    assert output == (
        "Error: unknown attribution model 'firsttouch'; did you mean 'first_touch'? "
        f"(models: {listed})\n"
    )
    code, output = _run("attribute", "--map", str(map_path), "--db", str(db), "--model=zzz")
    assert output == f"Error: unknown attribution model 'zzz' (models: {listed})\n"


def test_the_api_names_an_unknown_model_the_same_way(workspace: tuple[Path, Path]) -> None:
    from journeymap.ingest import Workspace
    from journeymap.mapfile import load_map

    map_path, db = workspace
    journey_map = load_map(map_path)
    with Workspace(f"duckdb:///{db}", read_only=True) as opened:
        journeys = build_journeys(opened.events(), journey_map)
        expected = "unknown attribution model 'Markov'; did you mean 'markov'?"
        with pytest.raises(UsageError) as error:
            compare_models(journeys, journey_map, models=["first_touch", "Markov"])
        assert str(error.value).startswith(expected)
        with pytest.raises(UsageError) as error:
            attribute(journeys, journey_map, model="Markov")
        assert str(error.value).startswith(expected)


def test_an_unknown_level_already_gets_a_suggestion(workspace: tuple[Path, Path]) -> None:
    map_path, db = workspace
    code, output = _run("attribute", "--map", str(map_path), "--db", str(db), "--level=chanel")
    assert code == 2
    assert output.startswith(
        "Error: unknown attribution level 'chanel'; did you mean 'channel'? (levels: "
    )


def test_top_shows_the_first_keys_and_out_writes_every_credit(
    workspace: tuple[Path, Path], tmp_path: Path
) -> None:
    """At the account level one row per contact: thousands of rows filled the terminal."""
    map_file, db = workspace
    out = tmp_path / "credits.parquet"
    base = ["attribute", "--map", str(map_file), "--db", str(db), "--model", "linear"]
    code, output = _run(*base, "--top", "2", "--out", str(out))
    assert code == 0, output
    written = pq.read_table(out).to_pylist()
    keys = [row["key"] for row in written]
    assert sorted(keys) == ["ad", "buy", "mail", "web"]
    assert sum(row["conversions"] for row in written) == pytest.approx(3.0)
    shown = [line.split("│")[1].strip() for line in output.splitlines() if line.startswith("│")]
    assert shown == keys[:2]
    assert "The 2 keys with the most credit of 4; --top 0 shows all" in output
    code, output = _run(*base, "--top", "0")
    assert "keys with the most credit" not in output
    code, output = _run(*base, "--out", str(tmp_path / "credits.xlsx"))
    assert code == 2 and "write a .csv or a .parquet file" in output


def test_top_ranks_keys_by_their_credit_across_the_models_shown(
    workspace: tuple[Path, Path],
) -> None:
    """Last touch first gives every key but ``buy`` 0, and --top then kept ``ad`` by the
    alphabet, though ``mail`` and ``web`` earn more linear credit than it."""
    map_file, db = workspace
    code, output = _run(
        "attribute",
        "--map",
        str(map_file),
        "--db",
        str(db),
        "--model",
        "last_touch",
        "--model",
        "first_touch",
        "--model",
        "linear",
        "--top",
        "2",
    )
    assert code == 0, output
    shown = [line.split("│")[1].strip() for line in output.splitlines() if line.startswith("│")]
    # Shares summed over the three models: buy 1 + 0 + 5/12, mail and web 0 + 1/3 + 1/4
    # (a tie, in the keys' order), ad 0 + 1/3 + 1/12.
    assert shown == ["buy", "mail"]


def test_persona_and_phase_keys_are_shown_by_their_names(workspace: tuple[Path, Path]) -> None:
    """``thomas`` read as an id where the map calls him Thomas Krüger; --out keeps the ids."""
    map_file, db = workspace
    code, output = _run(
        "attribute",
        "--map",
        str(map_file),
        "--db",
        str(db),
        "--level",
        "phase",
        "--model",
        "linear",
    )
    assert code == 0, output
    keys = {line.split("│")[1].strip() for line in output.splitlines() if line.startswith("│")}
    assert keys == {"Awareness", "Consideration", "Purchase"}


def test_conversion_events_of_one_touchpoint_get_a_note_and_can_be_left_out(
    workspace: tuple[Path, Path],
) -> None:
    """Every purchase is a ``buy`` event: last touch credits the purchase for itself."""
    map_file, db = workspace
    base = ["attribute", "--map", str(map_file), "--db", str(db), "--model", "last_touch"]
    code, output = _run(*base)
    assert code == 0, output
    assert {k: v for k, v in printed_credits(output, "last_touch").items() if v} == {"buy": 3.0}
    assert (
        "Note: 3 of 3 conversions are buy events, so buy is credited for the conversion itself "
        "(every last-touch credit). --no-conversion-touch credits the touches before each "
        "conversion instead (setting attribution.conversion_touch)."
    ) in " ".join(output.split())
    code, output = _run(*base, "--no-conversion-touch")
    assert code == 0, output
    credited = {k: v for k, v in printed_credits(output, "last_touch").items() if v}
    assert credited == {"web": 2.0, "mail": 1.0}
    assert "are buy events" not in output
    # A 30-minute gap cuts p4's purchase off from its web visit: nothing came before it.
    code, output = _run(*base, "--no-conversion-touch", "--session-gap", "30m")
    assert code == 0, output
    assert printed_credits(output, "last_touch")["buy"] == 1.0
    assert (
        "Note: 1 of 3 conversions had no touch before it in its journey and keeps its own "
        "touchpoint's credit."
    ) in " ".join(output.split())


def test_the_persona_level_on_one_person_journeys_points_to_the_buying_center(
    tmp_path: Path, fill_workspace: Callable[[Path, pa.Table], Path]
) -> None:
    """p1 (a user) reads the ad, p2 (the decider, same account) buys: per person, the
    decider takes the whole conversion in every model; per account the user shares it."""
    journey_map = JourneyMap(
        id="b2b",
        name="B2B",
        phases=[Phase(id="awareness", name="Awareness", order=1)],
        touchpoints=[
            Touchpoint(id="ad", name="Ad", phases=["awareness"]),
            Touchpoint(id="demo", name="Demo", phases=["awareness"]),
        ],
    )
    save_map(journey_map, tmp_path / "b2b.yaml")
    rows = pa.table(
        {
            "person_id": ["p1", "p2", "p2"],
            "account_id": ["acme", "acme", "acme"],
            "ts": pa.array([T0, T0 + dt.timedelta(hours=1), T0 + dt.timedelta(hours=2)]),
            "touchpoint": ["ad", "demo", "demo"],
            "persona": ["user", "decider", "decider"],
            "conversion": [False, False, True],
            "value": pa.array([None, None, 10.0], pa.float64()),
        }
    )
    db = fill_workspace(tmp_path / "ws.duckdb", rows)
    base = ["attribute", "--map", str(tmp_path / "b2b.yaml"), "--db", str(db)]
    base += ["--level", "persona", "--model", "linear"]
    note = "Note: each journey here is one person's, so every model gives a conversion to the"
    code, output = _run(*base)
    assert code == 0, output
    assert printed_credits(output, "linear") == {"decider": 1.0, "user": 0.0}
    assert note in " ".join(output.split())
    for cut in (["--by", "account"], ["--by-account"]):
        code, output = _run(*base, *cut)
        assert code == 0, output
        assert printed_credits(output, "linear")["user"] == pytest.approx(0.3, abs=0.05)
        assert note not in " ".join(output.split())


def test_no_buying_center_note_when_one_persons_journey_carries_several_personas(
    tmp_path: Path, fill_workspace: Callable[[Path, pa.Table], Path]
) -> None:
    """Olist as a user imported it: the lead row has no persona, the SDR touch is the store
    manager's, the won deal the owner's, all one person. First touch credits the lead row's
    '(none)', so 'every model gives the conversion to the persona who converted' is false."""
    journey_map = JourneyMap(
        id="b2b",
        name="B2B",
        phases=[Phase(id="awareness", name="Awareness", order=1)],
        personas=[Persona(id="owner", first_name="Owner")],
        touchpoints=[
            Touchpoint(id="ad", name="Ad", phases=["awareness"]),
            Touchpoint(id="call", name="Call", phases=["awareness"]),
            Touchpoint(id="won", name="Won", phases=["awareness"]),
        ],
    )
    save_map(journey_map, tmp_path / "b2b.yaml")
    rows = pa.table(
        {
            "person_id": ["lead1", "lead1", "lead1"],
            "account_id": ["lead1", "lead1", "lead1"],
            "ts": pa.array([T0 + dt.timedelta(hours=hour) for hour in range(3)]),
            "touchpoint": ["ad", "call", "won"],
            "persona": [None, "store-manager", "owner"],
            "conversion": [False, False, True],
            "value": pa.array([None, None, 10.0], pa.float64()),
        }
    )
    db = fill_workspace(tmp_path / "ws.duckdb", rows)
    args = ["attribute", "--map", str(tmp_path / "b2b.yaml"), "--db", str(db)]
    code, output = _run(*args, "--level", "persona", "--model", "first_touch")
    assert code == 0, output
    assert printed_credits(output, "first_touch")["(none)"] == 1.0
    text = " ".join(output.split())
    assert "each journey here is one person's" not in text
    # '(none)' took the lead row's credit, and store-manager is no persona of the map.
    assert (
        "Note: (none) is the credit of touches whose events carry no persona (up to 100.0%" in text
    )
    assert "Note: store-manager are persona values of the events that the map has no" in text


def test_credits_are_written_the_way_the_users_language_writes_numbers(
    workspace: tuple[Path, Path],
) -> None:
    """German read '2,246.0 (100.0%)' under the English 'Attribution nach touchpoint'."""
    map_file, db = workspace
    result = CliRunner().invoke(
        app,
        ["attribute", "--map", str(map_file), "--db", str(db), "--model", "linear"],
        env={**WIDE, "JOURNEYMAP_LANG": "de"},
    )
    assert result.exit_code == 0, result.output
    text = result.output.replace("\xa0", " ").replace("\u202f", " ")
    assert "Attribution nach Touchpoint" in text
    # linear: mail 0.75 of 3 conversions.
    assert "0,8 (25,0 %)" in text
    assert "0.8 (25.0%)" not in text


def test_metric_value_shows_the_revenue_each_key_earns(
    tmp_path: Path, fill_workspace: Callable[[Path, pa.Table], Path]
) -> None:
    """A B2B user's headline is revenue: the tables showed conversions only, value only
    reached the --out file. p1 (ad, buy 300) and p2 (mail, ad, buy 90): linear gives ad
    150 + 30, buy the same, mail 30, of 390."""
    journey_map = JourneyMap(
        id="shop",
        name="Shop",
        phases=[Phase(id="awareness", name="Awareness", order=1)],
        touchpoints=[
            Touchpoint(id=tp, name=tp.title(), phases=["awareness"]) for tp in ("ad", "mail", "buy")
        ],
    )
    save_map(journey_map, tmp_path / "shop.yaml")
    people = ["p1", "p1", "p2", "p2", "p2", "p3"]
    touchpoints = ["ad", "buy", "mail", "ad", "buy", "ad"]
    values = [None, 300.0, None, None, 90.0, None]

    def workspace(name: str, with_value: bool) -> list[str]:
        rows = pa.table(
            {
                "person_id": people,
                "ts": pa.array([T0 + dt.timedelta(hours=i) for i in range(6)]),
                "touchpoint": touchpoints,
                "conversion": [tp == "buy" for tp in touchpoints],
                "value": pa.array(values if with_value else [None] * 6, pa.float64()),
            }
        )
        db = fill_workspace(tmp_path / name, rows)
        return ["attribute", "--map", str(tmp_path / "shop.yaml"), "--db", str(db)]

    base = workspace("ws.duckdb", True)
    code, output = _run(*base, "--model", "linear", "--metric", "value")
    assert code == 0, output
    assert "Attribution by touchpoint: conversion value" in output
    assert printed_credits(output, "linear") == {"ad": 180.0, "buy": 180.0, "mail": 30.0}
    assert "30.00 (7.7%)" in output and "180.00 (46.2%)" in output
    code, output = _run(*base, "--model", "linear")
    assert printed_credits(output, "linear")["ad"] == pytest.approx(0.8, abs=0.05)

    code, output = _run(*base, "--metric", "revenue")
    assert code == 2
    assert "--metric 'revenue' is not known; give conversions or value" in output
    code, output = _run(*workspace("none.duckdb", False), "--metric", "value")
    assert code == 2
    assert "the conversions carry no value" in " ".join(output.split())
