"""CBR311-CBR313: work started outside request handling, which CloudBase Run does not keep alive.

- CBR311 background-thread-at-startup: a thread, timer, process or asyncio task started by startup
  code (see context.py) and not waited for there: `threading.Thread(...).start()`,
  `threading.Timer(...).start()`, `multiprocessing.Process(...).start()`, `_thread.start_new_thread`,
  `asyncio.create_task`/`ensure_future`/`loop.create_task` not awaited.
- CBR312 scheduler-at-startup: APScheduler (v3 schedulers, Flask-APScheduler, v4 `Scheduler`)
  started by startup code; `schedule.every(...).do(...)`, `@schedule.repeat(...)` and
  `@aiocron.crontab(...)` jobs registered by startup code.
- CBR313 long-lived-child-process: `subprocess.Popen` started by startup code and not waited for;
  anywhere, a child process detached on purpose: `start_new_session=True`, `preexec_fn=os.setsid`,
  `Popen(["nohup", ...])`, a shell command ending in `&`, `os.spawn*(os.P_NOWAIT, ...)`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from scaffolder.pysource import triggers
from scaffolder.pysource.context import Context
from scaffolder.pysource.hit import Hit
from scaffolder.pysource.module import PyModule, call_arg, enclosing_function, parent

THREAD, SCHEDULER, CHILD_PROCESS = "CBR311", "CBR312", "CBR313"
CODES = frozenset({THREAD, SCHEDULER, CHILD_PROCESS})

_WHY = ("CloudBase Run runs work only while it serves requests: an idle instance is scaled in or to zero, "
        "and every instance runs its own copy")

_THREADS = frozenset({"threading.Thread", "threading.Timer", "multiprocessing.Process",
                      "multiprocessing.context.Process"})
_LOOPS = frozenset({"asyncio.get_event_loop", "asyncio.get_running_loop", "asyncio.new_event_loop"})
_TASK_FUNCTIONS = {"asyncio.create_task", "asyncio.ensure_future"}
_SCHEDULERS = frozenset({
    "apscheduler.schedulers.background.BackgroundScheduler", "apscheduler.schedulers.asyncio.AsyncIOScheduler",
    "apscheduler.schedulers.gevent.GeventScheduler", "apscheduler.schedulers.tornado.TornadoScheduler",
    "apscheduler.schedulers.twisted.TwistedScheduler", "apscheduler.schedulers.qt.QtScheduler",
    "apscheduler.schedulers.blocking.BlockingScheduler", "flask_apscheduler.APScheduler",
    "apscheduler.Scheduler", "apscheduler.AsyncScheduler",
})
_SCHEDULER_STARTS = {"start", "start_in_background", "run_until_stopped"}
_JOB_DECORATORS = {"schedule.repeat", "aiocron.crontab"}
_SHELL_RUNNERS = {"os.system", "os.popen", "subprocess.run", "subprocess.call", "subprocess.check_call",
                  "subprocess.check_output", "subprocess.Popen", "subprocess.getoutput", "subprocess.getstatusoutput"}
_DETACHERS = ("nohup", "setsid", "daemonize")
_NO_WAIT = {"os.P_NOWAIT", "os.P_NOWAITO", "os.P_DETACH"}
# proc.wait(), proc.communicate(), reading its output to the end, or ending it: not long-lived
_ENDED_BY = {"wait", "communicate", "stdout", "stderr", "kill", "terminate", "returncode"}
_START_NEW_THREAD = ("_thread.start_new_thread", "_thread.start_new")
_SCHEDULE_EVERY = "schedule.every"
_SPAWN_PREFIX = "os.spawn"  # os.spawnv, os.spawnlp, ...

# What gate.py looks for (see triggers.py): every hit needs one of these sets of words in the file.
TRIGGERS: frozenset[triggers.Trigger] = frozenset(
    triggers.qualified(_START_NEW_THREAD) | triggers.qualified(_THREADS, "start")
    | triggers.qualified(_TASK_FUNCTIONS) | triggers.qualified(_LOOPS, "create_task")
    | {trigger for method in _SCHEDULER_STARTS for trigger in triggers.qualified(_SCHEDULERS, method)}
    | triggers.qualified([_SCHEDULE_EVERY], "do") | triggers.qualified(_JOB_DECORATORS)
    | triggers.qualified(_SHELL_RUNNERS) | triggers.qualified([_SPAWN_PREFIX + "*"]))


def _scope_calls(module: PyModule, node: ast.AST, name: str, methods: set[str]) -> bool:
    """Whether the function holding `node` (the whole module at module level) uses `name.<method>`
    or awaits `name`."""
    function = enclosing_function(node)
    for attr, use in module.method_uses.get(name, ()):
        if (attr in methods or attr == "await") and (function is None or enclosing_function(use) is function):
            return True
    return False


def _bound_name(call: ast.Call) -> str | None:
    """`t` in `t = Thread(...)`."""
    up = parent(call)
    if isinstance(up, ast.Assign) and len(up.targets) == 1 and isinstance(up.targets[0], ast.Name):
        return up.targets[0].id
    if isinstance(up, ast.AnnAssign) and isinstance(up.target, ast.Name):
        return up.target.id
    return None


def _threads(module: PyModule, context: Context, call: ast.Call) -> Iterator[Hit]:
    func = call.func
    qualified = module.qualname(func)
    if qualified in _START_NEW_THREAD:
        yield Hit(THREAD, f"{qualified}() at startup starts a background thread outside any request; {_WHY}, so "
                  "it is paused or stopped at random: run the work inside a request, or in a scheduled trigger", call)
        return
    if isinstance(func, ast.Attribute) and func.attr == "start" and module.instance_of(func.value, _THREADS):
        receiver = func.value
        if isinstance(receiver, ast.Name) and _scope_calls(module, call, receiver.id, {"join"}):
            return
        kind = module.instance_of(func.value, _THREADS) or ""
        what = {"threading.Timer": "a timer thread"}.get(kind, "a background process" if "Process" in kind
                                                         else "a background thread")
        yield Hit(THREAD, f"startup code starts {what} that outlives the request that woke the instance; {_WHY}, so "
                  "it is paused or stopped at random: do the work inside a request, or call the service from a "
                  "scheduled trigger", call)
        return
    is_task = qualified in _TASK_FUNCTIONS or (
        isinstance(func, ast.Attribute) and func.attr == "create_task" and module.instance_of(func.value, _LOOPS))
    if not is_task or isinstance(parent(call), ast.Await):
        return
    name = _bound_name(call)
    if name is not None and _scope_calls(module, call, name, set()):
        return
    yield Hit(THREAD, f"startup code starts an asyncio task that runs in the background; {_WHY}, so it is paused "
              "or stopped at random: do the work inside a request, or call the service from a scheduled trigger",
              call)


def _schedulers(module: PyModule, call: ast.Call) -> Iterator[Hit]:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in _SCHEDULER_STARTS:
        kind = module.instance_of(func.value, _SCHEDULERS)
        if kind:
            yield Hit(SCHEDULER, f"startup code starts a {kind.rsplit('.', 1)[1]}; {_WHY}, so jobs run late, "
                      "never, or once per instance: trigger them from outside (a scheduled call to the service)", call)
            return
    if isinstance(func, ast.Attribute) and func.attr == "do" and _chain_calls(module, func.value, _SCHEDULE_EVERY):
        yield Hit(SCHEDULER, f"startup code registers a `schedule` job; {_WHY}, so jobs run late, never, or once per "
                  "instance: trigger them from outside (a scheduled call to the service)", call)
        return
    if module.qualname(func) in _JOB_DECORATORS and isinstance(parent(call), (ast.FunctionDef, ast.AsyncFunctionDef)):
        yield Hit(SCHEDULER, f"@{module.qualname(func)}(...) schedules a job at startup; {_WHY}, so jobs run late, "
                  "never, or once per instance: trigger them from outside (a scheduled call to the service)", call)


def _chain_calls(module: PyModule, node: ast.expr, qualified: str) -> bool:
    while True:
        if isinstance(node, ast.Call):
            if module.qualname(node.func) == qualified:
                return True
            node = node.func
        elif isinstance(node, ast.Attribute):
            node = node.value
        else:
            return False


def _string_suffix(module: PyModule, node: ast.expr) -> str | None:
    text = module.literal_string(node)
    if text is not None:
        return text
    if isinstance(node, ast.JoinedStr) and node.values:
        last = node.values[-1]
        return last.value if isinstance(last, ast.Constant) and isinstance(last.value, str) else ""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _string_suffix(module, node.right)
    return None


def _backgrounds_in_shell(text: str) -> bool:
    stripped = text.rstrip().rstrip(";").rstrip()
    return stripped.endswith("&") and not stripped.endswith("&&")


def _detached(module: PyModule, call: ast.Call, qualified: str | None) -> str | None:
    """Why this call detaches a child process on purpose, or None."""
    if qualified in _SHELL_RUNNERS:
        command = call_arg(call, 0, "args") if qualified.startswith("subprocess") else call_arg(call, 0, "command")
        if command is None:
            command = call_arg(call, 0, "cmd")
        if isinstance(command, (ast.List, ast.Tuple)) and command.elts:
            first = module.literal_string(command.elts[0])
            if first in _DETACHERS and qualified == "subprocess.Popen":  # run() and call() wait for it
                return f"runs {first!r}"
            for element in command.elts:
                suffix = _string_suffix(module, element)
                if suffix and _backgrounds_in_shell(suffix):
                    return "runs a shell command ending in '&'"
        elif command is not None:
            suffix = _string_suffix(module, command)
            if suffix and _backgrounds_in_shell(suffix):
                return "runs a shell command ending in '&'"
    if qualified == "subprocess.Popen":
        session = call_arg(call, None, "start_new_session")
        if session is not None and module.literal_values(session) == (True,):
            return "starts it in a new session (start_new_session=True)"
        preexec = call_arg(call, None, "preexec_fn")
        if preexec is not None and module.qualname(preexec) in ("os.setsid", "os.setpgrp"):
            return f"detaches it with preexec_fn={module.qualname(preexec)}"
    if qualified and qualified.startswith(_SPAWN_PREFIX) and call.args and module.qualname(call.args[0]) in _NO_WAIT:
        return f"does not wait for it ({module.qualname(call.args[0])})"
    return None


def _child_processes(module: PyModule, context: Context, call: ast.Call) -> Iterator[Hit]:
    qualified = module.qualname(call.func)
    reason = _detached(module, call, qualified)
    if reason is not None and not _is_waited(module, call):
        yield Hit(CHILD_PROCESS, f"{qualified}() {reason}: a child process that keeps running after the request; "
                  f"{_WHY}, so it is paused or killed at random: run the work inside the request and wait for it",
                  call)
        return
    if qualified == "subprocess.Popen" and context.at_startup(call) and not _is_waited(module, call):
        yield Hit(CHILD_PROCESS, f"startup code starts a child process with subprocess.Popen() and does not wait for "
                  f"it; {_WHY}, so it is paused or killed at random: run the work inside a request and wait for it",
                  call)


def _is_waited(module: PyModule, call: ast.Call) -> bool:
    up = parent(call)
    if isinstance(up, ast.withitem):
        return True
    if isinstance(up, ast.Attribute) and up.attr in ("wait", "communicate"):
        return True
    name = _bound_name(call)
    return name is not None and _scope_calls(module, call, name, _ENDED_BY)


def find(module: PyModule, context: Context) -> Iterator[Hit]:
    for call in module.nodes(ast.Call):
        yield from _child_processes(module, context, call)
        hits = [*_schedulers(module, call), *_threads(module, context, call)]
        if hits and context.at_startup(call):  # whether code runs at startup is costly to know: ask last
            yield from hits
