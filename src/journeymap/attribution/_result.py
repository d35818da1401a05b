"""The result of one model at one level (:class:`AttributionResult`), and models side by side."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from journeymap.engine._tables import polars_frame
from journeymap.errors import UsageError
from journeymap.i18n.messages import _

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

__all__ = ["METRICS", "SCHEMA", "AttributionResult", "side_by_side"]

SCHEMA = pa.schema(
    [
        ("level", pa.string()),
        ("key", pa.string()),
        ("conversions", pa.float64()),
        ("value", pa.float64()),
        ("share", pa.float64()),
    ]
)

# What :func:`side_by_side` can put in the models' columns.
METRICS = ("conversions", "value", "share")


@dataclass
class AttributionResult:
    """The credit one model gives each key of one level.

    Attributes:
        model: The model name (one of :data:`MODELS`).
        level: ``touchpoint``, ``channel``, ``phase``, ``persona``, ``account`` or a column.
            At the ``account`` level the keys are the accounts' members (person ids), each
            credited for its touches on the account's journeys: which contact earned the
            credit, not one row per account (an account's own credit would be its
            conversions).
        params: The parameters the model ran with.
        table: ``level``, ``key``, ``conversions``, ``value``, ``share`` (+ ``removal_effect``
            for Markov, ``standard_error`` for Shapley), sorted by credit.
        extras: Model-specific results (Markov: ``markov`` -> MarkovResult).
    """

    model: str
    level: str
    params: dict[str, Any]
    table: pa.Table
    extras: dict[str, Any] = field(default_factory=dict)

    def to_pandas(self) -> pd.DataFrame:
        """The table as a pandas DataFrame."""
        frame: pd.DataFrame = self.table.to_pandas()
        return frame

    def to_polars(self) -> pl.DataFrame:
        """The table as a polars DataFrame (needs the ``polars`` extra)."""
        return polars_frame(self.table, "Converting attribution tables to polars")


def side_by_side(table: pa.Table, metric: str = "conversions") -> pa.Table:
    """A long table of :func:`compare_models` as one row per key and one column per model.

    The table ``journeymap attribute`` prints: ``level``, ``key``, then each model's
    ``metric`` (``conversions``, ``value`` or ``share``) under the model's id, in the order
    the models ran; null where a model credits no such key. Keys come in the order of their
    share summed over the models, the most first, so the first rows hold the keys with the
    most credit across the models, not by one model alone. An analysis' ``attribution``
    table works too: its levels keep their own rows.

    Args:
        table: ``model``, ``level``, ``key`` and the ``metric`` column (and ``share``).
        metric: What the models' columns hold.

    Raises:
        UsageError: for a metric other than those of :data:`METRICS`.

    Examples:
        >>> long = pa.table({
        ...     "model": ["first_touch", "first_touch", "linear", "linear"],
        ...     "level": ["touchpoint"] * 4,
        ...     "key": ["ad", "mail", "ad", "mail"],
        ...     "conversions": [3.0, 1.0, 1.5, 2.5],
        ...     "share": [0.75, 0.25, 0.375, 0.625],
        ... })
        >>> side_by_side(long).to_pylist()  # doctest: +NORMALIZE_WHITESPACE
        [{'level': 'touchpoint', 'key': 'ad', 'first_touch': 3.0, 'linear': 1.5},
         {'level': 'touchpoint', 'key': 'mail', 'first_touch': 1.0, 'linear': 2.5}]
    """
    if metric not in METRICS:
        raise UsageError(
            _("metric {metric} is not known; give {metrics}").format(
                metric=repr(metric), metrics=", ".join(METRICS)
            )
        )
    rows = table.select(["model", "level", "key", *dict.fromkeys([metric, "share"])]).to_pylist()
    models = list(dict.fromkeys(str(row["model"]) for row in rows))
    levels = list(dict.fromkeys(str(row["level"]) for row in rows))
    cells: dict[tuple[str, str], dict[str, float | None]] = {}
    summed: dict[tuple[str, str], float] = {}
    for row in rows:
        where = (str(row["level"]), str(row["key"]))
        cells.setdefault(where, {})[str(row["model"])] = row[metric]
        summed[where] = summed.get(where, 0.0) + float(row["share"] or 0.0)
    order = sorted(cells, key=lambda where: (levels.index(where[0]), -summed[where], where[1]))
    columns: dict[str, pa.Array] = {
        "level": pa.array([level for level, _key in order], pa.string()),
        "key": pa.array([key for _level, key in order], pa.string()),
    }
    for model in models:
        columns[model] = pa.array([cells[where].get(model) for where in order], pa.float64())
    return pa.table(columns)


def _table(
    level: str,
    rows: dict[str, tuple[float, float]],
    total: float,
    columns: dict[str, dict[str, float]],
) -> pa.Table:
    # Credits equal in exact arithmetic may differ in their last bits (their touches added
    # in another order): ranked at 9 decimals, ties fall to the key.
    keys = sorted(rows, key=lambda k: (-round(rows[k][0], 9), k))
    data: dict[str, list[Any]] = {
        "level": [level] * len(keys),
        "key": keys,
        "conversions": [rows[k][0] for k in keys],
        "value": [rows[k][1] for k in keys],
        "share": [rows[k][0] / total if total else 0.0 for k in keys],
    }
    schema = SCHEMA
    for name, values in columns.items():
        data[name] = [values.get(k, 0.0) for k in keys]
        schema = schema.append(pa.field(name, pa.float64()))
    return pa.table(data, schema=schema)
