"""A service's package.json: its data, with the line and column of every key, read once per service."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from scaffolder.deploy_config import json_positions, line_column
from scaffolder.project import AGENT_FRAMEWORK, FUNCTIONS_FRAMEWORK, Service

__all__ = ["AGENT_FRAMEWORK", "FUNCTIONS_FRAMEWORK", "PackageJson", "package_json", "DEPENDENCY_SECTIONS"]

# Where npm looks for what a package needs; production installs (`npm ci --omit=dev`) skip devDependencies.
DEPENDENCY_SECTIONS = ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies")


@dataclass(frozen=True)
class PackageJson:
    path: Path
    text: str
    data: dict

    @cached_property
    def positions(self) -> dict:
        """JSON path -> (key offset, value offset); found only when a finding needs a location."""
        return json_positions(self.text)

    def section(self, name: str) -> dict:
        value = self.data.get(name)
        return value if isinstance(value, dict) else {}

    @property
    def scripts(self) -> dict[str, str]:
        return {name: text for name, text in self.section("scripts").items() if isinstance(text, str)}

    def declared_in(self, package: str) -> str | None:
        """The first section (dependencies first) that lists `package`, or None."""
        return next((name for name in DEPENDENCY_SECTIONS if package in self.section(name)), None)

    def location(self, *path) -> tuple[int, int]:
        """Line and column of the key at `path` (the nearest enclosing key that exists; 1:1 at worst)."""
        path = tuple(path)
        while path and path not in self.positions:
            path = path[:-1]
        if not path:
            return 1, 1
        return line_column(self.text, self.positions[path][0])

    def value_span(self, *path) -> tuple[int, int] | None:
        """Offsets of the raw value text at `path` (quotes included for a string), or None."""
        if tuple(path) not in self.positions:
            return None
        start = self.positions[tuple(path)][1]
        if self.text[start:start + 1] != '"':
            return start, start
        end, escaped = start + 1, False
        while end < len(self.text):
            char = self.text[end]
            if char == '"' and not escaped:
                return start, end + 1
            escaped = char == "\\" and not escaped
            end += 1
        return start, end


def package_json(service: Service) -> PackageJson | None:
    """The service's package.json (None when it has none, or its top level is not an object). Invalid
    JSON raises UnparsableFile, which the engine reports as CBR001."""
    path = service.package_json
    if path is None:
        return None

    def load() -> PackageJson | None:
        data = service.read_json(path)
        if not isinstance(data, dict):
            return None
        text = service.read_text(path)
        return PackageJson(path, text, data)

    return service.memo("nodeproject.package_json", load)
