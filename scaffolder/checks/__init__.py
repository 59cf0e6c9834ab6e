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
from collections.abc import Callable
from types import ModuleType
from typing import NamedTuple

# The suffixes jssource reads (kept here, not imported, so that choosing checks loads no parser;
# tests/test_js_source.py checks that the two agree).
JS_SUFFIXES = frozenset({".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx"})
_SPRING_CONFIG_SUFFIXES = (".properties", ".yml", ".yaml")


def _always(file_names: list[str]) -> bool:
    return True


def _python(file_names: list[str]) -> bool:
    return any(name.endswith(".py") for name in file_names)


def _node(file_names: list[str]) -> bool:
    return any(name == "package.json" or name[name.rfind("."):] in JS_SUFFIXES for name in file_names)


def _package_json(file_names: list[str]) -> bool:
    return "package.json" in file_names


def _go(file_names: list[str]) -> bool:
    return any(name.endswith(".go") for name in file_names)


def _java(file_names: list[str]) -> bool:
    return any(name.endswith(".java") or (name.startswith("application") and name.endswith(_SPRING_CONFIG_SUFFIXES))
               for name in file_names)


class Check(NamedTuple):
    name: str
    needs: Callable[[list[str]], bool] = _always  # given the service's file names

    def load(self) -> ModuleType:
        return importlib.import_module(f"scaffolder.checks.{self.name}")


CHECKS = (
    Check("dockerfile"),
    Check("start_command"),
    Check("server_config"),
    Check("python_source", _python),
    Check("go_source", _go),
    Check("java_source", _java),
    Check("js_source", _node),
    Check("function_layout", _package_json),
    Check("agent_layout", _node),
    Check("node_dependencies", _package_json),
)


def load_checks() -> list[ModuleType]:
    """Every check module (for the catalog's consistency tests)."""
    return [check.load() for check in CHECKS]


def checks_for(file_names: list[str]) -> list[ModuleType]:
    """The check modules that can say something about a service with these files."""
    return [check.load() for check in CHECKS if check.needs(file_names)]
