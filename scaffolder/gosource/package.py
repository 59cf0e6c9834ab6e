"""The files of one Go package (one folder) and what their names are bound to.

A name used in a function is looked up in that function, then in the functions around it (a func
literal sees its parent's variables), then at package level in every file of the folder. Each file
is scanned once, by gofile.py's query, for every place that gives a name a value: `:=`, `var`, `const`,
`=`, parameters and range variables (values unknown), and `&name` (the value may change behind a
pointer: unknown). Other files of the package are parsed only when a name is not found in the file
that uses it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

from tree_sitter import Node

from scaffolder.gosource.gofile import GoFile, enclosing_function


class Bound(NamedTuple):
    """A value a name may hold: an expression, or result `index` of a multi-value call."""

    file: GoFile
    node: Node
    index: int = 0
    multi: bool = False  # `a, b := f()`: node is the call and index says which result


UNKNOWN = None  # a binding whose value cannot be known (a parameter, a range variable, &name)

def _expressions(node: Node | None) -> list[Node]:
    if node is None:
        return []
    if node.type == "expression_list":
        return [child for child in node.named_children if child.type != "comment"]
    return [node]


_BLOCK_TYPES = frozenset({"block", "if_statement", "for_statement", "expression_switch_statement",
                          "type_switch_statement", "select_statement", "expression_case", "type_case", "default_case",
                          "communication_case", "func_literal", "function_declaration", "method_declaration"})


def _block_of(node: Node) -> Node | None:
    up = node.parent
    while up is not None and up.type not in _BLOCK_TYPES:
        up = up.parent
    return up


class Scopes:
    """For one file: function node id (0 for package level) -> name -> the values it is given.

    Within a function a declaration counts from where it is written to the end of its block, so a
    later `todos := ...` in another block does not hide the package's `todos` before it."""

    def __init__(self, file: GoFile):
        self.file = file
        self.declared: dict[int, dict[str, list[Bound | None]]] = {}
        self.assigned: dict[int, dict[str, list[Bound | None]]] = {}  # by the function that declares the name
        self.reach: dict[int, dict[str, list[tuple[int, int, int]]]] = {}  # (from, block start, block end)
        self._build()

    def _key(self, function: Node | None) -> int:
        return function.id if function is not None else 0

    def _declare(self, node: Node, name: str, value: Bound | None) -> None:
        key = self._key(enclosing_function(node))
        self.declared.setdefault(key, {}).setdefault(name, []).append(value)
        block = _block_of(node)
        if block is not None:
            self.reach.setdefault(key, {}).setdefault(name, []).append(
                (node.start_byte, block.start_byte, block.end_byte))

    def _declares(self, function: Node, name: str, use: Node) -> bool:
        """Whether a declaration of `name` in `function` is in force at `use`."""
        if name not in self.declared.get(function.id, {}):
            return False
        at = use.start_byte
        return any(start <= at and block_start <= at < block_end
                   for start, block_start, block_end in self.reach.get(function.id, {}).get(name, ()))

    def _build(self) -> None:
        file = self.file
        found = file.captured  # gofile.py's query finds the declarations, parameters and assignments
        later: list[tuple[Node, str, Bound | None]] = []
        for node in found.get("short", ()):
            for name, value in self._pairs(node.child_by_field_name("left"), node.child_by_field_name("right")):
                self._declare(node, name, value)
        for kind in ("var", "const"):
            for node in found.get(kind, ()):
                names = [file.text(child) for child in node.children_by_field_name("name")]
                values = node.child_by_field_name("value")
                if values is None:  # `var x int` (zero value) or a const repeating the previous line
                    for name in names:
                        self._declare(node, name, UNKNOWN)
                    continue
                expressions = _expressions(values)
                for name, value in self._zip(names, expressions):
                    self._declare(node, name, value)
        for node in found.get("param", ()):
            self._declare(node, file.text(node), UNKNOWN)
        for node in found.get("assign", ()):
            operator = node.child_by_field_name("operator")
            plain = operator is None or file.text(operator) == "="
            left = node.child_by_field_name("left")
            for name, value in self._pairs(left, node.child_by_field_name("right")):
                later.append((node, name, value if plain else UNKNOWN))
        for node in found.get("address", ()):
            later.append((node, file.text(node), UNKNOWN))
        for node, name, value in later:
            self.assigned.setdefault(self._owner(node, name), {}).setdefault(name, []).append(value)

    def _pairs(self, left: Node | None, right: Node | None) -> list[tuple[str, Bound | None]]:
        targets = _expressions(left)
        names = [self.file.text(target) if target.type == "identifier" else "" for target in targets]
        return [(name, value) for name, value in self._zip(names, _expressions(right)) if name and name != "_"]

    def _zip(self, names: list[str], values: list[Node]) -> list[tuple[str, Bound | None]]:
        if len(values) == len(names):
            return [(name, Bound(self.file, value)) for name, value in zip(names, values)]
        if len(values) == 1 and values[0].type == "call_expression":
            return [(name, Bound(self.file, values[0], index, True)) for index, name in enumerate(names)]
        return [(name, UNKNOWN) for name in names]

    def _owner(self, node: Node, name: str) -> int:
        """The function that declares `name` as seen from `node` (0: package level)."""
        function = enclosing_function(node)
        while function is not None:
            if self._declares(function, name, node):
                return function.id
            function = enclosing_function(function)
        return 0

    def lookup(self, node: Node, name: str) -> tuple[int, list[Bound | None]] | None:
        """The bindings of `name` as used at `node`, if a function around it declares it."""
        function = enclosing_function(node)
        while function is not None:
            if self._declares(function, name, node):
                values = self.declared[function.id][name]
                return function.id, values + self.assigned.get(function.id, {}).get(name, [])
            function = enclosing_function(function)
        return None

    def package_level(self, name: str) -> tuple[list[Bound | None], list[Bound | None]]:
        """(declarations, assignments) of a package-level name in this file."""
        return self.declared.get(0, {}).get(name, []), self.assigned.get(0, {}).get(name, [])


class Package:
    """The .go files of one folder that belong to the same package as the file being checked."""

    def __init__(self, paths: list[Path], load: Callable[[Path], GoFile | None]):
        self.paths = paths
        self._load = load
        self._scopes: dict[int, Scopes] = {}

    @cached_property
    def files(self) -> list[GoFile]:
        loaded = (self._load(path) for path in self.paths)
        return [file for file in loaded if file is not None and not file.source.has_errors()]

    def same_package(self, file: GoFile) -> list[GoFile]:
        return [other for other in self.files if other.package_name == file.package_name] or [file]

    def scopes(self, file: GoFile) -> Scopes:
        key = id(file)
        if key not in self._scopes:
            self._scopes[key] = Scopes(file)
        return self._scopes[key]

    def bindings(self, file: GoFile, identifier: Node) -> list[Bound | None] | None:
        """What the identifier may hold; None when nothing declares it (a builtin, a dot import)."""
        name = file.text(identifier)
        local = self.scopes(file).lookup(identifier, name)
        if local is not None:
            return local[1]
        declared: list[Bound | None] = []
        assigned: list[Bound | None] = []
        files = [file] + [other for other in self.same_package(file) if other is not file]
        for other in files:
            more_declared, more_assigned = self.scopes(other).package_level(name)
            declared += more_declared
            assigned += more_assigned
        return declared + assigned if declared else None

    # ---- functions of the package ----------------------------------------------------------------
    def function(self, file: GoFile, name: str) -> tuple[GoFile, Node] | None:
        for other in [file] + [f for f in self.same_package(file) if f is not file]:
            node = other.top_functions.get(name)
            if node is not None:
                return other, node
        return None

    def method(self, file: GoFile, name: str) -> tuple[GoFile, Node] | None:
        """The package's only method called `name` (None when there is none or several)."""
        found = [(other, node) for other in self.same_package(file) for node in other.methods.get(name, ())]
        return found[0] if len(found) == 1 else None
