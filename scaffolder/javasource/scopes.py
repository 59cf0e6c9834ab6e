"""What a Java name is bound to, in one file.

A name used in a method (or lambda, constructor, initializer) is looked up among the locals and
parameters of that callable and the callables around it, then among the fields of the classes
around it. Each binding is the expression assigned (a declaration's initializer or a later
`name = ...` / `this.name = ...`), or unknown: a parameter, a loop or catch variable, `name += ...`,
`name++`, and a field with an annotation (`@Value("${PORT:8080}")`, `@Autowired`: injected at run
time, whatever its initializer says). Declared types are kept too (`ScheduledExecutorService pool`).
"""

from __future__ import annotations

from typing import NamedTuple

from tree_sitter import Node

from scaffolder.javasource.javafile import (
    CALLABLE_TYPES,
    CLASS_BODY_TYPES,
    JavaFile,
    modifiers,
    type_name,
)


class Binding(NamedTuple):
    node: Node | None  # the expression assigned; None when the value cannot be known
    declared_type: str = ""  # "Timer", "var", "" for an assignment


_SCOPE_TYPES = CALLABLE_TYPES | CLASS_BODY_TYPES


def scope_of(node: Node) -> Node | None:
    up = node.parent
    while up is not None and up.type not in _SCOPE_TYPES:
        up = up.parent
    return up


def _parameters(found: dict[str, list[Node]]) -> list[Node]:
    """The names of parameters, for-each variables and `x -> ...` lambda parameters."""
    names = list(found.get("param", ()))
    for loop in found.get("for_each", ()):
        name = loop.child_by_field_name("name")
        if name is not None and name.type == "identifier":
            names.append(name)
    for lambda_ in found.get("lambda", ()):
        parameter = lambda_.child_by_field_name("parameters")
        if parameter is not None and parameter.type == "identifier":
            names.append(parameter)
    return names


def _target(assignment: Node) -> Node | None:
    """The name an assignment gives a value to: `name = ...` or `this.name = ...`."""
    left = assignment.child_by_field_name("left")
    if left is None:
        return None
    if left.type == "identifier":
        return left
    if left.type == "field_access":
        owner, field = left.child_by_field_name("object"), left.child_by_field_name("field")
        if owner is not None and owner.type == "this" and field is not None and field.type == "identifier":
            return field
    return None


class Scopes:
    def __init__(self, file: JavaFile):
        self.file = file
        self.declared: dict[int, dict[str, list[Binding]]] = {}
        self.assigned: dict[int, dict[str, list[Binding]]] = {}
        self._build()

    def _declare(self, scope: Node | None, name: str, binding: Binding) -> None:
        key = scope.id if scope is not None else 0
        self.declared.setdefault(key, {}).setdefault(name, []).append(binding)

    def _build(self) -> None:
        file = self.file
        found = file.captured  # javafile.py's query finds the declarations, parameters and assignments
        for node in found.get("declaration", ()):
            kind = type_name(node.child_by_field_name("type"), file)
            injected = node.type == "field_declaration" and self._annotated(node)
            scope = scope_of(node)  # once for all its declarators: `int a = 1, b = 2;`
            for declarator in node.children_by_field_name("declarator"):
                name, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
                if name is None:
                    continue
                if value is None and not injected:
                    # `int port;` is assigned later: those assignments are its only values
                    self.declared.setdefault(scope.id if scope is not None else 0, {}).setdefault(file.text(name), [])
                    continue
                self._declare(scope, file.text(name), Binding(None if injected else value, kind))
        for node in _parameters(found):  # all unknown values, so their order does not matter
            self._declare(scope_of(node), file.text(node), Binding(None))
        for node in found.get("resource", ()):
            resource = node.parent
            declared_type = type_name(resource.child_by_field_name("type"), file)
            self._declare(scope_of(resource), file.text(node), Binding(resource.child_by_field_name("value"),
                                                                       declared_type))
        later: list[tuple[Node, str, Binding, bool]] = []
        for assignment in found.get("assignment", ()):  # in document order, so are their targets
            node = _target(assignment)
            if node is None:
                continue
            operator = assignment.child_by_field_name("operator")
            plain = operator is not None and file.text(operator) == "="
            this_field = node.parent.type == "field_access"
            later.append((node, file.text(node), Binding(assignment.child_by_field_name("right") if plain else None),
                          this_field))
        for update in found.get("update", ()):
            for node in update.named_children:
                if node.type == "identifier":  # `i++`, not `a[i]++`
                    later.append((node, file.text(node), Binding(None), False))
        for node, name, binding, this_field in later:
            owner = self._owner(node, name, fields_only=this_field)
            self.assigned.setdefault(owner, {}).setdefault(name, []).append(binding)

    @staticmethod
    def _annotated(declaration: Node) -> bool:
        mods = modifiers(declaration)
        return mods is not None and any(child.type in ("annotation", "marker_annotation") for child in mods.children)

    def _owner(self, node: Node, name: str, fields_only: bool = False) -> int:
        scope = scope_of(node)
        while scope is not None:
            if (not fields_only or scope.type in CLASS_BODY_TYPES) and name in self.declared.get(scope.id, {}):
                return scope.id
            scope = scope_of(scope)
        return 0

    def lookup(self, node: Node, name: str, fields_only: bool = False) -> list[Binding] | None:
        """The bindings of `name` as used at `node`; None when nothing in the file declares it."""
        scope = scope_of(node)
        while scope is not None:
            if not fields_only or scope.type in CLASS_BODY_TYPES:
                declared = self.declared.get(scope.id, {}).get(name)
                if declared is not None:
                    return declared + self.assigned.get(scope.id, {}).get(name, [])
            scope = scope_of(scope)
        return None

    def declared_in_class(self, node: Node, name: str) -> bool:
        """Whether `name` used at `node` is a field (no local or parameter hides it)."""
        scope = scope_of(node)
        while scope is not None:
            if name in self.declared.get(scope.id, {}):
                return scope.type in CLASS_BODY_TYPES
            scope = scope_of(scope)
        return False

    def class_field(self, class_node: Node, name: str) -> list[Binding] | None:
        """The bindings of a field of a class declared in this file (`Config.PORT`)."""
        body = class_node.child_by_field_name("body")
        if body is None:
            return None
        declared = self.declared.get(body.id, {}).get(name)
        return None if declared is None else declared + self.assigned.get(body.id, {}).get(name, [])
