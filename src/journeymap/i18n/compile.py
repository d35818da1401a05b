"""Compile the ``.po`` catalogs to ``.mo`` files (run as part of the build and by ``make``)."""

from __future__ import annotations

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from journeymap.i18n import DOMAIN, LANGUAGES, LOCALE_DIR


def compile_catalogs() -> list[str]:
    """Compile every language's catalog and return the paths written."""
    written = []
    for language in LANGUAGES:
        po_path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not po_path.exists():
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=language, domain=DOMAIN)
        mo_path = po_path.with_suffix(".mo")
        with mo_path.open("wb") as handle:
            write_mo(handle, catalog)
        written.append(str(mo_path))
    return written


if __name__ == "__main__":
    for path in compile_catalogs():
        print(f"compiled {path}")
