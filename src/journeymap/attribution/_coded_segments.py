"""The converting segments cut locally from the coded journeys, for the heuristic models alone.

What :func:`~journeymap.attribution._aggregate.prepare` cuts in the engine when only the
converting segments are read (no lookback, per journey, the conversion touch kept, no
outcomes), cut from :class:`~journeymap.engine._coded_journeys.CodedJourneys` instead: each
conversion closes a segment made of the touches since the journey's start or its previous
conversion. The segments' touches go back to the engine as an Arrow table, where the models'
one aggregation reads them as it reads the engine's own segments.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from journeymap.attribution._aggregate import WEIGHT, Segments
from journeymap.attribution._local_credits import LocalTouches
from journeymap.engine._coded_journeys import CodedJourneys
from journeymap.engine._tables import arrow_memtable, backend_name

__all__ = ["coded_segments", "path_touches"]


def coded_segments(coded: CodedJourneys) -> Segments | None:
    """The converting segments' touches, with every touchpoint the journeys hold.

    None without the events' times (a stored journeys table), which the time decay reads.
    """
    if coded.times is None:
        return None
    starts = coded.segment_starts()
    first = np.flatnonzero(starts)
    after = np.append(first[1:], len(starts))
    converting = coded.conversion[after - 1]
    lengths = (after - first)[converting]
    kept = np.repeat(converting, after - first)
    codes = coded.code[kept]
    # Each converting segment ends at its conversion: its time is the segment's reference.
    micros = coded.micros(kept)
    assert micros is not None  # read from the events, as checked above
    seconds = micros / 1e6
    age_s = np.repeat(seconds[np.cumsum(lengths) - 1], lengths) - seconds
    local = LocalTouches(coded.touchpoints, coded.phases, codes, lengths, age_s, coded.value)
    # Every consumer but the heuristic models' credits (which read ``local``) reads this.
    table = pa.table(
        {
            "_g": np.repeat(np.arange(len(lengths)), lengths),
            "_segno": np.zeros(len(codes), dtype=np.int64),
            "touchpoint": _texts(codes, coded.touchpoints),
            "phase": _texts(codes, coded.phases),
            "i": np.arange(len(codes)) - np.repeat(np.cumsum(lengths) - lengths, lengths) + 1,
            "n": np.repeat(lengths, lengths),
            "age_s": age_s,
            "converted": np.ones(len(codes), dtype=bool),
            "seg_value": np.repeat(coded.value, lengths),
        }
    )
    return Segments(
        table=arrow_memtable(table),
        conversions=float(len(coded.value)),
        value=math.fsum(coded.value.tolist()),
        lookback=None,
        by_account=False,
        touchpoints=frozenset(str(t or "(none)") for t in coded.touchpoints),
        partial=True,
        local=local,
    )


def _texts(codes: np.ndarray, names: tuple[str | None, ...]) -> pa.Array:
    """The name of each code: as a dictionary when the names are distinct (no copy)."""
    dictionary = pa.array(list(names), pa.string())
    if len(set(names)) == len(names):
        return pa.DictionaryArray.from_arrays(codes, dictionary)
    return dictionary.take(codes)


def path_touches(segments: Segments, phase_of: Mapping[str, str]) -> LocalTouches | None:
    """The converting touches of path data's weighted segments as arrays, or None.

    On DuckDB only, as the coded journeys: the touches are fetched (at 1M generated
    journeys, 389,221 paths) and put in order locally, each segment standing for its
    path's converting journeys (:data:`WEIGHT`); a touchpoint's phase is the map's
    (``phase_of``). Path data have no times: the ages are 0 (time decay refuses them).
    """
    t = segments.table
    if backend_name(t) != "duckdb" or WEIGHT not in t.columns:
        return None
    converting = t.filter(t.converted)
    rows = converting.select("_g", "i", "touchpoint", "seg_value", WEIGHT).to_pyarrow()
    group, position = rows.column("_g").to_numpy(), rows.column("i").to_numpy()
    order = np.lexsort((position, group))
    group = group[order]
    first = np.flatnonzero(np.r_[True, group[1:] != group[:-1]]) if len(group) else group
    encoded = pc.dictionary_encode(rows.column("touchpoint").combine_chunks().take(order))
    names = tuple(encoded.dictionary.to_pylist())
    taken = order[first]
    return LocalTouches(
        touchpoints=names,
        phases=tuple(None if name is None else phase_of.get(name) for name in names),
        code=encoded.indices.to_numpy(zero_copy_only=False),
        lengths=np.diff(np.r_[first, len(group)]).astype(np.int64),
        age_s=np.zeros(len(group)),
        value=rows.column("seg_value").to_numpy()[taken],
        weight=rows.column(WEIGHT).to_numpy()[taken],
    )
