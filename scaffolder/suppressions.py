"""Inline suppressions, in each file's own comment syntax.

    app.run(port=8080)  # scaffolder: ignore[CBR201]
    # scaffolder: ignore[CBR102, DL3008]      <- on a line of its own: applies to the next line
    // scaffolder: ignore-file[CBR301]        <- anywhere: applies to the whole file

Files without comments (JSON) take per-file-ignores in the settings instead.
"""

from __future__ import annotations

import re

_HASH = "#"
_SLASHES = "//"
_MARKER_BY_SUFFIX = {
    ".py": _HASH, ".sh": _HASH, ".toml": _HASH, ".yml": _HASH, ".yaml": _HASH, ".properties": _HASH,
    ".txt": _HASH, ".cfg": _HASH, ".ini": _HASH, ".dockerfile": _HASH, ".env": _HASH,
    ".js": _SLASHES, ".mjs": _SLASHES, ".cjs": _SLASHES, ".ts": _SLASHES, ".mts": _SLASHES,
    ".cts": _SLASHES, ".jsx": _SLASHES, ".tsx": _SLASHES, ".go": _SLASHES, ".java": _SLASHES, ".jsonc": _SLASHES,
}
_MARKER_BY_NAME = {"Dockerfile": _HASH, "Procfile": _HASH, ".dockerignore": _HASH, ".gitignore": _HASH}

_PRAGMA = re.compile(r"scaffolder:\s*(?P<kind>ignore-file|ignore)\[(?P<codes>[^\]]*)\]")


def comment_marker(file_name: str) -> str | None:
    if file_name in _MARKER_BY_NAME or file_name.startswith("Dockerfile"):
        return _MARKER_BY_NAME.get(file_name, _HASH)
    dot = file_name.rfind(".")
    return _MARKER_BY_SUFFIX.get(file_name[dot:]) if dot >= 0 else None


class Suppression:
    """One `scaffolder: ignore[...]` comment; `used` collects the codes it silenced in this run."""

    __slots__ = ("line", "column", "target_line", "codes", "used")

    def __init__(self, line: int, column: int, target_line: int | None, codes: list[str]):
        self.line = line  # where the pragma is written
        self.column = column
        self.target_line = target_line  # the line it silences; None for the whole file
        self.codes = codes
        self.used: set[str] = set()

    def __repr__(self) -> str:
        return (f"Suppression(line={self.line}, column={self.column}, target_line={self.target_line}, "
                f"codes={self.codes}, used={self.used})")


def parse_suppressions(file_name: str, text: str) -> list[Suppression]:
    marker = comment_marker(file_name)
    if marker is None or "scaffolder:" not in text:
        return []
    suppressions = []
    for number, line in enumerate(text.splitlines(), start=1):
        comment_at = line.find(marker)
        if comment_at < 0 or "scaffolder:" not in line[comment_at:]:
            continue
        for match in _PRAGMA.finditer(line, comment_at):
            codes = [code.strip().upper() for code in match.group("codes").split(",") if code.strip()]
            if match.group("kind") == "ignore-file":
                target = None
            elif line[:comment_at].strip():
                target = number  # trailing comment: this line
            else:
                target = number + 1  # comment on its own line: the next line
            suppressions.append(Suppression(number, match.start() + 1, target, codes))
    return suppressions


def find_suppression(suppressions: list[Suppression], code: str, line: int, aliases: dict[str, str]):
    for suppression in suppressions:
        if suppression.target_line not in (None, line):
            continue
        for written in suppression.codes:
            if written == code or aliases.get(written) == code:
                suppression.used.add(written)
                return suppression
    return None
