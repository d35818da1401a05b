"""Olist marketing funnel: lead origins attributed to won deals."""

from __future__ import annotations

from pathlib import Path

import ibis
import ibis.expr.types as ir
import pandas as pd
import pytest

from journeymap.attribution import attribute, compare_models


@pytest.fixture(scope="module")
def olist(datasets: Path) -> tuple[ir.Table, pd.DataFrame]:
    folder = datasets / "olist-marketing-funnel"
    leads = pd.read_csv(folder / "marketing_qualified_leads.csv")
    deals = pd.read_csv(folder / "closed_deals.csv")
    leads["origin"] = leads["origin"].fillna("unknown")
    first = pd.DataFrame(
        {
            "journey_id": leads["mql_id"],
            "ts": pd.to_datetime(leads["first_contact_date"], format="%d-%m-%Y", utc=True),
            "touchpoint": leads["origin"],
            "conversion": False,
            "value": float("nan"),
        }
    )
    won = deals.merge(leads[["mql_id", "origin"]], on="mql_id")
    # The won deal is the conversion event; its touchpoint is the lead's origin.
    close = pd.DataFrame(
        {
            "journey_id": won["mql_id"],
            "ts": pd.to_datetime(won["won_date"], format="%d-%m-%Y %H:%M", utc=True),
            "touchpoint": won["origin"],
            "conversion": True,
            "value": won["declared_monthly_revenue"].astype(float),
        }
    )
    events = pd.concat([first, close]).sort_values(["journey_id", "ts"], kind="stable")
    events["step"] = events.groupby("journey_id").cumcount() + 1
    events["person_id"] = events["journey_id"]
    events["account_id"] = None
    events["phase"] = None
    events["persona"] = None
    return ibis.memtable(events.reset_index(drop=True)), won


def test_origins_share_every_won_deal(olist: tuple[ir.Table, pd.DataFrame]) -> None:
    journeys, won = olist
    expected = won.groupby("origin").size()
    table = compare_models(journeys, models=["first_touch", "linear", "markov", "shapley"])
    for model in ("first_touch", "linear", "markov", "shapley"):
        rows = [r for r in table.to_pylist() if r["model"] == model]
        assert sum(r["conversions"] for r in rows) == pytest.approx(len(won))
        assert sum(r["value"] for r in rows) == pytest.approx(won["declared_monthly_revenue"].sum())
    first = {r["key"]: r["conversions"] for r in table.to_pylist() if r["model"] == "first_touch"}
    for origin, deals in expected.items():
        assert first[origin] == pytest.approx(deals)


def test_markov_ranks_the_origin_with_most_deals_first(
    olist: tuple[ir.Table, pd.DataFrame],
) -> None:
    journeys, won = olist
    result = attribute(journeys, model="markov")
    assert result.table["key"][0].as_py() == won.groupby("origin").size().idxmax()
    # A deal won before the lead's first contact leaves that contact as a null path after it.
    early = journeys.filter(journeys.conversion & (journeys.step == 1)).count().execute()
    segments = journeys.journey_id.nunique().execute() + early
    assert result.extras["markov"].conversion_probability == pytest.approx(
        len(won) / segments, rel=1e-9
    )
