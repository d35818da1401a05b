"""The small shop map the import tests share, and the warnings Ibis 12 raises on DuckDB 2."""

from __future__ import annotations

import pytest

FILTERS = [
    pytest.mark.filterwarnings(r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
]

MAP = """\
id: shop
name: Shop
phases:
  - {id: awareness, name: Awareness, order: 1}
  - {id: purchase, name: Purchase, order: 2}
touchpoints:
  - {id: search-ads, name: Search ads, phases: [awareness]}
  - {id: checkout, name: Checkout, phases: [purchase]}
"""
