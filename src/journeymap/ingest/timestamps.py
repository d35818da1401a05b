"""Timestamp parsing for the importer: format given or detected, time zone applied, UTC out.

The values are read in :mod:`journeymap.ingest._timestamp_parsing` and their formats found in
:mod:`journeymap.ingest._timestamp_formats`; the importer imports both from here.
"""

from __future__ import annotations

from journeymap.ingest._timestamp_formats import SAMPLE_SIZE as SAMPLE_SIZE
from journeymap.ingest._timestamp_formats import (
    DateOrder,
    OrderEvidence,
    date_order,
    detect_formats,
    order_evidence,
    suggest_format,
    swap_order,
)
from journeymap.ingest._timestamp_parsing import (
    EPOCH_FORMATS,
    ISO,
    TS_TYPE,
    TimestampNotes,
    constant_timestamp,
    parse_any,
    zone,
)
from journeymap.ingest._timestamp_parsing import parse_timestamps as parse_timestamps

__all__ = [
    "EPOCH_FORMATS",
    "ISO",
    "TS_TYPE",
    "DateOrder",
    "OrderEvidence",
    "TimestampNotes",
    "constant_timestamp",
    "date_order",
    "detect_formats",
    "order_evidence",
    "parse_any",
    "suggest_format",
    "swap_order",
    "zone",
]
