"""Where a service's deploy configuration (`serverConfig`) is, as raw JSON with line numbers.

It comes from `cloudbaserc.json` (`{"envId", "cloudrun": {"name", "serverConfig": {...}}}`) or from
a standalone file given with `--config` (`{"serverConfig": {...}}` or the bare object). The pydantic
model that validates it lives in server_config_model.py, the rules in checks/server_config.py.

Every key and value of the file is located (line, column) by a small scanner that runs after
`json.loads` has accepted the text, so findings point at the exact field, nested ones included.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from scaffolder.project import Service, UnparsableFile

JsonPath = tuple  # of str (object keys) and int (array indexes)


@dataclass(eq=False)  # read-only all the same; not frozen, whose __init__ sets each field through object.__setattr__
class ServerConfigSource:
    path: Path
    text: str
    data: dict  # the serverConfig object, {} when the file has none
    service_name: str | None
    env_id: str | None
    document: object = None  # the whole parsed file
    config_path: JsonPath = ()  # where serverConfig sits in the document: (), ("serverConfig",), ("cloudrun", "serverConfig")

    # Positions are only needed to place a finding, and most configs have none: scan on first use.
    @cached_property
    def positions(self) -> dict:
        """JsonPath -> (key offset, value offset) of every key and value in the file."""
        return json_positions(self.text)

    @cached_property
    def start(self) -> int:
        """Offset of the serverConfig object (its key) in `text`, for locating its keys."""
        return self.positions[self.config_path][0] if self.config_path in self.positions else 0

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
    cloudrun = document.get("cloudrun") if isinstance(document.get("cloudrun"), dict) else {}
    if service.config_file is not None and "serverConfig" not in document and "cloudrun" not in document:
        config, config_path = document, ()  # a bare serverConfig object
    elif "serverConfig" in cloudrun:
        config, config_path = cloudrun["serverConfig"], ("cloudrun", "serverConfig")
    elif "serverConfig" in document:
        config, config_path = document["serverConfig"], ("serverConfig",)
    else:
        config, config_path = {}, ()
    if config is None:  # "serverConfig": null means the platform defaults, like an absent one
        config = {}
    name = cloudrun.get("name") if isinstance(cloudrun.get("name"), str) else None
    env_id = document.get("envId") if isinstance(document.get("envId"), str) else None
    source = ServerConfigSource(path, text, config, name, env_id, document, config_path)
    if not isinstance(config, dict):
        line, column = line_column(text, source.start)
        raise UnparsableFile(path, "serverConfig must be a JSON object", line, column)
    return source


# ---- locating every key and value of a JSON text ---------------------------------------------
# One token of a valid JSON text: a string, a structural character, or a scalar (a number, true,
# false, null, NaN, Infinity). Whitespace between tokens is skipped by finditer.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^ \t\n\r{}\[\]:,"]+', re.S)


def json_positions(text: str) -> dict[JsonPath, tuple[int, int]]:
    """Map every path of a JSON text to (offset of its key, offset of its value).

    For the document itself and for array items both offsets are the value's. The text must be
    valid JSON (json.loads accepted it); with a duplicate key the last one wins, as in json.loads.
    Iterative, so deep nesting cannot exhaust the stack."""
    positions: dict[JsonPath, tuple[int, int]] = {}
    # Each frame: [is an object, path of the container, next array index]
    stack: list[list] = []
    key: tuple[str, int] | None = None  # the member whose value comes next: (name, offset of its key)
    for match in _TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        if first in ",:":
            continue
        if first in "}]":
            stack.pop()
            continue
        offset = match.start()
        if not stack:
            path, key_offset = (), offset
        elif stack[-1][0]:  # in an object: a key, or the value of the key just read
            if key is None:
                key = (_string(token), offset)
                continue
            path, key_offset = (*stack[-1][1], key[0]), key[1]
            key = None
        else:
            frame = stack[-1]
            path, key_offset = (*frame[1], frame[2]), offset
            frame[2] += 1
        positions[path] = (key_offset, offset)
        if first in "{[":
            stack.append([first == "{", path, 0])
    return positions


def _string(token: str) -> str:
    return token[1:-1] if "\\" not in token else json.loads(token)
