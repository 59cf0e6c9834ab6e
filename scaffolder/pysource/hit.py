"""What a source rule found, before it becomes a Finding with a file path and columns."""

from __future__ import annotations

import ast
from typing import NamedTuple

from scaffolder.findings import Fix


class Hit(NamedTuple):
    code: str
    message: str
    node: ast.AST  # where the finding is reported
    fix: Fix | None = None
    context: ast.AST | None = None  # the code whose reachability decides (default: node)
