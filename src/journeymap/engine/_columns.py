"""The column names of the engine's tables, and the separator that joins sequences as text."""

from __future__ import annotations

EVENT_COLUMNS = (
    "person_id",
    "account_id",
    "ts",
    "touchpoint",
    "phase",
    "persona",
    "conversion",
    "value",
)

# Each event's neighbours inside its journey (null at the journey's ends), read in the same
# pass that cuts the journeys, so metrics group instead of re-sorting.
NEIGHBOUR_COLUMNS = ("previous_touchpoint", "previous_ts", "next_ts")

# Names the engine gives columns of its own (journeys, per-journey facts, touch pairs,
# attribution segments, the funnel tables): a breakdown column so named would clash with one.
RESERVED_NAMES = frozenset(
    {
        *(
            name
            for name in EVENT_COLUMNS
            if name not in {"person_id", "account_id", "phase", "persona"}
        ),
        *NEIGHBOUR_COLUMNS,
        "journey_id",
        "step",
        "row_number",
        "first_ts",
        "last_ts",
        "events",
        "converted",
        "conversion_ts",
        "touchpoints",
        "phases",
        "last_touchpoint",
        "last_phase",
        "before",
        "plain",
        "i",
        "n",
        "age_s",
        "seg_value",
        "journeys",
        "reached",
        "moved_on",
        "dropped",
        "reach_rate",
        "step_rate",
        "dropoff_rate",
        "level",
    }
)

# Joins a journey's touchpoints (or phases) into one text: sequences are built and grouped as
# text, which DuckDB can spill under a memory cap (lists it cannot).
UNIT = "\x1f"
