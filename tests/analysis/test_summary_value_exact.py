"""The summary's conversion value is an exact sum: the same in any row order.

Floats added in the engine's order gave 0.6000000000000001 for 0.1 + 0.2 + 0.3 in one order
and 0.6 in another, so two analyses of the same events wrote different ``analysis.json``
(attribution credits were made exact in stop 18; the value beside them was not).
"""

from __future__ import annotations

import pandas as pd
import pytest

from journeymap.analysis import analyze
from journeymap.model import JourneyMap

pytestmark = pytest.mark.filterwarnings(
    r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"
)


def _events(values: list[float]) -> pd.DataFrame:
    people = [f"p{k}" for k in range(len(values))]
    return pd.DataFrame(
        {
            "person_id": people,
            "ts": pd.to_datetime(["2024-05-01"] * len(values), utc=True),
            "touchpoint": "checkout",
            "conversion": True,
            "value": values,
            "source": "shop",
        }
    ).assign(account_id=None, phase=None, persona=None)


@pytest.mark.parametrize("values", [[0.1, 0.2, 0.3], [0.3, 0.2, 0.1], [0.2, 0.3, 0.1]])
def test_the_value_is_the_exact_sum_in_any_order(shop_map: JourneyMap, values: list[float]) -> None:
    with analyze(shop_map, _events(values), attribution=False) as analysis:
        assert analysis.summary["value"] == 0.6
