"""Quarantine rows the importer writes itself: lines that are no row, a refused row's raw JSON."""

from __future__ import annotations

import hashlib
import json
from typing import Any

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
    seen: dict[str, int],
    fingerprint: Any,
) -> None:
    """Quarantine lines the reader could not read as a row."""
    for text in lines:
        report.rows_read += 1
        key = hashlib.blake2b(b"malformed\x1d" + text.encode(), digest_size=16).hexdigest()
        fingerprint.update(key.encode())
        if keys_in_workspace.already_imported(key, report):
            continue
        reason = DUPLICATE if key in seen else MALFORMED
        seen.setdefault(key, 1)
        report.quarantined[reason] = report.quarantined.get(reason, 0) + 1
        quarantine["source"].append(report.source)
        quarantine["row_number"].append(report.rows_read)
        quarantine["reason"].append(reason)
        quarantine["raw"].append(json.dumps({"line": text}, ensure_ascii=False))
        quarantine["event_key"].append(key)
        quarantine["rules_fingerprint"].append(report.rules_fingerprint)
    lines.clear()
