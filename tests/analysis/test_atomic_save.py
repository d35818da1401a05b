"""``Analysis.save``: all or nothing, never one run's summary beside another run's tables.

User test ops, finding 4: ``analyze --out`` wrote ``analysis.json`` and then the Parquet files
one by one into the folder. A write that stopped half way (here: a folder where a table's file
goes) left tonight's summary with last night's tables, and ``render`` made a report of both.
A table one run does not produce (``--no-attribution``) stayed from the run before, for a BI
job reading ``*.parquet`` to pick up.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from journeymap.analysis import Analysis, analyze
from journeymap.analysis import result as result_module
from journeymap.cli.app import app
from journeymap.errors import AnalysisError
from journeymap.mapfile import save_map
from journeymap.model import JourneyMap


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


def _leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.parent.iterdir() if ".tmp-" in path.name)


@pytest.fixture
def two_runs(shop_map: JourneyMap, shop_events: pa.Table) -> tuple[Analysis, Analysis]:
    """Last night's analysis (4 journeys, attributed) and tonight's (2 journeys, not)."""
    last_night = analyze(shop_map, shop_events)
    tonight_events = shop_events.filter(pc.is_in(shop_events["person_id"], pa.array(["p1", "p4"])))
    tonight = analyze(shop_map, tonight_events, attribution=False)
    assert (last_night.summary["journeys"], tonight.summary["journeys"]) == (4, 2)
    return last_night, tonight


def test_a_new_folder_gets_the_whole_analysis_and_nothing_beside_it(
    two_runs: tuple[Analysis, Analysis], tmp_path: Path
) -> None:
    last_night, _ = two_runs
    out = tmp_path / "reports" / "out"
    assert last_night.save(out) == out
    assert sorted(_files(out)) == sorted(
        ["analysis.json", *(f"{name}.parquet" for name in last_night.tables)]
    )
    assert Analysis.load(out).summary["journeys"] == 4
    assert _leftovers(out) == []


def test_a_folder_in_the_way_fails_the_save_before_anything_is_replaced(
    two_runs: tuple[Analysis, Analysis], shop_map: JourneyMap, tmp_path: Path
) -> None:
    """The ops repro: time_in_phase.parquet made a folder, then a smaller run saved there."""
    last_night, tonight = two_runs
    out = tmp_path / "out"
    last_night.save(out)
    (out / "time_in_phase.parquet").unlink()
    (out / "time_in_phase.parquet").mkdir()
    (out / "my-notes.txt").write_text("mine", encoding="utf-8")
    before = _files(out)
    with pytest.raises(AnalysisError) as error:
        tonight.save(out)
    assert str(error.value) == (
        f"cannot write the analysis to {out}: time_in_phase.parquet is a folder there, where "
        "the analysis writes a file"
    )
    assert _files(out) == before  # last night's analysis, whole
    assert _leftovers(out) == []
    loaded = Analysis.load(out)
    assert loaded.summary["journeys"] == 4
    assert loaded.table("paths").to_pylist() == last_night.table("paths").to_pylist()
    # And `render` reports last night's run alone: 4 journeys, not tonight's 2.
    save_map(shop_map, tmp_path / "shop.yaml")
    report = tmp_path / "report.html"
    rendered = CliRunner().invoke(
        app,
        [
            "render",
            str(tmp_path / "shop.yaml"),
            "--analysis",
            str(out),
            "--format",
            "html",
            "--out",
            str(report),
        ],
        env={"JOURNEYMAP_LANG": "en"},
    )
    assert rendered.exit_code == 0, rendered.output
    shown = " ".join(report.read_text(encoding="utf-8").split())
    assert "4 persons (11 events)" in shown and "2 persons" not in shown


def test_a_write_that_stops_half_way_leaves_the_folder_as_it_was(
    two_runs: tuple[Analysis, Analysis], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    last_night, tonight = two_runs
    out = tmp_path / "out"
    last_night.save(out)
    before = _files(out)
    real_write = pq.write_table
    written: list[str] = []

    def disk_full_at_the_third_table(table: pa.Table, where: object, **options: object) -> None:
        written.append(str(where))
        if len(written) == 3:
            raise OSError(28, "No space left on device")
        real_write(table, where, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(result_module.pq, "write_table", disk_full_at_the_third_table)
    with pytest.raises(AnalysisError, match="No space left on device"):
        tonight.save(out)
    assert _files(out) == before
    assert Analysis.load(out).summary["journeys"] == 4
    assert _leftovers(out) == []


def test_tables_the_new_run_lacks_are_removed_and_the_users_files_kept(
    two_runs: tuple[Analysis, Analysis], tmp_path: Path
) -> None:
    last_night, tonight = two_runs
    out = tmp_path / "out"
    last_night.save(out)
    assert (out / "attribution.parquet").is_file()
    (out / "report.html").write_text("<html>rendered here</html>", encoding="utf-8")
    (out / "extra.parquet").write_bytes((out / "paths.parquet").read_bytes())  # the user's
    tonight.save(out)
    names = set(_files(out))
    assert "attribution.parquet" not in names
    assert "markov_removal_effects.parquet" not in names
    assert {"report.html", "extra.parquet"} <= names
    assert (out / "report.html").read_text(encoding="utf-8") == "<html>rendered here</html>"
    assert names - {"report.html", "extra.parquet"} == {
        "analysis.json",
        *(f"{name}.parquet" for name in tonight.tables),
    }
    loaded = Analysis.load(out)
    assert loaded.summary["journeys"] == 2
    assert pq.read_table(out / "paths.parquet").to_pylist() == tonight.table("paths").to_pylist()
    assert _leftovers(out) == []


def test_saving_onto_a_file_says_so(two_runs: tuple[Analysis, Analysis], tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("not a folder", encoding="utf-8")
    with pytest.raises(AnalysisError) as error:
        two_runs[0].save(afile)
    assert str(error.value) == f"cannot write the analysis to {afile}: it is a file, not a folder"
    assert afile.read_text(encoding="utf-8") == "not a folder"


def test_a_new_folder_has_the_users_default_permissions(
    two_runs: tuple[Analysis, Analysis], tmp_path: Path
) -> None:
    """Written in a temporary folder first, it must not end up readable by its owner only."""
    previous = os.umask(0o022)
    try:
        two_runs[0].save(tmp_path / "out")
    finally:
        os.umask(previous)
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "out" / "analysis.json").stat().st_mode & 0o777 == 0o644


def test_a_writable_folder_in_a_parent_that_is_not_keeps_working(
    two_runs: tuple[Analysis, Analysis], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mounted ``/output`` the user may write in, in ``/`` they may not: saved as before.

    The tests run as root, whom permissions do not stop: the parent's refusal is made here.
    """
    last_night, tonight = two_runs
    out = tmp_path / "out"
    last_night.save(out)
    real_mkdir = Path.mkdir

    def refused_beside(path: Path, *args: object, **kwargs: object) -> None:
        if path.parent == tmp_path and path.name.startswith(".out.tmp-"):
            raise PermissionError(13, "Permission denied", str(path))
        real_mkdir(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", refused_beside)
    tonight.save(out)
    monkeypatch.undo()
    assert Analysis.load(out).summary["journeys"] == 2
    assert sorted(_files(out)) == sorted(
        ["analysis.json", *(f"{name}.parquet" for name in tonight.tables)]
    )
    assert [path.name for path in out.iterdir() if path.is_dir()] == []
