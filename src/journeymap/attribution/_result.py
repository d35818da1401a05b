"""The result of one model at one level: :class:`AttributionResult` and its table."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

SCHEMA = pa.schema(
    [
        ("level", pa.string()),
        ("key", pa.string()),
        ("conversions", pa.float64()),
        ("value", pa.float64()),
        ("share", pa.float64()),
    ]
)


@dataclass
class AttributionResult:
    """The credit one model gives each key of one level.

    Attributes:
        model: The model name (one of :data:`MODELS`).
        level: ``touchpoint``, ``channel``, ``phase``, ``persona``, ``account`` or a column.
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

    def to_pandas(self) -> Any:
        """The table as a pandas DataFrame."""
        return self.table.to_pandas()


def _table(
    level: str,
    rows: dict[str, tuple[float, float]],
    total: float,
    columns: dict[str, dict[str, float]],
) -> pa.Table:
    # Credits equal in exact arithmetic may differ in their last bits from run to run (the
    # engine sums floats in no fixed order): ranked at 9 decimals, ties fall to the key.
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
