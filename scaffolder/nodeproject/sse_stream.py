"""Whether an agent's `sendMessage` ends the SSE stream it sends on.

A bot class (one that `extends BotCore` or `implements IBot`) streams its answer with
`this.sseSender.send(...)` and must finish with `this.sseSender.end()`. The sender is followed
wherever it goes: aliases (`const sender = this.sseSender`, `const { sseSender } = this`), nested
callbacks, other methods of the same class called as `this.method(...)`, and functions it is passed
to, in the same file or in a module of the service imported by a relative path (the agent template
streams from `src/reply.js`). Up to four calls deep.

The answer is conservative: when the sender or the bot itself goes somewhere this cannot follow
(a function from a package, a method of an unknown base class, an object, a return value, a
property of another object), the stream may be ended there, and the rule stays silent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from tree_sitter import Node

from scaffolder.nodeproject.exports import Exports, is_function, module_exports
from scaffolder.nodeproject.imports import imports, local_bindings, resolve
from scaffolder.nodeproject.jsfiles import parse_js
from scaffolder.project import Service
from scaffolder.treesitter import Source, matches

SENDER = "sseSender"
MAX_DEPTH = 4
_BOT_BASE = re.compile(r"\b(BotCore|IBot)\b")
_CLASSES = """
(class_declaration body: (class_body) @body) @class
(class body: (class_body) @body) @class
"""
_TS_CLASSES = _CLASSES + "(abstract_class_declaration body: (class_body) @body) @class\n"
_FUNCTIONS = """
(function_declaration name: (identifier) @name) @function
(generator_function_declaration name: (identifier) @name) @function
(variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)] @function)
"""
# Wrappers that leave the value as it is: (x), x!, x as T, x satisfies T, <T>x.
_TRANSPARENT = frozenset({"parenthesized_expression", "non_null_expression", "as_expression",
                          "satisfies_expression", "type_assertion"})
# Places where reading the sender cannot end the stream: `if (!sender)`, `sender && ...`, `typeof sender`.
_HARMLESS_PARENTS = frozenset({"binary_expression", "unary_expression", "expression_statement", "if_statement",
                               "ternary_expression", "while_statement"})
_QUIET_METHODS = frozenset({"on", "once", "off", "addListener", "removeListener"})


@dataclass
class StreamUse:
    sends: bool = False
    ends: bool = False
    escapes: bool = False  # the sender (or the bot) went where it cannot be followed

    def merge(self, other: "StreamUse") -> None:
        self.sends |= other.sends
        self.ends |= other.ends
        self.escapes |= other.escapes


class BotMethod(NamedTuple):
    """A bot class's sendMessage that sends on its stream and never ends it."""

    path: Path
    source: Source
    name: Node  # the method's name, for the finding's location
    class_name: str


def bot_classes(source: Source) -> list[tuple[Node, Node]]:
    """(class node, class body) of every class that extends BotCore or implements IBot."""
    pattern = _CLASSES if source.grammar == "javascript" else _TS_CLASSES
    found = []
    for _, captured in matches(source.grammar, pattern, source.root):
        node = captured["class"][0]
        heritage = next((child for child in node.children if child.type == "class_heritage"), None)
        if heritage is not None and _BOT_BASE.search(source.text_of(heritage)):
            found.append((node, captured["body"][0]))
    return found


def class_methods(source: Source, body: Node) -> dict[str, tuple[Node, Node]]:
    """Method name -> (name node, function node) for the instance methods and arrow-function fields."""
    methods = {}
    for member in body.named_children:
        if any(child.type == "static" for child in member.children):
            continue
        if member.type == "method_definition":
            name = member.child_by_field_name("name")
            if name is not None:
                methods[source.text_of(name)] = (name, member)
        elif member.type in ("field_definition", "public_field_definition"):
            name = member.child_by_field_name("property") or member.child_by_field_name("name")
            value = member.child_by_field_name("value")
            if name is not None and is_function(value):
                methods[source.text_of(name)] = (name, value)
    return methods


def unended_streams(service: Service, path: Path, source: Source) -> list[BotMethod]:
    tracer = _Tracer(service)
    found = []
    for node, body in bot_classes(source):
        methods = class_methods(source, body)
        if "sendMessage" not in methods:
            continue
        name, method = methods["sendMessage"]
        bot = {key: function for key, (_, function) in methods.items()}
        use = tracer.trace(_Module(path, source), method, frozenset(), bot, 0)
        if use.sends and not use.ends and not use.escapes:
            class_name = node.child_by_field_name("name")
            found.append(BotMethod(path, source, name, source.text_of(class_name) if class_name else "the bot"))
    return found


class _Module(NamedTuple):
    path: Path
    source: Source


class _Tracer:
    def __init__(self, service: Service):
        self.service = service
        self.files = set(service.files)
        self.visited: set[tuple] = set()
        self._exports: dict[Path, Exports] = {}
        self._bindings: dict[Path, dict] = {}

    # ---- one function's body -----------------------------------------------------------------
    def trace(self, module: _Module, function: Node, aliases: frozenset[str], bot: dict | None,
              depth: int) -> StreamUse:
        key = (module.path, function.start_byte, aliases, bot is not None)
        if key in self.visited:
            return StreamUse()
        self.visited.add(key)
        body = function.child_by_field_name("body") or function
        nodes = _descendants(body)
        names = self._aliases(module.source, nodes, set(aliases), bot)
        use = StreamUse()
        for node in nodes:
            kind = node.type
            if kind == "identifier" and module.source.text_of(node) in names:
                if not _declares(node):
                    use.merge(self._sender_use(module, node, names, bot, depth))
            elif kind == "shorthand_property_identifier" and module.source.text_of(node) in names:
                use.escapes = True  # { sseSender }: the sender goes into an object
            elif bot is not None and kind == "member_expression" and self._is_this_sender(module.source, node):
                use.merge(self._sender_use(module, node, names, bot, depth))
            elif bot is not None and kind == "this":
                use.merge(self._this_use(module, node, bot, depth))
            elif bot is not None and kind == "super":
                use.escapes = True  # super.sendMessage(...) and the like: the base class may end it
        return use

    def _aliases(self, source: Source, nodes: list[Node], names: set[str], bot: dict | None) -> set[str]:
        """`const sender = this.sseSender`, `const { sseSender: s } = this`, aliases of aliases."""
        declarators = [node for node in nodes if node.type == "variable_declarator"]
        changed = True
        while changed:
            changed = False
            for declarator in declarators:
                name, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
                if name is None or value is None:
                    continue
                value = _unwrap(value)
                new: list[str] = []
                if name.type == "identifier" and self._is_sender(source, value, names, bot):
                    new = [source.text_of(name)]
                elif name.type == "object_pattern" and bot is not None and value.type == "this":
                    new = [local for local, key in _pattern_pairs(source, name) if key == SENDER]
                for local in new:
                    if local not in names:
                        names.add(local)
                        changed = True
        return names

    def _is_sender(self, source: Source, node: Node, names: set[str], bot: dict | None) -> bool:
        if node.type == "identifier":
            return source.text_of(node) in names
        return bot is not None and node.type == "member_expression" and self._is_this_sender(source, node)

    @staticmethod
    def _is_this_sender(source: Source, node: Node) -> bool:
        obj, prop = node.child_by_field_name("object"), node.child_by_field_name("property")
        return obj is not None and obj.type == "this" and prop is not None and source.text_of(prop) == SENDER

    # ---- what happens to the sender ------------------------------------------------------------
    def _sender_use(self, module: _Module, node: Node, names: set[str], bot: dict | None, depth: int) -> StreamUse:
        expression = node
        while expression.parent is not None and expression.parent.type in _TRANSPARENT:
            expression = expression.parent
        parent = expression.parent
        use = StreamUse()
        if parent is None:
            return use
        if parent.type == "member_expression" and parent.child_by_field_name("object") == expression:
            method = module.source.text_of(parent.child_by_field_name("property"))
            call = parent.parent
            called = call is not None and call.type == "call_expression" and \
                call.child_by_field_name("function") == parent
            if called and method == "end":
                use.ends = True
            elif called and method in ("send", "write"):
                use.sends = True
            elif called and method not in _QUIET_METHODS:
                use.escapes = True  # another method may close the stream
            elif not called and method == "end":
                use.escapes = True  # const end = sender.end: called somewhere else
            return use
        if parent.type == "arguments":
            return self._passed(module, parent, expression, bot, depth)
        if parent.type == "variable_declarator" and parent.child_by_field_name("value") == expression:
            name = parent.child_by_field_name("name")
            if name is not None and (name.type == "identifier" and module.source.text_of(name) in names):
                return use  # an alias, followed by _aliases
        if parent.type in _HARMLESS_PARENTS or parent.type == "member_expression":
            return use
        use.escapes = True  # returned, stored, put in an array or object, reassigned...
        return use

    def _passed(self, module: _Module, arguments: Node, argument: Node, bot: dict | None, depth: int) -> StreamUse:
        call = arguments.parent
        args = [child for child in arguments.named_children if child.type != "comment"]
        index = next((i for i, child in enumerate(args) if child == argument), None)
        target = self._callee(module, call, bot) if call is not None and depth < MAX_DEPTH else None
        if target is None or index is None:
            return StreamUse(escapes=True)
        callee_module, function, callee_bot = target
        parameter = _parameter_name(callee_module.source, function, index)
        if parameter is None:
            return StreamUse(escapes=True)
        return self.trace(callee_module, function, frozenset({parameter}), callee_bot, depth + 1)

    def _this_use(self, module: _Module, node: Node, bot: dict, depth: int) -> StreamUse:
        parent = node.parent
        if parent is not None and parent.type == "member_expression" and parent.child_by_field_name("object") == node:
            prop = module.source.text_of(parent.child_by_field_name("property"))
            if prop == SENDER:
                return StreamUse()  # handled as a use of the sender
            call = parent.parent
            if call is not None and call.type == "call_expression" and call.child_by_field_name("function") == parent:
                if prop in bot and depth < MAX_DEPTH:
                    return self.trace(module, bot[prop], frozenset(), bot, depth + 1)
                return StreamUse(escapes=True)  # an inherited method can reach this.sseSender
            return StreamUse()  # reading a property: this.envId, this.context
        return StreamUse(escapes=True)  # the bot itself is handed over, stored or returned

    # ---- which function a call runs -----------------------------------------------------------
    def _callee(self, module: _Module, call: Node, bot: dict | None) -> tuple[_Module, Node, dict | None] | None:
        function = call.child_by_field_name("function")
        if function is None:
            return None
        if function.type == "identifier":
            name = module.source.text_of(function)
            local = _local_function(module.source, name)
            if local is not None:
                return module, local, None
            binding = self._bindings_of(module).get(name)
            if binding is None or binding[1] in ("*", "default"):
                return None
            return self._exported(module, binding[0], binding[1])
        if function.type == "member_expression":
            obj, prop = function.child_by_field_name("object"), function.child_by_field_name("property")
            if obj is None or prop is None:
                return None
            name = module.source.text_of(prop)
            if obj.type == "this":
                return (module, bot[name], bot) if bot is not None and name in bot else None
            if obj.type == "identifier":
                binding = self._bindings_of(module).get(module.source.text_of(obj))
                if binding is not None and binding[1] == "*":
                    return self._exported(module, binding[0], name)
        return None

    def _exported(self, module: _Module, specifier: str, name: str) -> tuple[_Module, Node, None] | None:
        path = resolve(module.path, specifier, self.files)
        source = parse_js(self.service, path) if path is not None else None
        if source is None:
            return None
        target = _Module(path, source)
        if path not in self._exports:
            self._exports[path] = module_exports(source)
        value = self._exports[path].values.get(name)
        if is_function(value):
            return target, value, None
        if value is not None and value.type in ("identifier", "shorthand_property_identifier"):
            local = _local_function(source, source.text_of(value))
            if local is not None:
                return target, local, None
        return None

    def _bindings_of(self, module: _Module) -> dict:
        if module.path not in self._bindings:
            self._bindings[module.path] = local_bindings(module.source, imports(module.source))
        return self._bindings[module.path]


# ---- small tree helpers --------------------------------------------------------------------------
def _descendants(node: Node) -> list[Node]:
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(reversed(current.children))
    return found


def _unwrap(node: Node) -> Node:
    while node.type in _TRANSPARENT or node.type == "await_expression":
        inner = node.named_children
        if not inner:
            break
        node = inner[0]
    return node


def _declares(identifier: Node) -> bool:
    """Whether the identifier is the name being declared (a parameter or `const name = ...`)."""
    parent = identifier.parent
    if parent is None:
        return False
    if parent.type == "variable_declarator":
        return parent.child_by_field_name("name") == identifier
    return parent.type in ("formal_parameters", "required_parameter", "optional_parameter", "assignment_pattern") \
        and parent.child_by_field_name("right") != identifier and parent.child_by_field_name("value") != identifier


def _pattern_pairs(source: Source, pattern: Node):
    for child in pattern.named_children:
        if child.type == "shorthand_property_identifier_pattern":
            name = source.text_of(child)
            yield name, name
        elif child.type == "pair_pattern":
            key, value = child.child_by_field_name("key"), child.child_by_field_name("value")
            if key is not None and value is not None and value.type == "identifier":
                yield source.text_of(value), source.text_of(key)


def _local_function(source: Source, name: str) -> Node | None:
    for _, captured in matches(source.grammar, _FUNCTIONS, source.root):
        if source.text_of(captured["name"][0]) == name:
            return captured["function"][0]
    return None


def _parameter_name(source: Source, function: Node, index: int) -> str | None:
    single = function.child_by_field_name("parameter")  # x => ...
    if single is not None:
        return source.text_of(single) if index == 0 and single.type == "identifier" else None
    parameters = function.child_by_field_name("parameters")
    if parameters is None:
        return None
    items = [child for child in parameters.named_children if child.type != "comment"]
    if index >= len(items):
        return None
    item = items[index]
    if item.type in ("required_parameter", "optional_parameter"):
        item = item.child_by_field_name("pattern") or item
    if item.type == "assignment_pattern":
        item = item.child_by_field_name("left") or item
    return source.text_of(item) if item.type == "identifier" else None
