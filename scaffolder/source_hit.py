"""What a source rule found, before it becomes a Finding with a path and columns. The node is the
language's own: an `ast.AST` for Python, a tree-sitter `Node` for JavaScript, TypeScript, Go and
Java."""

from __future__ import annotations

from typing import Any, NamedTuple

from scaffolder.findings import Fix


class Hit(NamedTuple):
    code: str
    message: str
    node: Any  # where the finding is reported
    fix: Fix | None = None
    context: Any = None  # the code whose branch or reachability decides whether it runs (default: node)
