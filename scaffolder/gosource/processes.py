"""CBR313 long-lived-child-process in Go: a child process that keeps running in the background.

- `cmd := exec.Command(...)` (or `exec.CommandContext`) started with `cmd.Start()` by startup code
  (see context.py) and not waited for in the same function (`cmd.Wait()`, `cmd.Process.Wait()`,
  `cmd.Process.Kill()`);
- anywhere, a process detached on purpose: `exec.Command("nohup", ...)`, `exec.Command("setsid", ...)`,
  or a shell (`sh -c`, `bash -c`) whose script ends in `&`, whether started with `Start()` or `Run()`.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from scaffolder import treesitter
from scaffolder.gosource.context import Startup, running_function
from scaffolder.gosource.gofile import GRAMMAR, GoFile, arguments, call_name, receiver
from scaffolder.source_hit import Hit
from scaffolder.gosource.values import Values

CHILD_PROCESS = "CBR313"
CODES = frozenset({CHILD_PROCESS})

_WHY = ("CloudBase Run runs work only while it serves requests: an idle instance is scaled in or to zero, "
        "and every instance runs its own copy")
_COMMANDS = frozenset({"os/exec.Command", "os/exec.CommandContext"})
_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "/bin/sh", "/bin/bash", "/usr/bin/env"})
_DETACHERS = frozenset({"nohup", "setsid", "daemonize"})
_WAIT_QUERY = """
((call_expression function: (selector_expression field: (field_identifier) @name)) @call
 (#any-of? @name "Wait" "Kill" "Signal"))
"""


class Processes:
    def __init__(self, values: Values, startup: Startup):
        self.values = values
        self.startup = startup

    def call(self, file: GoFile, call: Node) -> Iterator[Hit]:
        name = call_name(call, file)
        target = receiver(call)
        if name not in ("Start", "Run") or target is None or arguments(call) or file.qualified(
                call.child_by_field_name("function")) is not None:
            return
        commands = self.values.bound_calls(file, target)
        if not commands or any(file_.qualified(made.child_by_field_name("function")) not in _COMMANDS or index != 0
                               for file_, made, index in commands):
            return
        owner, command, _ = commands[0]
        reason = self._detached(owner, command)
        if reason is not None:
            yield Hit(CHILD_PROCESS, f"exec.Command() {reason}: a child process that keeps running after the request; "
                      f"{_WHY}, so it is paused or killed at random: run the work inside the request and wait for it",
                      call)
            return
        if name == "Start" and self.startup.at_startup(file, call) and not self._waited(file, call, target):
            yield Hit(CHILD_PROCESS, f"startup code starts a child process with exec.Command(...).Start() and does not "
                      f"wait for it; {_WHY}, so it is paused or killed at random: run it as its own service, or do the "
                      "work inside a request and wait for it", call)

    def _detached(self, file: GoFile, command: Node) -> str | None:
        args = arguments(command)
        if file.qualified(command.child_by_field_name("function")) == "os/exec.CommandContext":
            args = args[1:]
        words = [self.values.literals(file, arg) for arg in args]
        first = words[0][0] if words and words[0] and len(words[0]) == 1 else None
        if first in _DETACHERS:
            return f"runs {first!r}"
        if first in _SHELLS:
            for values in words[1:]:
                for value in values or ():
                    text = str(value).rstrip().rstrip(";").rstrip()
                    if text.endswith("&") and not text.endswith("&&"):
                        return "runs a shell command ending in '&'"
        return None

    @staticmethod
    def _waited(file: GoFile, call: Node, target: Node) -> bool:
        function = running_function(call)
        if function is None or target.type != "identifier":
            return False
        name = file.text(target)
        for wait in treesitter.captures(GRAMMAR, _WAIT_QUERY, function).get("call", ()):
            owner = receiver(wait)
            while owner is not None and owner.type == "selector_expression":  # cmd.Process.Wait()
                owner = owner.child_by_field_name("operand")
            if owner is not None and owner.type == "identifier" and file.text(owner) == name:
                return True
        return False


def find(file: GoFile, values: Values, startup: Startup) -> Iterator[Hit]:
    processes = Processes(values, startup)
    for call in file.calls:
        yield from processes.call(file, call)
