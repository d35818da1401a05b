"""How an import knows rows and rules again: event keys, the rules fingerprint, stored keys."""

from __future__ import annotations

import hashlib
import json

import pyarrow as pa
import pyarrow.compute as pc

from journeymap.ingest.report import ImportReport
from journeymap.model.mapping import MappingRules


def row_keys(batch: pa.RecordBatch) -> list[str]:
    """A hash per row over its values with their column names: equal rows get equal keys.

    A row is its non-null values, in column-name order: a column the row has no value in
    does not count, so the key does not depend on the rows read with it. A JSON Lines or XES
    reader's batch has a column for every field seen so far, null where a row lacks it; with
    every column counted, an event after a new field appeared in the file, or in a longer
    export of the same events, got another key. An empty value is a value: it hashes unlike a
    missing one.
    """
    if batch.num_rows == 0:
        return []
    names = batch.schema.names
    pieces = [
        # ``name \x01 value \x1f``, or nothing for a null (pyarrow's own null skipping in
        # a join drops the rows where every value is null).
        pc.fill_null(
            pc.binary_join_element_wise(
                pa.scalar(f"{name}\x01"), batch.column(name), pa.scalar("\x1f"), ""
            ),
            "",
        )
        for name in sorted(names)
    ]
    joined = pc.binary_join_element_wise(*pieces, "") if len(pieces) > 1 else pieces[0]
    return [
        hashlib.blake2b(_KEY_SCHEME_PREFIX + text.encode(), digest_size=16).hexdigest()
        for text in joined.to_pylist()
    ]


# Imports record the scheme their event keys were made with (``imports.key_scheme``): 2 is
# :func:`row_keys`; null (imports made before) is :func:`legacy_row_keys`.
KEY_SCHEME = 2
_KEY_SCHEME_PREFIX = b"2\x1d"


def legacy_row_keys(batch: pa.RecordBatch) -> list[str]:
    """The keys imports made before :data:`KEY_SCHEME` 2: over every column of the batch.

    Kept to recognise rows such an import stored (see ``_Keys.resolve``).
    """
    if batch.num_rows == 0:
        return []
    marked = [
        pc.fill_null(pc.binary_join_element_wise("\x01", column, ""), "\x00")
        for column in batch.columns
    ]
    joined = pc.binary_join_element_wise(*marked, "\x1f") if len(marked) > 1 else marked[0]
    prefix = "\x1e".join(batch.schema.names).encode() + b"\x1d"
    return [
        hashlib.blake2b(prefix + text.encode(), digest_size=16).hexdigest()
        for text in joined.to_pylist()
    ]


def rules_fingerprint(rules: MappingRules) -> str:
    """A hash of the validated rules: equal rules, however written, give the same hash.

    It is taken over the rules' canonical JSON without default values, so a rule spelled out
    with its default and one left out hash alike, and so do key order and YAML formatting.

    Examples:
        >>> columns = {"person_id": "user", "timestamp": "when"}
        >>> rules = MappingRules.model_validate({"columns": columns, "unmatched": "quarantine"})
        >>> same = MappingRules.model_validate({"columns": dict(reversed(columns.items()))})
        >>> rules_fingerprint(rules) == rules_fingerprint(same)
        True
        >>> keep = rules.model_copy(update={"unmatched": "keep"})
        >>> rules_fingerprint(rules) == rules_fingerprint(keep)
        False
    """
    canonical = json.dumps(
        rules.model_dump(mode="json", by_alias=True, exclude_defaults=True),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class _Keys:
    """Which rows are already in the workspace, and which of them to map again.

    Args:
        existing: Event keys already in the events or quarantine table.
        other_rules: Of those, the keys of rows mapped with other (or unrecorded) rules.
        replace: Map those rows again instead of skipping them.
    """

    def __init__(
        self, existing: set[str], other_rules: set[str], replace: bool, legacy: bool = False
    ) -> None:
        self.existing = existing
        self.other_rules = other_rules
        self.replace = replace
        self.replaced: list[str] = []
        # Keys counted in ``rows_other_rules`` by this import (once each, see already_imported).
        self.counted: set[str] = set()
        # Whether an earlier import stored keys of :func:`legacy_row_keys`.
        self.legacy = legacy
        self.stored = frozenset(existing) if legacy else frozenset()

    def resolve(self, batch: pa.RecordBatch, keys: list[str]) -> list[str]:
        """``keys``, with the legacy key of each row an earlier import stored under it.

        A workspace filled before :data:`KEY_SCHEME` 2 holds keys over every column of the
        batch a row came in; the same row, read again, is known by that key.
        """
        if not self.legacy:
            return keys
        return [
            old if key not in self.stored and old in self.stored else key
            for key, old in zip(keys, legacy_row_keys(batch), strict=True)
        ]

    def already_imported(self, key: str, report: ImportReport) -> bool:
        """Whether the row with ``key`` is skipped; counts it in ``report`` either way.

        A later exact copy of a row mapped with other rules is counted as already imported
        only, not again in ``rows_other_rules``: with ``replace`` such a copy is a duplicate
        only (not in ``rows_replaced``), so both imports name the same rows.
        """
        if key not in self.existing:
            return False
        if key in self.other_rules:
            if self.replace:
                # From now on the row is new: a later exact copy in the input is a duplicate.
                self.existing.discard(key)
                self.replaced.append(key)
                report.rows_replaced += 1
                return False
            if key not in self.counted:
                self.counted.add(key)
                report.rows_other_rules += 1
        report.rows_already_imported += 1
        return True
