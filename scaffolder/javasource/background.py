"""CBR311 and CBR312 in Java code: work started at startup that runs outside any request.

- CBR312 scheduler-at-startup: `@Scheduled` methods (Spring, when the service has
  `@EnableScheduling`; Quarkus and Micronaut always); `scheduleAtFixedRate` and
  `scheduleWithFixedDelay` of a `ScheduledExecutorService` or a Spring `TaskScheduler`, `Timer`'s
  periodic `schedule(task, delay, period)` and `scheduleAtFixedRate`, and a Quartz `Scheduler`'s
  `start()`, called by startup code (see context.py).
- CBR311 background-thread-at-startup: startup code that starts a thread, executor task or timer
  that runs on its own: a one-shot `Timer.schedule(task, delay)` or
  `ScheduledExecutorService.schedule(task, delay, unit)`, and a `Thread` (`new Thread(r).start()`,
  a `Thread` subclass of the file, `Thread.startVirtualThread(r)`, `Thread.ofVirtual().start(r)`)
  or an executor task (`submit`, `execute`, `CompletableFuture.runAsync`) whose code loops forever
  (or while a flag holds) around `Thread.sleep`/`TimeUnit.sleep`, with no way out but an
  interruption. A thread that serves, or does one job and ends, is not reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from scaffolder import treesitter
from scaffolder.javasource.context import Startup, enclosing_class
from scaffolder.source_hit import Hit
from scaffolder.javasource.javafile import (
    CALLABLE_TYPES,
    CLASS_TYPES,
    GRAMMAR,
    JavaFile,
    arguments,
    name_of,
    super_types,
    type_name,
)
from scaffolder.javasource.values import Values

THREAD, SCHEDULER = "CBR311", "CBR312"
CODES = frozenset({THREAD, SCHEDULER})

_WHY = ("CloudBase Run runs work only while it serves requests: an idle instance is scaled in or to zero, "
        "and every instance runs its own copy")
_SCHEDULER_ADVICE = ("jobs run late, never, or once per instance: trigger them from outside (a scheduled call to "
                     "the service)")
_THREAD_ADVICE = ("it is paused or stopped at random: do the work inside a request, or call the service from a "
                  "scheduled trigger")

_EXECUTOR_TYPES = frozenset({"ScheduledExecutorService", "ScheduledThreadPoolExecutor"})
_EXECUTOR_FACTORIES = frozenset({"newScheduledThreadPool", "newSingleThreadScheduledExecutor"})
_TASK_SCHEDULER_TYPES = frozenset({"TaskScheduler", "ThreadPoolTaskScheduler", "ConcurrentTaskScheduler"})
_PERIODIC = frozenset({"scheduleAtFixedRate", "scheduleWithFixedDelay"})
_TASK_METHODS = frozenset({"submit", "execute"})
_QUARTZ_FACTORIES = frozenset({"getDefaultScheduler", "getScheduler"})
_NON_SPRING_SCHEDULED = ("io.quarkus.scheduler", "io.micronaut.scheduling")
_LOOPS = frozenset({"while_statement", "do_statement", "for_statement"})
_BREAK_BOUNDARIES = frozenset({"while_statement", "do_statement", "for_statement", "enhanced_for_statement",
                               "switch_expression", "switch_block"})
_MAX_FOLLOW = 2

_WAIT_QUERY = """
((method_invocation name: (identifier) @name) @wait (#any-of? @name "sleep" "parkNanos" "parkUntil"))
(method_invocation !object name: (identifier) @local)
"""
_EXIT_QUERY = """
(break_statement) @exit
(return_statement) @exit
"""


class Background:
    def __init__(self, file: JavaFile, values: Values, startup: Startup):
        self.file = file
        self.values = values
        self.startup = startup

    # ---- @Scheduled ------------------------------------------------------------------------------
    def scheduled(self, annotation: Node) -> tuple[Hit, bool] | None:
        """The hit for a @Scheduled method and whether it needs @EnableScheduling (Spring)."""
        file = self.file
        name_node = annotation.child_by_field_name("name")
        written = file.text(name_node) if name_node is not None else ""
        simple = written.rsplit(".", 1)[-1]
        if simple not in ("Scheduled", "Schedules") or annotation.parent is None or annotation.parent.parent is None \
                or annotation.parent.parent.type != "method_declaration":
            return None
        qualified = written if "." in written else file.class_name(simple)
        spring = not (qualified.startswith(_NON_SPRING_SCHEDULED) or (
            "." not in qualified and any(w.startswith(_NON_SPRING_SCHEDULED) for w in file.imported.wildcards)))
        method = name_of(annotation.parent.parent, file)
        hit = Hit(SCHEDULER, f"@{simple} schedules {method}() inside the service; {_WHY}, so {_SCHEDULER_ADVICE}",
                  annotation)
        return hit, spring

    # ---- scheduling calls ----------------------------------------------------------------------------
    def invocation(self, call: Node) -> Iterator[Hit]:
        file = self.file
        name = name_of(call, file)
        owner = call.child_by_field_name("object")
        args = arguments(call)
        if name in ("schedule", "scheduleAtFixedRate", "scheduleWithFixedDelay") and owner is not None:
            hit = self._schedule(call, owner, name, args)
        elif name == "start" and owner is not None and not args:
            hit = self._start(call, owner)
        elif name in ("start", "startVirtualThread") and len(args) == 1 and owner is not None and (
                (name == "startVirtualThread" and file.text(owner) == "Thread")
                or self._chain_has(owner, ("ofVirtual", "ofPlatform"))):
            hit = self._thread(call, args[0], "a thread")
        elif name in _TASK_METHODS and len(args) == 1 and owner is not None:
            hit = self._thread(call, args[0], f"an executor task ({name}())")
        elif name == "runAsync" and owner is not None and file.text(owner) == "CompletableFuture" and args:
            hit = self._thread(call, args[0], "an asynchronous task (CompletableFuture.runAsync())")
        else:
            return
        if hit is not None and self.startup.at_startup(call):
            yield hit

    def _schedule(self, call: Node, owner: Node, name: str, args: list[Node]) -> Hit | None:
        kind = self._scheduler_kind(owner)
        if kind is None:
            return None
        periodic = name in _PERIODIC or (kind == "Timer" and len(args) == 3) or kind == "TaskScheduler"
        if periodic:
            return Hit(SCHEDULER, f"startup code schedules a repeating job with {kind}.{name}(); {_WHY}, so "
                       f"{_SCHEDULER_ADVICE}", call)
        return Hit(THREAD, f"startup code schedules a delayed job with {kind}.{name}() that runs outside any request; "
                   f"{_WHY}, so {_THREAD_ADVICE}", call)

    def _scheduler_kind(self, owner: Node) -> str | None:
        declared = self.values.declared_types(owner)
        if declared & _EXECUTOR_TYPES:
            return "ScheduledExecutorService"
        if declared & _TASK_SCHEDULER_TYPES:
            return "TaskScheduler"
        if "Timer" in declared and self.file.class_name("Timer") in ("Timer", "java.util.Timer"):
            return "Timer"
        for made in self.values.bound(owner) or ():
            if made.type == "method_invocation" and name_of(made, self.file) in _EXECUTOR_FACTORIES:
                return "ScheduledExecutorService"
            if made.type == "object_creation_expression":
                kind = type_name(made.child_by_field_name("type"), self.file)
                if kind == "ScheduledThreadPoolExecutor":
                    return "ScheduledExecutorService"
                if kind == "Timer" and self.file.class_name("Timer") in ("Timer", "java.util.Timer"):
                    return "Timer"
            return None
        return None

    def _start(self, call: Node, owner: Node) -> Hit | None:
        """`scheduler.start()` (Quartz) or `thread.start()`."""
        if self._quartz(owner):
            return Hit(SCHEDULER, f"startup code starts a Quartz scheduler; {_WHY}, so {_SCHEDULER_ADVICE}", call)
        for made in self.values.bound(owner) or ():
            if made.type != "object_creation_expression":
                return None
            kind = type_name(made.child_by_field_name("type"), self.file)
            if kind == "Thread":
                args = arguments(made)
                runnable = next((arg for arg in args if arg.type in ("lambda_expression", "method_reference",
                                                                   "object_creation_expression", "identifier")), None)
                return self._thread(call, runnable, "a thread") if runnable is not None else None
            subclass = self.file.classes.get(kind)
            if subclass is not None and "Thread" in super_types(subclass, self.file):
                return self._thread(call, made, "a thread")
            return None
        return None

    def _quartz(self, owner: Node) -> bool:
        if not self.file.imports_from("org.quartz"):
            return False
        if "Scheduler" in self.values.declared_types(owner):
            return True
        made = self.values.bound(owner) or ()
        return bool(made) and all(node.type == "method_invocation" and name_of(node, self.file) in _QUARTZ_FACTORIES
                                  for node in made)

    def _chain_has(self, node: Node, methods: tuple[str, ...]) -> bool:
        while node is not None and node.type == "method_invocation":
            if name_of(node, self.file) in methods:
                return True
            node = node.child_by_field_name("object")
        return False

    # ---- threads and tasks -------------------------------------------------------------------------
    def _thread(self, call: Node, runnable: Node | None, what: str) -> Hit | None:
        body = self._runnable_body(runnable) if runnable is not None else None
        why = self._periodic(body, 0) if body is not None else None
        if why is None:
            return None
        return Hit(THREAD, f"startup code starts {what} that {why}; {_WHY}, so {_THREAD_ADVICE}", call)

    def _runnable_body(self, node: Node, depth: int = 0) -> Node | None:
        """The code a Runnable runs: a lambda's body, a method reference's method, an anonymous
        Runnable's run(), or run() of a class of the file (a Thread subclass or a Runnable)."""
        if depth > 6:
            return None
        file = self.file
        if node.type == "lambda_expression":
            return node.child_by_field_name("body")
        if node.type == "method_reference":
            parts = [child for child in node.named_children]
            if len(parts) != 2:
                return None
            owner, method = parts
            class_node = enclosing_class(node) if owner.type == "this" else file.classes.get(file.text(owner))
            return self._method_body(class_node, file.text(method))
        if node.type == "object_creation_expression":
            anonymous = next((child for child in node.named_children if child.type == "class_body"), None)
            if anonymous is not None:
                return self._method_body_in(anonymous, "run")
            return self._method_body(file.classes.get(type_name(node.child_by_field_name("type"), file)), "run")
        if node.type in ("identifier", "field_access"):
            bound = self.values.bound(node)
            if bound and len(bound) == 1:
                return self._runnable_body(bound[0], depth + 1)
        return None

    def _method_body(self, class_node: Node | None, name: str) -> Node | None:
        body = class_node.child_by_field_name("body") if class_node is not None else None
        return self._method_body_in(body, name) if body is not None else None

    def _method_body_in(self, class_body: Node, name: str) -> Node | None:
        for member in class_body.named_children:
            if member.type == "method_declaration" and name_of(member, self.file) == name:
                return member.child_by_field_name("body")
        return None

    def _periodic(self, body: Node, depth: int) -> str | None:
        file = self.file
        captured = treesitter.captures(GRAMMAR, _WAIT_QUERY, body)
        for wait in captured.get("wait", ()):
            loop = self._endless_loop(wait, body)
            if loop is not None:
                owner = wait.child_by_field_name("object")
                label = f"{file.text(owner)}.{name_of(wait, file)}" if owner is not None else name_of(wait, file)
                return f"loops forever around {label}() (line {loop.start_point[0] + 1})"
        if depth + 1 >= _MAX_FOLLOW:
            return None
        class_node = enclosing_class(body)
        for local in captured.get("local", ()):
            inner = self._method_body(class_node, file.text(local))
            if inner is not None and inner.id != body.id:
                why = self._periodic(inner, depth + 1)
                if why:
                    return why
        return None

    def _endless_loop(self, wait: Node, body: Node) -> Node | None:
        up = wait.parent
        while up is not None and up.id != body.id and up.type not in CALLABLE_TYPES and up.type not in CLASS_TYPES:
            if up.type in _LOOPS and self._runs_on(up) and not self._has_exit(up):
                return up
            up = up.parent
        return None

    def _runs_on(self, loop: Node) -> bool:
        """`while (true)`, `for (;;)`, `while (running)`, `while (!Thread.currentThread().isInterrupted())`."""
        condition = loop.child_by_field_name("condition")
        if loop.type == "for_statement":
            return condition is None and loop.child_by_field_name("init") is None
        if condition is None:
            return False
        while condition.type == "parenthesized_expression" and condition.named_child_count:
            condition = condition.named_children[0]
        return condition.type in ("true", "identifier", "unary_expression", "method_invocation", "field_access")

    def _has_exit(self, loop: Node) -> bool:
        for exit_node in treesitter.captures(GRAMMAR, _EXIT_QUERY, loop).get("exit", ()):
            if self._leaves(exit_node, loop) and not self._on_interrupt(exit_node, loop):
                return True
        return False

    @staticmethod
    def _leaves(exit_node: Node, loop: Node) -> bool:
        labelled = exit_node.type == "break_statement" and exit_node.named_child_count > 0
        up = exit_node.parent
        while up is not None and up.id != loop.id:
            if up.type in CALLABLE_TYPES or up.type == "class_body":
                return False  # a return in a nested lambda or class
            if exit_node.type == "break_statement" and not labelled and up.type in _BREAK_BOUNDARIES:
                return False
            up = up.parent
        return True

    def _on_interrupt(self, exit_node: Node, loop: Node) -> bool:
        """The exit is in `catch (InterruptedException e)`: the loop runs until the thread is stopped."""
        up = exit_node.parent
        while up is not None and up.id != loop.id:
            if up.type == "catch_clause":
                parameter = next((child for child in up.named_children if child.type == "catch_formal_parameter"), None)
                return parameter is not None and "InterruptedException" in self.file.text(parameter)
            up = up.parent
        return False


def find(file: JavaFile, values: Values, startup: Startup) -> Iterator[Hit]:
    background = Background(file, values, startup)
    for call in file.invocations:
        yield from background.invocation(call)


def scheduled(file: JavaFile, values: Values, startup: Startup) -> Iterator[tuple[Hit, bool]]:
    """(hit, needs @EnableScheduling) for each @Scheduled method."""
    background = Background(file, values, startup)
    for annotation in file.annotations:
        found = background.scheduled(annotation)
        if found is not None:
            yield found


def enables_scheduling(file: JavaFile) -> bool:
    return any(file.text(annotation.child_by_field_name("name")).rsplit(".", 1)[-1] == "EnableScheduling"
               for annotation in file.annotations)

