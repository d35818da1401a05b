"""Feedback import: survey answers (CSAT, NPS, CES, -2..+2 scores, sentiment) per touchpoint.

The answers are stored in the workspace's ``feedback`` table with their score normalised to
the map's emotion scale (-2..+2, see :mod:`journeymap.ingest.feedback._scales` for each
scale's mapping); rows that do not parse go to ``feedback_quarantine`` with their reason.
A quarantine written with ``journeymap feedback quarantine --csv`` and fixed is imported
again in the place of the rows it fixes (see :mod:`journeymap.ingest.feedback._store`).
"""

from __future__ import annotations

from journeymap.ingest.feedback._scales import SCALES, Scale, infer_scale, scale_from
from journeymap.ingest.feedback._store import FIX_COLUMNS
from journeymap.ingest.feedback._tables import (
    FEEDBACK,
    FEEDBACK_QUARANTINE,
    ensure_feedback_tables,
    read_feedback,
    read_feedback_quarantine,
)
from journeymap.ingest.feedback.importer import (
    REASONS,
    FeedbackColumns,
    FeedbackReport,
    import_feedback,
)

__all__ = [
    "FEEDBACK",
    "FEEDBACK_QUARANTINE",
    "FIX_COLUMNS",
    "REASONS",
    "SCALES",
    "FeedbackColumns",
    "FeedbackReport",
    "Scale",
    "ensure_feedback_tables",
    "import_feedback",
    "infer_scale",
    "read_feedback",
    "read_feedback_quarantine",
    "scale_from",
]
