"""Where a service's deploy configuration (`serverConfig`) is, as raw JSON with line numbers.

It comes from `cloudbaserc.json` (`{"envId", "cloudrun": {"name", "serverConfig": {...}}}`) or from
a standalone file given with `--config` (`{"serverConfig": {...}}` or the bare object). The pydantic
model that validates it lives with the checks (checks/server_config.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from scaffolder.project import Service, UnparsableFile


@dataclass(frozen=True)
class ServerConfigSource:
    path: Path
    text: str
    data: dict  # the serverConfig object, {} when the file has none
    service_name: str | None
    env_id: str | None
    start: int  # offset of the serverConfig object in `text`, for locating its keys

    def location(self, key: str) -> tuple[int, int]:
        """Line and column of `"key":` inside serverConfig (the object's own line when absent)."""
        match = re.compile(r'"' + re.escape(key) + r'"\s*:').search(self.text, self.start)
        offset = match.start() if match else self.start
        return line_column(self.text, offset)


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
        config, start = document, 0  # a bare serverConfig object
    else:
        holder = cloudrun if "serverConfig" in cloudrun else document
        config = holder.get("serverConfig", {})
        key = re.search(r'"serverConfig"\s*:', text)
        start = key.start() if key else 0
    if not isinstance(config, dict):
        line, column = line_column(text, start)
        raise UnparsableFile(path, "serverConfig must be a JSON object", line, column)
    name = cloudrun.get("name") if isinstance(cloudrun.get("name"), str) else None
    env_id = document.get("envId") if isinstance(document.get("envId"), str) else None
    return ServerConfigSource(path, text, config, name, env_id, start)
