"""Where a service's deploy configuration (`serverConfig`) is, as raw JSON with line numbers.

It comes from `cloudbaserc.json` (`{"envId", "cloudrun": {"name", "serverConfig": {...}}}`) or from
a standalone file given with `--config` (`{"serverConfig": {...}}` or the bare object). The pydantic
model that validates it lives in server_config_model.py, the rules in checks/server_config.py.

Every key and value of the file is located (line, column) by a small scanner that runs after
`json.loads` has accepted the text, so findings point at the exact field, nested ones included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from scaffolder.project import Service, UnparsableFile

JsonPath = tuple  # of str (object keys) and int (array indexes)


@dataclass(frozen=True)
class ServerConfigSource:
    path: Path
    text: str
    data: dict  # the serverConfig object, {} when the file has none
    service_name: str | None
    env_id: str | None
    start: int  # offset of the serverConfig object (its key) in `text`, for locating its keys
    document: object = None  # the whole parsed file
    config_path: JsonPath = ()  # where serverConfig sits in the document: (), ("serverConfig",), ("cloudrun", "serverConfig")
    positions: dict = field(default_factory=dict, repr=False)  # JsonPath -> (key offset, value offset)

    def location(self, key: str) -> tuple[int, int]:
        """Line and column of `"key":` inside serverConfig (the object's own line when absent)."""
        return self.location_of(key)

    def location_of(self, *path) -> tuple[int, int]:
        """Line and column of a field below serverConfig, e.g. location_of("PolicyDetails", 0, "PolicyType");
        the nearest enclosing field that exists when the path is not in the file."""
        return self.document_location(*self.config_path, *path)

    def document_location(self, *path) -> tuple[int, int]:
        """Line and column of a path from the top of the file (e.g. ("cloudrun", "name"))."""
        path = tuple(path)
        while path and path not in self.positions:
            path = path[:-1]
        if path in self.positions:
            return line_column(self.text, self.positions[path][0])
        if not self.positions:  # a source built without positions: fall back to a text search
            return self._search(path)
        return line_column(self.text, self.start)

    def value_location(self, *path) -> tuple[int, int]:
        """Line and column of the value (not the key) of a field below serverConfig."""
        full = (*self.config_path, *path)
        if full in self.positions:
            return line_column(self.text, self.positions[full][1])
        return self.location_of(*path)

    def _search(self, path: tuple) -> tuple[int, int]:
        keys = [part for part in path if isinstance(part, str)]
        if not keys:
            return line_column(self.text, self.start)
        match = re.compile(r'"' + re.escape(keys[-1]) + r'"\s*:').search(self.text, self.start)
        return line_column(self.text, match.start() if match else self.start)


def line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def server_config(service: Service) -> ServerConfigSource | None:
    """The service's serverConfig source, or None when it has neither --config nor cloudbaserc.json."""
    return service.memo("server_config", lambda: _load(service))


def _load(service: Service) -> ServerConfigSource | None:
    path = service.config_file or service.cloudbaserc
    if path is None:
        return None
    document = service.read_json(path)
    text = service.read_text(path)
    if not isinstance(document, dict):
        raise UnparsableFile(path, "expected a JSON object at the top level")
    try:
        positions = json_positions(text)
    except RecursionError:
        raise UnparsableFile(path, "JSON nested too deeply to read") from None
    cloudrun = document.get("cloudrun") if isinstance(document.get("cloudrun"), dict) else {}
    if service.config_file is not None and "serverConfig" not in document and "cloudrun" not in document:
        config, config_path = document, ()  # a bare serverConfig object
    elif "serverConfig" in cloudrun:
        config, config_path = cloudrun["serverConfig"], ("cloudrun", "serverConfig")
    elif "serverConfig" in document:
        config, config_path = document["serverConfig"], ("serverConfig",)
    else:
        config, config_path = {}, ()
    start = positions[config_path][0] if config_path in positions else 0
    if config is None:  # "serverConfig": null means the platform defaults, like an absent one
        config = {}
    if not isinstance(config, dict):
        line, column = line_column(text, start)
        raise UnparsableFile(path, "serverConfig must be a JSON object", line, column)
    name = cloudrun.get("name") if isinstance(cloudrun.get("name"), str) else None
    env_id = document.get("envId") if isinstance(document.get("envId"), str) else None
    return ServerConfigSource(path, text, config, name, env_id, start, document, config_path, positions)


# ---- locating every key and value of a JSON text ---------------------------------------------
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_SCALAR = re.compile(r"-?(?:Infinity|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|true|false|null|NaN")


def json_positions(text: str) -> dict[JsonPath, tuple[int, int]]:
    """Map every path of a JSON text to (offset of its key, offset of its value).

    For the document itself and for array items both offsets are the value's. The text must be
    valid JSON (json.loads accepted it); with a duplicate key the last one wins, as in json.loads.
    Iterative, so deep nesting cannot exhaust the stack."""
    import json

    positions: dict[JsonPath, tuple[int, int]] = {}
    index = _skip(text, 0)
    # Each frame: [container kind "{" or "[", path of the container, next array index]
    stack: list[list] = []
    pending_key: tuple[str, int] | None = None

    def value_path() -> JsonPath:
        if not stack:
            return ()
        kind, path, _ = stack[-1]
        if kind == "[":
            return (*path, stack[-1][2])
        return (*path, pending_key[0])

    def record(path: JsonPath, value_offset: int) -> None:
        key_offset = pending_key[1] if stack and stack[-1][0] == "{" else value_offset
        positions[path] = (key_offset, value_offset)

    length = len(text)
    while index < length:
        char = text[index]
        if stack and stack[-1][0] == "{" and pending_key is None:
            # expecting a key or the end of the object
            if char == "}":
                stack.pop()
                index = _after_value(text, index + 1, stack)
                continue
            match = _STRING.match(text, index)
            if not match:
                break
            pending_key = (json.loads(match.group(0)), index)
            index = _skip(text, match.end())
            index = _skip(text, index + 1)  # the ':'
            continue
        if stack and stack[-1][0] == "[" and char == "]":
            stack.pop()
            index = _after_value(text, index + 1, stack)
            continue
        path = value_path()
        record(path, index)
        if stack and stack[-1][0] == "[":
            stack[-1][2] += 1
        pending_key = None
        if char in "{[":
            stack.append([char, path, 0])
            index = _skip(text, index + 1)
            continue
        match = _STRING.match(text, index) if char == '"' else _SCALAR.match(text, index)
        if not match:
            break
        index = _after_value(text, match.end(), stack)
    return positions


def _skip(text: str, index: int) -> int:
    return _WHITESPACE.match(text, index).end()


def _after_value(text: str, index: int, stack: list) -> int:
    index = _skip(text, index)
    if index < len(text) and text[index] == ",":
        index = _skip(text, index + 1)
    return index
