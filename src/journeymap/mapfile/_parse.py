"""Reading map files into data: safety checks, syntax errors with positions, plain values."""

from __future__ import annotations

import datetime as dt
import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from journeymap.errors import Location, MapFileError, UnsafeInputError
from journeymap.mapfile._limits import YamlEventGuard, check_json_text, check_size
from journeymap.mapfile._positions import JsonPosition, json_positions
from journeymap.mapfile._syntax import yaml_syntax_error
from journeymap.model._messages import _

__all__ = ["FORMATS", "ParsedDocument", "format_of", "new_yaml", "parse_text", "read_file"]

FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


@dataclass
class ParsedDocument:
    """A parsed document: the tree to edit, plain data to validate, where positions live.

    ``newline`` and ``bom`` say how the file was written (CRLF for a Windows file, a
    byte order mark first), so saving it writes them back.
    """

    source: str
    format: str
    tree: Any
    data: Any
    positions: Any
    newline: str = "\n"
    bom: bool = False

    def location(self, path: tuple[Any, ...], key: bool = False) -> Location:
        """File location of the value (or key) at ``path``."""
        from journeymap.mapfile._positions import locate

        line, column = locate(self.positions, path, key=key)
        return Location(self.source, line, column)


def new_yaml() -> Any:
    """A round-trip YAML instance with journeymap's output style."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.allow_duplicate_keys = False
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    return yaml


def format_of(path: Path) -> str:
    """``yaml`` or ``json`` from the file suffix."""
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise MapFileError(
            _(
                "cannot tell the format from the suffix {suffix}; name the file .yaml, .yml "
                "or .json"
            ).format(suffix=repr(path.suffix)),
            Location(str(path)),
        ) from None


def read_file(path: str | Path) -> tuple[Path, str]:
    """Read a map or rules file as text, refusing missing, oversized and non-UTF-8 files."""
    file = Path(path)
    source = str(path)
    try:
        size = file.stat().st_size
    except FileNotFoundError:
        raise MapFileError(
            _("file not found; check the path and the working directory"), Location(source)
        ) from None
    except OSError as error:
        raise MapFileError(
            _("cannot read the file: {reason}").format(reason=error.strerror), Location(source)
        ) from None
    if not file.is_file():
        raise MapFileError(_("is not a file; give the path of a map file"), Location(source))
    check_size(size, source)
    try:
        raw = file.read_bytes()
    except OSError as error:
        raise MapFileError(
            _("cannot read the file: {reason}").format(reason=error.strerror), Location(source)
        ) from None
    try:
        # The byte order mark stays in the text: parse_text notes it, so saving keeps it.
        return file, raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise MapFileError(
            _("the file is not UTF-8 text; save it as UTF-8"), Location(source, line, column)
        ) from None


def _plain(value: Any) -> Any:
    """Plain Python values (dict, list, str, int, float, bool, None) from a ruamel tree."""
    if isinstance(value, dict):
        return {_plain_key(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if value is None or type(value) in (str, int, float, bool):
        return value
    if isinstance(value, bool) or type(value).__name__ == "ScalarBoolean":
        return bool(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _plain_key(key: Any) -> Any:
    plain = _plain(key)
    if isinstance(plain, dict | list):
        return str(plain)
    return plain


def _guarded_parser(base: Any, guard: YamlEventGuard) -> Any:
    """A parser class that checks every event before the composer builds anything from it."""

    def get_event(self: Any) -> Any:
        event = base.get_event(self)
        guard.check(event)
        return event

    return type("GuardedParser", (base,), {"get_event": get_event})


def _parse_yaml(text: str, source: str) -> ParsedDocument:
    from ruamel.yaml.error import YAMLError

    yaml = new_yaml()
    yaml.Parser = _guarded_parser(yaml.Parser, YamlEventGuard(source))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            tree = yaml.load(text)
        except UnsafeInputError:
            raise
        except YAMLError as error:
            raise yaml_syntax_error(error, text, source) from None
        except (TypeError, ValueError, RecursionError) as error:
            # ruamel's constructor can fail on odd but well-formed input; still name the file.
            raise MapFileError(
                f"cannot read the YAML ({error}); simplify the document", Location(source, 1, 1)
            ) from None
    return ParsedDocument(source, "yaml", tree, _plain(tree), tree)


def _parse_json(text: str, source: str) -> ParsedDocument:
    check_json_text(text, source)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise MapFileError(
            f"JSON syntax error: {error.msg}; check commas, quotes and brackets here",
            Location(source, error.lineno, error.colno),
        ) from None
    except (ValueError, RecursionError) as error:
        raise MapFileError(f"JSON error: {error}", Location(source, 1, 1)) from None
    positions: JsonPosition = json_positions(text)
    return ParsedDocument(source, "json", data, data, positions)


def parse_text(text: str, format: str, source: str) -> ParsedDocument:
    """Parse ``text`` as ``yaml`` or ``json``; raise our errors with file:line:column."""
    check_size(len(text.encode("utf-8", errors="replace")), source)
    bom = text.startswith("\ufeff")
    text = text.removeprefix("\ufeff")
    # ruamel keeps a Windows file's blank lines and comments only with plain line feeds; the
    # positions stay the same (a carriage return ends its line).
    first_break = text.find("\n")
    newline = "\r\n" if first_break > 0 and text[first_break - 1] == "\r" else "\n"
    text = text.replace("\r\n", "\n")
    format = format.lower()
    if format in ("yaml", "yml"):
        document = _parse_yaml(text, source)
    elif format == "json":
        document = _parse_json(text, source)
    else:
        raise MapFileError(f"unknown format {format!r}; use 'yaml' or 'json'", Location(source))
    document.newline = newline
    document.bom = bom
    return document
