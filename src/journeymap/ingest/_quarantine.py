"""Quarantine rows the importer writes itself: lines that are no row, a refused row's raw JSON."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np

from journeymap.ingest._key_digests import KeyRuns
from journeymap.ingest._keys import _Keys
from journeymap.ingest.report import DUPLICATE, MALFORMED, ImportReport


def _raw_json(names: list[str], columns: list[list[Any]], index: int) -> str:
    return json.dumps(
        {name: column[index] for name, column in zip(names, columns, strict=True)},
        ensure_ascii=False,
    )


def _malformed_rows(
    lines: list[str],
    report: ImportReport,
    quarantine: dict[str, list[Any]],
    keys_in_workspace: _Keys,
    seen: KeyRuns,
    fingerprint: Any,
) -> None:
    """Quarantine lines the reader could not read as a row (``seen``: the keys read so far)."""
    keys = [
        hashlib.blake2b(b"malformed\x1d" + text.encode(), digest_size=16).hexdigest()
        for text in lines
    ]
    for key in keys:
        fingerprint.update(key.encode())
    skipped = keys_in_workspace.already_imported(keys, report)
    # Noted with the number 1 (``seen`` of ``_unpivot.EventsPerRow`` numbers rows).
    read, _number = seen.first(keys, np.ones(len(keys), dtype=np.int64), ~skipped)
    earlier = read.tolist()
    first_row = report.rows_read + 1
    report.rows_read += len(lines)
    for index, (text, key, skip) in enumerate(zip(lines, keys, skipped.tolist(), strict=True)):
        if skip:
            continue
        reason = DUPLICATE if earlier[index] else MALFORMED
        report.quarantined[reason] = report.quarantined.get(reason, 0) + 1
        quarantine["source"].append(report.source)
        quarantine["row_number"].append(first_row + index)
        quarantine["reason"].append(reason)
        quarantine["raw"].append(json.dumps({"line": text}, ensure_ascii=False))
        quarantine["event_key"].append(key)
        quarantine["rules_fingerprint"].append(report.rules_fingerprint)
    lines.clear()
