"""Model parameters that were misread, ignored or rescaled in silence, now said plainly.

A marketing-science user checked every credit against their own numpy code: the numbers
were right, but a badly written half-life was called "not positive", Shapley sampling with
no samples gave NaN, weights that do not sum to 1 were rescaled, a misspelt direct
touchpoint was ignored and options for models not run changed nothing without a word.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from attribution_journeys import journeys_table
from typer.testing import CliRunner

from journeymap.attribution import attribute, compare_models
from journeymap.cli.app import app
from journeymap.errors import UsageError
from journeymap.mapfile import save_map
from journeymap.model import JourneyMap, Phase, Touchpoint

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
# (person, hours, touchpoint, conversion, value)
EVENTS = [
    ("p1", 0, "ad", False, None),
    ("p1", 1, "mail", False, None),
    ("p1", 2, "checkout", True, 100.0),
    ("p2", 0, "mail", False, None),
    ("p2", 1, "ad", False, None),
    ("p2", 2, "checkout", True, 50.0),
    ("p3", 0, "ad", False, None),
    ("p4", 0, "search", False, None),
    ("p4", 1, "checkout", True, 30.0),
]
PATHS = [(["ad", "mail", "web"], True, 10.0), (["mail", "web"], True, 5.0), (["ad"], False, 0)]


@pytest.fixture
def shop(tmp_path: Path, fill_workspace: Callable[[Path, pa.Table], Path]) -> list[str]:
    """``journeymap attribute --map --db`` of a shop whose search touchpoint is off the map."""
    journey_map = JourneyMap(
        id="shop",
        name="Shop",
        phases=[Phase(id="awareness", name="Awareness", order=1)],
        touchpoints=[
            Touchpoint(id=t, name=t, channel=c, phases=["awareness"])
            for t, c in (("ad", "paid"), ("mail", "email"), ("checkout", "web"))
        ],
    )
    save_map(journey_map, tmp_path / "shop.yaml")
    rows = pa.table(
        {
            "person_id": [e[0] for e in EVENTS],
            "ts": pa.array(
                [T0 + dt.timedelta(hours=e[1]) for e in EVENTS], pa.timestamp("us", "UTC")
            ),
            "touchpoint": [e[2] for e in EVENTS],
            "conversion": [e[3] for e in EVENTS],
            "value": pa.array([e[4] for e in EVENTS], pa.float64()),
        }
    )
    db = fill_workspace(tmp_path / "ws.duckdb", rows)
    return ["attribute", "--map", str(tmp_path / "shop.yaml"), "--db", str(db)]


def run(*arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(arguments), env={"COLUMNS": "250"})
    return result.exit_code, result.output


def test_a_half_life_that_is_no_duration_is_said_so_not_called_not_positive(
    shop: list[str],
) -> None:
    code, output = run(*shop, "--model", "time_decay", "--half-life", "3 days")
    assert code == 2
    assert "'3 days' is not a duration; write a number and a unit" in output
    assert "positive" not in output
    for zero_or_less in ("0d", "-3d", "none"):
        code, output = run(*shop, "--model", "time_decay", "--half-life", zero_or_less)
        assert code == 2
        assert "the time-decay half-life must be positive (e.g. 7d)" in output


def test_shapley_sampling_needs_two_samples_not_nan() -> None:
    journeys = journeys_table(PATHS)
    with pytest.raises(UsageError, match="Shapley sampling needs at least 2 samples") as error:
        attribute(journeys, None, model="shapley", shapley_method="sampling", samples=0)
    assert "samples=2000" in str(error.value)
    with pytest.raises(UsageError, match="at least 2 samples"):
        attribute(journeys, None, model="shapley", shapley_method="sampling", samples=1)
    found = attribute(journeys, None, model="shapley", shapley_method="sampling", samples=2)
    assert sum(found.table.column("conversions").to_pylist()) == pytest.approx(2.0)


def test_missing_custom_weights_are_named_as_the_caller_writes_them(shop: list[str]) -> None:
    code, output = run(*shop, "--model", "custom")
    assert code == 2
    assert "e.g. --custom-weights 0.5,0.3,0.2 (the last weight applies" in output
    assert "custom_weights=" not in output
    with pytest.raises(UsageError, match=r"e\.g\. custom_weights=\[0\.5, 0\.3, 0\.2\]"):
        attribute(journeys_table(PATHS), model="custom")


def test_weights_that_do_not_sum_to_one_are_refused_with_them_normalised(
    shop: list[str],
) -> None:
    journeys = journeys_table(PATHS)
    with pytest.raises(UsageError) as error:
        attribute(journeys, model="position_based", u_weights=[0.5, 0.5, 0.5])
    assert "sum to 1.5, not 1" in str(error.value)
    assert "u_weights=[0.3334, 0.3333, 0.3333]" in str(error.value)
    # The suggestion is taken, and gives a third each.
    found = attribute(journeys, model="position_based", u_weights=[0.3334, 0.3333, 0.3333])
    credit = {r["key"]: r["conversions"] for r in found.table.to_pylist()}
    assert credit["ad"] == pytest.approx(0.3334)
    with pytest.raises(UsageError, match=r"custom weights \(custom_weights\) sum to 1\.1, not 1"):
        attribute(journeys, model="custom", custom_weights="0.5,0.3,0.3")
    code, output = run(*shop, "--model", "position_based", "--u-weights", "0.5,0.5,0.5")
    assert code == 2
    assert "sum to 1.5, not 1" in output and "--u-weights 0.3334,0.3333,0.3333" in output
    code, output = run(*shop, "--model", "position_based", "--u-weights", "0.3,0.4,0.3")
    assert code == 0, output


def test_the_weights_sum_is_written_the_readers_way(
    shop: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """German read 'ergeben zusammen 1.5'; the option's example keeps its dots."""
    monkeypatch.setenv("JOURNEYMAP_LANG", "de")
    code, output = run(*shop, "--model", "position_based", "--u-weights", "0.5,0.5,0.5")
    assert code == 2
    text = " ".join(output.split())
    assert "1,5" in text and "1.5" not in text and "--u-weights 0.3334,0.3333,0.3333" in text


def test_a_misspelt_direct_touchpoint_is_refused_with_a_did_you_mean(shop: list[str]) -> None:
    code, output = run(*shop, "--model", "last_non_direct", "--direct", "chekout")
    assert code == 2
    assert "the direct touchpoint 'chekout' (--direct) is not a touchpoint" in output
    assert "did you mean 'checkout'?" in output
    # A touchpoint of the events off the map counts (the rules may take ids from the data),
    # and so does a channel of the map.
    code, output = run(*shop, "--model", "last_non_direct", "--direct", "search,checkout")
    assert code == 0, output
    search = next(line for line in output.splitlines() if "search" in line)
    assert "0.0 (0.0%)" in search  # p4's purchase went to its last non-direct touch, none
    code, output = run(*shop, "--level", "channel", "--model", "last_non_direct", "--direct", "web")
    assert code == 0, output
    with pytest.raises(UsageError, match="did you mean 'mail'"):
        attribute(journeys_table(PATHS), model="last_non_direct", direct_touchpoints="mial")


def test_options_no_model_run_reads_are_noted(shop: list[str], tmp_path: Path) -> None:
    code, output = run(*shop, "--model", "linear", "--order", "3", "--u-weights", "0.2,0.6,0.2")
    assert code == 0, output
    assert "Note: --order is read only by markov, not run here; it changed nothing." in output
    assert "Note: --u-weights is read only by position_based, not run here" in output
    code, output = run(*shop, "--model", "shapley", "--samples", "50")
    assert code == 0, output
    assert "Note: --samples is read only by Shapley's sampling method" in output
    paths = tmp_path / "paths.csv"
    counts = {"total_conversions": [2, 1], "total_null": [1, 4]}
    pacsv.write_csv(pa.table({"path": ["ad > mail", "mail"], **counts}), paths)
    code, output = run("attribute", "--paths", str(paths))
    assert code == 0, output
    assert "Note: time_decay was left out: path data carry no times of touches." in output
    assert "Note: custom was left out: it runs with its weights, e.g. --custom-weights" in output
    code, output = run("attribute", "--paths", str(paths), "--model", "linear")
    assert "left out" not in output
    # A workspace has times: only custom is left out, as the README says, without a note on
    # every plain run.
    code, output = run(*shop)
    assert code == 0, output
    assert "left out" not in output


def test_shapley_sampling_reports_its_standard_error(shop: list[str], tmp_path: Path) -> None:
    out = tmp_path / "credits.csv"
    code, output = run(
        *shop,
        "--model",
        "shapley",
        "--model",
        "linear",
        "--shapley-method",
        "sampling",
        "--samples",
        "200",
        "--out",
        str(out),
    )
    assert code == 0, output
    rows = pacsv.read_csv(out).to_pylist()
    errors = {(r["model"], r["key"]): r["standard_error"] for r in rows}
    assert errors[("linear", "ad")] is None
    assert errors[("shapley", "ad")] > 0
    ad = next(line for line in output.splitlines() if line.startswith("│ ad"))
    assert "±" in ad
    # Exact Shapley (the default) has no sampling error, and shows none.
    table = compare_models(journeys_table(PATHS), models=["shapley", "markov"])
    errors_exact = {(r["model"], r["key"]): r["standard_error"] for r in table.to_pylist()}
    assert errors_exact[("shapley", "ad")] == 0.0
    assert errors_exact[("markov", "ad")] is None
    code, output = run(*shop, "--model", "shapley", "--shapley-method", "exact")
    assert code == 2
    assert "Shapley method must be auto, enumerate, dividends or sampling" in output


def test_a_wrong_direct_setting_is_named_as_the_setting(
    shop: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """JOURNEYMAP_ATTRIBUTION_DIRECT_TOUCHPOINTS=drect was blamed on --direct, which the
    user never gave."""
    monkeypatch.setenv("JOURNEYMAP_ATTRIBUTION_DIRECT_TOUCHPOINTS", "drect")
    code, output = run(*shop, "--model", "last_non_direct")
    assert code == 2
    text = " ".join(output.split())
    assert (
        "the direct touchpoint 'drect' (setting attribution.direct_touchpoints, "
        "JOURNEYMAP_ATTRIBUTION_DIRECT_TOUCHPOINTS)"
    ) in text
    assert "(--direct)" not in text


def test_position_weights_from_the_setting_are_named_as_the_setting(
    shop: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """JOURNEYMAP_ATTRIBUTION_U_WEIGHTS=0.5,0.5,0.5 was blamed on --u-weights."""
    monkeypatch.setenv("JOURNEYMAP_ATTRIBUTION_U_WEIGHTS", "0.5,0.5,0.5")
    code, output = run(*shop, "--model", "position_based")
    assert code == 2
    text = " ".join(output.split())
    assert (
        "the position weights (setting attribution.u_weights, "
        "JOURNEYMAP_ATTRIBUTION_U_WEIGHTS: first, middle, last) sum to 1.5"
    ) in text
