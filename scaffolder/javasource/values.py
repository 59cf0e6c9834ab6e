"""What a Java expression holds, as far as the file alone says.

- `literals`: every value it can have when all of them are literals (`8080`, `"0.0.0.0"`,
  `"" + 8080`, a local, a field or a constant of a class in the file bound only to literals,
  `Integer.parseInt("8080")`, either side of `cond ? 8080 : 9090`); None as soon as one comes from
  elsewhere (`System.getenv`, a parameter, an injected field, a method call).
- `prefix`: the literal text a string starts with (`"jdbc:sqlite:"` in `"jdbc:sqlite:" + path`).
- `path_root`: where a file-system path starts (`new File("uploads", name)`, `Paths.get("data")`,
  `dir.resolve(name)`), APP_FOLDER for `System.getProperty("user.dir")`, "/tmp" for
  `java.io.tmpdir` and `Files.createTempFile`.
"""

from __future__ import annotations

from functools import cached_property

from tree_sitter import Node

from scaffolder.javasource.javafile import JavaFile, arguments, name_of, type_name
from scaffolder.javasource.scopes import Binding, Scopes
from scaffolder.local_paths import APP_FOLDER, parent_folder

_MAX_DEPTH = 12
_MAX_VALUES = 8
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0", "s": " "}
_INTEGERS = frozenset({"decimal_integer_literal", "hex_integer_literal", "octal_integer_literal",
                       "binary_integer_literal"})
_PARSERS = frozenset({("Integer", "parseInt"), ("Integer", "valueOf"), ("Long", "parseLong"), ("Long", "valueOf")})
_TO_TEXT = frozenset({("String", "valueOf"), ("Integer", "toString"), ("Long", "toString")})
_PATH_FACTORIES = frozenset({("Paths", "get"), ("Path", "of")})
_SAME_PLACE = frozenset({"toPath", "toFile", "toAbsolutePath", "normalize", "getAbsoluteFile", "getAbsolutePath",
                         "getCanonicalFile", "getCanonicalPath", "toString", "toRealPath"})
_PARENTS = frozenset({"getParent", "getParentFile"})
_TEMP_FACTORIES = frozenset({("Files", "createTempFile"), ("Files", "createTempDirectory"), ("File", "createTempFile")})
_APP_PROPERTIES = frozenset({"user.dir", "user.home"})


def string_value(file: JavaFile, node: Node) -> str | None:
    parts = []
    for child in node.named_children:
        if child.type in ("string_fragment", "multiline_string_fragment"):
            parts.append(file.text(child))
        elif child.type == "escape_sequence":
            text = file.text(child)
            parts.append(_ESCAPES.get(text[1:2], text))
        else:
            return None  # a string template
    text = "".join(parts)
    if file.text(node).startswith('"""'):  # a text block: drop the incidental indentation
        lines = text.split("\n")[1:] if text.startswith("\n") else text.split("\n")
        indent = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
        text = "\n".join(line[indent:] for line in lines)
    return text


def int_value(text: str) -> int | None:
    text = text.replace("_", "").rstrip("lL")
    try:
        if len(text) > 1 and text[0] == "0" and text[1].isdigit():
            return int(text, 8)
        return int(text, 0)
    except ValueError:
        return None


class Values:
    def __init__(self, file: JavaFile):
        self.file = file

    @cached_property
    def scopes(self) -> Scopes:
        """Built on first use: most files never need to know what a name holds."""
        return Scopes(self.file)

    # ---- names -----------------------------------------------------------------------------------
    def bindings(self, node: Node) -> list[Binding] | None:
        """The bindings of an identifier, `this.name` or `Constants.NAME` (a class in this file)."""
        file = self.file
        if node.type == "identifier":
            return self.scopes.lookup(node, file.text(node))
        if node.type == "field_access":
            owner, field = node.child_by_field_name("object"), node.child_by_field_name("field")
            if owner is None or field is None:
                return None
            if owner.type == "this":
                return self.scopes.lookup(node, file.text(field), fields_only=True)
            if owner.type == "identifier" and file.text(owner) in file.classes:
                return self.scopes.class_field(file.classes[file.text(owner)], file.text(field))
        return None

    def declared_types(self, node: Node) -> set[str]:
        bindings = self.bindings(node) if node.type in ("identifier", "field_access") else None
        return {binding.declared_type for binding in bindings or () if binding.declared_type}

    def bound(self, node: Node, depth: int = 0) -> list[Node] | None:
        """The expressions a name holds, followed through other names; None when one is unknown."""
        if depth > _MAX_DEPTH:
            return None
        while node.type in ("parenthesized_expression", "cast_expression") and node.named_child_count:
            node = node.child_by_field_name("value") or node.named_children[-1]
        if node.type not in ("identifier", "field_access"):
            return [node]
        bindings = self.bindings(node)
        if not bindings or any(binding.node is None for binding in bindings):
            return None
        found: list[Node] = []
        for binding in bindings:
            more = self.bound(binding.node, depth + 1)  # type: ignore[arg-type]
            if more is None:
                return None
            found.extend(more)
        return found

    # ---- literal values --------------------------------------------------------------------------
    def literals(self, node: Node | None, depth: int = 0) -> list | None:
        if node is None or depth > _MAX_DEPTH:
            return None
        kind = node.type
        file = self.file
        if kind == "string_literal":
            value = string_value(file, node)
            return None if value is None else [value]
        if kind in _INTEGERS:
            number = int_value(file.text(node))
            return None if number is None else [number]
        if kind == "parenthesized_expression" and node.named_child_count:
            return self.literals(node.named_children[0], depth + 1)
        if kind == "cast_expression":
            return self.literals(node.child_by_field_name("value"), depth + 1)
        if kind == "ternary_expression":
            consequence = self.literals(node.child_by_field_name("consequence"), depth + 1)
            alternative = self.literals(node.child_by_field_name("alternative"), depth + 1)
            return None if consequence is None or alternative is None else (consequence + alternative)[:_MAX_VALUES]
        if kind == "binary_expression":
            return self._sum(node, depth)
        if kind in ("identifier", "field_access"):
            bindings = self.bindings(node)
            if not bindings or any(binding.node is None for binding in bindings):
                return None
            values: list = []
            for binding in bindings:
                more = self.literals(binding.node, depth + 1)
                if more is None:
                    return None
                values.extend(value for value in more if value not in values)
            return values[:_MAX_VALUES]
        if kind == "method_invocation":
            owner = node.child_by_field_name("object")
            args = arguments(node)
            key = (file.text(owner) if owner is not None else "", name_of(node, file))
            if len(args) == 1 and key in _PARSERS:
                inner = self.literals(args[0], depth + 1)
                if inner is None:
                    return None
                numbers = [int_value(str(value)) for value in inner]
                return None if None in numbers else numbers
            if len(args) == 1 and key in _TO_TEXT:
                inner = self.literals(args[0], depth + 1)
                return None if inner is None else [str(value) for value in inner]
        return None

    def _sum(self, node: Node, depth: int) -> list | None:
        operator = node.child_by_field_name("operator")
        if operator is None or self.file.text(operator) != "+":
            return None
        left = self.literals(node.child_by_field_name("left"), depth + 1)
        right = self.literals(node.child_by_field_name("right"), depth + 1) if left is not None else None
        if left is None or right is None:
            return None
        values = []
        for a in left:
            for b in right:
                values.append(a + b if isinstance(a, int) and isinstance(b, int) else f"{a}{b}")
        return values[:_MAX_VALUES]

    # ---- literal prefix ----------------------------------------------------------------------------
    def prefix(self, node: Node | None, depth: int = 0) -> tuple[str, bool] | None:
        """(text, complete): the literal text a string starts with; complete when that is all of it."""
        if node is None or depth > _MAX_DEPTH:
            return None
        values = self.literals(node, depth + 1)
        if values is not None:
            return (str(values[0]), True) if len(values) == 1 else None
        kind = node.type
        if kind == "parenthesized_expression" and node.named_child_count:
            return self.prefix(node.named_children[0], depth + 1)
        if kind == "binary_expression":
            operator = node.child_by_field_name("operator")
            if operator is None or self.file.text(operator) != "+":
                return None
            left = self.prefix(node.child_by_field_name("left"), depth + 1)
            if left is None or not left[1]:
                return left
            right = self.prefix(node.child_by_field_name("right"), depth + 1)
            return (left[0] + right[0], right[1]) if right is not None else (left[0], False)
        if kind in ("identifier", "field_access"):
            bindings = self.bindings(node)
            if not bindings or any(binding.node is None for binding in bindings):
                return None
            prefixes = {self.prefix(binding.node, depth + 1) for binding in bindings}
            return prefixes.pop() if len(prefixes) == 1 else None
        if kind == "method_invocation":
            owner = node.child_by_field_name("object")
            args = arguments(node)
            is_format = owner is not None and self.file.text(owner) == "String" and name_of(node, self.file) == "format"
            if is_format and args:
                template = self.literals(args[0], depth + 1)
                if template and len(template) == 1 and isinstance(template[0], str):
                    text = template[0]
                    return (text.split("%", 1)[0], False) if "%" in text else (text, len(args) == 1)
        return None

    # ---- file-system paths ---------------------------------------------------------------------------
    def path_root(self, node: Node | None, depth: int = 0) -> str | None:
        if node is None or depth > _MAX_DEPTH:
            return None
        file = self.file
        kind = node.type
        if kind in ("parenthesized_expression", "cast_expression") and node.named_child_count:
            return self.path_root(node.child_by_field_name("value") or node.named_children[0], depth + 1)
        if kind == "object_creation_expression" and type_name(node.child_by_field_name("type"), file) == "File":
            args = arguments(node)  # new File(parent, child) lives under parent, even for child "/x"
            return self.path_root(args[0], depth + 1) if args else None
        if kind == "method_invocation":
            owner = node.child_by_field_name("object")
            name = name_of(node, file)
            args = arguments(node)
            owner_text = file.text(owner) if owner is not None else ""
            if (owner_text, name) in _PATH_FACTORIES:
                for arg in args:
                    if self.literals(arg, depth + 1) == [""]:
                        continue
                    return self.path_root(arg, depth + 1)
                return None
            if (owner_text, name) in _TEMP_FACTORIES:
                return "/tmp"
            if owner_text == "System" and name == "getProperty" and args:
                keys = self.literals(args[0], depth + 1)
                if keys == ["java.io.tmpdir"]:
                    return "/tmp"
                if keys and len(keys) == 1 and keys[0] in _APP_PROPERTIES:
                    return APP_FOLDER
                return None
            if owner is not None and name == "resolve" and len(args) == 1:
                child = self.literals(args[0], depth + 1)
                if child and len(child) == 1 and isinstance(child[0], str) and child[0].startswith("/"):
                    return child[0]  # resolving an absolute path gives that path
                return self.path_root(owner, depth + 1)
            if owner is not None and name in _SAME_PLACE and not args:
                return self.path_root(owner, depth + 1)
            if owner is not None and name in _PARENTS and not args:
                return parent_folder(self.path_root(owner, depth + 1))
            return None
        if kind == "binary_expression":
            operator = node.child_by_field_name("operator")
            if operator is None or file.text(operator) != "+":
                return None
            return self.path_root(node.child_by_field_name("left"), depth + 1)
        if kind in ("identifier", "field_access"):
            bindings = self.bindings(node)
            if not bindings or any(binding.node is None for binding in bindings):
                return None
            roots = {self.path_root(binding.node, depth + 1) for binding in bindings}
            return roots.pop() if len(roots) == 1 else None
        found = self.prefix(node, depth + 1)
        return found[0] if found is not None and found[0] else None
