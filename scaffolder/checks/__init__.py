"""The checks: one module per source of evidence.

A check module defines
    CODES: frozenset[str]             the rule codes it can report
    check(service) -> Iterable[Finding]
A check raises project.UnparsableFile for a file it cannot read; the engine turns that into CBR001
and goes on. Rule text and severity live in rules/, not here. hadolint is not listed here: the
engine runs it in subprocesses over many services at once (checks/hadolint.py).

Each entry of CHECKS also says which files it needs: a check whose files a service does not have
is neither imported nor run for it, so linting a Python service never loads the Go, Java or
JavaScript parsers. The filters are deliberately wide (a superset of what the check reads); the
rule examples and the precision corpus run with every check, so a filter that is too narrow fails
them.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import NamedTuple

# The suffixes jssource reads (kept here, not imported, so that choosing checks loads no parser;
# tests/test_js_source.py checks that the two agree).
JS_SUFFIXES = frozenset({".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx"})
_SPRING_CONFIG_SUFFIXES = frozenset({".properties", ".yml", ".yaml"})


def file_kinds(file_names: list[str]) -> frozenset[str]:
    """Which kinds of file a service has, in one pass over its file names (this runs for every
    service): "python", "go", "java" (sources, or Spring's application.* settings), "node" (a
    package.json or JavaScript/TypeScript) and "package.json"."""
    kinds = set()
    for name in file_names:
        dot = name.rfind(".")
        suffix = name[dot:] if dot >= 0 else ""
        if suffix in _KIND_BY_SUFFIX:
            kinds.add(_KIND_BY_SUFFIX[suffix])
        if name == "package.json":
            kinds.update(("package.json", "node"))
        elif name.startswith("application") and suffix in _SPRING_CONFIG_SUFFIXES:
            kinds.add("java")
    return frozenset(kinds)


_KIND_BY_SUFFIX = {".py": "python", ".go": "go", ".java": "java", **{suffix: "node" for suffix in JS_SUFFIXES}}


class Check(NamedTuple):
    name: str
    needs: str | None = None  # the kind of file (see file_kinds) without which it is not run

    def load(self) -> ModuleType:
        module = _LOADED.get(self.name)
        if module is None:  # import_module costs more than the checks of a small service
            module = _LOADED[self.name] = importlib.import_module(f"scaffolder.checks.{self.name}")
        return module


_LOADED: dict[str, ModuleType] = {}

CHECKS = (
    Check("dockerfile"),
    Check("start_command"),
    Check("server_config"),
    Check("python_source", "python"),
    Check("go_source", "go"),
    Check("java_source", "java"),
    Check("js_source", "node"),
    Check("function_layout", "package.json"),
    Check("agent_layout", "node"),
    Check("node_dependencies", "package.json"),
)


def load_checks() -> list[ModuleType]:
    """Every check module (for the catalog's consistency tests)."""
    return [check.load() for check in CHECKS]


def checks_for(file_names: list[str]) -> list[ModuleType]:
    """The check modules that can say something about a service with these files."""
    kinds = file_kinds(file_names)
    return [check.load() for check in CHECKS if check.needs is None or check.needs in kinds]
