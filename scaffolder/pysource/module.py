"""One parsed Python module: its scopes, what every name is bound to, and literal values.

Everything here is precise on purpose: a name "is" a class instance, an import or a literal only
when every binding of it in the scope that Python would use says so. Anything else is unknown,
and the rules report nothing about unknown values.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from operator import attrgetter
from typing import NamedTuple

FUNCTION_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_MAX_DEPTH = 12  # how far literal and instance resolution follow names
_NEW_SCOPES = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef})
_BINDERS = frozenset({ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor, ast.NamedExpr,
                      ast.comprehension, ast.withitem, ast.ExceptHandler, ast.Delete, ast.Import, ast.ImportFrom,
                      ast.MatchAs, ast.MatchStar, ast.MatchMapping})
_SKIPPED_FIELDS = frozenset({"ctx", "op", "ops"})  # shared singletons (Load, Add, Eq): no parent of their own
# Fields that never hold a node: names, numbers, flags and comments (per class where it varies).
_SCALAR_FIELDS = frozenset({"id", "attr", "kind", "name", "asname", "arg", "module", "level", "type_comment",
                            "conversion", "is_async", "simple", "rest", "kwd_attrs", "tag", "lineno"})
_SCALAR_BY_CLASS = {ast.Constant: {"value"}, ast.MatchSingleton: {"value"}, ast.Global: {"names"},
                    ast.Nonlocal: {"names"}}
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}  # class -> the fields that may hold child nodes
_NO_DECLARATIONS: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())
_POSITION = attrgetter("lineno", "col_offset")
# Node classes the walk does more for than record them: uses of a name, scopes, bindings, declarations.
_SPECIAL = frozenset({ast.Attribute, ast.Await, ast.Global, ast.Nonlocal}) | _NEW_SCOPES | _BINDERS
_MISSING = object()
_KEEPS_RETURN = frozenset({"functools.lru_cache", "functools.cache"})  # decorators that return what the function does


def _child_fields(kind: type) -> tuple[str, ...]:
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        scalar = _SKIPPED_FIELDS | _SCALAR_FIELDS | _SCALAR_BY_CLASS.get(kind, set())
        fields = _CHILD_FIELDS[kind] = tuple(field for field in kind._fields if field not in scalar)
    return fields


class Binding(NamedTuple):  # a tuple: made far faster than a frozen dataclass, and there is one per name bound
    kind: str  # "assign" (name = value), "with" (with value as name), "import", "def", "class", "param", "other"
    node: ast.AST  # the statement (or arg) that binds
    value: ast.expr | None = None  # for "assign" and "with": the value expression
    target: str | None = None  # for "import": the qualified name bound


def parent(node: ast.AST) -> ast.AST | None:
    return getattr(node, "_cbr_parent", None)


def scope_of(node: ast.AST) -> ast.AST:
    return node._cbr_scope  # type: ignore[attr-defined]


def ancestors(node: ast.AST):
    current = parent(node)
    while current is not None:
        yield current
        current = parent(current)


def enclosing_function(node: ast.AST) -> ast.AST | None:
    """The function (or lambda) whose body holds `node`, None at module or class level."""
    scope = scope_of(node)
    while isinstance(scope, ast.ClassDef):
        scope = scope_of(scope)
    return scope if isinstance(scope, FUNCTION_TYPES) else None


def call_arg(call: ast.Call, position: int | None, keyword: str | None) -> ast.expr | None:
    """The argument passed at `position` or as `keyword` (positions after a *args are unknown)."""
    if keyword is not None:
        for item in call.keywords:
            if item.arg == keyword:
                return item.value
    if position is not None and position < len(call.args):
        if any(isinstance(arg, ast.Starred) for arg in call.args[: position + 1]):
            return None
        return call.args[position]
    return None


def has_unpacking(call: ast.Call) -> bool:
    """`f(*args)` or `f(**options)`: the arguments are not all visible."""
    return any(isinstance(arg, ast.Starred) for arg in call.args) or any(k.arg is None for k in call.keywords)


def string_prefix(expr: ast.expr) -> str | None:
    """The literal text an f-string, `"a" + x`, `"a%s" % x` or `"a{}".format(x)` starts with."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, ast.JoinedStr):
        text = ""
        for part in expr.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                text += part.value
            else:
                break
        return text
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.Mod)):
        left = expr.left
        while isinstance(left, ast.BinOp) and isinstance(left.op, ast.Add):  # a + b + c: iterative, any length
            left = left.left
        if isinstance(left, ast.BinOp):
            return None
        prefix = string_prefix(left)
        if prefix is not None and isinstance(expr.op, ast.Mod):
            return prefix.split("%", 1)[0]
        return prefix
    if (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "format"
            and isinstance(expr.func.value, ast.Constant) and isinstance(expr.func.value.value, str)):
        return expr.func.value.value.split("{", 1)[0]
    return None


class PyModule:
    """A module's tree with parent links, scopes and bindings."""

    def __init__(self, tree: ast.Module, text: str):
        self.tree = tree
        self.lines = text.splitlines()
        self.star_import = False
        self.bindings: dict[ast.AST, dict[str, list[Binding]]] = {}
        self._declared: dict[ast.AST, tuple[set[str], set[str]]] = {}  # scope -> (global, nonlocal)
        self.classes: dict[str, ast.ClassDef] = {}  # module-level classes by name
        self.functions: dict[str, ast.AST] = {}  # module-level functions by name
        self._by_type: dict[type, list[ast.AST]] = {}
        self._nodes_cache: dict[tuple, list] = {}
        self.method_uses: dict[str, list[tuple[str, ast.AST]]] = {}  # name -> (attr, node) for name.attr / await name
        self._qualnames: dict[ast.AST, str | None] = {}
        self._lookups: dict[tuple[str, ast.AST], list[Binding] | None] = {}
        self._returns: dict[ast.AST, list[ast.Return]] | None = None  # function -> its returns (on first use)
        self._generators: set[ast.AST] = set()
        # A `global` or `nonlocal` statement changes where a function's names are bound, and it may
        # come after the binding in the walk, so bindings wait until all are known. Without either
        # keyword in the text there are none, and bindings are recorded as they are met.
        self._pending: list[tuple[ast.AST, str, Binding]] | None = (
            [] if "global" in text or "nonlocal" in text else None)
        self._index()
        if self._pending is not None:
            pending, self._pending = self._pending, None
            for scope, name, binding in pending:
                self._bind(scope, name, binding)

    # ---- indexing -------------------------------------------------------------------------
    def _index(self) -> None:
        tree = self.tree
        stack: list[tuple[ast.AST, ast.AST | None, ast.AST]] = [(tree, None, tree)]
        self.bindings[tree] = {}
        self._declared[tree] = (set(), set())
        by_type: dict[type, list[ast.AST]] = defaultdict(list)
        # Names and constants (half the nodes) have no children and need nothing more: they are
        # indexed as they are met, without a trip through the stack.
        leaves = {ast.Name: by_type[ast.Name], ast.Constant: by_type[ast.Constant]}
        uses = self.method_uses
        push, pop = stack.append, stack.pop
        special, scopes, binders, child_fields = _SPECIAL, _NEW_SCOPES, _BINDERS, _CHILD_FIELDS
        while stack:
            node, up, scope = pop()
            node._cbr_parent = up  # type: ignore[attr-defined]
            node._cbr_scope = scope  # type: ignore[attr-defined]
            kind = type(node)
            by_type[kind].append(node)
            if kind in special:
                if kind is ast.Attribute or kind is ast.Await:
                    value = node.value  # type: ignore[attr-defined]
                    if type(value) is ast.Name:  # name.attr, await name
                        uses.setdefault(value.id, []).append(
                            (node.attr if kind is ast.Attribute else "await", node))  # type: ignore[attr-defined]
                elif kind in scopes:
                    self._enter(node, scope, stack)
                    continue
                elif kind in binders:
                    self._record(node, scope)
                elif isinstance(scope, FUNCTION_TYPES):  # global, nonlocal
                    self._declare(scope, node)  # type: ignore[arg-type]
            fields = child_fields.get(kind)
            if fields is None:
                fields = _child_fields(kind)
            for field in fields:
                value = getattr(node, field, None)
                for child in value if type(value) is list else (value,):
                    if child is None:  # an optional field left out; Dict.keys holds None for **spread
                        continue
                    leaf = leaves.get(type(child))
                    if leaf is None:
                        push((child, node, scope))
                    else:  # a name or a constant: no children, nothing more to record
                        child._cbr_parent = node
                        child._cbr_scope = scope
                        leaf.append(child)
        self._by_type = dict(by_type)

    def _enter(self, node, scope, stack) -> None:
        self.bindings[node] = {}
        outer: list[ast.AST] = []
        inner: list[ast.AST] = []
        if isinstance(node, ast.ClassDef):
            self._bind(scope, node.name, Binding("class", node))
            if scope is self.tree:
                self.classes[node.name] = node
            self._declared[node] = (set(), set())
            outer = [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]
            inner = list(node.body)
        else:
            args = node.args
            if not isinstance(node, ast.Lambda):
                self._bind(scope, node.name, Binding("def", node))
                if scope is self.tree:
                    self.functions[node.name] = node
                outer = [*node.decorator_list, *([node.returns] if node.returns else [])]
                inner = list(node.body)
            else:
                inner = [node.body]
            outer += [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
            every = [*args.posonlyargs, *args.args, *args.kwonlyargs,
                     *(a for a in (args.vararg, args.kwarg) if a is not None)]
            outer += [a.annotation for a in every if a.annotation is not None]
            if self._pending is not None:
                self._declared[node] = (set(), set())
            for arg in every:
                self._bind(node, arg.arg, Binding("param", arg))
        for child in outer:
            stack.append((child, node, scope))
        for child in inner:
            stack.append((child, node, node))

    def _declare(self, function, statement: ast.Global | ast.Nonlocal) -> None:
        global_names, nonlocal_names = self._declared[function]
        declared = global_names if isinstance(statement, ast.Global) else nonlocal_names
        declared.update(statement.names)  # type: ignore[attr-defined]

    def _bind(self, scope, name: str, binding: Binding) -> None:
        if self._pending is not None:
            self._pending.append((scope, name, binding))
            return
        global_names, nonlocal_names = self._declared.get(scope, _NO_DECLARATIONS)
        if name in global_names:
            scope = self.tree
        elif name in nonlocal_names:
            for outer in self._outer_scopes(scope):
                if isinstance(outer, FUNCTION_TYPES):
                    self.bindings[outer].setdefault(name, []).append(Binding("other", binding.node))
        self.bindings[scope].setdefault(name, []).append(binding)

    def _outer_scopes(self, scope):
        while scope is not self.tree:
            scope = scope_of(scope)
            yield scope

    def _bind_target(self, scope, target: ast.AST, statement: ast.AST, value: ast.expr | None) -> None:
        if isinstance(target, ast.Name):
            if value is not None:
                self._bind(scope, target.id, Binding("assign", statement, value))
            else:
                self._bind(scope, target.id, Binding("other", statement))
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._bind_target(scope, element, statement, None)
        elif isinstance(target, ast.Starred):
            self._bind_target(scope, target.value, statement, None)

    def _record(self, node: ast.AST, scope) -> None:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                self._bind_target(scope, target, node, node.value)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self._bind_target(scope, node.target, node, node.value)
        elif isinstance(node, (ast.AugAssign, ast.For, ast.AsyncFor)):
            self._bind_target(scope, node.target, node, None)
        elif isinstance(node, ast.NamedExpr):
            self._bind_target(scope, node.target, node, None)
        elif isinstance(node, ast.comprehension):
            self._bind_target(scope, node.target, node, None)
        elif isinstance(node, ast.withitem):
            if isinstance(node.optional_vars, ast.Name):  # with socket.socket() as s: (most return self)
                self._bind(scope, node.optional_vars.id, Binding("with", node, node.context_expr))
            elif node.optional_vars is not None:
                self._bind_target(scope, node.optional_vars, node, None)
        elif isinstance(node, ast.ExceptHandler):
            if node.name:
                self._bind(scope, node.name, Binding("other", node))
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                self._bind_target(scope, target, node, None)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self._bind(scope, alias.asname, Binding("import", node, target=alias.name))
                else:
                    head = alias.name.split(".", 1)[0]
                    self._bind(scope, head, Binding("import", node, target=head))
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            for alias in node.names:
                if alias.name == "*":
                    self.star_import = True
                    continue
                self._bind(scope, alias.asname or alias.name, Binding("import", node, target=f"{base}.{alias.name}"))
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)):
            if node.name:
                self._bind(scope, node.name, Binding("other", node))
        elif isinstance(node, ast.MatchMapping):
            if node.rest:
                self._bind(scope, node.rest, Binding("other", node))

    def nodes(self, *types: type) -> list:
        """Every node of these exact types, in source order."""
        found = self._nodes_cache.get(types)
        if found is None:
            found = [node for kind in types for node in self._by_type.get(kind, ())]
            if all("lineno" in kind._attributes for kind in types):
                found.sort(key=_POSITION)
            else:
                found.sort(key=lambda node: (getattr(node, "lineno", 0), getattr(node, "col_offset", 0)))
            self._nodes_cache[types] = found
        return found

    # ---- names ----------------------------------------------------------------------------
    def lookup(self, name: str, scope: ast.AST) -> list[Binding] | None:
        """The bindings Python would use for `name` read in `scope`; None when it is bound nowhere
        in this module (a builtin, or a name from a star import)."""
        key = (name, scope)
        found = self._lookups.get(key, _MISSING)
        if found is _MISSING:
            found = self._lookups[key] = self._lookup(name, scope)
        return found  # type: ignore[return-value]

    def _lookup(self, name: str, scope: ast.AST) -> list[Binding] | None:
        first = True
        while True:
            if not (isinstance(scope, ast.ClassDef) and not first):
                table = self.bindings.get(scope, {})
                global_names, _ = self._declared.get(scope, _NO_DECLARATIONS)
                if name in global_names and scope is not self.tree:
                    scope = self.tree
                    continue
                if name in table:
                    return table[name]
            if scope is self.tree:
                return None
            scope = scope_of(scope)
            first = False

    def lookup_name(self, node: ast.Name) -> list[Binding] | None:
        return self.lookup(node.id, scope_of(node))

    def is_builtin(self, node: ast.expr, name: str) -> bool:
        return (isinstance(node, ast.Name) and node.id == name and not self.star_import
                and self.lookup_name(node) is None)

    def qualname(self, node: ast.expr) -> str | None:
        """`os.environ.get` for `_os.environ.get` after `import os as _os`; None when unknown."""
        found = self._qualnames.get(node, _MISSING)
        if found is _MISSING:
            found = self._qualnames[node] = self._qualname(node)
        return found  # type: ignore[return-value]

    def _qualname(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Attribute):
            base = self.qualname(node.value)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, ast.Name):
            bindings = self.lookup_name(node)
            if bindings is None:
                return None if self.star_import else f"builtins.{node.id}"
            targets = {binding.target for binding in bindings if binding.kind == "import"}
            if len(targets) == 1 and all(binding.kind == "import" for binding in bindings):
                return targets.pop()
        return None

    def assigned_values(self, node: ast.Name) -> list[ast.expr] | None:
        """The values of every binding of `node` when all are plain `name = value`; else None."""
        bindings = self.lookup_name(node)
        if not bindings or any(binding.kind != "assign" for binding in bindings):
            return None
        return [binding.value for binding in bindings]  # type: ignore[misc]

    def local_class(self, node: ast.expr) -> ast.ClassDef | None:
        if isinstance(node, ast.Name):
            bindings = self.lookup_name(node)
            if bindings and len(bindings) == 1 and bindings[0].kind == "class":
                return bindings[0].node  # type: ignore[return-value]
        return None

    def local_function(self, node: ast.expr) -> ast.AST | None:
        if isinstance(node, ast.Name):
            bindings = self.lookup_name(node)
            if bindings and len(bindings) == 1 and bindings[0].kind == "def":
                return bindings[0].node
        return None

    def class_names(self, func: ast.expr, same_signature: bool = False, _depth: int = 0) -> set[str]:
        """The qualified classes a call of `func` constructs: the class itself, or for a class
        defined here, the known classes it derives from (with `same_signature`, only when it does
        not define its own `__init__`)."""
        qualified = self.qualname(func)
        if qualified and not qualified.startswith("builtins."):
            return {qualified}
        local = self.local_class(func)
        if local is None or _depth > _MAX_DEPTH:
            return set()
        if same_signature and any(isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                                  and item.name in ("__init__", "__new__") for item in local.body):
            return set()
        names: set[str] = set()
        for base in local.bases:
            names |= self.class_names(base, same_signature, _depth + 1)
        return names

    def instance_of(self, node: ast.expr, classes: frozenset[str] | set[str], _depth: int = 0) -> str | None:
        """Which of `classes` `node` is an instance of: a call of the class, a call of a factory
        function of this module every return of which is one (`def make_app(): return
        Application(...)`), or a name every binding of which is one of these."""
        if _depth > _MAX_DEPTH:
            return None
        if isinstance(node, ast.Call):
            found = self.class_names(node.func) & set(classes)
            if found:
                return min(found)
            returned = self.returned_values(node.func)
            if returned:
                kinds = {self.instance_of(value, classes, _depth + 1) for value in returned}
                if len(kinds) == 1:
                    return kinds.pop()
            return None
        if isinstance(node, ast.Name):
            bindings = self.lookup_name(node)
            if not bindings or any(binding.kind not in ("assign", "with") for binding in bindings):
                return None
            kinds = {self.instance_of(binding.value, classes, _depth + 1) for binding in bindings}  # type: ignore[arg-type]
            if len(kinds) == 1:
                return kinds.pop()
        return None

    def returned_values(self, func: ast.expr) -> list[ast.expr] | None:
        """What a call of `func` gives back when `func` names a plain function of this module that
        ends in a `return` and returns a value everywhere: every returned expression. None for
        anything else (async functions and generators give back something else; a decorator may
        replace the function, except functools' caches)."""
        function = self.local_function(func)
        if not isinstance(function, ast.FunctionDef) or not function.body:
            return None
        if any(self.qualname(decorator.func if isinstance(decorator, ast.Call) else decorator) not in _KEEPS_RETURN
               for decorator in function.decorator_list):
            return None
        if not isinstance(function.body[-1], ast.Return):
            return None  # it may fall off its end and give back None
        if self._returns is None:
            self._index_returns()
        if function in self._generators:
            return None
        returns = self._returns.get(function, [])  # type: ignore[union-attr]
        if any(statement.value is None for statement in returns):
            return None
        return [statement.value for statement in returns]  # type: ignore[misc]

    def _index_returns(self) -> None:
        self._returns = {}
        for node in self.nodes(ast.Return):
            self._returns.setdefault(scope_of(node), []).append(node)
        self._generators = {scope_of(node) for node in self.nodes(ast.Yield, ast.YieldFrom)}

    # ---- values ---------------------------------------------------------------------------
    def literal_values(self, node: ast.expr, _depth: int = 0) -> tuple | None:
        """Every value `node` can have when all of them are literals (`8080`, `"0.0.0.0"`, a name
        bound only to literals, `int("8080")`); None when any could come from elsewhere."""
        if _depth > _MAX_DEPTH:
            return None
        if isinstance(node, ast.Constant):
            return (node.value,)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = self.literal_values(node.operand, _depth + 1)
            if inner and all(isinstance(value, (int, float)) for value in inner):
                return tuple(-value for value in inner)
            return None
        if isinstance(node, ast.Name):
            values = self.assigned_values(node)
            if not values:
                return None
            result: list = []
            for value in values:
                literal = self.literal_values(value, _depth + 1)
                if literal is None:
                    return None
                result.extend(literal)
            return tuple(result)
        if isinstance(node, ast.IfExp):
            body = self.literal_values(node.body, _depth + 1)
            orelse = self.literal_values(node.orelse, _depth + 1)
            return body + orelse if body is not None and orelse is not None else None
        if (isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords
                and any(self.is_builtin(node.func, name) for name in ("int", "str"))):
            inner = self.literal_values(node.args[0], _depth + 1)
            if inner is None:
                return None
            convert = int if node.func.id == "int" else str  # type: ignore[attr-defined]
            try:
                return tuple(convert(value) for value in inner)
            except (TypeError, ValueError):
                return None
        return None

    def literal_string(self, node: ast.expr) -> str | None:
        values = self.literal_values(node)
        if values and len(set(values)) == 1 and isinstance(values[0], str):
            return values[0]
        return None

    def resolved(self, node: ast.expr) -> ast.expr:
        """`node`, or the single value a name is bound to (`UPLOADS = Path("uploads")`)."""
        for _ in range(_MAX_DEPTH):
            if not isinstance(node, ast.Name):
                return node
            values = self.assigned_values(node)
            if not values or len(values) != 1:
                return node
            node = values[0]
        return node

    # ---- positions ------------------------------------------------------------------------
    def column(self, line: int, byte_offset: int) -> int:
        """1-based character column for ast's 0-based UTF-8 byte offset."""
        if 0 < line <= len(self.lines):
            text = self.lines[line - 1]
            if not text.isascii():
                return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore")) + 1
        return byte_offset + 1
