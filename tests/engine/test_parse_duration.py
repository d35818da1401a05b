"""``parse_duration``: a zero with a unit is a mistake, not "split after every event"."""

from __future__ import annotations

from datetime import timedelta

import pytest

from journeymap.engine.journeys import JourneyOptions, parse_duration
from journeymap.errors import UsageError


@pytest.mark.parametrize("text", ["0m", "0s", "0d", "0h", "0w", "0.0m", "00m", " 0 m "])
def test_a_zero_duration_with_a_unit_is_refused(text: str) -> None:
    # It was timedelta(0): `--session-gap 0m` cut every event into a journey of its own.
    with pytest.raises(UsageError) as error:
        parse_duration(text)
    message = str(error.value)
    assert message == (
        f"{text!r} is a zero duration; write none to turn it off, or give a positive "
        "duration (e.g. 30m, 30d)"
    )
    with pytest.raises(UsageError, match="write none to turn it off"):
        JourneyOptions(session_gap=text)


@pytest.mark.parametrize("text", ["0", "none", "off", "None", "", " OFF "])
def test_zero_none_and_off_still_mean_no_duration(text: str) -> None:
    assert parse_duration(text) is None
    assert JourneyOptions(session_gap=text).session_gap is None


@pytest.mark.parametrize("text", ["-30m", "-0m", "- 1d", "-1"])
def test_a_negative_duration_cannot_be_written(text: str) -> None:
    with pytest.raises(UsageError, match="is not a duration"):
        parse_duration(text)


def test_positive_durations_still_parse() -> None:
    assert parse_duration("30m") == timedelta(minutes=30)
    assert parse_duration("0.5h") == timedelta(minutes=30)
    assert parse_duration("1s") == timedelta(seconds=1)


@pytest.mark.parametrize("given", [timedelta(0), timedelta(minutes=-30)])
def test_a_timedelta_must_be_positive_too(given: timedelta) -> None:
    with pytest.raises(UsageError, match="is not positive; give None to turn it off"):
        JourneyOptions(session_gap=given)
