"""What a JavaScript/TypeScript module exports, read from its tree without running it.

CommonJS: `exports.main = ...`, `module.exports.main = ...`, `exports["main"] = ...`,
`module.exports = { main, handler: fn, async other() {} }`, `Object.assign(module.exports, {...})`,
`Object.defineProperty(exports, "main", ...)`. ES modules: `export function main`,
`export const main = ...`, `export { handler as main }`, `export { main } from "./x"`.

Anything whose names cannot be read statically makes the answer incomplete: `module.exports = x`
(anything but an object literal), a spread or computed key, `exports[name] = ...`, `export * from`,
`export default`, TypeScript's `export =`, or a file with syntax errors. Rules must stay silent
about a missing name when the answer is incomplete.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tree_sitter import Node

from scaffolder.treesitter import Source, matches

# One query per grammar (compiled once): every assignment whose left side is `exports.X`,
# `module.exports`, `module.exports.X` or a subscript of either, and Object.assign/defineProperty.
_CJS_PATTERN = """
(assignment_expression
  left: (member_expression object: (identifier) @_exports property: (property_identifier) @name)
  right: (_) @value
  (#eq? @_exports "exports")) @named
(assignment_expression
  left: (member_expression
          object: (member_expression object: (identifier) @_module property: (property_identifier) @_exports)
          property: (property_identifier) @name)
  right: (_) @value
  (#eq? @_module "module") (#eq? @_exports "exports")) @named
(assignment_expression
  left: (member_expression object: (identifier) @_module property: (property_identifier) @_exports)
  right: (_) @whole
  (#eq? @_module "module") (#eq? @_exports "exports")) @replaced
(assignment_expression
  left: (subscript_expression object: (_) @target index: (_) @index)
  right: (_) @value) @subscript
(call_expression
  function: (member_expression object: (identifier) @_object property: (property_identifier) @method)
  arguments: (arguments . (_) @target . (_)? @second)
  (#eq? @_object "Object") (#any-of? @method "assign" "defineProperty" "defineProperties")) @object_call
"""

_FUNCTION_TYPES = frozenset({"function_declaration", "generator_function_declaration", "function_expression",
                             "arrow_function", "generator_function", "function", "method_definition"})


@dataclass
class Exports:
    names: set[str] = field(default_factory=set)
    complete: bool = True
    values: dict[str, Node] = field(default_factory=dict)  # exported name -> the value or local identifier
    anchor: Node | None = None  # the first export, for a finding's location

    def add(self, name: str, value: Node | None, at: Node) -> None:
        self.names.add(name)
        if value is not None:
            self.values.setdefault(name, value)
        self._seen(at)

    def unknown(self, at: Node) -> None:
        self.complete = False
        self._seen(at)

    def _seen(self, at: Node) -> None:
        if self.anchor is None or at.start_byte < self.anchor.start_byte:
            self.anchor = at

    def has(self, name: str) -> bool | None:
        """True or False when known; None when the module may export it in a way we cannot read."""
        if name in self.names:
            return True
        return False if self.complete else None


def module_exports(source: Source) -> Exports:
    exports = Exports()
    if source.has_errors():
        exports.complete = False
    _commonjs(source, exports)
    _es_module(source, exports)
    return exports


def _text(source: Source, node: Node) -> str:
    return source.text_of(node)


def _string_value(source: Source, node: Node) -> str | None:
    if node.type != "string":
        return None
    text = _text(source, node)[1:-1]
    return None if "\\" in text else text


def _commonjs(source: Source, exports: Exports) -> None:
    for _, captured in matches(source.grammar, _CJS_PATTERN, source.root):
        if "named" in captured:
            exports.add(_text(source, captured["name"][0]), captured["value"][0], captured["named"][0])
        elif "replaced" in captured:
            _replaced(source, exports, captured["whole"][0], captured["replaced"][0])
        elif "subscript" in captured:
            target = _text(source, captured["target"][0])
            if target in ("exports", "module.exports"):
                name = _string_value(source, captured["index"][0])
                if name is None:
                    exports.unknown(captured["subscript"][0])
                else:
                    exports.add(name, captured["value"][0], captured["subscript"][0])
        elif "object_call" in captured:
            if _text(source, captured["target"][0]) not in ("exports", "module.exports"):
                continue
            call, method = captured["object_call"][0], _text(source, captured["method"][0])
            second = captured.get("second", [None])[0]
            if method == "defineProperty" and second is not None and _string_value(source, second) is not None:
                exports.add(_string_value(source, second), None, call)
            elif method == "assign" and second is not None and second.type == "object":
                _object_names(source, exports, second, call)
            else:
                exports.unknown(call)


def _replaced(source: Source, exports: Exports, value: Node, at: Node) -> None:
    while value.type in ("assignment_expression", "parenthesized_expression"):  # module.exports = exports = {...}
        inner = value.child_by_field_name("right") if value.type == "assignment_expression" else value.named_children[0]
        if inner is None:
            break
        value = inner
    if value.type == "object":
        _object_names(source, exports, value, at)
    else:
        exports.unknown(at)


def _object_names(source: Source, exports: Exports, node: Node, at: Node) -> None:
    for child in node.named_children:
        if child.type == "shorthand_property_identifier":
            exports.add(_text(source, child), child, at)
        elif child.type == "pair":
            key, value = child.child_by_field_name("key"), child.child_by_field_name("value")
            name = _key_name(source, key)
            if name is None:
                exports.unknown(at)
            else:
                exports.add(name, value, at)
        elif child.type == "method_definition":
            name = _key_name(source, child.child_by_field_name("name"))
            if name is None:
                exports.unknown(at)
            else:
                exports.add(name, child, at)
        elif child.type != "comment":  # spread_element and anything new
            exports.unknown(at)


def _key_name(source: Source, key: Node | None) -> str | None:
    if key is None:
        return None
    if key.type in ("property_identifier", "identifier", "number", "private_property_identifier"):
        return _text(source, key)
    return _string_value(source, key)


def _es_module(source: Source, exports: Exports) -> None:
    for statement in source.root.named_children:
        if statement.type != "export_statement":
            continue
        declaration = statement.child_by_field_name("declaration")
        if declaration is not None:
            _declared(source, exports, declaration, statement)
            continue
        children = [child.type for child in statement.children]
        if "default" in children or "=" in children or "*" in children and "namespace_export" not in children:
            exports.unknown(statement)  # export default / export = x / export * from "..."
            continue
        for child in statement.named_children:
            if child.type == "export_clause":
                for specifier in child.named_children:
                    if specifier.type != "export_specifier":
                        continue
                    alias = specifier.child_by_field_name("alias") or specifier.child_by_field_name("name")
                    name = _key_name(source, alias)
                    if name is None:
                        exports.unknown(statement)
                    else:
                        local = specifier.child_by_field_name("name")
                        from_module = statement.child_by_field_name("source") is not None
                        exports.add(name, None if from_module else local, statement)
            elif child.type == "namespace_export":
                names = [grand for grand in child.named_children if grand.type in ("identifier", "string")]
                name = _key_name(source, names[0]) if names else None
                if name is None:
                    exports.unknown(statement)
                else:
                    exports.add(name, None, statement)


def _declared(source: Source, exports: Exports, declaration: Node, statement: Node) -> None:
    kind = declaration.type
    if kind in ("lexical_declaration", "variable_declaration"):
        for declarator in declaration.named_children:
            if declarator.type != "variable_declarator":
                continue
            name = declarator.child_by_field_name("name")
            if name is not None and name.type == "identifier":
                exports.add(_text(source, name), declarator.child_by_field_name("value"), statement)
            else:
                exports.unknown(statement)  # export const { a, b } = ...
        return
    name = declaration.child_by_field_name("name")
    if kind in ("function_declaration", "generator_function_declaration", "class_declaration",
                "abstract_class_declaration", "enum_declaration") and name is not None:
        exports.add(_text(source, name), declaration, statement)
    elif kind in ("interface_declaration", "type_alias_declaration", "ambient_declaration",
                  "function_signature"):
        return  # types only: nothing at run time
    elif name is not None:
        exports.add(_text(source, name), declaration, statement)
    else:
        exports.unknown(statement)


def is_function(node: Node | None) -> bool:
    return node is not None and node.type in _FUNCTION_TYPES
