"""Reporters turn a LintResult into text for people or machines. Each module has
render(result, context) -> str, except text, which prints with rich."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from scaffolder.catalog import Catalog
from scaffolder.findings import LintResult

FORMATS = ("text", "json", "sarif", "github", "junit", "gitlab")


@dataclass(frozen=True)
class ReportContext:
    catalog: Catalog
    root: Path  # finding paths are relative to this folder
    fail_on: str


def render(format_name: str, result: LintResult, context: ReportContext, color: bool = False) -> str:
    module = importlib.import_module(f"scaffolder.reporters.{format_name}_report")
    return module.render(result, context, color=color) if format_name == "text" else module.render(result, context)


def hadolint_help_uri(code: str) -> str:
    if code.startswith("SC"):
        return f"https://www.shellcheck.net/wiki/{code}"
    return f"https://github.com/hadolint/hadolint/wiki/{code}"
