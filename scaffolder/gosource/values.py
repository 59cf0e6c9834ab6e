"""What a Go expression holds, as far as the source alone says.

- `literals`: every value it can have when all of them are literals (`":8080"`, `8080`,
  `":" + "8080"`, a const or a variable bound only to literals, `strconv.Itoa(8080)`,
  `fmt.Sprintf(":%d", 8080)`, `net.JoinHostPort("", "8080")`); None as soon as one value comes
  from anywhere else (the environment, a flag, a parameter, a struct field, another package).
- `prefix`: the literal text a string starts with (`"127.0.0.1:"` in `"127.0.0.1:" + port`).
- `path_root`: where a file-system path starts: its literal prefix, APP_FOLDER for paths built on
  the working directory or the executable (`os.Getwd()`, `os.Executable()`), "/tmp" for
  `os.TempDir()` and `os.MkdirTemp(...)`.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from scaffolder.gosource.gofile import GoFile, arguments
from scaffolder.gosource.package import Bound, Package
from scaffolder.local_paths import APP_FOLDER, parent_folder

_MAX_DEPTH = 12
_MAX_VALUES = 8
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0"}
_NUMERIC_TYPES = frozenset({"int", "int32", "int64", "uint", "uint16", "uint32", "uint64", "string"})
_JOINS = frozenset({"path/filepath.Join", "path.Join"})
_SAME_PLACE = frozenset({"path/filepath.Clean", "path.Clean", "path/filepath.Abs", "path/filepath.FromSlash",
                         "path/filepath.ToSlash"})
_DIRS = frozenset({"path/filepath.Dir", "path.Dir"})
_APP_CALLS = frozenset({"os.Getwd", "os.Executable", "os.UserHomeDir", "os.UserConfigDir"})
_TEMP_CALLS = frozenset({"os.TempDir", "os.MkdirTemp", "io/ioutil.TempDir"})
_VERB = re.compile(r"%[-+# 0]*\d*(?:\.\d+)?([dsvq%])")


def string_value(file: GoFile, node: Node) -> str | None:
    text = file.text(node)
    if node.type == "raw_string_literal":
        return text[1:-1]
    if node.type != "interpreted_string_literal":
        return None
    body = text[1:-1]
    if "\\" not in body:
        return body
    out, index = [], 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body) and body[index + 1] in _ESCAPES:
            out.append(_ESCAPES[body[index + 1]])
            index += 2
        else:
            out.append(char)
            index += 1
    return "".join(out)


def int_value(text: str) -> int | None:
    text = text.replace("_", "").lower()
    try:
        if len(text) > 1 and text[0] == "0" and text[1].isdigit():
            return int(text, 8)
        return int(text, 0)
    except ValueError:
        return None


def _format(template: str, values: list) -> str | None:
    """fmt.Sprintf with literal arguments, for the verbs addresses and paths use."""
    out, position, index = [], 0, 0
    for match in _VERB.finditer(template):
        out.append(template[position:match.start()])
        position = match.end()
        if match.group(1) == "%":
            out.append("%")
            continue
        if index >= len(values):
            return None
        out.append(str(values[index]))
        index += 1
    out.append(template[position:])
    return "".join(out) if index == len(values) else None


class Values:
    def __init__(self, package: Package):
        self.package = package

    # ---- names -----------------------------------------------------------------------------------
    def bindings(self, file: GoFile, identifier: Node) -> list[Bound | None] | None:
        return self.package.bindings(file, identifier)

    def bound_calls(self, file: GoFile, node: Node, depth: int = 0) -> list[tuple[GoFile, Node, int]] | None:
        """The calls an expression's value comes from, through names: [(file, call, result index)]."""
        if depth > _MAX_DEPTH:
            return None
        while node.type in ("parenthesized_expression", "unary_expression") and node.named_child_count:
            node = node.child_by_field_name("operand") or node.named_children[-1]
        if node.type == "call_expression":
            return [(file, node, 0)]
        if node.type != "identifier":
            return None
        bindings = self.bindings(file, node)
        if not bindings or any(bound is None for bound in bindings):
            return None
        found: list[tuple[GoFile, Node, int]] = []
        for bound in bindings:
            if bound.multi:
                found.append((bound.file, bound.node, bound.index))
                continue
            more = self.bound_calls(bound.file, bound.node, depth + 1)
            if more is None:
                return None
            found.extend(more)
        return found

    def bound_nodes(self, file: GoFile, node: Node, depth: int = 0) -> list[tuple[GoFile, Node]] | None:
        """The expressions a name holds, followed through other names (None when one is unknown)."""
        if depth > _MAX_DEPTH:
            return None
        while node.type == "parenthesized_expression" and node.named_child_count:
            node = node.named_children[0]
        if node.type != "identifier":
            return [(file, node)]
        bindings = self.bindings(file, node)
        if not bindings or any(bound is None or bound.multi for bound in bindings):
            return None
        found: list[tuple[GoFile, Node]] = []
        for bound in bindings:
            more = self.bound_nodes(bound.file, bound.node, depth + 1)  # type: ignore[union-attr]
            if more is None:
                return None
            found.extend(more)
        return found

    # ---- literal values --------------------------------------------------------------------------
    def literals(self, file: GoFile, node: Node, depth: int = 0) -> list | None:
        if depth > _MAX_DEPTH:
            return None
        kind = node.type
        if kind in ("interpreted_string_literal", "raw_string_literal"):
            value = string_value(file, node)
            return None if value is None else [value]
        if kind == "int_literal":
            number = int_value(file.text(node))
            return None if number is None else [number]
        if kind == "parenthesized_expression" and node.named_child_count:
            return self.literals(file, node.named_children[0], depth + 1)
        if kind == "binary_expression":
            return self._sum(file, node, depth)
        if kind == "identifier":
            bindings = self.bindings(file, node)
            if not bindings or any(bound is None or bound.multi for bound in bindings):
                return None
            values: list = []
            for bound in bindings:
                more = self.literals(bound.file, bound.node, depth + 1)  # type: ignore[union-attr]
                if more is None:
                    return None
                values.extend(value for value in more if value not in values)
            return values[:_MAX_VALUES]
        if kind == "call_expression":
            return self._call(file, node, depth)
        return None

    def _sum(self, file: GoFile, node: Node, depth: int) -> list | None:
        operator = node.child_by_field_name("operator")
        if operator is None or file.text(operator) != "+":
            return None
        left = self.literals(file, node.child_by_field_name("left"), depth + 1)
        right = self.literals(file, node.child_by_field_name("right"), depth + 1) if left is not None else None
        if left is None or right is None:
            return None
        values = []
        for a in left:
            for b in right:
                if isinstance(a, str) and isinstance(b, str):
                    values.append(a + b)
                elif isinstance(a, int) and isinstance(b, int):
                    values.append(a + b)
                else:
                    return None
        return values[:_MAX_VALUES]

    def _call(self, file: GoFile, call: Node, depth: int) -> list | None:
        function = call.child_by_field_name("function")
        args = arguments(call)
        if function is not None and function.type == "identifier" and file.text(function) in _NUMERIC_TYPES \
                and len(args) == 1:
            inner = self.literals(file, args[0], depth + 1)  # uint16(8080), string("...")
            return inner if inner is not None and all(isinstance(v, (int, str)) for v in inner) else None
        qualified = file.qualified(function)
        if qualified in ("strconv.Itoa", "fmt.Sprint") and len(args) == 1:
            inner = self.literals(file, args[0], depth + 1)
            return None if inner is None else [str(value) for value in inner]
        if qualified == "strconv.Atoi":  # (int, error)
            return None
        if qualified == "fmt.Sprintf" and args:
            templates = self.literals(file, args[0], depth + 1)
            rest = [self.literals(file, arg, depth + 1) for arg in args[1:]]
            if templates is None or any(values is None or len(values) != 1 for values in rest):
                return None
            arguments_ = [values[0] for values in rest if values]
            formatted = [_format(template, arguments_) for template in templates if isinstance(template, str)]
            return None if not formatted or None in formatted else formatted
        if qualified == "net.JoinHostPort" and len(args) == 2:
            hosts, ports = self.literals(file, args[0], depth + 1), self.literals(file, args[1], depth + 1)
            if hosts is None or ports is None:
                return None
            return [(f"[{h}]" if ":" in str(h) else str(h)) + ":" + str(p) for h in hosts for p in ports][:_MAX_VALUES]
        return None

    # ---- literal prefix ----------------------------------------------------------------------------
    def prefix(self, file: GoFile, node: Node, depth: int = 0) -> tuple[str, bool] | None:
        """(text, complete): the literal text the string starts with; complete when that is all of it."""
        if depth > _MAX_DEPTH:
            return None
        values = self.literals(file, node, depth + 1)
        if values is not None:
            if len(values) == 1 and isinstance(values[0], str):
                return values[0], True
            return None
        kind = node.type
        if kind == "parenthesized_expression" and node.named_child_count:
            return self.prefix(file, node.named_children[0], depth + 1)
        if kind == "binary_expression":
            operator = node.child_by_field_name("operator")
            if operator is None or file.text(operator) != "+":
                return None
            left = self.prefix(file, node.child_by_field_name("left"), depth + 1)
            if left is None or not left[1]:
                return left
            right = self.prefix(file, node.child_by_field_name("right"), depth + 1)
            return (left[0] + right[0], right[1]) if right is not None else (left[0], False)
        if kind == "identifier":
            bindings = self.bindings(file, node)
            if not bindings or any(bound is None or bound.multi for bound in bindings):
                return None
            prefixes = {self.prefix(bound.file, bound.node, depth + 1) for bound in bindings if bound is not None}
            return prefixes.pop() if len(prefixes) == 1 else None
        if kind == "call_expression":
            qualified = file.qualified(node.child_by_field_name("function"))
            args = arguments(node)
            if qualified == "fmt.Sprintf" and args:
                template = self.literals(file, args[0], depth + 1)
                if template and len(template) == 1 and isinstance(template[0], str):
                    text = template[0]
                    return (text.split("%", 1)[0], False) if "%" in text else (text, len(args) == 1)
            if qualified == "net.JoinHostPort" and len(args) == 2:
                hosts = self.literals(file, args[0], depth + 1)
                if hosts and len(hosts) == 1 and isinstance(hosts[0], str):
                    host = hosts[0]
                    return (f"[{host}]:" if ":" in host else f"{host}:"), False
        return None

    # ---- file-system paths ---------------------------------------------------------------------------
    def path_root(self, file: GoFile, node: Node, depth: int = 0) -> str | None:
        if depth > _MAX_DEPTH:
            return None
        kind = node.type
        if kind == "parenthesized_expression" and node.named_child_count:
            return self.path_root(file, node.named_children[0], depth + 1)
        if kind == "call_expression":
            qualified = file.qualified(node.child_by_field_name("function"))
            args = arguments(node)
            if qualified in _JOINS:
                for arg in args:
                    values = self.literals(file, arg, depth + 1)
                    if values == [""]:
                        continue  # filepath.Join("", name) starts with name
                    return self.path_root(file, arg, depth + 1)
                return None
            if qualified in _SAME_PLACE and len(args) == 1:
                return self.path_root(file, args[0], depth + 1)
            if qualified in _DIRS and len(args) == 1:
                return parent_folder(self.path_root(file, args[0], depth + 1))
            if qualified in _APP_CALLS:
                return APP_FOLDER
            if qualified in _TEMP_CALLS:
                return "/tmp"
        if kind == "binary_expression":  # dir + "/data.json": where dir is
            operator = node.child_by_field_name("operator")
            left = node.child_by_field_name("left")
            if operator is None or file.text(operator) != "+" or left is None:
                return None
            return self.path_root(file, left, depth + 1)
        if kind == "identifier":
            bindings = self.bindings(file, node)
            if not bindings or any(bound is None for bound in bindings):
                return None
            roots = set()
            for bound in bindings:
                if bound.multi:  # wd, err := os.Getwd(); dir, _ := os.MkdirTemp("", "x")
                    qualified = bound.file.qualified(bound.node.child_by_field_name("function"))
                    if bound.index == 0 and qualified in _APP_CALLS:
                        roots.add(APP_FOLDER)
                    elif bound.index == 0 and qualified in _TEMP_CALLS:
                        roots.add("/tmp")
                    elif bound.index == 0 and qualified == "path/filepath.Abs":
                        args = arguments(bound.node)
                        roots.add(self.path_root(bound.file, args[0], depth + 1) if args else None)
                    else:
                        return None
                else:
                    roots.add(self.path_root(bound.file, bound.node, depth + 1))
            return roots.pop() if len(roots) == 1 else None
        found = self.prefix(file, node, depth + 1)
        return found[0] if found is not None and found[0] else None
