"""The same events give the same credits to the last bit (the py-api user test, finding 7).

The engine adds floats in no fixed order (its threads' partial sums, the rows' order), so two
identical analyses differed by about 1e-10 in their credits and ``to_json()`` differed: the
output could not be compared, cached or kept in git. The sums are exact now (decimals), and
the small sums in Python follow the keys' order.

The help desk log: Polato, M. (2017), Dataset belonging to the help desk log of an Italian
Company, 4TU.ResearchData (4,580 tickets, 21,348 events).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from helpdesk import helpdesk_map, helpdesk_rules
from journeymap import JourneyMap, Phase, Touchpoint, Workspace, analyze, import_events
from journeymap.attribution import attribute, compare_models, from_paths

CONTRACT = [
    "person_id",
    "account_id",
    "ts",
    "touchpoint",
    "phase",
    "persona",
    "conversion",
    "value",
]


def _helpdesk(datasets: Path, tmp_path: Path) -> tuple[JourneyMap, pa.Table]:
    """The help desk map and its events (a value per closed ticket: its number of events)."""
    journey_map = helpdesk_map()
    rules = helpdesk_rules()
    with Workspace(str(tmp_path / "hd.duckdb")) as workspace:
        import_events(workspace, datasets / "helpdesk" / "helpdesk.xes.gz", rules)
        events = workspace.events().select(*CONTRACT).to_pyarrow()
    # Values with many decimals, so that value credits are sums of awkward floats too.
    value = pa.array(np.linspace(10.0, 1234.567, events.num_rows) / 3.0)
    value = pc.if_else(events["conversion"], value, pa.scalar(None, pa.float64()))
    return journey_map, events.set_column(CONTRACT.index("value"), "value", value)


@pytest.mark.slow
def test_shuffled_events_give_the_same_analysis_json(datasets: Path, tmp_path: Path) -> None:
    journey_map, events = _helpdesk(datasets, tmp_path)
    options = {"after_conversion": "continue", "conversion_window": None}
    found = []
    for seed in (0, 1, 2):
        order = np.random.default_rng(seed).permutation(events.num_rows)
        with analyze(journey_map, events.take(order), **options) as analysis:
            document = json.loads(analysis.to_json())
            # The total value is the analysis' own float sum (not attribution's): it still
            # differs in its last bits (949873.3009023994 against ...985).
            document["summary"].pop("value")
            found.append((analysis.table("attribution"), json.dumps(document)))
    first, *others = found
    for table, text in others:
        assert table.equals(first[0])  # every credit of every model and level, bit for bit
        assert text == first[1]
    # Exact, and still the whole: each model's credits sum to the 4,561 Closed events.
    credits = first[0].filter(pc.equal(first[0]["level"], "touchpoint")).to_pylist()
    for model in {row["model"] for row in credits} - {"participation"}:
        total = sum(row["conversions"] for row in credits if row["model"] == model)
        assert total == pytest.approx(4561, abs=1e-9), model


def test_shuffled_paths_give_the_same_credits_to_the_last_bit() -> None:
    """Path data too: values summed in another order of the rows give the same credits."""
    rng = np.random.default_rng(7)
    names = ["search", "mail", "social", "display", "shop", "review"]
    paths = [
        " > ".join(rng.choice(names, size=int(rng.integers(1, 7))).tolist()) for _ in range(400)
    ]
    table = pa.table(
        {
            "path": paths,
            "total_conversions": rng.integers(0, 9, size=400),
            "total_null": rng.integers(0, 30, size=400),
            "total_conversion_value": rng.uniform(0, 999.99, size=400) / 7,
        }
    )
    found = []
    for seed in (0, 1, 2):
        shuffled = table.take(np.random.default_rng(seed).permutation(table.num_rows))
        with from_paths(shuffled) as read:
            models = ["linear", "position_based", "participation", "markov", "shapley"]
            found.append(compare_models(read, models=models))
    assert found[1].equals(found[0]) and found[2].equals(found[0])


def test_time_decay_of_touches_long_before_the_conversion_keeps_the_conversion() -> None:
    """Shares of touches 100 and 101 half-lives old: 2/3 and 1/3, however old they are.

    Summed as decimals, decays below 1e-18 would count as 0 and the conversion would go to
    no touch; each decay is taken relative to the segment's newest touch.
    """
    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    events = pa.table(
        {
            "person_id": ["p1", "p1", "p1"],
            "account_id": pa.nulls(3, pa.string()),
            "ts": pa.array(
                [t0, t0 + dt.timedelta(days=1), t0 + dt.timedelta(days=101)],
                pa.timestamp("us", "UTC"),
            ),
            "touchpoint": ["ad", "blog", "buy"],
            "phase": pa.nulls(3, pa.string()),
            "persona": pa.nulls(3, pa.string()),
            "conversion": [False, False, True],
            "value": pa.array([None, None, 90.0], pa.float64()),
        }
    )
    journey_map = JourneyMap(
        id="shop",
        name="Shop",
        phases=[Phase(id="awareness", name="Awareness", order=1)],
        touchpoints=[
            Touchpoint(id=name, name=name, phases=["awareness"]) for name in ("ad", "blog", "buy")
        ],
    )
    options = {"conversion_window": None}
    with analyze(journey_map, events, attribution=False, **options) as analysis:
        result = attribute(
            analysis.journeys,
            journey_map,
            model="time_decay",
            half_life="1d",
            conversion_touch=False,
        )
    credits = {row["key"]: (row["conversions"], row["value"]) for row in result.table.to_pylist()}
    assert credits == {
        "blog": pytest.approx((2 / 3, 60.0), rel=1e-12),
        "ad": pytest.approx((1 / 3, 30.0), rel=1e-12),
    }
