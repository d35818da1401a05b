"""Reading a settings file: its YAML, its names against the registry, its values checked.

Broken YAML, an unknown name (with the closest known one) and a value its setting cannot read
are each a :class:`UsageError` that names the file, line and column and the setting.

The names are judged against the list of every setting's name
(:data:`~journeymap._settings_registry.REGISTRAR_OF`), without importing the modules that
register them: a light command (``journeymap validate``) imported the engine and the importer
for any name of a layer it had not loaded. A value is read by its setting when the file is
read if its setting is registered, else when a command first reads that setting
(a command that never reads a layer's settings does not load the layer to read its values).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from journeymap._settings_registry import REGISTRAR_OF, SETTINGS, Setting
from journeymap._settings_values import _did_you_mean, written
from journeymap.errors import Location, UsageError
from journeymap.i18n.messages import _


@dataclass(frozen=True)
class _FileValue:
    """A setting's value in a file: read by its setting, or (``read`` False) as written."""

    value: Any
    location: Location
    read: bool = True


def _read(setting: Setting, value: Any, location: Location) -> _FileValue:
    try:
        return _FileValue(setting.read(_as_text(value)), location)
    except (ValueError, UsageError) as exc:
        raise UsageError(f"{location}: {setting.name}: {exc}") from None


def _file_settings(path: Path | None) -> dict[str, _FileValue]:
    """The settings in the file at ``path``, checked (none when there is no such file).

    Each value whose setting is registered is read by it; one of a layer not loaded yet is
    read once a command loads the layer (and with it reads a setting).
    """
    if path is None:
        return {}
    try:
        if not path.is_file():
            return {}
        raw = path.read_bytes()
    except OSError as error:
        raise UsageError(
            f"{_shown_path(path)}: "
            + _("cannot read the file: {reason}").format(reason=error.strerror)
        ) from None
    values = _checked_settings(_shown_path(path), raw)
    for name, found in values.items():
        if not found.read and name in SETTINGS:
            values[name] = _read(SETTINGS[name], found.value, found.location)
    return values


def _shown_path(path: Path) -> str:
    """The file as a user finds it: relative to the working directory when it is inside."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# Checked files by name and content: resolve() runs often, the files rarely change.
_CHECKED: dict[tuple[str, bytes], dict[str, _FileValue]] = {}


def _checked_settings(source: str, raw: bytes) -> dict[str, _FileValue]:
    key = (source, raw)
    if key not in _CHECKED:
        if len(_CHECKED) > 16:  # a long-lived process whose files keep changing
            _CHECKED.clear()
        _CHECKED[key] = _read_settings_file(source, raw)
    return _CHECKED[key]


def _read_settings_file(source: str, raw: bytes) -> dict[str, _FileValue]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        where = Location(source, line, column)
        raise UsageError(f"{where}: " + _("the file is not UTF-8 text; save it as UTF-8")) from None
    document = _parse_yaml(text, source)
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise UsageError(
            f"{_location(source, None)}: "
            + _("a settings file holds a mapping: settings: and under it name: value lines")
        )
    section: Any = document
    if "settings" in document:
        for key in document:
            if key != "settings":
                raise UsageError(
                    f"{_location(source, document, key, at_key=True)}: "
                    + _("unknown key {key}; the settings go under settings:").format(
                        key=repr(str(key))
                    )
                )
        section = document["settings"]
        if section is None:
            return {}
        if not isinstance(section, dict):
            raise UsageError(
                f"{_location(source, document, 'settings')}: "
                + _("settings: holds name: value lines (e.g. paths.top: 3)")
            )
    entries: dict[str, tuple[Any, Location]] = {}
    _collect(source, section, "", entries)
    values: dict[str, _FileValue] = {}
    for name, (value, location) in entries.items():
        setting = SETTINGS.get(name)
        # A setting of a layer not loaded yet is read once it is (_file_settings).
        values[name] = (
            _FileValue(value, location, read=False)
            if setting is None
            else _read(setting, value, location)
        )
    return values


def _parse_yaml(text: str, source: str) -> Any:
    import warnings

    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return yaml.load(text)
        except MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            where = Location(source, mark.line + 1, mark.column + 1) if mark else Location(source)
            problem = (error.problem or "invalid YAML") + (
                f" ({error.context})" if error.context else ""
            )
            hint = _(
                "check the indentation (the keys of one mapping start in the same column), the "
                "quotes and the colons here"
            )
            if "duplicate key" in str(error):
                hint = _("each key may appear once in a mapping; remove or rename the repeated one")
            elif "\t" in problem or "'\\t'" in problem:
                hint = _("YAML indents with spaces, not tabs; replace the tab with spaces")
            message = _("YAML syntax error: {problem}; {hint}").format(problem=problem, hint=hint)
            raise UsageError(f"{where}: {message}") from None
        except (YAMLError, TypeError, ValueError, RecursionError) as error:
            message = _("YAML error: {error}").format(error=error)
            raise UsageError(f"{Location(source, 1, 1)}: {message}") from None


def _location(source: str, mapping: Any, key: Any = None, *, at_key: bool = False) -> Location:
    """Where ``mapping[key]`` (or the key itself) is in the file; the file's start if unknown."""
    lines = getattr(mapping, "lc", None)
    if lines is None or key is None:
        return Location(source, 1, 1)
    try:
        line, column = lines.key(key) if at_key else lines.value(key)
    except (KeyError, TypeError, AttributeError):
        return Location(source, 1, 1)
    return Location(source, line + 1, column + 1)


def _known() -> list[str]:
    """Every setting's name: those of the list, and any registered outside it."""
    return sorted({*REGISTRAR_OF, *SETTINGS})


def _groups(known: list[str]) -> set[str]:
    """The prefixes of the names: ``paths`` of ``paths.top``."""
    return {
        ".".join(parts[:end])
        for parts in (name.split(".") for name in known)
        for end in range(1, len(parts))
    }


def _setting(name: str) -> Setting:
    """The setting ``name``, its module imported if it is not registered yet."""
    if name not in SETTINGS:
        import importlib

        importlib.import_module(REGISTRAR_OF[name])
    return SETTINGS[name]


def _collect(
    source: str, mapping: Any, prefix: str, entries: dict[str, tuple[Any, Location]]
) -> None:
    """Every ``name: value`` of ``mapping``, nested (``paths: {top: 3}``) or dotted."""
    known = _known()
    groups = _groups(known)
    for key, value in mapping.items():
        name = prefix + str(key)
        if name in known:
            location = _location(source, mapping, key)
            if name in entries:
                raise UsageError(
                    f"{location}: "
                    + _("{name} is given twice (also at {other}); keep one").format(
                        name=name, other=entries[name][1]
                    )
                )
            if isinstance(value, dict):
                raise UsageError(
                    f"{location}: {name}: "
                    + _("takes a value (e.g. {name}: {example}), not a mapping").format(
                        name=name, example=written(_setting(name).default) or "a,b"
                    )
                )
            entries[name] = (value, location)
        elif name in groups and isinstance(value, dict):
            _collect(source, value, name + ".", entries)
        elif name in groups:
            below = [setting for setting in known if setting.startswith(name + ".")]
            raise UsageError(
                f"{_location(source, mapping, key, at_key=True)}: "
                + _("{name} is a group of settings, not one: name one of {names}").format(
                    name=name, names=", ".join(below)
                )
            )
        else:
            raise UsageError(
                f"{_location(source, mapping, key, at_key=True)}: "
                + _("unknown setting {name}").format(name=repr(name))
                # ``setings:`` at the top meant the section.
                + _did_you_mean(name, [*known, *(["settings"] if not prefix else [])])
                + " "
                + _("(journeymap settings lists every setting)")
            )


def _as_text(value: Any) -> str:
    """A file's value as the text an environment variable would hold, for the setting to read.

    ``3`` -> ``3``, ``null`` -> ``none``, ``false`` -> ``false``, ``[web, demo]`` -> ``web,demo``.
    """
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict | list):
                raise ValueError(_("takes a value or a list of values, not a nested list"))
        return ",".join(_as_text(item) for item in value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool | type(None)):
        return written(value)
    return str(value)
