"""CBR304 in-memory-state-store: a package-level map or slice that a state-changing handler adds to.

A container is a package-level variable whose type or value is a map or a slice
(`var todos []Todo`, `var store = map[string]Item{}`, `make(map[string]int)`) or a `sync.Map`;
a name that says it is a cache (`cache`, `memo`) may be lost and is left out. A state-changing
handler is a function registered for POST, PUT, PATCH or DELETE in the package: gin and echo
`r.POST("/x", h)`, fiber and chi `r.Post("/x", h)`, Go 1.22 `mux.HandleFunc("POST /x", h)`, gorilla
`r.HandleFunc("/x", h).Methods("POST")` (h a func literal, a function or a method of the package).
Adding is `todos = append(todos, t)`, `store[k] = v`, `store[k]++` and `sessions.Store(k, v)` in
the handler itself; it is reported once per container, at the first such write (files in path order).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from weakref import WeakKeyDictionary

from tree_sitter import Node

from scaffolder import treesitter
from scaffolder.gosource.context import runs_in_place, words
from scaffolder.gosource.files import WholeWords
from scaffolder.gosource.gofile import GRAMMAR, GoFile, arguments, call_name, enclosing_function
from scaffolder.source_hit import Hit
from scaffolder.gosource.package import Package
from scaffolder.gosource.values import Values, string_value

MODULE_STATE = "CBR304"
CODES = frozenset({MODULE_STATE})

_STATELESS = "CloudBase Run instances are stateless: they scale to zero and are replaced, and each has its own disk"
_STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ROUTE_NAMES = frozenset({"POST", "PUT", "PATCH", "DELETE", "Post", "Put", "Patch", "Delete"})
_MUX_NAMES = frozenset({"HandleFunc", "Handle"})
REGISTRATION_NAMES = ROUTE_NAMES | _MUX_NAMES  # the only calls `handlers` looks at
_WRITES_QUERY = """
(assignment_statement
  left: (expression_list . (identifier) @target .)
  right: (expression_list . (call_expression function: (identifier) @append) .)) @append_write
(assignment_statement left: (expression_list (index_expression operand: (identifier) @target))) @index_write
(inc_statement (index_expression operand: (identifier) @target)) @index_write
((call_expression function: (selector_expression operand: (identifier) @target field: (field_identifier) @method))
 @store_write (#any-of? @method "Store" "LoadOrStore"))
"""

# What the text of a package must hold for CBR304: the keyword `var` (every container is declared by
# one) and the name of a registration call (see WholeWords for why a word search is safe).
_VAR_KEYWORD = WholeWords(["var"])
_REGISTRATION = WholeWords(REGISTRATION_NAMES)

_containers_by_package: WeakKeyDictionary = WeakKeyDictionary()
_handlers_by_package: WeakKeyDictionary = WeakKeyDictionary()
_reported_by_package: WeakKeyDictionary = WeakKeyDictionary()  # once per container, in file order


def _is_container_type(node: Node | None, file: GoFile) -> bool:
    if node is None:
        return False
    if node.type in ("map_type", "slice_type"):
        return True
    return node.type == "qualified_type" and file.text(node).replace(" ", "") == "sync.Map"


def _is_container_value(node: Node, file: GoFile) -> bool:
    if node.type == "composite_literal":
        return _is_container_type(node.child_by_field_name("type"), file)
    if node.type == "call_expression":
        function = node.child_by_field_name("function")
        args = arguments(node)
        return function is not None and file.text(function) == "make" and bool(args) and \
            _is_container_type(args[0], file)
    return False


def containers(package: Package, file: GoFile) -> dict[str, tuple[GoFile, Node]]:
    """Package-level maps, slices and sync.Maps by name, with where each is declared."""
    key = package
    if key not in _containers_by_package:
        found: dict[str, tuple[GoFile, Node]] = {}
        for owner in package.same_package(file):
            for declaration in owner.source.root.named_children:
                if declaration.type != "var_declaration":
                    continue
                specs = [child for child in declaration.named_children if child.type == "var_spec"]
                for spec_list in (c for c in declaration.named_children if c.type == "var_spec_list"):
                    specs += [child for child in spec_list.named_children if child.type == "var_spec"]
                for spec in specs:
                    names = spec.children_by_field_name("name")
                    values = spec.child_by_field_name("value")
                    expressions = [c for c in values.named_children] if values is not None else []
                    for index, name_node in enumerate(names):
                        name = owner.text(name_node)
                        if words(name) & {"cache", "cached", "memo"}:
                            continue  # a cache is allowed to be lost
                        value = expressions[index] if index < len(expressions) else None
                        if _is_container_type(spec.child_by_field_name("type"), owner) or (
                                value is not None and _is_container_value(value, owner)):
                            found.setdefault(name, (owner, name_node))
        _containers_by_package[key] = found
    return _containers_by_package[key]


def may_report(texts: Iterable[str]) -> bool:
    """Whether the texts of a package's files can hold both a package-level container and the
    registration of a handler; when not, no file of the package can give CBR304 and none need be
    parsed for it."""
    texts = list(texts)
    return any(_VAR_KEYWORD.found_in(text) for text in texts) and any(_REGISTRATION.found_in(text) for text in texts)


def _route_methods(file: GoFile, call: Node, values: Values) -> tuple[set[str], Node | None]:
    """The HTTP methods a registration call routes to its handler, and the handler expression."""
    name = call_name(call, file)
    args = arguments(call)
    if file.qualified(call.child_by_field_name("function")) is not None or len(args) < 2:
        return set(), None  # http.Post(url, ...) is a client call
    path = string_value(file, args[0]) if args[0].type.endswith("string_literal") else None
    if path is None or "://" in path:
        return set(), None
    if name in ROUTE_NAMES:
        return {name.upper()}, args[-1]
    if name in _MUX_NAMES:
        method, _, rest = path.partition(" ")
        if rest and method.upper() in _STATE_CHANGING | {"GET", "HEAD", "OPTIONS"}:
            return {method.upper()}, args[1]
        chained = call.parent.parent if call.parent is not None else None  # r.HandleFunc(...).Methods("POST")
        if chained is not None and chained.type == "call_expression" and call_name(chained, file) == "Methods":
            methods = {str(value).upper() for arg in arguments(chained) for value in values.literals(file, arg) or ()}
            return methods, args[1]
    return set(), None


def handlers(package: Package, file: GoFile, values: Values) -> set[tuple[int, int]]:
    """(id of the file, id of the function) of the package's state-changing handlers."""
    if package not in _handlers_by_package:
        found: set[tuple[int, int]] = set()
        for owner in package.same_package(file):
            for call in owner.calls:
                methods, handler = _route_methods(owner, call, values)
                if not methods & _STATE_CHANGING or handler is None:
                    continue
                target = _function_of(package, owner, handler)
                if target is not None:
                    found.add((id(target[0]), target[1].id))
        _handlers_by_package[package] = found
    return _handlers_by_package[package]


def _function_of(package: Package, file: GoFile, handler: Node) -> tuple[GoFile, Node] | None:
    if handler.type == "func_literal":
        return file, handler
    if handler.type == "identifier":
        return package.function(file, file.text(handler))
    if handler.type == "selector_expression" and file.qualified(handler) is None:
        name = handler.child_by_field_name("field")
        return package.method(file, file.text(name)) if name is not None else None
    return None


def find(file: GoFile, package: Package, values: Values) -> Iterator[Hit]:
    stores = containers(package, file)
    if not stores:
        return
    routes = handlers(package, file, values)
    if not routes:
        return
    scopes = package.scopes(file)
    captured = treesitter.matches(GRAMMAR, _WRITES_QUERY, file.source.root)
    reported: set[str] = _reported_by_package.setdefault(package, set())
    for _pattern, capture in sorted(captured, key=lambda match: next(iter(match[1].values()))[0].start_byte):
        target = capture["target"][0]
        name = file.text(target)
        if name not in stores or name in reported:
            continue
        if "append" in capture and (file.text(capture["append"][0]) != "append" or not _appends_to(
                file, capture["append"][0].parent, name)):
            continue
        function = _handler_of(target)
        if function is None or (id(file), function.id) not in routes or scopes.lookup(target, name) is not None:
            continue
        reported.add(name)
        owner, declared = stores[name]
        where = f"line {declared.start_point[0] + 1}" + ("" if owner is file else f" of {owner.relative.name}")
        write = next(nodes[0] for key, nodes in capture.items() if key.endswith("_write"))
        yield Hit(MODULE_STATE, f"a state-changing request handler stores data in package-level {name!r} (declared "
                  f"on {where}); {_STATELESS}, so the data is lost and each instance sees its own copy: keep it in a "
                  "database or cache service", write)


def _handler_of(node: Node) -> Node | None:
    """The function a handler registration names: the func literal or declaration around `node`
    (literals called in place, `func() { ... }()`, belong to the function around them)."""
    function = enclosing_function(node)
    while function is not None and function.type == "func_literal" and runs_in_place(function):
        function = enclosing_function(function)
    return function


def _appends_to(file: GoFile, call: Node, name: str) -> bool:
    args = arguments(call)
    return bool(args) and args[0].type == "identifier" and file.text(args[0]) == name

