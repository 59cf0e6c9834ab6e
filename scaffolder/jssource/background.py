"""CBR311-CBR313: work a Node.js service starts outside request handling, which CloudBase Run does
not keep alive.

- CBR311 background-thread-at-startup: startup code (see context.py) that keeps a timer or loop
  running: `setInterval(...)` (also from `timers` and `timers/promises`), a `setTimeout` chain
  that schedules its own function again, and a `while (true)`/`for (;;)` loop without `break` or
  `return` that sleeps between rounds (`await new Promise(r => setTimeout(r, ms))`, `await
  setTimeout(ms)` from `timers/promises`, or a sleep helper of the same file).
- CBR312 scheduler-at-startup: node-cron `cron.schedule(...)` (unless `scheduled: false`),
  node-schedule `scheduleJob(...)`, cron's `new CronJob(..., true)`, `CronJob.from({ start: true })`
  and `job.start()`, croner `Cron(pattern, fn)` (unless `paused: true`), agenda and bree
  `.start()`, toad-scheduler `add*Job(...)`, and NestJS `@Cron()`, `@Interval()`, `@Timeout()`.
- CBR313 long-lived-child-process: `spawn`/`fork` from `child_process` in startup code and not
  waited for (no `exit`/`close` listener, not awaited, no `kill()`, output not read); anywhere, a
  child detached on purpose and not waited for: `{ detached: true }`, `spawn("nohup", ...)` or
  `"setsid"`, a shell command ending in `&` (`exec("node worker.js &")`).
Worker threads (`new Worker(...)`) are not reported: a pool that serves requests is normal.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from scaffolder import treesitter
from scaffolder.jssource.context import Context
from scaffolder.source_hit import Hit
from scaffolder.jssource.module import FUNCTION_TYPES, JsModule, arguments_of, enclosing_function, unwrap

TIMER, SCHEDULER, CHILD_PROCESS = "CBR311", "CBR312", "CBR313"
CODES = frozenset({TIMER, SCHEDULER, CHILD_PROCESS})

_WHY = ("CloudBase Run runs work only while it serves requests: an idle instance is scaled in or to zero, "
        "and every instance runs its own copy")
_INTERVALS = frozenset({"setInterval", "timers.setInterval", "timers.promises.setInterval"})
_TIMEOUTS = frozenset({"setTimeout", "timers.setTimeout"})
_SLEEPS = frozenset({"timers.promises.setTimeout", "timers.promises.scheduler.wait"})
_SCHEDULE_CALLS = {"node-cron.schedule": "a node-cron job", "node-schedule.scheduleJob": "a node-schedule job",
                   "later.setInterval": "a later.js job", "@breejs/later.setInterval": "a later.js job"}
_CRON_JOBS = frozenset({"cron.CronJob", "cron.CronJob.from", "cron.job"})
_CRONER = frozenset({"croner", "croner.Cron", "croner.default"})
_STARTABLE = {"agenda": "an Agenda scheduler", "agenda.Agenda": "an Agenda scheduler", "bree": "a Bree scheduler",
              "bree.default": "a Bree scheduler", **{name: "a cron job" for name in _CRON_JOBS}}
_TOAD_METHODS = frozenset({"addSimpleIntervalJob", "addIntervalJob", "addCronJob", "addLongIntervalJob"})
_NEST_SCHEDULE = frozenset({"@nestjs/schedule.Cron", "@nestjs/schedule.Interval", "@nestjs/schedule.Timeout"})
_CHILD = "child_process"
_LONG_LIVED = frozenset({"spawn", "fork"})
_SHELL_RUNNERS = frozenset({"spawn", "fork", "exec", "execSync", "execFile", "execFileSync", "spawnSync"})
_DETACHERS = ("nohup", "setsid", "daemonize")
_ENDED_BY = frozenset({"kill", "exitCode", "stdout", "stderr"})
_END_EVENTS = frozenset({"exit", "close"})
_FOREVER = """
(while_statement condition: (parenthesized_expression (true))) @loop
(do_statement condition: (parenthesized_expression (true))) @loop
(for_statement condition: (empty_statement)) @loop
"""
METHODS = frozenset({"schedule", "scheduleJob", "setInterval", "setTimeout", "start", "from", *_TOAD_METHODS,
                     *_SHELL_RUNNERS})


# ---- CBR311 ------------------------------------------------------------------------------------
def _timers(module: JsModule, context: Context) -> Iterator[Hit]:
    # setInterval()/setTimeout() calls are keyed by their own text; a sleep comes from timers/promises
    if not module.mentions(b"setInterval", b"setTimeout") and not module.may_import(b"timers"):
        return
    for call in module.calls_named("setInterval", ".setInterval"):
        if module.qualname(call.child_by_field_name("function")) in _INTERVALS and context.at_startup(call):
            yield Hit(TIMER, f"startup code starts setInterval(), a timer that keeps running outside any request; "
                      f"{_WHY}, so it is paused or stopped at random: do the work inside a request, or call the "
                      "service from a scheduled trigger", call)
    for call in module.calls_named("setTimeout", ".setTimeout"):
        if module.qualname(call.child_by_field_name("function")) not in _TIMEOUTS:
            continue
        function = _named_function(module, call)
        if function is not None and _reschedules(module, context, call, function) and context.at_startup(call):
            yield Hit(TIMER, f"startup code runs a setTimeout() loop that schedules itself again, a timer that keeps "
                      f"running outside any request; {_WHY}, so it is paused or stopped at random: do the work "
                      "inside a request, or call the service from a scheduled trigger", call)
    yield from _sleeping_loops(module, context)


def _named_function(module: JsModule, node: Node) -> Node | None:
    """The nearest enclosing function with a name, through anonymous callbacks:
    `function poll() { work().finally(() => setTimeout(poll, ms)) }` -> poll."""
    function = enclosing_function(node)
    while function is not None and _own_name(module, function) is None:
        function = enclosing_function(function)
    return function


def _reschedules(module: JsModule, context: Context, call: Node, function: Node) -> bool:
    """setTimeout(poll, ms) or setTimeout(() => poll(), ms) inside poll itself."""
    name = _own_name(module, function)
    args = arguments_of(call)
    if name is None or not args:
        return False
    first = unwrap(args[0])
    if first is None:
        return False
    if first.type == "identifier":
        return module.text(first) == name
    if first.type in ("arrow_function", "function_expression"):
        body = first.child_by_field_name("body")
        return body is not None and any(
            node.type == "call_expression" and module.text(node.child_by_field_name("function")) == name
            for node in _walk(body))
    return False


def _own_name(module: JsModule, function: Node) -> str | None:
    name = function.child_by_field_name("name")
    if name is not None and function.type != "method_definition":
        return module.text(name)
    up = function.parent
    if up is not None and up.type == "variable_declarator":
        declared = up.child_by_field_name("name")
        return module.text(declared) if declared is not None and declared.type == "identifier" else None
    return None


def _sleeping_loops(module: JsModule, context: Context) -> Iterator[Hit]:
    if ("setTimeout" not in module.calls and ".setTimeout" not in module.calls
            and not (module.may_import(b"timers") and module.imported_as(_SLEEPS))):  # timers/promises
        return
    for loop in _forever_loops(module):
        if context.at_startup(loop) and _sleeps(module, context, loop):
            yield Hit(TIMER, f"startup code runs an endless loop that sleeps between rounds, background work outside "
                      f"any request; {_WHY}, so it is paused or stopped at random: do the work inside a request, or "
                      "call the service from a scheduled trigger", loop, loop)


def _forever_loops(module: JsModule) -> Iterator[Node]:
    """`while (true)`, `do ... while (true)` and `for (;;)` loops with no break or return of their own."""
    for loop in treesitter.captures(module.grammar, _FOREVER, module.root).get("loop", []):
        if not _exits(loop):
            yield loop


def _exits(loop: Node) -> bool:
    body = loop.child_by_field_name("body")
    for node in _walk(body, into_loops=False):
        if node.type in ("break_statement", "return_statement", "throw_statement"):
            return True
    return False


def _sleeps(module: JsModule, context: Context, loop: Node) -> bool:
    for node in _walk(loop.child_by_field_name("body")):
        if node.type != "await_expression" or not node.named_children:
            continue
        awaited = unwrap(node.named_children[0])
        if awaited is None:
            continue
        if awaited.type == "new_expression" and _calls_set_timeout(module, awaited):
            return True
        if awaited.type == "call_expression":
            if module.qualname(awaited.child_by_field_name("function")) in _SLEEPS:
                return True
            helper = context.function_of(awaited.child_by_field_name("function"))
            if helper is not None and _calls_set_timeout(module, helper):
                return True
    return False


def _calls_set_timeout(module: JsModule, node: Node) -> bool:
    return any(inner.type == "call_expression" and module.qualname(inner.child_by_field_name("function")) in
               _TIMEOUTS | _SLEEPS for inner in _walk(node, into_functions=True))


def _walk(node: Node | None, into_functions: bool = False, into_loops: bool = True) -> Iterator[Node]:
    if node is None:
        return
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        for child in current.named_children:
            if not into_functions and child.type in FUNCTION_TYPES:
                continue
            if not into_loops and child.type in ("while_statement", "for_statement", "for_in_statement",
                                                 "do_statement", "switch_statement"):
                continue
            stack.append(child)


# ---- CBR312 ------------------------------------------------------------------------------------
def _scheduler_hit(what: str, node: Node, context: Node | None = None) -> Hit:
    return Hit(SCHEDULER, f"startup code starts {what}; {_WHY}, so jobs run late, never, or once per instance: "
               "trigger them from outside (a scheduled call to the service)", node, context)


_SCHEDULER_WORDS = (b"cron", b"schedule", b"agenda", b"bree", b"toad-scheduler", b"later")


def _schedulers(module: JsModule, context: Context) -> Iterator[Hit]:
    if not module.mentions(*_SCHEDULER_WORDS):
        return
    for call in module.calls_to({*_SCHEDULE_CALLS, *_CRON_JOBS, *_CRONER},
                                ("schedule", "scheduleJob", "setInterval", "CronJob", "from", "Cron", "job")):
        function = call.child_by_field_name("function" if call.type == "call_expression" else "constructor")
        qualified = module.qualname(function)
        if qualified is None or not context.at_startup(call):
            continue
        args = arguments_of(call)
        if qualified in _SCHEDULE_CALLS:
            if qualified == "node-cron.schedule" and _option_is(module, args[2:3], "scheduled", False):
                continue
            yield _scheduler_hit(_SCHEDULE_CALLS[qualified], call)
        elif qualified in _CRON_JOBS:
            started = (len(args) >= 4 and module.literal_values(args[3]) == (True,)) or _option_is(
                module, args[:1], "start", True)
            if started:
                yield _scheduler_hit("a cron job (start: true)", call)
        elif qualified in _CRONER and any(unwrap(arg) is not None and unwrap(arg).type in (  # type: ignore[union-attr]
                "arrow_function", "function_expression", "identifier") for arg in args[1:]):
            if not _option_is(module, args[1:2], "paused", True):
                yield _scheduler_hit("a croner job", call)
    for call in module.calls_named(".start"):
        receiver = call.child_by_field_name("function").child_by_field_name("object")
        kind = _STARTABLE.get(module.created_by(receiver) or "")
        if kind is not None and context.at_startup(call):
            yield _scheduler_hit(kind, call)
    for method in _TOAD_METHODS:
        for call in module.calls_named("." + method):
            receiver = call.child_by_field_name("function").child_by_field_name("object")
            if module.created_by(receiver) == "toad-scheduler.ToadScheduler" and context.at_startup(call):
                yield _scheduler_hit("a toad-scheduler job", call)
    for decorator in module.decorators:
        call = decorator.named_children[0] if decorator.named_children else None
        if call is not None and call.type == "call_expression":
            qualified = module.qualname(call.child_by_field_name("function"))
            if qualified in _NEST_SCHEDULE:
                yield _scheduler_hit(f"a @{qualified.rsplit('.', 1)[1]}() job (@nestjs/schedule)", decorator, decorator)


def _option_is(module: JsModule, args: list[Node], key: str, value: bool) -> bool:
    obj = module.object_of(args[0]) if args else None
    properties = module.properties(obj) if obj is not None else None
    return bool(properties) and key in properties and module.literal_values(properties[key]) == (value,)  # type: ignore[index,operator]


# ---- CBR313 ------------------------------------------------------------------------------------
def _ends_in_background(text: str | None) -> bool:
    if not text:
        return False
    stripped = text.rstrip().rstrip(";").rstrip()
    return stripped.endswith("&") and not stripped.endswith("&&")


def _string_suffix(module: JsModule, node: Node | None) -> str | None:
    """The literal text a string, a template or `a + "..."` ends with."""
    node = unwrap(node)
    if node is None:
        return None
    if node.type == "string":
        return module.string_value(node)
    if node.type == "template_string":
        parts = node.named_children
        return module.text(parts[-1]) if parts and parts[-1].type == "string_fragment" else ""
    if node.type == "binary_expression" and module.operator(node) == "+":
        return _string_suffix(module, node.child_by_field_name("right"))
    if node.type == "identifier":
        value = module.binding_value(node)
        return _string_suffix(module, value) if value is not None else None
    return None


def _detached(module: JsModule, function: str, args: list[Node]) -> str | None:
    """Why a child_process call detaches its child on purpose, or None."""
    if not args:
        return None
    command = unwrap(args[0])
    if function in ("spawn", "spawnSync", "execFile", "execFileSync", "fork") and command is not None:
        first = module.literal_string(command)
        if first in _DETACHERS and function == "spawn":
            return f"runs {first!r}"
        listed = unwrap(args[1]) if len(args) > 1 else None
        if listed is not None and listed.type == "array" and any(
                _ends_in_background(_string_suffix(module, item)) for item in listed.named_children):
            return "runs a shell command ending in '&'"
    if function in ("exec", "execSync") or function == "spawn":
        if _ends_in_background(_string_suffix(module, command)):
            return "runs a shell command ending in '&'"
    options = module.object_of(args[-1])
    properties = module.properties(options) if options is not None else None
    if properties and module.literal_values(properties.get("detached")) == (True,):
        return "starts it detached (detached: true)"
    return None


def _is_waited(module: JsModule, call: Node) -> bool:
    up = call.parent
    while up is not None and up.type == "parenthesized_expression":
        up = up.parent
    if up is None:
        return False
    if up.type in ("await_expression", "arguments", "return_statement"):
        return True
    if up.type == "member_expression":
        prop = up.child_by_field_name("property")
        return prop is not None and _ends(module, up, module.text(prop))
    if up.type == "variable_declarator":
        name = up.child_by_field_name("name")
        if name is None or name.type != "identifier":
            return True  # destructured: its parts are used somehow
        scope = enclosing_function(call) or module.root
        text = module.text(name)
        for node in _walk(scope, into_functions=True):
            if node.type == "identifier" and module.text(node) == text and node != name:
                parent = node.parent
                if parent is None:
                    continue
                if parent.type == "arguments":
                    return True  # handed to something that may wait: once(child, "exit")
                if parent.type == "member_expression":
                    prop = parent.child_by_field_name("property")
                    if prop is not None and _ends(module, parent, module.text(prop)):
                        return True
    return False


def _ends(module: JsModule, member: Node, prop: str) -> bool:
    """`child.kill`, `child.stdout`, `child.on("exit", ...)`: the code follows the child to its end."""
    if prop in _ENDED_BY:
        return True
    if prop in ("on", "once", "addListener"):
        call = member.parent
        args = arguments_of(call) if call is not None and call.type == "call_expression" else []
        return bool(args) and module.literal_string(args[0]) in _END_EVENTS
    return False


def _child_processes(module: JsModule, context: Context) -> Iterator[Hit]:
    if not module.mentions(b"child_process"):
        return
    names = [*_SHELL_RUNNERS, *(f".{name}" for name in _SHELL_RUNNERS)]
    for call in module.calls_named(*names):
        qualified = module.qualname(call.child_by_field_name("function")) or ""
        base, _, function = qualified.rpartition(".")
        if base != _CHILD:
            continue
        args = arguments_of(call)
        reason = _detached(module, function, args)
        waited = _is_waited(module, call)
        if reason is not None and not waited:
            yield Hit(CHILD_PROCESS, f"{function}() {reason}: a child process that keeps running after the request; "
                      f"{_WHY}, so it is paused or killed at random: run the work inside the request and wait for "
                      "it", call)
        elif function in _LONG_LIVED and not waited and context.at_startup(call):
            yield Hit(CHILD_PROCESS, f"startup code starts a child process with {function}() and does not wait for "
                      f"it; {_WHY}, so it is paused or killed at random: run it as its own service, or do the work "
                      "inside a request and wait for it", call)


def find(module: JsModule, context: Context) -> Iterator[Hit]:
    yield from _timers(module, context)
    yield from _schedulers(module, context)
    yield from _child_processes(module, context)
