from __future__ import annotations

import inspect

import journeymap.mapfile as mapfile
from journeymap.settings import SETTINGS


def test_public_names_are_exactly_all() -> None:
    public = {
        name
        for name in dir(mapfile)
        if not name.startswith("_")
        and name != "annotations"  # from __future__ import annotations
        and not inspect.ismodule(getattr(mapfile, name))
    }
    assert public == set(mapfile.__all__)
    assert sorted(mapfile.__all__) == [
        "MapDocument", "dump_map", "holds_rules", "load_map", "load_map_document", "load_rules",
        "loads_map", "locate_in_rules", "locate_rules_issues", "map_json_schema", "rules_from",
        "save_map",
    ]  # fmt: skip


def test_size_limit_setting_is_registered() -> None:
    setting = SETTINGS["mapfile.max_bytes"]
    assert setting.default == 10 * 1024 * 1024
    assert setting.env_var == "JOURNEYMAP_MAPFILE_MAX_BYTES"
    assert setting.parse("123") == 123
