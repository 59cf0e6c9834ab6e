"""CBR311 and CBR312: Go work started at startup that runs outside any request.

- CBR311 background-thread-at-startup: a goroutine started by startup code (see context.py) that
  does periodic work: it creates a ticker (`time.NewTicker`, `time.Tick`), or loops forever (or
  while a flag holds) around `time.Sleep`, `time.After` or a timer, with no way out of the loop but
  a shutdown signal (`case <-ctx.Done(): return`). The goroutine's function is followed into the
  package's own functions it calls (two levels). Also `time.AfterFunc` called by startup code.
  A goroutine that serves (`go srv.ListenAndServe()`), waits for a signal, or retries a connection
  and then stops (a loop with `break`) is not reported.
- CBR312 scheduler-at-startup: a cron scheduler started by startup code: robfig/cron
  `c := cron.New()` ... `c.Start()` (or `c.Run()`), go-co-op/gocron `s.StartAsync()`,
  `s.StartBlocking()` and v2 `s.Start()`, jasonlvhit/gocron `gocron.Start()`.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from scaffolder import treesitter
from scaffolder.gosource.context import Startup, words
from scaffolder.gosource.gofile import GRAMMAR, FUNCTION_TYPES, GoFile, arguments, call_name, receiver
from scaffolder.source_hit import Hit
from scaffolder.gosource.package import Package
from scaffolder.gosource.values import Values

THREAD, SCHEDULER = "CBR311", "CBR312"
CODES = frozenset({THREAD, SCHEDULER})

_WHY = ("CloudBase Run runs work only while it serves requests: an idle instance is scaled in or to zero, "
        "and every instance runs its own copy")

_WAIT_QUERY = """
((call_expression function: (selector_expression operand: (identifier) @package field: (field_identifier) @name)) @wait
 (#any-of? @name "NewTicker" "Tick" "Sleep" "After" "NewTimer"))
(call_expression function: (identifier) @local)
"""
_EXIT_QUERY = """
(break_statement) @exit
(return_statement) @exit
"""
_TICKERS = frozenset({"time.NewTicker", "time.Tick"})
_WAITS = frozenset({"time.Sleep", "time.After", "time.NewTimer"})
_LOOP_BOUNDARIES = frozenset({"for_statement", "expression_switch_statement", "type_switch_statement",
                              "select_statement"})
_SHUTDOWN_WORDS = frozenset({"done", "quit", "stop", "stopped", "shutdown", "exit", "close", "closed", "ctx",
                             "cancel", "term", "signal", "sig", "kill"})

# scheduler: (import path prefixes, constructors, methods that start it)
_CRON = {
    "robfig/cron": (("github.com/robfig/cron",), frozenset({"New", "NewWithLocation"}), frozenset({"Start", "Run"})),
    "gocron": (("github.com/go-co-op/gocron",), frozenset({"NewScheduler"}),
               frozenset({"StartAsync", "StartBlocking", "Start"})),
}
_PACKAGE_STARTS = {"github.com/jasonlvhit/gocron.Start": "jasonlvhit/gocron"}
_MAX_FOLLOW = 2


class Background:
    def __init__(self, package: Package, values: Values, startup: Startup):
        self.package = package
        self.values = values
        self.startup = startup

    # ---- goroutines --------------------------------------------------------------------------------
    def goroutine(self, file: GoFile, call: Node) -> Iterator[Hit]:
        statement = call.parent
        if statement is None or not self.startup.at_startup(file, statement):
            return
        target = self._target(file, call)
        if target is None:
            return
        why = self._periodic(*target, depth=0)
        if why:
            yield Hit(THREAD, f"startup code starts a goroutine that {why}; {_WHY}, so the loop is paused or stopped "
                      "at random: do the work inside a request, or call the service from a scheduled trigger",
                      statement)

    def _target(self, file: GoFile, call: Node) -> tuple[GoFile, Node] | None:
        """The body the goroutine runs."""
        function = call.child_by_field_name("function")
        if function is None:
            return None
        if function.type == "func_literal":
            body = function.child_by_field_name("body")
            return (file, body) if body is not None else None
        found = None
        if function.type == "identifier":
            found = self.package.function(file, file.text(function))
        elif function.type == "selector_expression" and file.qualified(function) is None:
            name = function.child_by_field_name("field")
            found = self.package.method(file, file.text(name)) if name is not None else None
        if found is None:
            return None
        body = found[1].child_by_field_name("body")
        return (found[0], body) if body is not None else None

    def _periodic(self, file: GoFile, body: Node, depth: int) -> str | None:
        """What makes the code periodic ("creates a ticker"), or None."""
        captured = treesitter.captures(GRAMMAR, _WAIT_QUERY, body)
        for wait in captured.get("wait", ()):
            qualified = file.qualified(wait.child_by_field_name("function"))
            if qualified in _TICKERS:
                return f"runs a ticker ({qualified}())"
            if qualified in _WAITS:
                loop = self._endless_loop(file, wait, body)
                if loop is not None:
                    return f"loops forever around {qualified}() (line {loop.start_point[0] + 1})"
        if depth + 1 >= _MAX_FOLLOW:
            return None
        for local in captured.get("local", ()):
            found = self.package.function(file, file.text(local))
            inner = found[1].child_by_field_name("body") if found is not None else None
            if inner is not None and inner.id != body.id:
                why = self._periodic(found[0], inner, depth + 1)  # type: ignore[index]
                if why:
                    return why
        return None

    def _endless_loop(self, file: GoFile, wait: Node, body: Node) -> Node | None:
        """The loop around `wait` if it only ends on a shutdown signal."""
        up = wait.parent
        while up is not None and up.id != body.id and up.type not in FUNCTION_TYPES:
            if up.type == "for_statement" and self._runs_on(file, up) and not self._has_exit(file, up):
                return up
            up = up.parent
        return None

    @staticmethod
    def _runs_on(file: GoFile, loop: Node) -> bool:
        """`for {`, `for ;; {`, `for running {`, `for !stopped {`, `for ctx.Err() == nil {`."""
        clauses = [child for child in loop.named_children if child.type not in ("block", "comment")]
        if not clauses:
            return True
        clause = clauses[0]
        if clause.type == "for_clause":
            return clause.child_by_field_name("condition") is None and clause.child_by_field_name(
                "initializer") is None
        if clause.type in ("identifier", "unary_expression", "selector_expression", "call_expression"):
            return True
        if clause.type == "binary_expression":
            right = clause.child_by_field_name("right")
            return right is not None and right.type == "nil"
        return False

    def _has_exit(self, file: GoFile, loop: Node) -> bool:
        for exit_node in treesitter.captures(GRAMMAR, _EXIT_QUERY, loop).get("exit", ()):
            if self._leaves(exit_node, loop) and not self._on_shutdown(file, exit_node, loop):
                return True
        return False

    @staticmethod
    def _leaves(exit_node: Node, loop: Node) -> bool:
        labelled = exit_node.type == "break_statement" and exit_node.named_child_count > 0
        up = exit_node.parent
        while up is not None and up.id != loop.id:
            if up.type in FUNCTION_TYPES:
                return False  # a return in a nested func literal
            if exit_node.type == "break_statement" and not labelled and up.type in _LOOP_BOUNDARIES:
                return False  # breaks an inner loop, switch or select
            up = up.parent
        return True

    @staticmethod
    def _on_shutdown(file: GoFile, exit_node: Node, loop: Node) -> bool:
        """The exit is in `case <-ctx.Done():` or `case <-quit:`: the loop runs until shutdown."""
        up = exit_node.parent
        while up is not None and up.id != loop.id:
            if up.type == "communication_case":
                communication = up.child_by_field_name("communication")
                text = file.text(communication) if communication is not None else ""
                return bool(words(text) & _SHUTDOWN_WORDS)
            up = up.parent
        return False

    # ---- timers and schedulers -------------------------------------------------------------------
    def call(self, file: GoFile, call: Node) -> Iterator[Hit]:
        qualified = file.qualified(call.child_by_field_name("function"))
        if qualified == "time.AfterFunc":
            if self.startup.at_startup(file, call):
                yield Hit(THREAD, f"startup code starts a timer with time.AfterFunc() that fires outside any request; "
                          f"{_WHY}, so it fires late or never: do the work inside a request, or call the service "
                          "from a scheduled trigger", call)
            return
        if qualified in _PACKAGE_STARTS:
            if self.startup.at_startup(file, call):
                yield self._scheduler(_PACKAGE_STARTS[qualified], call)
            return
        if qualified is not None or arguments(call):
            return
        name, target = call_name(call, file), receiver(call)
        for label, (prefixes, constructors, starts) in _CRON.items():
            if name in starts and target is not None and file.imports_any(*prefixes) \
                    and self._made_by(file, target, prefixes, constructors) and self.startup.at_startup(file, call):
                yield self._scheduler(label, call)
                return

    def _made_by(self, file: GoFile, target: Node, prefixes: tuple[str, ...], constructors: frozenset[str]) -> bool:
        calls = self.values.bound_calls(file, target)
        if not calls:
            return False
        for owner, made, index in calls:
            qualified = owner.qualified(made.child_by_field_name("function"))
            if qualified is None or index != 0:
                return False
            package, _, constructor = qualified.rpartition(".")
            if constructor not in constructors or not any(
                    package == prefix or package.startswith(prefix + "/") for prefix in prefixes):
                return False
        return True

    @staticmethod
    def _scheduler(label: str, call: Node) -> Hit:
        return Hit(SCHEDULER, f"startup code starts a {label} scheduler; {_WHY}, so jobs run late, never, or once per "
                   "instance: trigger them from outside (a scheduled call to the service)", call)


def find(file: GoFile, package: Package, values: Values, startup: Startup) -> Iterator[Hit]:
    background = Background(package, values, startup)
    for call in file.go_calls:
        yield from background.goroutine(file, call)
    for call in file.calls:
        yield from background.call(file, call)

