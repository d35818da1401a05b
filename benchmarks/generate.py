"""Deterministic synthetic journeys with a known attribution signal.

N journeys over 15 touchpoint channels, lengths 1-30 (mean about 5), timestamps within 2025,
and one conversion per converting journey drawn from a logistic model over the channels the
journey touched. Written in chunks, so 10M journeys fit in memory.

Files in ``--out``:
    events.parquet: the events contract (person_id, account_id, ts UTC, touchpoint, phase,
        persona, conversion, value, source).
    paths.csv: one row per distinct path for ChannelAttribution (``path`` joined by `` > ``,
        ``total_conversions``, ``total_null``).
    truth.json: the generator's parameters (channels, coefficients, intercept, seed).

Usage:
    python -m benchmarks.generate --journeys 100000 --out benchmarks/data/100k
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

CHANNELS: list[str] = [
    "search-ads",
    "social-ads",
    "newsletter",
    "social-media",
    "online-shop",
    "review-portals",
    "specialist-portals",
    "blogs",
    "checkout",
    "radio-tv",
    "print",
    "trade-media",
    "customer-service",
    "product-inserts",
    "recommendations",
]
# Logistic coefficients per channel touched: the signal attribution has to find.
COEFFICIENTS: list[float] = [
    0.6,
    -0.3,
    0.4,
    -0.2,
    0.3,
    0.5,
    0.2,
    -0.4,
    1.2,
    0.0,
    -0.1,
    0.1,
    -0.6,
    0.0,
    0.8,
]
POPULARITY: list[float] = [
    14,
    12,
    9,
    10,
    13,
    6,
    4,
    7,
    5,
    3,
    2,
    3,
    4,
    2,
    6,
]
INTERCEPT = -2.6
MAX_LENGTH = 30
CHUNK = 250_000
START_US = 1_735_689_600_000_000  # 2025-01-01T00:00:00Z in microseconds
YEAR_US = 365 * 24 * 3600 * 1_000_000

SCHEMA = pa.schema(
    [
        ("person_id", pa.string()),
        ("account_id", pa.string()),
        ("ts", pa.timestamp("us", tz="UTC")),
        ("touchpoint", pa.string()),
        ("phase", pa.string()),
        ("persona", pa.string()),
        ("conversion", pa.bool_()),
        ("value", pa.float64()),
        ("source", pa.string()),
    ]
)


def _chunk(seed: int, index: int, first: int, count: int) -> pa.Table:
    """One chunk of journeys; its random stream depends only on (seed, index)."""
    rng = np.random.default_rng([seed, index])
    lengths = np.minimum(rng.geometric(0.22, size=count), MAX_LENGTH)
    total = int(lengths.sum())
    journey = np.repeat(np.arange(count), lengths)
    weights = np.asarray(POPULARITY, dtype=float)
    channel = rng.choice(len(CHANNELS), size=total, p=weights / weights.sum())
    touched = np.zeros((count, len(CHANNELS)), dtype=bool)
    touched[journey, channel] = True
    score = INTERCEPT + touched.astype(float) @ np.asarray(COEFFICIENTS)
    converted = rng.random(count) < 1.0 / (1.0 + np.exp(-score))

    starts = rng.integers(0, YEAR_US - 90 * 24 * 3600 * 1_000_000, size=count)
    gaps = rng.exponential(6 * 3600 * 1_000_000, size=total).astype(np.int64) + 1_000_000
    ends = np.cumsum(lengths)
    offsets = np.cumsum(gaps)
    base = np.concatenate([[0], offsets[ends[:-1] - 1]])
    ts = START_US + np.repeat(starts, lengths) + offsets - np.repeat(base, lengths) - gaps[0]
    last = np.zeros(total, dtype=bool)
    last[ends - 1] = True
    conversion = last & np.repeat(converted, lengths)
    value = np.where(conversion, np.round(rng.lognormal(4.0, 0.6, size=total), 2), np.nan)

    ids = np.char.add("p", np.char.zfill((first + journey).astype(str), 9))
    names = np.asarray(CHANNELS, dtype=object)[channel]
    nulls = pa.nulls(total, pa.string())
    return pa.table(
        {
            "person_id": pa.array(ids.astype(object), pa.string()),
            "account_id": nulls,
            "ts": pa.array(ts, pa.timestamp("us", tz="UTC")),
            "touchpoint": pa.array(names, pa.string()),
            "phase": nulls,
            "persona": nulls,
            "conversion": pa.array(conversion),
            "value": pa.array(value, pa.float64(), from_pandas=True),
            "source": pa.array(np.full(total, "synthetic", dtype=object), pa.string()),
        },
        schema=SCHEMA,
    )


def generate(journeys: int, out: str | Path, *, seed: int = 42, paths: bool = True) -> Path:
    """Write ``journeys`` synthetic journeys to ``out`` (see the module docstring).

    Args:
        journeys: How many journeys (persons).
        out: The output directory, created if needed.
        seed: The random seed; the same seed gives byte-identical files.
        paths: Also write ``paths.csv`` for ChannelAttribution.

    Returns:
        The path of ``events.parquet``.
    """
    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / "events.parquet"
    events = 0
    conversions = 0
    with pq.ParquetWriter(target, SCHEMA, compression="zstd") as writer:
        for index, first in enumerate(range(0, journeys, CHUNK)):
            table = _chunk(seed, index, first, min(CHUNK, journeys - first))
            events += table.num_rows
            conversions += int(pa.compute.sum(table["conversion"]).as_py() or 0)
            writer.write_table(table, row_group_size=1_000_000)
    if paths:
        write_paths(target, directory / "paths.csv")
    truth: dict[str, Any] = {
        "journeys": journeys,
        "events": events,
        "conversions": conversions,
        "seed": seed,
        "channels": CHANNELS,
        "coefficients": COEFFICIENTS,
        "intercept": INTERCEPT,
    }
    (directory / "truth.json").write_text(json.dumps(truth, indent=2), encoding="utf-8")
    return target


def write_paths(events: Path, target: Path) -> None:
    """Aggregate journeys into the path-string file ChannelAttribution reads."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    con.execute(
        f"""
        COPY (
          SELECT path, sum(conv)::BIGINT AS total_conversions,
                 sum(1 - conv)::BIGINT AS total_null
          FROM (SELECT person_id,
                       string_agg(touchpoint, ' > ' ORDER BY ts) AS path,
                       bool_or(conversion)::INT AS conv
                FROM read_parquet('{events}') GROUP BY person_id)
          GROUP BY path ORDER BY path
        ) TO '{target}' (HEADER, DELIMITER ',')
        """
    )
    con.close()


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m benchmarks.generate --journeys N --out DIR``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--no-paths", action="store_true")
    args = parser.parse_args(argv)
    path = generate(args.journeys, args.out, seed=args.seed, paths=not args.no_paths)
    print(path)


if __name__ == "__main__":
    main()
