"""One parsed JavaScript/TypeScript file: the calls the rules look at, what names are bound to,
imports and literal values.

One query over the tree finds every candidate: calls of a plain name (`express()`, `setInterval()`,
`spawn()`), calls of a method some rule knows (`.listen()`, `.writeFileSync()`, `.schedule()`),
`new` expressions and decorators. It runs the first time a rule asks for them, so a file in which
no rule gets that far (their words are missing) costs no query. Everything else is read on demand,
outwards from a candidate, so a file costs one parse and at most one query.

Precise on purpose: a name is bound to a value only when its nearest declaration (in an enclosing
block, function or the module) says so and, for `let`/`var`, the name is never assigned again.
Imports are `import` statements and `require(...)` declarations (destructuring included). Anything
else is unknown, and the rules report nothing about unknown values.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from tree_sitter import Node

from scaffolder import treesitter
from scaffolder.treesitter import Source

FUNCTION_TYPES = frozenset({"function_declaration", "function_expression", "arrow_function", "method_definition",
                            "generator_function_declaration", "generator_function", "function"})
_BLOCK_TYPES = frozenset({"program", "statement_block", "class_static_block"})
_WRAPPERS = frozenset({"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression",
                       "type_assertion"})
# Names the platform defines; they count only where nothing in the file declares them.
GLOBALS = frozenset({"setInterval", "setTimeout", "setImmediate", "queueMicrotask", "process", "Number", "parseInt",
                     "parseFloat", "String", "Promise", "Bun", "Deno", "require", "module", "exports", "Object",
                     "__dirname", "__filename"})
_CONVERSIONS = {"Number", "parseInt", "parseFloat", "String", "Number.parseInt", "Number.parseFloat"}
_PROMISE_MODULES = {"fs/promises", "timers/promises", "dns/promises", "stream/promises", "readline/promises"}
_MAX_DEPTH = 12
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "/": "/", "`": "`", "0": "\0",
            "\n": ""}

# Assignments and updates; which of them assign a plain name is read in Python (`reassigned`), as
# for CANDIDATES: fields in the patterns made the query several times costlier to compile.
_ASSIGNMENTS = """
(assignment_expression) @assignment
(augmented_assignment_expression) @assignment
(update_expression) @update
"""


def module_name(spec: str) -> str:
    """How the rules name a module: `node:fs` -> `fs`, `fs/promises` -> `fs.promises`."""
    spec = spec.removeprefix("node:")
    if spec in _PROMISE_MODULES:
        return spec.replace("/", ".")
    return "@hapi/hapi" if spec == "hapi" else spec


# The one query each file runs: every call, `new` and decorator. The calls are sorted into plain,
# method and require(...)(...) calls in Python (_classify): a query that told them apart by their
# callee's shape took tree-sitter ~30 ms per process to compile (a field or child in a pattern makes
# its analysis costly), more than sorting the calls of every file of a run.
CANDIDATES = """
(call_expression) @call
(new_expression) @new
(decorator) @decorator
"""


def candidate_methods(methods: Iterable[str]) -> frozenset[bytes]:
    """The method names (`listen`, `writeFileSync`) whose calls are candidates, as source bytes."""
    return frozenset(name.encode("utf-8") for name in methods)


def _classify(call: Node, methods: frozenset[bytes]) -> str | None:
    """The kind of a candidate call, as the query used to capture it: "call" for `f()` (and
    TypeScript's `await f<T>()`), "method_call" for `x.listen()` with a known method,
    "required_call" for `require("x")(...)`; None for any other call."""
    function = call.child_by_field_name("function")
    if function is None:
        return None
    kind = function.type
    if kind == "identifier":
        return "call"
    if kind == "await_expression":
        return "call" if any(child.type == "identifier" for child in function.named_children) else None
    if kind == "member_expression":
        prop = function.child_by_field_name("property")
        return "method_call" if prop is not None and prop.type == "property_identifier" and \
            prop.text in methods else None
    if kind == "call_expression":
        inner = function.child_by_field_name("function")
        return "required_call" if inner is not None and inner.type == "identifier" and \
            inner.text == b"require" else None
    return None


class Decl(NamedTuple):
    kind: str  # const, let, var, import, param, function, class, pattern, other
    node: Node  # the declarator, parameter or declaration
    value: Node | None = None  # for const/let/var: the initial value
    target: str | None = None  # for import: the qualified name bound ("fs", "child_process.spawn")


def unwrap(node: Node | None, awaited: bool = False) -> Node | None:
    """The expression inside parentheses, TypeScript casts and (with `awaited`) `await`."""
    while node is not None and (node.type in _WRAPPERS or (awaited and node.type == "await_expression")):
        inner = node.named_children
        if not inner:
            return None
        node = inner[-1] if node.type == "type_assertion" else inner[0]
    return node


def enclosing_function(node: Node) -> Node | None:
    """The function whose body holds `node`; None at module level."""
    up = node.parent
    while up is not None:
        if up.type in FUNCTION_TYPES:
            return up
        up = up.parent
    return None


def arguments_of(call: Node) -> list[Node]:
    arguments = call.child_by_field_name("arguments")
    if arguments is None or arguments.type != "arguments":
        return []
    return [child for child in arguments.named_children if child.type != "comment"]


def callee_name(call: Node) -> str | None:
    """`listen` for `a.b.listen(...)`, `spawn` for `spawn(...)`, `Koa` for `new Koa()`."""
    # awaited: TypeScript parses `await f<T>(x)` as a call of `await f`
    function = unwrap(call.child_by_field_name("function" if call.type == "call_expression" else "constructor"),
                      awaited=True)
    if function is None:
        return None
    if function.type == "identifier":
        return function.text.decode("utf-8", "replace")
    if function.type == "member_expression":
        prop = function.child_by_field_name("property")
        return prop.text.decode("utf-8", "replace") if prop is not None else None
    return None


class JsModule:
    """A parsed file with its candidate calls and lazily computed bindings."""

    def __init__(self, source: Source, methods: frozenset[bytes]):
        self.source = source
        self.grammar = source.grammar
        self.root = source.root
        self.data = source.data
        self._methods = methods  # candidate_methods(): the method calls some rule looks at
        self._calls: dict[str, list[Node]] | None = None
        self._decorators: list[Node] = []
        self._blocks: dict[int, dict[str, Decl]] = {}
        self._params: dict[int, dict[str, Decl]] = {}
        self._declarations: dict[int, Decl | None] = {}  # identifier node id -> its declaration
        self._literals: dict[int, tuple | None] = {}  # expression node id -> literal_values()
        self._reassigned: set[str] | None = None

    # ---- candidates -----------------------------------------------------------------------------
    @property
    def calls(self) -> dict[str, list[Node]]:
        """"name" plain calls, ".name" method calls, "new name", "module()" for require("module")(...)."""
        if self._calls is None:
            self._find_candidates()
        return self._calls  # type: ignore[return-value]

    @property
    def decorators(self) -> list[Node]:
        if self._calls is None:
            self._find_candidates()
        return self._decorators

    def _find_candidates(self) -> None:
        calls: dict[str, list[Node]] = {}
        found = treesitter.captures(self.grammar, CANDIDATES, self.root)
        captures: dict[str, list[Node]] = {"new": found.get("new", []), "decorator": found.get("decorator", [])}
        for call in found.get("call", ()):
            kind = _classify(call, self._methods)
            if kind is not None:
                captures.setdefault(kind, []).append(call)
        for kind, prefix in (("call", ""), ("method_call", "."), ("new", "new ")):
            for call in captures.get(kind, ()):
                name = callee_name(call)
                if name is not None:
                    calls.setdefault(prefix + name, []).append(call)
        for call in captures.get("required_call", ()):  # require("knex")({...}): keyed "knex()"
            module = self.required(call.child_by_field_name("function"))
            if module is not None:
                calls.setdefault(module + "()", []).append(call)
        self._calls, self._decorators = calls, captures.get("decorator", [])

    # ---- text -----------------------------------------------------------------------------------
    def text(self, node: Node) -> str:
        return self.data[node.start_byte:node.end_byte].decode("utf-8", "replace")

    def mentions(self, *words: bytes) -> bool:
        """Whether the file's text holds any of `words`: a rule whose calls resolve only through an
        import of a module skips the work when the module's name is nowhere in the file."""
        return any(word in self.data for word in words)

    def may_import(self, module: bytes) -> bool:
        """Whether an import or require of `module` (or of a part of it) can be in the file: its name
        is in the text, unless a string literal continues over a line (`"tim\\<newline>ers"`), which
        string_value joins."""
        return module in self.data or b"\\\n" in self.data

    def calls_named(self, *names: str) -> Iterator[Node]:
        for name in names:
            yield from self.calls.get(name, ())

    def imported_as(self, targets: Iterable[str]) -> set[str]:
        """Names bound to one of `targets` by an import, or by a require anywhere in the file
        (`const session = require("express-session")` inside a callback counts too)."""
        wanted = set(targets)
        names = {name for name, decl in self._block_decls(self.root).items()
                 if decl.kind == "import" and decl.target in wanted}
        for call in self.calls.get("require", ()):
            declarator = call.parent
            while declarator is not None and declarator.type in ("member_expression", "call_expression",
                                                                 "parenthesized_expression"):
                declarator = declarator.parent  # require("x").y, require("sqlite3").verbose()
            if declarator is None or declarator.type != "variable_declarator":
                continue
            scratch: dict[str, Decl] = {}
            self._declarator(declarator, "const", scratch)
            names |= {name for name, decl in scratch.items() if decl.kind == "import" and decl.target in wanted}
        return names

    def calls_to(self, targets: Iterable[str], methods: Iterable[str] = ()) -> Iterator[Node]:
        """Calls and `new` of whatever is imported as one of `targets`, under any local name, and of
        the given methods (`x.Database(...)`, `new x.Database(...)`); callers check `qualname`."""
        targets = set(targets)
        imported = self.imported_as(targets)
        names = imported | set(methods)
        keys = [*imported, *(f"new {name}" for name in names), *(f".{name}" for name in methods),
                *(f"{target}()" for target in targets)]
        seen: set[int] = set()
        for key in keys:
            for call in self.calls.get(key, ()):
                if call.id not in seen:
                    seen.add(call.id)
                    yield call

    # ---- declarations ---------------------------------------------------------------------------
    def declaration(self, ident: Node) -> Decl | None:
        """The nearest declaration of an identifier; None for a global. Rules ask again and again
        about the same names (`app`, `port`), so each identifier is looked up once."""
        key = ident.id
        if key not in self._declarations:
            self._declarations[key] = self._find_declaration(ident)
        return self._declarations[key]

    def _find_declaration(self, ident: Node) -> Decl | None:
        name = self.text(ident)
        node = ident
        for _ in range(10_000):
            up = node.parent
            if up is None:
                return None
            kind = up.type
            if kind in _BLOCK_TYPES:
                found = self._block_decls(up).get(name)
                if found is not None:
                    return found
            elif kind in FUNCTION_TYPES:
                found = self._param_decls(up).get(name)
                if found is not None:
                    return found
            elif kind in ("for_statement", "for_in_statement", "catch_clause"):
                if name in self._loop_names(up):
                    return Decl("other", up)
            node = up
        return None

    def binding_value(self, ident: Node) -> Node | None:
        """The value a name is bound to for good: a const, or a let/var never assigned again."""
        decl = self.declaration(ident)
        if decl is None or decl.value is None:
            return None
        if decl.kind == "const" or (decl.kind in ("let", "var") and self.text(ident) not in self.reassigned):
            return decl.value
        return None

    @property
    def reassigned(self) -> set[str]:
        if self._reassigned is None:
            found = treesitter.captures(self.grammar, _ASSIGNMENTS, self.root)
            targets = [node.child_by_field_name("left") for node in found.get("assignment", ())]
            targets += [node.child_by_field_name("argument") for node in found.get("update", ())]
            self._reassigned = {self.text(node) for node in targets if node is not None and node.type == "identifier"}
        return self._reassigned

    def _block_decls(self, block: Node) -> dict[str, Decl]:
        found = self._blocks.get(block.id)
        if found is None:
            found = {}
            for statement in block.named_children:
                self._collect(statement, found)
            self._blocks[block.id] = found
        return found

    def _collect(self, statement: Node, found: dict[str, Decl]) -> None:
        kind = statement.type
        if kind == "export_statement":
            inner = statement.child_by_field_name("declaration")
            if inner is not None:
                self._collect(inner, found)
        elif kind in ("lexical_declaration", "variable_declaration"):
            keyword = self.text(statement.children[0]) if statement.children else "var"
            for declarator in statement.named_children:
                if declarator.type == "variable_declarator":
                    self._declarator(declarator, keyword if keyword in ("const", "let") else "var", found)
        elif kind in ("function_declaration", "generator_function_declaration", "class_declaration",
                      "abstract_class_declaration"):
            name = statement.child_by_field_name("name")
            if name is not None:
                _bind(found, self.text(name), Decl("class" if "class" in kind else "function", statement))
        elif kind == "import_statement":
            self._import(statement, found)

    def _declarator(self, declarator: Node, keyword: str, found: dict[str, Decl]) -> None:
        name = declarator.child_by_field_name("name")
        value = declarator.child_by_field_name("value")
        if name is None:
            return
        target = self.required(value) if value is not None else None
        if name.type == "identifier":
            decl = Decl("import", declarator, value, target) if target else Decl(keyword, declarator, value)
            _bind(found, self.text(name), decl)
            return
        for ident, key in self._pattern_names(name):
            if target and key:
                _bind(found, ident, Decl("import", declarator, None, f"{target}.{key}"))
            else:
                _bind(found, ident, Decl("pattern", declarator))

    def _pattern_names(self, pattern: Node) -> Iterator[tuple[str, str | None]]:
        """(bound name, property it comes from) for `{ a, b: c, d = 1, ...e }` and `[f, g]`."""
        for child in pattern.named_children:
            kind = child.type
            if kind == "shorthand_property_identifier_pattern":
                yield self.text(child), self.text(child)
            elif kind == "object_assignment_pattern":  # { d = 1 }
                left = child.child_by_field_name("left")
                if left is not None and left.type == "shorthand_property_identifier_pattern":
                    yield self.text(left), self.text(left)
                elif left is not None:
                    yield from ((name, None) for name in self.bound_names(left))
            elif kind == "pair_pattern":  # { b: c }
                key, value = child.child_by_field_name("key"), child.child_by_field_name("value")
                if value is not None and value.type == "assignment_pattern":
                    value = value.child_by_field_name("left")
                if value is not None and value.type == "identifier":
                    simple = key is not None and key.type in ("property_identifier", "identifier")
                    yield self.text(value), self.text(key) if simple else None
                elif value is not None:
                    yield from ((name, None) for name in self.bound_names(value))
            elif kind != "comment":
                yield from ((name, None) for name in self.bound_names(child))

    def bound_names(self, node: Node) -> Iterator[str]:
        """Every name a binding target binds: a name, a pattern, a default, a rest, a parameter."""
        kind = node.type
        if kind in ("identifier", "shorthand_property_identifier_pattern"):
            yield self.text(node)
        elif kind in ("object_pattern", "array_pattern"):
            yield from (name for name, _ in self._pattern_names(node))
        elif kind == "assignment_pattern":
            left = node.child_by_field_name("left")
            if left is not None:
                yield from self.bound_names(left)
        elif kind == "rest_pattern":
            for inner in node.named_children:
                yield from self.bound_names(inner)
        elif kind in ("required_parameter", "optional_parameter"):
            pattern = node.child_by_field_name("pattern")
            if pattern is not None:
                yield from self.bound_names(pattern)

    def _import(self, statement: Node, found: dict[str, Decl]) -> None:
        source = statement.child_by_field_name("source")
        for child in statement.named_children:
            if child.type == "import_require_clause":  # TypeScript: import fs = require("fs")
                parts = child.named_children
                spec = self.string_value(parts[-1]) if len(parts) >= 2 else None
                if spec is not None:
                    _bind(found, self.text(parts[0]), Decl("import", statement, None, module_name(spec)))
                return
        spec = self.string_value(source) if source is not None else None
        clause = next((child for child in statement.named_children if child.type == "import_clause"), None)
        if spec is None or clause is None:
            return
        module = module_name(spec)
        for part in clause.named_children:
            if part.type == "identifier":  # default import: the module itself (CommonJS interop)
                _bind(found, self.text(part), Decl("import", statement, None, module))
            elif part.type == "namespace_import":
                for ident in part.named_children:
                    _bind(found, self.text(ident), Decl("import", statement, None, module))
            elif part.type == "named_imports":
                for specifier in part.named_children:
                    if specifier.type != "import_specifier":
                        continue
                    name, alias = specifier.child_by_field_name("name"), specifier.child_by_field_name("alias")
                    if name is None:
                        continue
                    imported = self.string_value(name) if name.type == "string" else self.text(name)
                    target = module if imported == "default" else f"{module}.{imported}"
                    _bind(found, self.text(alias or name), Decl("import", statement, None, target))

    def _param_decls(self, function: Node) -> dict[str, Decl]:
        found = self._params.get(function.id)
        if found is None:
            found = {}
            params = function.child_by_field_name("parameters") or function.child_by_field_name("parameter")
            if params is not None:
                for ident in self._parameter_names(params):
                    found[ident] = Decl("param", params)
            name = function.child_by_field_name("name")
            if function.type in ("function_expression", "generator_function") and name is not None:
                found.setdefault(self.text(name), Decl("function", function))
            self._params[function.id] = found
        return found

    def _parameter_names(self, params: Node) -> Iterator[str]:
        if params.type == "identifier":  # x => ...
            yield self.text(params)
            return
        for param in params.named_children:
            yield from self.bound_names(param)

    def _loop_names(self, node: Node) -> set[str]:
        if node.type == "catch_clause":
            param = node.child_by_field_name("parameter")
            return set(self.bound_names(param)) if param is not None else set()
        if node.type == "for_in_statement":
            left = node.child_by_field_name("left")
            return set(self.bound_names(left)) if left is not None else set()
        init = node.child_by_field_name("initializer")
        scratch: dict[str, Decl] = {}
        if init is not None and init.type in ("lexical_declaration", "variable_declaration"):
            self._collect(init, scratch)
        return set(scratch)

    # ---- what an expression is ------------------------------------------------------------------
    def required(self, value: Node | None) -> str | None:
        """The module a value is: `require("fs")` -> "fs", `require("fs").promises` -> "fs.promises",
        `require("sqlite3").verbose()` -> "sqlite3", `await import("fs")` -> "fs"."""
        value = unwrap(value, awaited=True)
        if value is None:
            return None
        if value.type == "call_expression":
            function = unwrap(value.child_by_field_name("function"))
            if function is None:
                return None
            if function.type in ("identifier", "import") and self.text(function) in ("require", "import"):
                args = arguments_of(value)
                spec = self.string_value(args[0]) if len(args) == 1 else None
                return module_name(spec) if spec is not None else None
            if function.type == "member_expression" and callee_name(value) == "verbose":
                return self.required(function.child_by_field_name("object"))
            return None
        if value.type == "member_expression":
            base = self.required(value.child_by_field_name("object"))
            prop = value.child_by_field_name("property")
            return f"{base}.{self.text(prop)}" if base and prop is not None else None
        return None

    def qualname(self, node: Node | None) -> str | None:
        """The qualified name an expression stands for: `fs.writeFileSync` -> "fs.writeFileSync"
        when `fs` is imported from "fs"; globals such as `setInterval` by their own name."""
        node = unwrap(node, awaited=True)
        if node is None:
            return None
        kind = node.type
        if kind == "identifier":
            decl = self.declaration(node)
            if decl is None:
                name = self.text(node)
                return name if name in GLOBALS else None
            return decl.target if decl.kind == "import" else None
        if kind == "member_expression":
            base = self.qualname(node.child_by_field_name("object"))
            prop = node.child_by_field_name("property")
            return f"{base}.{self.text(prop)}" if base and prop is not None else None
        if kind == "call_expression":
            return self.required(node)
        if kind == "meta_property":  # import.meta
            return "import.meta"
        return None

    def created_by(self, node: Node | None, _depth: int = 0) -> str | None:
        """What made a value: "express" for `express()`, "http.createServer" for
        `http.createServer(app)`, "koa" for `new Koa()`; through names bound to such a value."""
        node = unwrap(node, awaited=True)
        if node is None or _depth > _MAX_DEPTH:
            return None
        if node.type == "identifier":
            return self.created_by(self.binding_value(node), _depth + 1)
        if node.type == "call_expression":
            return self.qualname(node.child_by_field_name("function"))
        if node.type == "new_expression":
            return self.qualname(node.child_by_field_name("constructor"))
        return None

    # ---- literal values -------------------------------------------------------------------------
    def string_value(self, node: Node | None) -> str | None:
        """The text of a string literal or a template without substitutions."""
        if node is None or node.type not in ("string", "template_string"):
            return None
        parts = []
        for child in node.named_children:
            kind = child.type
            if kind == "string_fragment":
                parts.append(self.text(child))
            elif kind == "escape_sequence":
                escaped = _ESCAPES.get(self.text(child)[1:])
                if escaped is None:
                    return None
                parts.append(escaped)
            elif kind == "comment":
                continue
            else:
                return None
        return "".join(parts)

    def string_prefix(self, node: Node | None) -> str | None:
        """The literal text a string, a template (`uploads/${name}`) or `"a" + x` starts with."""
        node = unwrap(node)
        if node is None:
            return None
        if node.type == "string":
            return self.string_value(node)
        if node.type == "template_string":
            text = ""
            for child in node.named_children:
                if child.type == "string_fragment":
                    text += self.text(child)
                elif child.type == "escape_sequence":
                    text += _ESCAPES.get(self.text(child)[1:], "")
                else:
                    break
            return text
        if node.type == "binary_expression" and self.operator(node) == "+":
            left = node.child_by_field_name("left")
            return self.string_prefix(left)
        return None

    def operator(self, node: Node) -> str:
        op = node.child_by_field_name("operator")
        return self.text(op) if op is not None else ""

    def literal_values(self, node: Node | None, _depth: int = 0) -> tuple | None:
        """Every value an expression can have when all of them are literals; None otherwise. Found
        once per expression: the rules ask more than once about the same port or host."""
        if _depth or node is None:
            return self._literal_values(node, _depth)
        if node.id not in self._literals:
            self._literals[node.id] = self._literal_values(node, 0)
        return self._literals[node.id]

    def _literal_values(self, node: Node | None, _depth: int) -> tuple | None:
        node = unwrap(node)
        if node is None or _depth > _MAX_DEPTH:
            return None
        again = lambda child: self.literal_values(child, _depth + 1)  # noqa: E731
        kind = node.type
        if kind == "number":
            number = _number(self.text(node))
            return None if number is None else (number,)
        if kind in ("string", "template_string"):
            text = self.string_value(node)
            return None if text is None else (text,)
        if kind in ("true", "false"):
            return (kind == "true",)
        if kind in ("null", "undefined"):
            return (None,)
        if kind == "identifier":
            if self.text(node) == "undefined" and self.declaration(node) is None:
                return (None,)
            return again(self.binding_value(node))
        if kind == "unary_expression":
            argument = node.child_by_field_name("argument")
            values = again(argument)
            op = self.operator(node)
            if values is None or op not in ("+", "-"):
                return None
            numbers = tuple(_to_number(value) for value in values)
            if any(number is None for number in numbers):
                return None
            return numbers if op == "+" else tuple(-number for number in numbers)  # type: ignore[operator]
        if kind == "call_expression":
            function = node.child_by_field_name("function")
            args = arguments_of(node)
            if function is not None and args and self.qualname(function) in _CONVERSIONS:
                values = again(args[0])
                if values is None:
                    return None
                if self.text(function) == "String":
                    return tuple(str(value) for value in values)
                numbers = tuple(_to_number(value) for value in values)
                return None if any(number is None for number in numbers) else numbers
            return None
        if kind == "ternary_expression":
            first = again(node.child_by_field_name("consequence"))
            second = again(node.child_by_field_name("alternative"))
            return None if first is None or second is None else first + second
        if kind == "binary_expression" and self.operator(node) in ("||", "??"):
            left = again(node.child_by_field_name("left"))
            if left is None:
                return None
            unusable = (lambda v: not v) if self.operator(node) == "||" else (lambda v: v is None)
            if not any(unusable(value) for value in left):
                return left
            if all(unusable(value) for value in left):
                return again(node.child_by_field_name("right"))
            return None
        return None

    def literal_string(self, node: Node | None) -> str | None:
        values = self.literal_values(node)
        return values[0] if values and len(values) == 1 and isinstance(values[0], str) else None

    # ---- objects --------------------------------------------------------------------------------
    def object_of(self, node: Node | None, _depth: int = 0) -> Node | None:
        """The object literal an expression is, directly or through a name bound to one."""
        node = unwrap(node)
        if node is None or _depth > _MAX_DEPTH:
            return None
        if node.type == "object":
            return node
        if node.type == "identifier":
            return self.object_of(self.binding_value(node), _depth + 1)
        return None

    def properties(self, obj: Node) -> dict[str, Node] | None:
        """Key -> value of an object literal (`{ port: 3000, host }`); None when it spreads another
        object (`{ ...options }`), whose keys are unknown."""
        found: dict[str, Node] = {}
        for child in obj.named_children:
            kind = child.type
            if kind == "pair":
                key = child.child_by_field_name("key")
                value = child.child_by_field_name("value")
                if key is None or value is None:
                    continue
                name = self.string_value(key) if key.type == "string" else self.text(key)
                if name is not None:
                    found[name] = value
            elif kind == "shorthand_property_identifier":
                found[self.text(child)] = child
            elif kind == "method_definition":
                name = child.child_by_field_name("name")
                if name is not None:
                    found[self.text(name)] = child
            elif kind == "spread_element":
                return None
        return found

    def reads_env(self, node: Node) -> bool:
        """Whether an expression reads the environment: `process.env`, `Bun.env`, `Deno.env`,
        `import.meta.env`."""
        stack = [node]
        while stack:
            current = stack.pop()
            if current.type == "member_expression":
                prop = current.child_by_field_name("property")
                obj = current.child_by_field_name("object")
                if prop is not None and obj is not None and self.text(prop) == "env" and self.text(obj) in (
                        "process", "Bun", "Deno", "import.meta"):
                    return True
            stack.extend(current.named_children)
        return False


def _bind(found: dict[str, Decl], name: str, decl: Decl) -> None:
    found[name] = Decl("other", decl.node) if name in found else decl


def _number(text: str) -> int | float | None:
    text = text.replace("_", "").lower().rstrip("n")
    try:
        if text.startswith(("0x", "0o", "0b")):
            return int(text, 0)
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() else value


def _to_number(value) -> int | float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
