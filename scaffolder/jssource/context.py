"""Where a piece of a JavaScript/TypeScript file runs: at startup, in a request handler, only when
the file is started directly, only in some environments.

- Startup code: module level (it runs when the file is loaded); functions called from startup code
  (`main()`, `bootstrap()` at the end of the file); immediately invoked functions; callbacks that
  startup code hands to `listen`, `then`/`catch`/`finally`, `setTimeout`/`setImmediate`,
  `process.nextTick`, `ready`, `register` (fastify plugins), `connect` and `on`/`once` for the
  events `listening`, `ready`, `open`, `connect`; `new Promise(executor)`; NestJS `onModuleInit`
  and `onApplicationBootstrap`.
- Request handlers: the functions given to `app.post("/x", ...)`, `router.put(...)`,
  `router.route("/x").delete(...)` (express, koa-router, fastify, hono), fastify and hapi
  `route({ method: "POST", handler })`, NestJS methods decorated `@Post()`, `@Put()`, `@Patch()`,
  `@Delete()`, and in function mode the exported `main` function (it serves every method).
- Command-line commands: functions given to commander's `.action(...)` or yargs' `.command(...)`.
- Dead code: the `if (require.main === module)` block (or its ESM form comparing `import.meta.url`
  with `process.argv`) of a file the start command does not run, and in function mode always (the
  framework loads the file); module-level functions called only from there.
- Environment-dependent code: a branch of an `if`, `?:`, `switch`, `&&`/`||` chosen by the
  environment or a flag (`process.env.NODE_ENV !== "production"`, `isDev`, `config.debug`), and
  values under a `development`/`test`/`local` key (knexfile-style configuration).
"""

from __future__ import annotations

import re

from tree_sitter import Node

from scaffolder import treesitter
from scaffolder.jssource.module import FUNCTION_TYPES, JsModule, arguments_of, callee_name, enclosing_function, unwrap

_FLAG_WORDS = {"debug", "testing", "test", "tests", "env", "environ", "environment", "dev", "develop",
               "development", "local", "prod", "production", "stage", "staging"}
_DEV_KEYS = {"development", "dev", "test", "testing", "local", "ci"}
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_STARTUP_CALLBACKS = {"listen", "then", "catch", "finally", "setTimeout", "setImmediate", "nextTick",
                      "queueMicrotask", "ready", "register", "after", "connect"}
_STARTUP_EVENTS = {"listening", "ready", "open", "connect", "connected", "start", "started"}
_EVENT_METHODS = {"on", "once", "addListener", "prependListener"}
_STARTUP_METHODS = {"onModuleInit", "onApplicationBootstrap"}
_ROUTE_METHODS = {"get", "post", "put", "patch", "delete"}
_NEST_ROUTES = {"Get", "Post", "Put", "Patch", "Delete"}
_CLI_CALLBACKS = {"action", "command"}
ALL_METHODS = "*"
_IDENTIFIER_ARGUMENTS = "(arguments (identifier) @arg)"
_IDENTIFIERS = "(identifier) @name"


def _words(identifier: str) -> set[str]:
    return {word.lower() for word in _WORD.findall(identifier)}


class Context:
    def __init__(self, module: JsModule, runs_as_main: bool, function_mode: bool):
        self.module = module
        self.runs_as_main = runs_as_main and not function_mode
        self.function_mode = function_mode
        self._startup: dict[int, bool] = {}
        self._dead: set[int] | None = None
        self._handlers: dict[int, tuple[Node, set[str]]] | None = None
        self._argument_names: dict[str, list[Node]] | None = None

    # ---- dead code ------------------------------------------------------------------------------
    def _main_branch(self, if_node: Node) -> Node | None:
        """The branch of `if (require.main === module)` that runs when the file is started directly
        (the `else` of `!==`); also `if (!module.parent)` and the ESM form comparing `import.meta.url`
        with `process.argv[1]`."""
        condition = unwrap(if_node.child_by_field_name("condition"))
        if condition is None:
            return None
        module = self.module
        if condition.type == "unary_expression" and module.operator(condition) == "!":
            inner = unwrap(condition.child_by_field_name("argument"))
            is_guard = inner is not None and module.text(inner) == "module.parent"
            return if_node.child_by_field_name("consequence") if is_guard else None
        if condition.type != "binary_expression" or module.operator(condition) not in ("===", "==", "!==", "!="):
            return None
        sides = {module.text(unwrap(condition.child_by_field_name(side)) or condition) for side in ("left", "right")}
        if sides != {"require.main", "module"} and not _mentions_meta_and_argv(module, condition):
            return None
        negated = module.operator(condition) in ("!==", "!=")
        return if_node.child_by_field_name("alternative" if negated else "consequence")

    def in_main_block(self, node: Node) -> bool:
        child, up = node, node.parent
        while up is not None:
            if up.type == "if_statement" and child == self._main_branch(up):
                return True
            child, up = up, up.parent
        return False

    def is_dead(self, node: Node) -> bool:
        if self.runs_as_main:
            return False
        if self.in_main_block(node):
            return True
        outermost = self._outermost_id(node)
        return outermost is not None and outermost in self.dead_functions

    @property
    def dead_functions(self) -> set[int]:
        """Module-level functions referenced only from main blocks (or from other such functions)."""
        if self._dead is None:
            self._dead = self._find_dead() if self._has_main_guard() else set()
        return self._dead

    def _has_main_guard(self) -> bool:
        return any(statement.type == "if_statement" and self._main_branch(statement) is not None
                   for statement in self.module.root.named_children)

    def _find_dead(self) -> set[int]:
        module = self.module
        functions = self._module_functions()
        if not functions:
            return set()
        references: dict[str, list[Node]] = {}
        for ident in treesitter.captures(module.grammar, _IDENTIFIERS, module.root).get("name", []):
            name = module.text(ident)
            if name in functions and ident != functions[name][1]:
                references.setdefault(name, []).append(ident)
        dead: set[int] = set()
        changed = True
        while changed:
            changed = False
            for name, (function, _) in functions.items():
                if function.id in dead or not references.get(name):
                    continue
                if all(self.in_main_block(ref) or self._outermost_id(ref) in dead for ref in references[name]):
                    dead.add(function.id)
                    changed = True
        return dead

    def _module_functions(self) -> dict[str, tuple[Node, Node]]:
        """name -> (function node, its name node) for module-level functions and const arrows."""
        found: dict[str, tuple[Node, Node]] = {}
        for statement in self.module.root.named_children:
            if statement.type == "export_statement":
                continue  # exported: others may call it
            if statement.type in ("function_declaration", "generator_function_declaration"):
                name = statement.child_by_field_name("name")
                if name is not None:
                    found[self.module.text(name)] = (statement, name)
            elif statement.type == "lexical_declaration":
                for declarator in statement.named_children:
                    name, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
                    if name is not None and name.type == "identifier" and value is not None and \
                            value.type in ("arrow_function", "function_expression"):
                        found[self.module.text(name)] = (value, name)
        return found

    @staticmethod
    def _outermost_id(node: Node) -> int | None:
        outermost = None
        up = node.parent
        while up is not None:
            if up.type in FUNCTION_TYPES:
                outermost = up
            up = up.parent
        return outermost.id if outermost is not None else None

    # ---- environment branches and commands ------------------------------------------------------
    def in_environment_branch(self, node: Node) -> bool:
        module = self.module
        child, up = node, node.parent
        while up is not None:
            kind = up.type
            if kind in ("if_statement", "ternary_expression", "switch_statement"):
                condition = up.child_by_field_name("condition" if kind != "switch_statement" else "value")
                if condition is not None and child != condition and self._reads_flags(condition):
                    return True
            elif kind == "binary_expression" and module.operator(up) in ("&&", "||", "??"):
                left = up.child_by_field_name("left")
                if left is not None and child != left and self._reads_flags(left):
                    return True
            elif kind == "pair" and child == up.child_by_field_name("value"):
                key = up.child_by_field_name("key")
                if key is not None and (module.string_value(key) or module.text(key)).lower() in _DEV_KEYS:
                    return True
            child, up = up, up.parent
        return False

    def _reads_flags(self, test: Node) -> bool:
        module = self.module
        if module.reads_env(test):
            return True
        stack = [test]
        while stack:
            node = stack.pop()
            kind = node.type
            if kind in ("identifier", "property_identifier", "shorthand_property_identifier"):
                if _words(module.text(node)) & _FLAG_WORDS:
                    return True
            elif kind == "string_fragment" and node.end_byte - node.start_byte < 40:
                if _words(module.text(node)) & _FLAG_WORDS:
                    return True
            stack.extend(node.named_children)
        return False

    def in_cli_command(self, node: Node) -> bool:
        """Inside a function handed to commander's `.action()` or yargs' `.command()`."""
        function = enclosing_function(node)
        while function is not None:
            up = _skip_parentheses(function.parent)
            if up is not None and up.type == "arguments" and callee_name(up.parent) in _CLI_CALLBACKS:
                return True
            function = enclosing_function(function)
        return False

    # ---- startup --------------------------------------------------------------------------------
    def at_startup(self, node: Node) -> bool:
        function = enclosing_function(node)
        return function is None or self.startup_function(function)

    def startup_function(self, function: Node) -> bool:
        key = function.id
        if key not in self._startup:
            self._startup[key] = False  # a function calling itself is not startup code by that call
            self._startup[key] = self._decide_startup(function)
        return self._startup[key]

    def _decide_startup(self, function: Node) -> bool:
        up = _skip_parentheses(function.parent)
        if up is None:
            return False
        if up.type == "call_expression":  # (() => { ... })()
            return self.at_startup(up)
        if up.type == "arguments":
            call = up.parent
            if call.type == "new_expression" and callee_name(call) == "Promise":
                return self.at_startup(call)
            return self.startup_callback(call) and self.at_startup(call)
        if function.type == "method_definition":
            name = function.child_by_field_name("name")
            return name is not None and self.module.text(name) in _STARTUP_METHODS
        name = _function_name(function)
        if name is None:
            return False
        text = self.module.text(name)
        for call in self.module.calls.get(text, ()):
            if not _inside(call, function) and self.at_startup(call) and not self.is_dead(call):
                return True
        for argument in self.argument_names.get(text, ()):
            call = argument.parent.parent
            if (not _inside(call, function) and self.startup_callback(call) and self.at_startup(call)
                    and not self.is_dead(call)):
                return True
        return False

    def startup_callback(self, call: Node) -> bool:
        """Whether the functions handed to this call run at startup when the call does."""
        name = callee_name(call)
        if name in _STARTUP_CALLBACKS:
            return True
        if name in _EVENT_METHODS:
            args = arguments_of(call)
            return bool(args) and self.module.literal_string(args[0]) in _STARTUP_EVENTS
        return False

    @property
    def argument_names(self) -> dict[str, list[Node]]:
        """Names passed as arguments (`setTimeout(poll, 1000)`, `.then(start)`), by name."""
        if self._argument_names is None:
            found: dict[str, list[Node]] = {}
            for ident in treesitter.captures(self.module.grammar, _IDENTIFIER_ARGUMENTS, self.module.root).get(
                    "arg", []):
                found.setdefault(self.module.text(ident), []).append(ident)
            self._argument_names = found
        return self._argument_names

    # ---- request handlers -----------------------------------------------------------------------
    @property
    def handlers(self) -> dict[int, tuple[Node, set[str]]]:
        """function id -> (function, the HTTP methods it serves)."""
        if self._handlers is None:
            self._handlers = {}
            self._route_calls()
            self._route_objects()
            self._nest_routes()
            if self.function_mode:
                self._function_main()
        return self._handlers

    def _add(self, function: Node | None, methods: set[str]) -> None:
        if function is not None and methods:
            known = self._handlers.setdefault(function.id, (function, set()))  # type: ignore[union-attr]
            known[1].update(methods)

    def function_of(self, node: Node | None) -> Node | None:
        """The function an argument is: inline, or a name bound to a function in this file."""
        node = unwrap(node)
        if node is None:
            return None
        if node.type in ("arrow_function", "function_expression", "function", "method_definition"):
            return node
        if node.type == "identifier":
            decl = self.module.declaration(node)
            if decl is None:
                return None
            if decl.kind == "function" and decl.node.type in FUNCTION_TYPES:
                return decl.node
            value = unwrap(decl.value) if decl.kind == "const" else None
            if value is not None and value.type in ("arrow_function", "function_expression"):
                return value
        return None

    def _route_calls(self) -> None:
        """app.post("/x", fn), router.route("/x").put(fn)."""
        module = self.module
        for method in _ROUTE_METHODS:
            for call in module.calls.get("." + method, ()):
                args = arguments_of(call)
                if not args:
                    continue
                receiver = unwrap(call.child_by_field_name("function").child_by_field_name("object"))
                if _is_path(module, args[0]):
                    functions = args[1:]
                elif receiver is not None and receiver.type == "call_expression" and callee_name(receiver) == \
                        "route" and arguments_of(receiver) and _is_path(module, arguments_of(receiver)[0]):
                    functions = args
                else:
                    continue
                for argument in functions:
                    self._add(self.function_of(argument), {method.upper()})

    def _route_objects(self) -> None:
        """fastify.route({ method: "POST", url, handler }), hapi server.route([{ method, path, handler }])."""
        module = self.module
        for call in module.calls.get(".route", ()):
            args = arguments_of(call)
            if len(args) != 1:
                continue
            argument = unwrap(args[0])
            objects = [argument] if argument is not None and argument.type == "object" else (
                [item for item in argument.named_children if item.type == "object"]
                if argument is not None and argument.type == "array" else [])
            for obj in objects:
                properties = module.properties(obj) or {}
                methods = self._methods(properties.get("method"))
                handler = properties.get("handler")
                options = module.object_of(properties.get("options") or properties.get("config"))
                if handler is None and options is not None:
                    handler = (module.properties(options) or {}).get("handler")
                self._add(self.function_of(handler), methods)

    def _methods(self, node: Node | None) -> set[str]:
        node = unwrap(node)
        if node is None:
            return set()
        items = node.named_children if node.type == "array" else [node]
        methods = set()
        for item in items:
            text = self.module.literal_string(item)
            if text is None:
                return set()
            methods.add(ALL_METHODS if text == "*" else text.upper())
        return methods

    def _nest_routes(self) -> None:
        module = self.module
        for decorator in module.decorators:
            call = decorator.named_children[0] if decorator.named_children else None
            if call is None or call.type != "call_expression":
                continue
            function = call.child_by_field_name("function")
            qualified = module.qualname(function) or ""
            if not qualified.startswith("@nestjs/common.") or qualified.rsplit(".", 1)[1] not in _NEST_ROUTES:
                continue
            method = _decorated_method(decorator)
            self._add(method, {qualified.rsplit(".", 1)[1].upper()})

    def _function_main(self) -> None:
        """Function mode: `exports.main = ...`, `export const main = ...`, `module.exports = { main }`."""
        module = self.module
        for statement in module.root.named_children:
            if statement.type == "expression_statement" and statement.named_children:
                expression = statement.named_children[0]
                if expression.type != "assignment_expression":
                    continue
                left = module.text(expression.child_by_field_name("left"))
                right = expression.child_by_field_name("right")
                if left in ("exports.main", "module.exports.main"):
                    self._add(self.function_of(right), {ALL_METHODS})
                elif left == "module.exports" and module.object_of(right) is not None:
                    main = (module.properties(module.object_of(right)) or {}).get("main")
                    if main is not None and main.type == "shorthand_property_identifier":
                        main = _identifier_for(module, main)
                    self._add(self.function_of(main), {ALL_METHODS})
            elif statement.type == "export_statement":
                declaration = statement.child_by_field_name("declaration")
                if declaration is None:
                    continue
                if declaration.type == "function_declaration":
                    name = declaration.child_by_field_name("name")
                    if name is not None and module.text(name) == "main":
                        self._add(declaration, {ALL_METHODS})
                elif declaration.type == "lexical_declaration":
                    for declarator in declaration.named_children:
                        name = declarator.child_by_field_name("name")
                        if name is not None and module.text(name) == "main":
                            self._add(self.function_of(declarator.child_by_field_name("value")), {ALL_METHODS})


def _mentions_meta_and_argv(module: JsModule, condition: Node) -> bool:
    meta = argv = False
    stack = [condition]
    while stack:
        node = stack.pop()
        if node.type == "meta_property":
            meta = True
        elif node.type == "member_expression" and module.text(node) == "process.argv":
            argv = True
        stack.extend(node.named_children)
    return meta and argv


def _identifier_for(module: JsModule, shorthand: Node) -> Node | None:
    """`main` in `module.exports = { main }`: the function declared under that name."""
    for statement in module.root.named_children:
        if statement.type == "function_declaration":
            name = statement.child_by_field_name("name")
            if name is not None and module.text(name) == module.text(shorthand):
                return statement
        if statement.type == "lexical_declaration":
            for declarator in statement.named_children:
                name = declarator.child_by_field_name("name")
                if name is not None and module.text(name) == module.text(shorthand):
                    return declarator.child_by_field_name("value")
    return None


def _decorated_method(decorator: Node) -> Node | None:
    """The method a decorator in a class body belongs to: the next method definition."""
    sibling = decorator.next_named_sibling
    while sibling is not None and sibling.type in ("decorator", "comment"):
        sibling = sibling.next_named_sibling
    return sibling if sibling is not None and sibling.type == "method_definition" else None


def _is_path(module: JsModule, node: Node) -> bool:
    """A route path: a literal string (or template) starting with "/", or "*"."""
    prefix = module.string_prefix(node)
    return prefix is not None and (prefix.startswith("/") or prefix == "*")


def _skip_parentheses(node: Node | None) -> Node | None:
    while node is not None and node.type == "parenthesized_expression":
        node = node.parent
    return node


def _function_name(function: Node) -> Node | None:
    if function.type in ("function_declaration", "generator_function_declaration"):
        return function.child_by_field_name("name")
    up = function.parent
    if up is not None and up.type == "variable_declarator":
        name = up.child_by_field_name("name")
        return name if name is not None and name.type == "identifier" else None
    return None


def _inside(node: Node, container: Node) -> bool:
    return container.start_byte <= node.start_byte and node.end_byte <= container.end_byte
