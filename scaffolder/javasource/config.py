"""Spring Boot, Quarkus and Micronaut configuration files: `application.properties`,
`application.yml`/`.yaml` and their profile variants (`application-prod.yml`), read into flat
entries (`server.port` = `8080`) that remember their line.

The profile of an entry comes from the file name (`application-dev.properties`), from the
document it is in (`spring.config.activate.on-profile` or `spring.profiles` in a YAML document or
after a `#---` separator), or from a Quarkus prefix (`%dev.quarkus.http.port`).
Properties follow java.util.Properties: `#`/`!` comments, `=`, `:` or blanks between key and
value, backslash continuation lines and escapes. YAML is read with PyYAML's composer (no tags are
constructed, so no code runs); a YAML syntax error is reported as CBR001 at its position.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple, TYPE_CHECKING

from scaffolder.project import UnparsableFile

_NAME = re.compile(r"^application(?:-(?P<profile>[\w.-]+))?\.(?P<kind>properties|ya?ml)$")
_PROFILE_KEYS = ("spring.config.activate.on-profile", "spring.profiles")
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}

if TYPE_CHECKING:
    import yaml


class Entry(NamedTuple):
    key: str
    value: str
    path: Path
    line: int
    column: int
    profile: str | None = None


def is_settings_file(name: str) -> bool:
    return _NAME.match(name) is not None


def read(path: Path, text: str) -> list[Entry]:
    match = _NAME.match(path.name)
    if match is None:
        return []
    file_profile = match.group("profile")
    if match.group("kind") == "properties":
        documents = _properties(path, text)
    else:
        documents = _yaml(path, text)
    entries: list[Entry] = []
    for document in documents:
        profile = file_profile or next((entry.value for entry in document if entry.key in _PROFILE_KEYS), None)
        for entry in document:
            key, own = entry.key, profile
            if key.startswith("%") and "." in key:  # Quarkus: %dev.quarkus.http.port
                own, key = key[1:].split(".", 1)
            entries.append(Entry(key, entry.value, path, entry.line, entry.column, own))
    return entries


# ---- .properties --------------------------------------------------------------------------------
def _unescape(text: str) -> str:
    out, index = [], 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            following = text[index + 1]
            if following == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", text[index + 2:index + 6]):
                out.append(chr(int(text[index + 2:index + 6], 16)))
                index += 6
                continue
            out.append(_ESCAPES.get(following, following))
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def _ends_continued(line: str) -> bool:
    return (len(line) - len(line.rstrip("\\"))) % 2 == 1


def _properties(path: Path, text: str) -> list[list[Entry]]:
    documents: list[list[Entry]] = [[]]
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        number, raw = index + 1, lines[index]
        index += 1
        stripped = raw.lstrip()
        if stripped in ("#---", "!---"):
            documents.append([])
            continue
        if not stripped or stripped[0] in "#!":
            continue
        logical = stripped
        while _ends_continued(logical) and index < len(lines):
            logical = logical[:-1] + lines[index].lstrip()
            index += 1
        key_end = 0
        while key_end < len(logical):
            char = logical[key_end]
            if char == "\\":
                key_end += 2
                continue
            if char in "=: \t\f":
                break
            key_end += 1
        rest = logical[key_end:].lstrip(" \t\f")
        if rest[:1] in ("=", ":"):
            rest = rest[1:].lstrip(" \t\f")
        column = len(raw) - len(stripped) + 1
        documents[-1].append(Entry(_unescape(logical[:key_end]), _unescape(rest).strip(), path, number, column))
    return documents


# ---- YAML ---------------------------------------------------------------------------------------
def _yaml(path: Path, text: str) -> list[list[Entry]]:
    import yaml  # imported here: ~20 ms that a run with no YAML settings file never pays

    try:
        nodes = list(yaml.compose_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        raise UnparsableFile(path, f"YAML syntax error: {error.problem or error}", line, column) from None
    except yaml.YAMLError as error:
        raise UnparsableFile(path, f"YAML error: {error}") from None
    except RecursionError:
        raise UnparsableFile(path, "YAML nesting is too deep to read") from None
    documents = []
    for node in nodes:
        entries: list[Entry] = []
        if node is not None:
            _flatten(path, node, "", entries, 0)
        documents.append(entries)
    return documents


def _flatten(path: Path, node: yaml.Node, prefix: str, entries: list[Entry], depth: int) -> None:
    import yaml

    if depth > 32 or not isinstance(node, yaml.MappingNode):
        return
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        key = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
        if isinstance(value_node, yaml.ScalarNode):
            mark = key_node.start_mark
            entries.append(Entry(key, str(value_node.value).strip(), path, mark.line + 1, mark.column + 1))
        elif isinstance(value_node, yaml.MappingNode):
            _flatten(path, value_node, key, entries, depth + 1)
