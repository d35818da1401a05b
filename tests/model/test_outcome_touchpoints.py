"""Declaring outcome touchpoints in the map (``outcome: true``), and catalog defaults.

An outcome (a declined application, a lost deal, a closed ticket) is an end state, not a touch:
the map file says so, ``validate`` rejects a wrong value where it stands, ``show``, ``schema``
and the drawn map mark it. A touchpoint made from an offline catalog entry was drawn as online
unless it repeated the entry's mode: it takes the entry's mode, channel and influence now.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeymap.cli.app import app
from journeymap.errors import MapValidationError
from journeymap.mapfile import dump_map, load_map, loads_map
from journeymap.model import JourneyMap, Phase, Touchpoint, validate_map
from journeymap.render.map_svg import render_map_svg

MAP = """\
id: loans
name: Loans
language: {language}
phases:
  - {{id: decision, name: Decision, order: 1}}
touchpoints:
  - {{id: radio, name: Radio, catalog: radio-tv, phases: [decision]}}
  - {{id: press, name: Press, catalog: trade-media, influence: direct, phases: [decision]}}
  - {{id: declined, name: Declined, phases: [decision], outcome: {outcome}}}
"""


def _write(tmp_path: Path, outcome: str = "true", language: str = "en") -> Path:
    path = tmp_path / "loans.yaml"
    path.write_text(MAP.format(outcome=outcome, language=language), encoding="utf-8")
    return path


def test_an_outcome_is_declared_in_the_map_file(tmp_path: Path) -> None:
    journey_map = load_map(_write(tmp_path))
    assert [t.id for t in journey_map.touchpoints if t.outcome] == ["declined"]
    # Written back, it stays an outcome; the others write no outcome key.
    text = dump_map(journey_map)
    assert text.count("outcome: true") == 1
    assert [t.outcome for t in loads_map(text).touchpoints] == [False, False, True]


def test_a_wrong_outcome_value_is_located_and_says_what_to_write(tmp_path: Path) -> None:
    path = _write(tmp_path, outcome="lost")
    with pytest.raises(MapValidationError) as raised:
        load_map(path)
    message = str(raised.value)
    assert "touchpoints[3].outcome should be true or false, found the text 'lost'" in message
    assert f"{path}:9:" in message
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code != 0
    assert "outcome should be true or false" in result.output
    with pytest.raises(MapValidationError):
        Touchpoint(id="lost", name="Lost", outcome="lost")  # type: ignore[arg-type]


def test_an_outcome_needs_no_mode(tmp_path: Path) -> None:
    """The map has offline touchpoints, so a mode left out is warned about: not an outcome's."""
    issues = validate_map(load_map(_write(tmp_path)))
    assert not [issue for issue in issues if issue.code == "mode-left-out"]
    result = CliRunner().invoke(app, ["validate", str(_write(tmp_path))])
    assert result.exit_code == 0
    assert "warning" not in result.output


def test_a_catalog_touchpoint_takes_the_entry_s_mode_channel_and_influence(
    tmp_path: Path,
) -> None:
    radio, press, _declined = load_map(_write(tmp_path)).touchpoints
    assert (radio.mode, radio.channel, radio.influence) == ("offline", "broadcast", "direct")
    # Its own values win: trade media are indirect in the catalog, this map says direct.
    assert (press.mode, press.channel, press.influence) == ("offline", "pr", "direct")
    again = loads_map(dump_map(load_map(_write(tmp_path)))).touchpoints
    assert [(t.mode, t.channel, t.influence) for t in again[:2]] == [
        ("offline", "broadcast", "direct"),
        ("offline", "pr", "direct"),
    ]
    built = Touchpoint(id="fair", name="Fair", catalog="trade-fairs", mode="online")
    assert (built.mode, built.channel) == ("online", "events")


def test_the_drawn_map_shows_an_offline_catalog_touchpoint_as_offline(tmp_path: Path) -> None:
    svg = render_map_svg(load_map(_write(tmp_path)))
    radio = svg[svg.index('data-ref="radio"') :]
    radio = radio[: radio.index("</g>")]
    assert ">offline<" in radio and ">online<" not in radio


@pytest.mark.parametrize(("language", "word"), [("en", "outcome"), ("da", "udfald")])
def test_show_and_the_drawn_map_mark_the_outcome(tmp_path: Path, language: str, word: str) -> None:
    path = _write(tmp_path, language=language)
    svg = render_map_svg(load_map(path))
    card = svg[svg.index('data-ref="declined"') :]
    card = card[: card.index("</g>")]
    assert f">{word}<" in card  # its badge, read out with its name
    assert 'fill="#fdf1e3"' in card
    result = CliRunner().invoke(app, ["show", str(path)], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    assert f"[{word}]" in result.output


def test_the_schema_describes_outcome() -> None:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    assert '"outcome": {' in result.output
    journey_map = JourneyMap(
        id="m",
        name="M",
        phases=[Phase(id="p", name="P", order=1)],
        touchpoints=[Touchpoint(id="won", name="Won", phases=["p"], outcome=True)],
    )
    assert journey_map.touchpoints[0].outcome is True
