"""One parsed Go file: its package name, its imports, and the calls and go statements the rules
look at, and the bindings package.py's scopes need, all found by one tree-sitter query (compiled
once per process)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path, PurePosixPath

from tree_sitter import Node

from scaffolder import treesitter
from scaffolder.treesitter import Source

GRAMMAR = "go"
FUNCTION_TYPES = frozenset({"function_declaration", "method_declaration", "func_literal"})

# Method and function names any Go rule looks at; a call to anything else is never a finding.
CALL_NAMES = frozenset({
    # listen.py
    "ListenAndServe", "ListenAndServeTLS", "Listen", "ListenTLS", "Run", "RunTLS", "Start", "StartTLS",
    "WithHostPorts", "Addr",
    # state.py
    "Create", "WriteFile", "OpenFile", "Mkdir", "MkdirAll", "Rename", "SaveUploadedFile", "SaveFile", "Open",
    "Connect", "MustConnect", "MustOpen",
    # background.py
    "AfterFunc", "StartAsync", "StartBlocking",
    # sessions.py
    "NewStore", "NewFilesystemStore", "New",
    # memory.py: route registrations
    "POST", "PUT", "PATCH", "DELETE", "Post", "Put", "Patch", "Delete", "HandleFunc", "Handle",
})

_INDEX_PATTERNS = """
(package_clause (package_identifier) @package)
(import_spec) @import
((call_expression function: (selector_expression field: (field_identifier) @name)) @call
 (#any-of? @name %s))
(go_statement (call_expression) @go)
""" % " ".join(f'"{name}"' for name in sorted(CALL_NAMES))
# What names are bound to, for package.py's Scopes. In the same query as the rest because each
# query walks the whole tree, and the walk, not the patterns, is what a query costs.
_BINDING_PATTERNS = """
(short_var_declaration) @short
(var_spec) @var
(const_spec) @const
(assignment_statement) @assign
(parameter_declaration name: (identifier) @param)
(variadic_parameter_declaration name: (identifier) @param)
(range_clause left: (expression_list (identifier) @param))
(receive_statement left: (expression_list (identifier) @param))
(type_switch_statement alias: (expression_list (identifier) @param))
(unary_expression operator: "&" operand: (identifier) @address)
"""
_QUERY = _INDEX_PATTERNS + _BINDING_PATTERNS

_VERSION = re.compile(r"^v\d+$")


@cache  # the same few import paths ("fmt", "net/http") in every file
def default_import_name(path: str) -> str:
    """The name a package is used by when imported without one: "echo" for
    "github.com/labstack/echo/v4", "yaml" for "gopkg.in/yaml.v3"."""
    parts = [part for part in path.split("/") if part]
    if len(parts) > 1 and _VERSION.match(parts[-1]):
        parts.pop()
    name = parts[-1] if parts else path
    name = re.sub(r"\.v\d+$", "", name)
    return name.removeprefix("go-").replace("-", "_").replace(".", "_")


@dataclass(eq=False)
class GoFile:
    path: Path
    relative: PurePosixPath
    source: Source
    package_name: str = ""
    imports: dict[str, str] = field(default_factory=dict)  # local name -> import path
    calls: list[Node] = field(default_factory=list)  # selector calls whose name is in CALL_NAMES
    go_calls: list[Node] = field(default_factory=list)  # the call of each go statement
    captured: dict[str, list[Node]] = field(default_factory=dict)  # every capture; package.py reads the bindings

    @classmethod
    def parse(cls, path: Path, relative: PurePosixPath, text: str) -> "GoFile":
        source = treesitter.parse(GRAMMAR, text)
        file = cls(path, relative, source)
        if not source.has_errors():
            file._index()
        return file

    def _index(self) -> None:
        found = treesitter.captures(GRAMMAR, _QUERY, self.source.root)
        for node in found.get("package", ()):
            self.package_name = self.text(node)
        for spec in found.get("import", ()):
            path_node, name_node = spec.child_by_field_name("path"), spec.child_by_field_name("name")
            if path_node is None:
                continue
            import_path = self.text(path_node).strip('"`')
            name = self.text(name_node) if name_node is not None else default_import_name(import_path)
            if name not in ("_", "."):
                self.imports[name] = import_path
        self.calls = found.get("call", [])  # treesitter.captures gives each list in document order
        self.go_calls = found.get("go", [])
        self.captured = found

    # ---- text and names ------------------------------------------------------------------------
    def text(self, node: Node) -> str:
        return self.source.text_of(node)

    def qualified(self, function: Node | None) -> str | None:
        """"net/http.ListenAndServe" for `http.ListenAndServe` when `http` is an import."""
        if function is None or function.type != "selector_expression":
            return None
        operand, name = function.child_by_field_name("operand"), function.child_by_field_name("field")
        if operand is None or name is None or operand.type != "identifier":
            return None
        package = self.imports.get(self.text(operand))
        return f"{package}.{self.text(name)}" if package else None

    def imports_any(self, *prefixes: str) -> bool:
        return any(path == prefix or path.startswith(prefix + "/") for path in self.imports.values()
                   for prefix in prefixes)

    @cached_property
    def top_functions(self) -> dict[str, Node]:
        """Top-level functions by name (methods are in `methods`)."""
        found: dict[str, Node] = {}
        for child in self.source.root.named_children:
            if child.type == "function_declaration":
                name = child.child_by_field_name("name")
                if name is not None:
                    found[self.text(name)] = child
        return found

    @cached_property
    def methods(self) -> dict[str, list[Node]]:
        found: dict[str, list[Node]] = {}
        for child in self.source.root.named_children:
            if child.type == "method_declaration":
                name = child.child_by_field_name("name")
                if name is not None:
                    found.setdefault(self.text(name), []).append(child)
        return found


def call_name(call: Node, file: GoFile) -> str:
    """`ListenAndServe` for `http.ListenAndServe(...)` or `srv.ListenAndServe()`."""
    function = call.child_by_field_name("function")
    if function is None:
        return ""
    if function.type == "selector_expression":
        name = function.child_by_field_name("field")
        return file.text(name) if name is not None else ""
    return file.text(function) if function.type == "identifier" else ""


def receiver(call: Node) -> Node | None:
    """`srv` in `srv.ListenAndServe()`."""
    function = call.child_by_field_name("function")
    return function.child_by_field_name("operand") if function is not None and function.type == "selector_expression" \
        else None


def arguments(call: Node) -> list[Node]:
    args = call.child_by_field_name("arguments")
    return [child for child in args.named_children if child.type != "comment"] if args is not None else []


def enclosing_function(node: Node) -> Node | None:
    up = node.parent
    while up is not None and up.type not in FUNCTION_TYPES:
        up = up.parent
    return up
