"""What a Java rule found, before it becomes a Finding with a path and columns."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from scaffolder.findings import Fix


@dataclass(frozen=True)
class Hit:
    code: str
    message: str
    node: Node  # where the finding is reported
    fix: Fix | None = None
    context: Node | None = None  # the code whose branch decides whether it runs (default: node)
