"""Reporters turn a LintResult into text for people or machines. Each module has
render(result, context) -> str, except text, which prints with rich."""

from __future__ import annotations

import importlib
import stat
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from scaffolder.project import MAX_TEXT_BYTES

if TYPE_CHECKING:  # only for annotations: `scaffolder --help` and `new` import this package for FORMATS
    from scaffolder.catalog import Catalog
    from scaffolder.findings import LintResult

FORMATS = ("text", "json", "sarif", "github", "junit", "gitlab")


class ReportContext(NamedTuple):
    catalog: Catalog
    root: Path  # finding paths are relative to this folder
    fail_on: str


def render(format_name: str, result: LintResult, context: ReportContext, color: bool = False) -> str:
    module = importlib.import_module(f"scaffolder.reporters.{format_name}_report")
    return module.render(result, context, color=color) if format_name == "text" else module.render(result, context)


class SourceLines:
    """The lines of reported files, read once per report (missing files have none)."""

    def __init__(self, root: Path):
        self.root, self._cache = root, {}

    def __call__(self, relative: str) -> list[str]:
        if relative not in self._cache:
            path = self.root / relative
            try:
                info = path.stat()
                # Only regular files of sensible size: a FIFO would block, /dev/zero never end.
                regular = stat.S_ISREG(info.st_mode) and info.st_size <= MAX_TEXT_BYTES
                text = path.read_text(encoding="utf-8", errors="replace") if regular else ""
            except OSError:
                text = ""
            self._cache[relative] = text.splitlines()
        return self._cache[relative]


def hadolint_help_uri(code: str) -> str:
    if code.startswith("SC"):
        return f"https://www.shellcheck.net/wiki/{code}"
    return f"https://github.com/hadolint/hadolint/wiki/{code}"
