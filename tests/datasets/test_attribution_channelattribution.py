"""Cross-check against ChannelAttribution's ``markov_model`` (GPL; tests only, never imported by
the package) on the ``mta`` package's 10,000 paths.

ChannelAttribution estimates removal effects by simulating paths and stops when repeated runs
vary by less than ``conv_par`` (5 % by default); our chain is solved exactly. So shares agree
within that Monte Carlo noise: we require every channel's share of conversions to agree within
2 percentage points and 10 % relative to its own size. Repeats are collapsed in both (it ignores
self-transitions at order 1).
"""

from __future__ import annotations

from pathlib import Path

import mta
import pandas as pd
import pytest
from test_attribution_mta import journeys, paths  # noqa: F401  (fixtures)

from journeymap.attribution import attribute

pytestmark = pytest.mark.slow
DATA = Path(mta.__file__).parent / "data" / "data.csv.gz"


def test_markov_agrees_with_channelattribution(journeys, paths) -> None:  # noqa: F811
    channel_attribution = pytest.importorskip("ChannelAttribution")
    frame = pd.read_csv(DATA)
    theirs = channel_attribution.markov_model(
        frame,
        var_path="path",
        var_conv="total_conversions",
        var_value="total_conversion_value",
        var_null="total_null",
        order=1,
        sep=">",
        seed=1,
        verbose=False,
        flg_pro=False,
    )
    their = theirs if isinstance(theirs, pd.DataFrame) else theirs["result"]
    total = their["total_conversions"].sum()
    their_share = {
        str(r.channel_name).strip(): r.total_conversions / total for r in their.itertuples()
    }
    ours = attribute(journeys, model="markov", order=1, collapse_repeats=True)
    our_share = {r["key"]: r["share"] for r in ours.table.to_pylist()}
    assert set(our_share) == set(their_share)
    for channel, share in our_share.items():
        assert abs(share - their_share[channel]) <= max(0.02, 0.1 * share), channel
