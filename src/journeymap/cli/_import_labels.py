"""The labels of the import's count table and the quarantine reasons, in the user's language."""

from __future__ import annotations

from journeymap.cli.app import _
from journeymap.i18n import N_

# The labels of the import's count table (ImportReport.count_rows) and the quarantine
# reasons among them, marked for translation.
_ROW_LABELS = (
    N_("read"),
    N_("imported"),
    N_("of which unmapped"),
    N_("of which conversions"),
    N_("quarantined"),
    N_("already imported"),
    N_("of which mapped with other rules"),
    N_("mapped again (replaced)"),
    N_("spreadsheet values repaired"),
    # Rules with events_per_row count rows and events apart.
    N_("rows with events"),
    N_("events imported"),
    N_("events quarantined"),
    N_("rows quarantined"),
    N_("missing person id"),
    N_("unparseable timestamp"),
    N_("unparseable value"),
    N_("no rule matched"),
    N_("filtered out"),
    N_("exact duplicate"),
    N_("malformed row"),
    N_("same event already imported"),
    N_("no entry of events_per_row matched"),
)
REASONS = frozenset(_ROW_LABELS[_ROW_LABELS.index("missing person id") :])
_MANGLED = "looks spreadsheet-mangled: "


def _row_label(label: str) -> str:
    """A count table label in the user's language, its indentation kept."""
    text = label.lstrip()
    indent = label[: len(label) - len(text)]
    if text.startswith(_MANGLED):
        column = text[len(_MANGLED) :]
        return indent + _("looks spreadsheet-mangled: {column}").format(column=column)
    if text not in _ROW_LABELS:
        return label
    if indent and text in REASONS:
        return indent + reason_label(text)
    return indent + _(text)


def reason_id(text: str) -> str:
    """The stored (English) reason a label in the user's language names, else ``text``.

    ``--reason 'exaktes Duplikat'`` selects what the table shows under that label.
    """
    labels = {_(reason).casefold(): reason for reason in REASONS}
    return labels.get(text.strip().casefold(), text)


def reason_label(reason: str) -> str:
    """A quarantine reason in the user's language (import's counts, ``journeymap quarantine``).

    The quarantine table stores the reason in English, so a translation names it too, for
    queries and ``--reason``: ``ingen regel passede (no rule matched)``.
    """
    translated = _(reason) if reason in REASONS else reason
    return reason if translated == reason else f"{translated} ({reason})"
