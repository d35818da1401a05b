"""Saving a loaded map file keeps its form: line endings, blank lines, long lines, the BOM.

A Windows (CRLF) file came back from ``load_map_document(...).save()`` without its blank
lines, with a long text wrapped anew and with mixed line endings, though nothing was edited:
a noisy diff for a colleague on Windows. A long text was wrapped anew in an LF file, too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from journeymap.examples import example_path
from journeymap.mapfile import load_map, load_map_document, save_map
from journeymap.model import JourneyMap, Touchpoint

MAP = """\
# Customer Journey Map: Kauf einer CNC-Bearbeitungszelle (B2B, Maschinenbau)
id: cnc-zelle
name: Kauf einer CNC-Zelle
language: de

phases:
  - id: awareness
    name: Aufmerksamkeit

  - id: decision
    name: Entscheidung

personas:
  # Einkauf steigt erst mit dem Angebot ein
  - id: ek-weiss
    first_name: Stefan
    description: DESCRIPTION

touchpoints:
  - id: angebot
    name: Angebot
    mode: offline
    phases: [decision]

cells:
  - phase: decision
    persona: ek-weiss
    actions: [Angebote vergleichen]
""".replace(
    # one line of 133 characters: longer than the 100 at which a new text is wrapped
    "DESCRIPTION",
    '"Kommt erst mit dem Angebot ins Spiel; vergleicht drei Angebote nach Preis, '
    'Zahlungsbedingungen und Gewährleistung."',
)


def _save_unedited(path: Path, tmp_path: Path) -> bytes:
    saved = tmp_path / f"saved-{path.name}"
    load_map_document(path).save(saved)
    return saved.read_bytes()


@pytest.mark.parametrize(
    ("newline", "bom"),
    [("\n", b""), ("\r\n", b""), ("\r\n", b"\xef\xbb\xbf"), ("\n", b"\xef\xbb\xbf")],
    ids=["lf", "crlf", "crlf-bom", "lf-bom"],
)
def test_saving_without_an_edit_writes_the_same_bytes(
    tmp_path: Path, newline: str, bom: bytes
) -> None:
    original = bom + MAP.replace("\n", newline).encode("utf-8")
    path = tmp_path / "karte.yaml"
    path.write_bytes(original)
    saved = _save_unedited(path, tmp_path)
    assert saved.count(b"\r\n") == original.count(b"\r\n")
    assert saved.count(b"\n") == original.count(b"\n")  # the blank lines stay
    assert saved == original


def test_an_edited_windows_file_keeps_crlf_on_every_line(tmp_path: Path) -> None:
    path = tmp_path / "karte.yaml"
    path.write_bytes(MAP.replace("\n", "\r\n").encode("utf-8"))
    document = load_map_document(path)
    edited = document.map.model_copy(deep=True)
    edited.cells[0].actions.append("Schulung nachverhandeln")
    document.update(edited)
    document.save()
    saved = path.read_bytes()
    lines = saved.split(b"\r\n")
    assert b"\n" not in b"".join(lines)  # no bare line feed: not mixed
    assert lines.count(b"") == 6  # the five blank lines and the end of the file
    assert b"Schulung nachverhandeln" in saved
    assert b"# Einkauf steigt erst mit dem Angebot ein\r\n" in saved
    assert load_map(path).cells[0].actions == ["Angebote vergleichen", "Schulung nachverhandeln"]


@pytest.mark.parametrize("name", ["payment-provider", "fashion-webshop"])
def test_a_bundled_example_saved_as_windows_file_keeps_its_lines(tmp_path: Path, name: str) -> None:
    text = example_path(name).read_text(encoding="utf-8")
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    saved = _save_unedited(path, tmp_path)
    lf_path = tmp_path / f"lf-{name}.yaml"
    lf_path.write_text(text, encoding="utf-8")
    # Whatever the LF file keeps (here: every blank line), the CRLF file keeps alike.
    saved_lf = _save_unedited(lf_path, tmp_path)
    assert saved == saved_lf.replace(b"\n", b"\r\n")
    assert saved.count(b"\r\n\r\n") == text.count("\n\n") > 0


def test_a_saved_map_keeps_the_online_mode_it_was_given(tmp_path: Path) -> None:
    # Written as "online is the default, leave it out", the file read back as a mode
    # forgotten, and validate warned about it in a map with offline touchpoints.
    journey_map = JourneyMap(
        id="demo",
        name="Demo",
        touchpoints=[
            Touchpoint(id="web", name="Website", mode="online"),
            Touchpoint(id="fair", name="Messe", mode="offline"),
        ],
    )
    path = tmp_path / "demo.yaml"
    save_map(journey_map, path)
    assert path.read_text(encoding="utf-8").count("mode: online") == 1
    assert [issue.code for issue in load_map(path).issues() if issue.code == "mode-left-out"] == []
