"""What a JavaScript/TypeScript rule found, before it becomes a Finding with a path and columns."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node


@dataclass(frozen=True)
class Hit:
    code: str
    message: str
    node: Node  # where the finding is reported
    context: Node | None = None  # the code whose reachability decides (default: node)
