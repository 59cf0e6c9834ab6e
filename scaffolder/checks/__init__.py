"""The checks: one module per source of evidence.

A check module defines
    CODES: frozenset[str]             the rule codes it can report (None: any hadolint code)
    check(service) -> Iterable[Finding]
and optionally
    start(service) -> Callable[[], Iterable[Finding]]
for slow work in another process (hadolint): the engine starts it before the other checks run and
collects it after them. A check raises project.UnparsableFile for a file it cannot read; the engine
turns that into CBR001 and goes on. Rule text and severity live in rules/, not here.
"""

from __future__ import annotations

import importlib
from types import ModuleType

CHECK_MODULES = (
    "dockerfile",
    "start_command",
    "server_config",
    "python_source",
    "go_source",
    "java_source",
    "js_source",
    "function_layout",
    "agent_layout",
    "node_dependencies",
    "hadolint",
)


def load_checks(names: tuple[str, ...] = CHECK_MODULES) -> list[ModuleType]:
    return [importlib.import_module(f"scaffolder.checks.{name}") for name in names]
