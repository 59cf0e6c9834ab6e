"""Where a piece of Go code runs.

- Startup code: `main` of package main, every `init`, package-level variable initialisers, and the
  package's functions (and methods with a name no other method of the package has) that startup
  code calls. A func literal runs where it is written only when it is called there (`func(){...}()`,
  `go func(){...}()`); one passed as a value (an HTTP handler, a callback) runs later, so the code
  in it is not startup code.
- Environment-dependent code: a branch of an `if` or a `switch` case whose condition reads the
  environment, a flag, or a debug/test/environment setting (`if os.Getenv("APP_ENV") == "dev"`,
  `if *debug`, `if gin.Mode() == gin.DebugMode`): which branch runs on the platform is not known.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from scaffolder import treesitter
from scaffolder.gosource.gofile import GRAMMAR, GoFile, enclosing_function
from scaffolder.gosource.package import Package

_CALLS_QUERY = """
(call_expression function: (identifier) @function) @call
(call_expression function: (selector_expression field: (field_identifier) @method)) @call
"""
_FLAGS_QUERY = """
(identifier) @name
(field_identifier) @name
(interpreted_string_literal) @string
(call_expression function: (selector_expression operand: (identifier) @package field: (field_identifier) @function))
"""
_FLAG_WORDS = frozenset({"debug", "testing", "test", "tests", "env", "environ", "environment", "dev", "develop",
                         "development", "local", "prod", "production", "stage", "staging", "mode"})
_ENV_READERS = frozenset({"os.Getenv", "os.LookupEnv", "os.Environ", "flag.Parse", "flag.Bool", "flag.String"})
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def words(identifier: str) -> set[str]:
    return {word.lower() for word in _WORD.findall(identifier)}


def runs_in_place(literal: Node) -> bool:
    """`func(){...}()` and `go func(){...}()`: the literal is called where it is written."""
    parent = literal.parent
    if parent is None or parent.type != "call_expression":
        return False
    function = parent.child_by_field_name("function")
    return function is not None and function.id == literal.id


def running_function(node: Node) -> Node | None:
    """The declared function whose call runs `node`, or None when `node` sits in a func literal
    passed as a value (it runs whenever its receiver calls it)."""
    function = enclosing_function(node)
    while function is not None and function.type == "func_literal":
        if not runs_in_place(function):
            return None
        function = enclosing_function(function)
    return function


class Startup:
    """The package's functions that run at startup, found once per package."""

    def __init__(self, package: Package):
        self.package = package
        self._functions: set[int] | None = None

    def at_startup(self, file: GoFile, node: Node) -> bool:
        if enclosing_function(node) is None:
            return True  # a package-level variable initialiser runs before main
        function = running_function(node)
        return function is not None and function.id in self.functions(file)

    def functions(self, file: GoFile) -> set[int]:
        if self._functions is None:
            self._functions = self._find(file)
        return self._functions

    def _find(self, file: GoFile) -> set[int]:
        package = self.package
        files = package.same_package(file)
        queue: list[tuple[GoFile, Node]] = []
        for other in files:
            for name, node in other.top_functions.items():
                if name == "init" or (name == "main" and other.package_name == "main"):
                    queue.append((other, node))
        found = {node.id for _, node in queue}
        while queue:
            owner, function = queue.pop()
            captured = treesitter.captures(GRAMMAR, _CALLS_QUERY, function)
            for kind in ("function", "method"):
                for name_node in captured.get(kind, ()):
                    call = name_node.parent if kind == "function" else name_node.parent.parent
                    runner = running_function(call)
                    if runner is None or runner.id != function.id:
                        continue
                    name = owner.text(name_node)
                    target = package.function(owner, name) if kind == "function" else package.method(owner, name)
                    if target is not None and target[1].id not in found:
                        found.add(target[1].id)
                        queue.append(target)
        return found


def in_environment_branch(file: GoFile, node: Node) -> bool:
    child, up = node, node.parent
    while up is not None:
        if up.type == "if_statement" and child.id not in _ids(up, "condition", "initializer"):
            if _reads_flags(file, up.child_by_field_name("condition")):
                return True
        elif up.type == "expression_case" and up.parent is not None:
            switch = up.parent
            if _reads_flags(file, switch.child_by_field_name("value")) or _reads_flags(
                    file, up.child_by_field_name("value")):
                return True
        child, up = up, up.parent
    return False


def _ids(node: Node, *fields: str) -> set[int]:
    return {child.id for name in fields if (child := node.child_by_field_name(name)) is not None}


def _reads_flags(file: GoFile, condition: Node | None) -> bool:
    if condition is None:
        return False
    captured = treesitter.captures(GRAMMAR, _FLAGS_QUERY, condition)
    for node in captured.get("function", ()):
        operand = node.parent.child_by_field_name("operand")
        if f"{file.imports.get(file.text(operand), '')}.{file.text(node)}" in _ENV_READERS:
            return True
    for node in captured.get("name", ()):
        if words(file.text(node)) & _FLAG_WORDS:
            return True
    for node in captured.get("string", ()):
        text = file.text(node)
        if len(text) < 40 and words(text) & _FLAG_WORDS:
            return True
    return False
