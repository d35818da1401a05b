"""The ``mta`` package's 10,000 paths: Markov equals an independent dense chain, totals hold."""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

import ibis
import ibis.expr.types as ir
import mta
import numpy as np
import pandas as pd
import pytest

from journeymap.attribution import attribute, compare_models
from journeymap.services.attribution import attribute_paths_file

pytestmark = pytest.mark.slow
DATA = Path(mta.__file__).parent / "data" / "data.csv.gz"


@pytest.fixture(scope="module")
def paths() -> pd.DataFrame:
    frame = pd.read_csv(DATA)
    frame["touches"] = frame["path"].str.split(" > ")
    return frame


@pytest.fixture(scope="module")
def journeys(paths: pd.DataFrame) -> ir.Table:
    """One journey per conversion and per null of every path; value split per conversion."""
    parts = []
    for converted, column in ((True, "total_conversions"), (False, "total_null")):
        rep = paths.loc[paths[column] > 0].copy()
        rep = rep.loc[rep.index.repeat(rep[column])]
        rep["converted"] = converted
        rep["each_value"] = (
            rep["total_conversion_value"] / rep["total_conversions"] if converted else 0.0
        )
        parts.append(rep)
    frame = pd.concat(parts, ignore_index=True)
    frame["journey_id"] = "j" + frame.index.astype(str)
    long = frame[["journey_id", "touches", "converted", "each_value"]].explode("touches")
    long["step"] = long.groupby("journey_id").cumcount() + 1
    length = long.groupby("journey_id")["step"].transform("max")
    last = long["step"] == length
    start = pd.Timestamp("2024-01-01", tz="UTC")
    table = pd.DataFrame(
        {
            "journey_id": long["journey_id"].to_numpy(),
            "person_id": long["journey_id"].to_numpy(),
            "account_id": None,
            "ts": start + pd.to_timedelta(long["step"].to_numpy(), unit="h"),
            "touchpoint": long["touches"].to_numpy(),
            "phase": None,
            "persona": None,
            "conversion": (last & long["converted"]).to_numpy(dtype=bool),
            "value": np.where(last & long["converted"], long["each_value"], np.nan),
            "step": long["step"].to_numpy(dtype="int64"),
        }
    )
    return ibis.memtable(table)


def dense_effects(paths: pd.DataFrame) -> dict[str, float]:
    counts: Counter[tuple[str, str]] = Counter()
    for touches, conv, null in paths[["touches", "total_conversions", "total_null"]].itertuples(
        index=False
    ):
        collapsed = [t for k, t in enumerate(touches) if k == 0 or touches[k - 1] != t]
        inner = list(itertools.pairwise(["START", *collapsed]))
        for pair in inner:
            counts[pair] += conv + null
        counts[(collapsed[-1], "CONV")] += conv
        counts[(collapsed[-1], "NULL")] += null
    states = sorted({a for a, _ in counts})
    idx = {s: k for k, s in enumerate(states)}
    q, r = np.zeros((len(states), len(states))), np.zeros(len(states))
    out = Counter()
    for (a, _), c in counts.items():
        out[a] += c
    for (a, b), c in counts.items():
        if b == "CONV":
            r[idx[a]] += c / out[a]
        elif b != "NULL":
            q[idx[a], idx[b]] += c / out[a]

    def convert(removed: str | None) -> float:
        keep = np.array([s != removed for s in states], dtype=float)
        qq = q * keep[None, :] * keep[:, None]
        return float(np.linalg.solve(np.eye(len(states)) - qq, r * keep)[idx["START"]])

    base = convert(None)
    return {s: 1 - convert(s) / base for s in states if s != "START"}


def test_markov_on_mta_paths_matches_dense_chain(paths: pd.DataFrame, journeys: ir.Table) -> None:
    result = attribute(journeys, model="markov", order=1, collapse_repeats=True)
    rows = {r["key"]: r for r in result.table.to_pylist()}
    for channel, effect in dense_effects(paths).items():
        assert rows[channel]["removal_effect"] == pytest.approx(effect, abs=1e-9)
    total = paths["total_conversions"].sum()
    assert sum(r["conversions"] for r in rows.values()) == pytest.approx(total)
    assert sum(r["value"] for r in rows.values()) == pytest.approx(
        paths["total_conversion_value"].sum()
    )


def test_last_touch_on_mta_paths_counts_last_channels(
    paths: pd.DataFrame, journeys: ir.Table
) -> None:
    expected = paths.groupby(paths["touches"].str[-1])["total_conversions"].sum()
    table = compare_models(journeys, level="touchpoint", models=["last_touch", "shapley"])
    last = {r["key"]: r["conversions"] for r in table.to_pylist() if r["model"] == "last_touch"}
    for channel, conversions in expected.items():
        assert last[channel] == pytest.approx(conversions)
    shapley = [r for r in table.to_pylist() if r["model"] == "shapley"]
    assert sum(r["conversions"] for r in shapley) == pytest.approx(expected.sum())


def test_the_path_file_itself_gives_the_dense_chain_and_the_journeys_credit(
    paths: pd.DataFrame, journeys: ir.Table
) -> None:
    """Read as a user would (``journeymap attribute --paths data.csv.gz``): no expansion."""
    models = ["markov", "last_touch", "linear", "shapley"]
    found = attribute_paths_file(DATA, models=models)
    assert (found.rows, found.skipped) == (10_000, {})
    assert found.journeys == int((paths["total_conversions"] + paths["total_null"]).sum())
    assert found.conversions == paths["total_conversions"].sum()
    rows = {(r["model"], r["key"]): r for r in found.table.to_pylist()}
    effects = dense_effects(paths)
    markov = attribute(journeys, model="markov", order=1, collapse_repeats=True)
    for r in markov.table.to_pylist():
        assert rows[("markov", r["key"])]["conversions"] == pytest.approx(r["conversions"])
        assert r["removal_effect"] == pytest.approx(effects[r["key"]], abs=1e-9)
    expected = compare_models(journeys, models=["last_touch", "linear", "shapley"])
    for r in expected.to_pylist():
        mine = rows[(r["model"], r["key"])]
        assert mine["conversions"] == pytest.approx(r["conversions"], rel=1e-9, abs=1e-9)
        assert mine["value"] == pytest.approx(r["value"], rel=1e-9, abs=1e-9)
