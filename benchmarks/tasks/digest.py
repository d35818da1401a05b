"""A tool-independent digest of a variant list, so tools compare without shipping it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any


def variants_digest(variants: Iterable[tuple[Sequence[str], int]]) -> dict[str, Any]:
    """Count, total journeys and SHA-256 of the sorted ``(sequence, journeys)`` pairs."""
    rows = sorted((" > ".join(sequence), int(count)) for sequence, count in variants)
    digest = hashlib.sha256()
    for sequence, count in rows:
        digest.update(f"{sequence}\t{count}\n".encode())
    return {
        "variants": len(rows),
        "journeys": sum(count for _, count in rows),
        "digest": digest.hexdigest(),
    }
