"""Where a piece of a module runs: at startup, in a request handler, only in local development.

- Startup code: module level (it runs when the module is imported), a live `__main__` block,
  startup hooks (`@app.on_event("startup")`, a `lifespan=` function, `on_startup=[...]`,
  `app.on_startup.append(...)`, Quart `before_serving`, Sanic `before_server_start`, gunicorn's
  `post_fork`/`when_ready`/... in a gunicorn configuration file), and module-level functions
  called from startup code, and the functions other modules call at startup (an application
  factory called where the server loads the application, see startup.py).
- Request handlers: functions decorated with a route (`@app.post("/x")`, `@bp.route("/x",
  methods=["POST"])`, `@router.put(...)`, Django's `@require_POST`, DRF's `@api_view(["POST"])`).
- Command-line commands: functions decorated with `@click.command()`, `@app.cli.command()`,
  typer's `@app.command()` or a `group`: run by hand, not while serving.
- Dead code: the `__main__` block of a file the service's start files do not run as a script
  (see entrypoints.py), and module-level functions called only from there.
- Environment-dependent code: a branch of an `if` whose condition reads the environment or a
  debug/test/environment flag (`if os.environ.get("DATABASE_URL")`, `if DEBUG:`, `if app.testing:`,
  `x if settings.ENV == "dev" else y`): which branch runs on the platform is not known.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from functools import cached_property

from scaffolder.pysource.module import FUNCTION_TYPES, PyModule, ancestors, enclosing_function

_HOOK_DECORATORS = {"before_serving", "before_first_request", "before_server_start", "after_server_start",
                    "main_process_start", "main_process_ready", "on_startup"}
_SANIC_STARTUP_EVENTS = {"before_server_start", "after_server_start", "main_process_start", "main_process_ready"}
_GUNICORN_HOOKS = {"on_starting", "when_ready", "pre_fork", "post_fork", "post_worker_init", "on_reload"}
_ROUTE_METHODS = {"get", "post", "put", "patch", "delete", "head", "options"}
_ROUTE_WITH_METHODS = {"route", "api_route"}
_REQUIRE_POST = "django.views.decorators.http.require_POST"
_METHOD_LIST_DECORATORS = ("django.views.decorators.http.require_http_methods", "rest_framework.decorators.api_view")
_FLAG_WORDS = {"debug", "testing", "test", "tests", "env", "environ", "environment", "dev", "develop",
               "development", "local", "prod", "production", "stage", "staging"}
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def _words(identifier: str) -> set[str]:
    return {word.lower() for word in _WORD.findall(identifier)}


def is_main_guard(node: ast.AST) -> bool:
    if not (isinstance(node, ast.If) and isinstance(node.test, ast.Compare)):
        return False
    test = node.test
    if len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    names = [side for side in sides if isinstance(side, ast.Name) and side.id == "__name__"]
    texts = [side for side in sides if isinstance(side, ast.Constant) and side.value == "__main__"]
    return bool(names and texts)


def _in_body(if_node: ast.If, child: ast.AST) -> bool:
    return any(statement is child for statement in if_node.body)


def _literal_strings(node: ast.expr | None) -> set[str] | None:
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)) and all(
            isinstance(item, ast.Constant) and isinstance(item.value, str) for item in node.elts):
        return {item.value.upper() for item in node.elts}  # type: ignore[union-attr]
    return None


class Context:
    def __init__(self, module: PyModule, runs_as_script: bool | Callable[[], bool], gunicorn_config: bool = False,
                 started_elsewhere: frozenset[str] | Callable[[], frozenset[str]] = frozenset()):
        """`runs_as_script`: whether the module may run as `__main__` on the platform;
        `started_elsewhere`: names of this module's functions that other modules call at startup.
        Either may be a function that finds it, called only when needed."""
        self.module = module
        self._runs_as_script = runs_as_script
        self.gunicorn_config = gunicorn_config
        self._started_elsewhere = started_elsewhere

    # Computed on first use: most modules never need one or more of them.
    @cached_property
    def runs_as_script(self) -> bool:
        runs = self._runs_as_script
        return runs() if callable(runs) else runs

    @cached_property
    def dead_functions(self) -> set[ast.AST]:
        return self._dead_functions()

    @cached_property
    def startup_functions(self) -> set[ast.AST]:
        return self._startup_functions()

    @cached_property
    def handlers(self) -> dict[ast.AST, set[str]]:
        return self._handlers()

    @cached_property
    def started_elsewhere(self) -> set[ast.AST]:
        """This module's functions that other modules call at startup."""
        names = self._started_elsewhere
        names = names() if callable(names) else names
        functions = self.module.functions
        return {functions[name] for name in names if name in functions}

    # ---- dead code and environment branches ----------------------------------------------
    def in_main_guard(self, node: ast.AST) -> bool:
        child = node
        for up in ancestors(node):
            if is_main_guard(up) and _in_body(up, child):  # type: ignore[arg-type]
                return True
            child = up
        return False

    def _outermost_function(self, node: ast.AST) -> ast.AST | None:
        outermost = None
        for up in ancestors(node):
            if isinstance(up, FUNCTION_TYPES):
                outermost = up
        return outermost

    def is_dead(self, node: ast.AST) -> bool:
        if self.runs_as_script:
            return False
        if self.in_main_guard(node):
            return True
        return self._outermost_function(node) in self.dead_functions

    def _dead_functions(self) -> set[ast.AST]:
        if self.runs_as_script:
            return set()
        module = self.module
        references: dict[ast.AST, list[ast.Name]] = {}
        for node in module.nodes(ast.Name):
            if isinstance(node.ctx, ast.Load) and node.id in module.functions:
                function = module.local_function(node)
                if function is not None:
                    references.setdefault(function, []).append(node)
        dead: set[ast.AST] = set()
        changed = True
        while changed:
            changed = False
            for function, names in references.items():
                if function in dead or function.decorator_list:  # type: ignore[attr-defined]
                    continue
                if all(self.in_main_guard(name) or self._outermost_function(name) in dead for name in names) \
                        and function not in self.started_elsewhere:
                    dead.add(function)
                    changed = True
        return dead

    def in_environment_branch(self, node: ast.AST) -> bool:
        child = node
        for up in ancestors(node):
            if isinstance(up, (ast.If, ast.IfExp)) and child is not up.test and self._reads_flags(up.test):
                return True
            child = up
        return False

    def _reads_flags(self, test: ast.expr) -> bool:
        for node in ast.walk(test):
            if isinstance(node, (ast.Name, ast.Attribute)):
                qualified = self.module.qualname(node) or ""
                if qualified.startswith(("os.environ", "os.getenv", "sys.argv", "sys.modules")):
                    return True
                if _words(node.id if isinstance(node, ast.Name) else node.attr) & _FLAG_WORDS:
                    return True
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) < 40:
                if _words(node.value) & _FLAG_WORDS:
                    return True
        return False

    def in_cli_command(self, node: ast.AST) -> bool:
        """Inside a command-line command (`@click.command()`, `@app.cli.command()`, typer's
        `@app.command()`): run by hand, not while serving."""
        for up in ancestors(node):
            if isinstance(up, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
                    _is_command_decorator(decorator) for decorator in up.decorator_list):
                return True
        return False

    # ---- startup --------------------------------------------------------------------------
    def at_startup(self, node: ast.AST) -> bool:
        function = enclosing_function(node)
        return function is None or function in self.startup_functions

    def _startup_functions(self) -> set[ast.AST]:
        module = self.module
        found: set[ast.AST] = set(self.started_elsewhere)
        for function in module.functions.values():
            if any(self._is_startup_decorator(decorator) for decorator in function.decorator_list):  # type: ignore[attr-defined]
                found.add(function)
            if self.gunicorn_config and function.name in _GUNICORN_HOOKS:  # type: ignore[attr-defined]
                found.add(function)
        calls: list[ast.Call] = []
        for node in module.nodes(ast.Call, ast.Assign):
            if isinstance(node, ast.Call):
                calls.append(node)
                for keyword in node.keywords:
                    if keyword.arg == "lifespan":
                        found |= self._functions_in(keyword.value)
                    elif keyword.arg == "on_startup":
                        found |= self._functions_in(keyword.value)
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr in ("append", "insert", "extend") and isinstance(
                        func.value, ast.Attribute) and func.value.attr in ("on_startup", "cleanup_ctx"):
                    for arg in node.args:
                        found |= self._functions_in(arg)
                if (isinstance(func, ast.Attribute) and func.attr == "add_event_handler" and len(node.args) == 2
                        and isinstance(node.args[0], ast.Constant) and node.args[0].value == "startup"):
                    found |= self._functions_in(node.args[1])
                if (isinstance(func, ast.Attribute) and func.attr == "register_listener" and len(node.args) == 2
                        and isinstance(node.args[1], ast.Constant) and node.args[1].value in _SANIC_STARTUP_EVENTS):
                    found |= self._functions_in(node.args[0])
            elif isinstance(node, ast.Assign) and any(
                    isinstance(target, ast.Attribute) and target.attr == "lifespan_context" for target in node.targets):
                found |= self._functions_in(node.value)
        changed = True
        while changed:  # module-level functions called from startup code run at startup too
            changed = False
            for call in calls:
                function = self.module.local_function(call.func)
                if function is None or function in found or not isinstance(function, FUNCTION_TYPES):
                    continue
                if self.at_startup_given(call, found) and not self.is_dead(call):
                    found.add(function)
                    changed = True
        return found

    @staticmethod
    def at_startup_given(node: ast.AST, startup: set[ast.AST]) -> bool:
        function = enclosing_function(node)
        return function is None or function in startup

    def _functions_in(self, node: ast.expr) -> set[ast.AST]:
        items = node.elts if isinstance(node, (ast.List, ast.Tuple)) else [node]
        found = set()
        for item in items:
            function = self.module.local_function(item)
            if function is not None:
                found.add(function)
        return found

    @staticmethod
    def _is_startup_decorator(decorator: ast.expr) -> bool:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if not isinstance(target, ast.Attribute):
            return False
        if isinstance(decorator, ast.Call) and decorator.args and isinstance(decorator.args[0], ast.Constant):
            event = decorator.args[0].value
            if target.attr == "on_event":
                return event == "startup"
            if target.attr == "listener":
                return event in _SANIC_STARTUP_EVENTS
        return target.attr in _HOOK_DECORATORS

    # ---- request handlers -----------------------------------------------------------------
    def handler_methods(self, function: ast.AST | None) -> set[str]:
        """The HTTP methods a request handler serves (empty when not a known handler)."""
        return self.handlers.get(function, set()) if function is not None else set()

    def _handlers(self) -> dict[ast.AST, set[str]]:
        handlers: dict[ast.AST, set[str]] = {}
        for node in self.module.nodes(ast.FunctionDef, ast.AsyncFunctionDef):
            if node.decorator_list:
                methods: set[str] = set()
                for decorator in node.decorator_list:
                    methods |= self._route_methods(decorator)
                if methods:
                    handlers[node] = methods
        return handlers

    def _route_methods(self, decorator: ast.expr) -> set[str]:
        qualified = self.module.qualname(decorator.func if isinstance(decorator, ast.Call) else decorator) or ""
        if qualified == _REQUIRE_POST:
            return {"POST"}
        if not isinstance(decorator, ast.Call):
            return set()
        if qualified in _METHOD_LIST_DECORATORS:
            return _literal_strings(decorator.args[0] if decorator.args else None) or set()
        func = decorator.func
        if not isinstance(func, ast.Attribute):
            return set()
        path = decorator.args[0] if decorator.args else next(
            (k.value for k in decorator.keywords if k.arg in ("path", "rule")), None)
        if not (isinstance(path, ast.Constant) and isinstance(path.value, str)):
            return set()
        if func.attr in _ROUTE_METHODS:
            return {func.attr.upper()}
        if func.attr in _ROUTE_WITH_METHODS:
            methods = next((k.value for k in decorator.keywords if k.arg == "methods"), None)
            if methods is None:
                return {"GET"}
            return _literal_strings(methods) or set()
        return set()


def handler_trigger_names(methods: set[str]) -> frozenset[str]:
    """The names one of a function's decorators must spell to make it a handler of one of `methods`
    (see _route_methods): `@app.post(...)`, `methods=[...]`, Django's and DRF's decorators."""
    return frozenset({method.lower() for method in methods} & _ROUTE_METHODS | {"methods"}
                     | {name.rsplit(".", 1)[-1] for name in (_REQUIRE_POST, *_METHOD_LIST_DECORATORS)})


def _is_command_decorator(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    name = target.attr if isinstance(target, ast.Attribute) else target.id if isinstance(target, ast.Name) else ""
    return name in ("command", "group")

