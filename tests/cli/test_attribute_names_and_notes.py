"""``journeymap attribute``: model names as the report gives them, and notes on the credits.

- The shop user test (finding 9): the table heads were model ids (``first_touch``,
  ``markov``) while the report says "First touch" and "Markov chain" (in Danish "Første
  berøring", "Markov-kæde"). ``--model`` still takes the ids, and ``--help`` lists each id
  with its name.
- The optimiser user test (finding 3): the first-order Markov chain credited touchpoints no
  converting journey met (BPIC's declined, cancelled and offer-declined took 115 conversions),
  and with journeys going on after a conversion, the touches after it entered the chain as
  journeys that did not convert. Both are said under the table now.
- The shop user test (finding 13): with a single touch per conversion every heuristic model
  gives the same credits; a note says so instead of leaving the reader to search.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from journeymap.attribution import MODEL_NAMES
from journeymap.cli.app import app
from journeymap.i18n import gettext
from journeymap.mapfile import save_map
from journeymap.model import JourneyMap, Phase, Touchpoint

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
Event = tuple[str, int, str, bool]  # person, hours after T0, touchpoint, conversion
Workspace = tuple[Path, Path]

# A loan office: "declined" occurs in no converting journey, but a first-order chain lets
# p3's path go on from "lead" (after "declined") to "offer" and "approved". p1 goes on after
# its approval ("registered"): a journey that continues after its last conversion.
LOANS: list[Event] = [
    ("p1", 0, "lead", False),
    ("p1", 1, "offer", False),
    ("p1", 2, "approved", True),
    ("p1", 3, "registered", False),
    ("p2", 0, "lead", False),
    ("p2", 1, "declined", False),
    ("p3", 0, "declined", False),
    ("p3", 1, "lead", False),
    ("p3", 2, "offer", False),
    ("p4", 0, "lead", False),
    ("p4", 1, "offer", False),
    ("p4", 2, "approved", True),
]


@pytest.fixture
def make_workspace(
    tmp_path: Path, fill_workspace: Callable[[Path, pa.Table], Path]
) -> Callable[[list[Event]], Workspace]:
    """A map of every touchpoint of the events, and a workspace holding them."""

    def make(events: list[Event]) -> Workspace:
        names = sorted({event[2] for event in events})
        journey_map = JourneyMap(
            id="office",
            name="Office",
            phases=[Phase(id="all", name="All", order=1)],
            touchpoints=[Touchpoint(id=name, name=name, phases=["all"]) for name in names],
        )
        save_map(journey_map, tmp_path / "office.yaml")
        rows = pa.table(
            {
                "person_id": [event[0] for event in events],
                "ts": pa.array(
                    [T0 + dt.timedelta(hours=event[1]) for event in events],
                    pa.timestamp("us", "UTC"),
                ),
                "touchpoint": [event[2] for event in events],
                "conversion": [event[3] for event in events],
            }
        )
        return tmp_path / "office.yaml", fill_workspace(tmp_path / "ws.duckdb", rows)

    return make


def _attribute(workspace: Workspace, *args: str, language: str = "en") -> str:
    map_path, db = workspace
    result = CliRunner().invoke(
        app,
        ["attribute", "--map", str(map_path), "--db", str(db), *args],
        env={"JOURNEYMAP_LANG": language, "COLUMNS": "250"},
    )
    assert result.exit_code == 0, result.output
    return result.output


def _unwrapped(text: str) -> str:
    """Rich's help panel without its frame and line breaks."""
    return re.sub(r"\s+", " ", re.sub(r"[│╭╮╰╯─]", " ", text))


@pytest.mark.parametrize(
    ("language", "first", "markov"),
    [("en", "First touch", "Markov chain"), ("da", "Første berøring", "Markov-kæde")],
)
def test_the_table_heads_name_the_models_as_the_report_does(
    make_workspace: Callable[[list[Event]], Workspace],
    tmp_path: Path,
    language: str,
    first: str,
    markov: str,
) -> None:
    out = tmp_path / "credits.csv"
    output = _attribute(
        make_workspace(LOANS),
        *("--model", "first_touch", "--model", "markov", "--out", str(out)),
        language=language,
    )
    head = next(line for line in output.splitlines() if first in line)
    assert markov in head
    assert "first_touch" not in head and "markov" not in head
    # The file keeps the ids, as --model takes them.
    with out.open(encoding="utf-8") as handle:
        assert {row["model"] for row in csv.DictReader(handle)} == {"first_touch", "markov"}


@pytest.mark.parametrize("language", ["en", "da", "de"])
def test_help_lists_every_model_id_with_its_name(
    language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOURNEYMAP_LANG", language)  # read when the help is built
    monkeypatch.setenv("COLUMNS", "250")  # narrower, Rich cuts long words short
    result = CliRunner().invoke(app, ["attribute", "--help"])
    assert result.exit_code == 0, result.output
    text = _unwrapped(result.output)
    for model, name in MODEL_NAMES.items():
        assert f"{model} ({gettext(name, language)})" in text, model


def test_markov_credit_no_converting_journey_earned_is_noted(
    make_workspace: Callable[[list[Event]], Workspace], tmp_path: Path
) -> None:
    out = tmp_path / "credits.csv"
    output = _attribute(
        make_workspace(LOANS),
        *("--after-conversion", "continue", "--model", "markov", "--model", "linear"),
        *("--out", str(out)),
    )
    with out.open(encoding="utf-8") as handle:
        credits = {(r["model"], r["key"]): float(r["conversions"]) for r in csv.DictReader(handle)}
    declined = credits[("markov", "declined")]
    assert declined > 0.05  # shown in the table: 0.1 or more
    assert credits[("linear", "declined")] == 0.0
    notes = _unwrapped(output)
    assert (
        f"Note: the Markov chain credits {declined:.1f} conversions to declined, which no "
        "converting journey met: a chain of order 1 remembers only a journey's last touch, so "
        "it lets the journeys that met them go on to conversions they never reached. A higher "
        "order remembers more: --order 2."
    ) in notes
    assert (
        "Note: 1 journey goes on after its last conversion; the Markov chain takes the touches "
        "after it as a journey of their own that did not convert."
    ) in notes


def test_journeys_that_end_at_their_conversion_have_no_tail_to_note(
    make_workspace: Callable[[list[Event]], Workspace],
) -> None:
    output = _attribute(make_workspace(LOANS), "--model", "markov", "--order", "4")
    assert "after its last conversion" not in output
    assert "A higher order" not in output  # 4 is the highest


def test_one_touch_per_conversion_says_every_model_gives_the_same(
    make_workspace: Callable[[list[Event]], Workspace],
) -> None:
    visits: list[Event] = [
        ("v1", 0, "search", True),
        ("v2", 0, "search", False),
        ("v3", 0, "social", True),
        ("v4", 0, "mail", False),
        ("v5", 0, "social", True),
    ]
    output = _unwrapped(_attribute(make_workspace(visits), language="da"))
    assert (
        "Bemærk: hver konvertering her har én enkelt berøring at kreditere, så alle modeller "
        "giver den samme kredit: de adskiller sig kun i, hvordan de deler en konvertering "
        "mellem flere berøringer."
    ) in output


def test_the_note_names_the_models_that_agree_when_markov_does_not(
    make_workspace: Callable[[list[Event]], Workspace],
) -> None:
    """Single touches before each conversion, but longer journeys that did not convert."""
    visits: list[Event] = [
        ("v1", 0, "ad", False),
        ("v1", 1, "buy", True),
        ("v2", 0, "mail", False),
        ("v2", 1, "buy", True),
        ("v3", 0, "ad", False),
        ("v3", 1, "mail", False),
        ("v4", 0, "mail", False),
    ]
    models = ("--model", "first_touch", "--model", "linear", "--model", "markov")
    output = _unwrapped(_attribute(make_workspace(visits), *models, "--no-conversion-touch"))
    assert (
        "Note: each conversion here has a single touch to credit, so First touch, Linear give "
        "the same credits: they differ only in how they share a conversion among several "
        "touches."
    ) in output


def test_an_option_no_model_reads_is_said_once(
    make_workspace: Callable[[list[Event]], Workspace],
) -> None:
    """The command line's own note, and no Python warning (the test run makes one an error)."""
    output = _attribute(make_workspace(LOANS), "--model", "linear", "--order", "3")
    assert output.count("--order is read only by markov") == 1
    assert "changed nothing:" not in output
