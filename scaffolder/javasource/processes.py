"""CBR313 long-lived-child-process in Java: a child process that keeps running in the background.

- `new ProcessBuilder(...).start()` or `Runtime.getRuntime().exec(...)` called by startup code (see
  context.py) whose `Process` is not waited for in the same method (`waitFor()`, `destroy()`,
  reading its output to the end with `getInputStream()`... is waiting);
- anywhere, a process detached on purpose: a command starting with `nohup` or `setsid`, or a shell
  (`sh -c`, `bash -c`) whose script ends in `&`.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from scaffolder import treesitter
from scaffolder.javasource.context import Startup, enclosing_callable
from scaffolder.source_hit import Hit
from scaffolder.javasource.javafile import GRAMMAR, JavaFile, arguments, name_of, type_name
from scaffolder.javasource.values import Values

CHILD_PROCESS = "CBR313"
CODES = frozenset({CHILD_PROCESS})

_WHY = ("CloudBase Run runs work only while it serves requests: an idle instance is scaled in or to zero, "
        "and every instance runs its own copy")
_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "/bin/sh", "/bin/bash"})
_DETACHERS = frozenset({"nohup", "setsid", "daemonize"})
_ENDED_BY = frozenset({"waitFor", "destroy", "destroyForcibly", "getInputStream", "getErrorStream", "onExit",
                       "exitValue"})
_USES_QUERY = "(method_invocation object: (identifier) @owner name: (identifier) @name) @call"


class Processes:
    def __init__(self, file: JavaFile, values: Values, startup: Startup):
        self.file = file
        self.values = values
        self.startup = startup

    def invocation(self, call: Node) -> Iterator[Hit]:
        file = self.file
        name = name_of(call, file)
        owner = call.child_by_field_name("object")
        if owner is None:
            return
        if name == "start" and not arguments(call):
            command = self._builder_command(owner)
            label = "ProcessBuilder.start()"
        elif name == "exec" and self._is_runtime(owner) and arguments(call):
            command = self._words(arguments(call))
            label = "Runtime.exec()"
        else:
            return
        if command is None:
            return
        reason = _detached(command)
        if reason is not None:
            yield Hit(CHILD_PROCESS, f"{label} {reason}: a child process that keeps running after the request; {_WHY}, "
                      "so it is paused or killed at random: run the work inside the request and wait for it", call)
        elif self.startup.at_startup(call) and not self._waited(call):
            yield Hit(CHILD_PROCESS, f"startup code starts a child process with {label} and does not wait for it; "
                      f"{_WHY}, so it is paused or killed at random: run it as its own service, or do the work inside "
                      "a request and wait for it", call)

    def _is_runtime(self, owner: Node) -> bool:
        if owner.type == "method_invocation":
            inner = owner.child_by_field_name("object")
            return inner is not None and self.file.text(inner) == "Runtime" and name_of(owner, self.file) == "getRuntime"
        return "Runtime" in self.values.declared_types(owner)

    def _builder_command(self, owner: Node) -> list[str] | None:
        """The words of the ProcessBuilder the receiver comes from (unknown words are "")."""
        node: Node | None = owner
        while node is not None and node.type == "method_invocation":  # new ProcessBuilder(...).inheritIO()
            node = node.child_by_field_name("object")
        if node is None:
            return None
        bound = self.values.bound(node) if node.type in ("identifier", "field_access") else [node]
        if not bound or len(bound) != 1:
            return None
        creation = bound[0]
        if creation.type != "object_creation_expression" or type_name(
                creation.child_by_field_name("type"), self.file) != "ProcessBuilder":
            return None
        return self._words(arguments(creation))

    def _words(self, args: list[Node]) -> list[str]:
        nodes = args
        if len(args) == 1:
            bound = self.values.bound(args[0]) or [args[0]]
            if len(bound) == 1 and bound[0].type in ("array_creation_expression", "method_invocation"):
                container = bound[0]
                initializer = container.child_by_field_name("value") if container.type == "array_creation_expression" \
                    else container.child_by_field_name("arguments")  # List.of("sh", "-c", "...")
                nodes = [child for child in initializer.named_children] if initializer is not None else []
        words = []
        for node in nodes:
            values = self.values.literals(node)
            words.append(str(values[0]) if values and len(values) == 1 else "")
        if len(words) == 1 and " " in words[0]:  # Runtime.exec("nohup java -jar worker.jar &")
            return words[0].split()
        return words

    def _waited(self, call: Node) -> bool:
        parent = call.parent
        if parent is not None and parent.type == "method_invocation":
            return name_of(parent, self.file) in _ENDED_BY  # pb.start().waitFor()
        declarator = parent if parent is not None and parent.type == "variable_declarator" else None
        if declarator is None and parent is not None and parent.type == "assignment_expression":
            declarator = parent
        if declarator is None:
            return False
        target = declarator.child_by_field_name("name") or declarator.child_by_field_name("left")
        callable_ = enclosing_callable(call)
        if target is None or callable_ is None:
            return False
        name = self.file.text(target)
        for use in treesitter.captures(GRAMMAR, _USES_QUERY, callable_).get("call", ()):
            owner = use.child_by_field_name("object")
            if owner is not None and self.file.text(owner) == name and name_of(use, self.file) in _ENDED_BY:
                return True
        return False


def _detached(words: list[str]) -> str | None:
    if not words:
        return None
    first = words[0]
    if first in _DETACHERS:
        return f"runs {first!r}"
    if first in _SHELLS or (len(words) == 1 and words[0].rstrip().endswith("&")):
        for word in words[1:] or words:
            text = word.rstrip().rstrip(";").rstrip()
            if text.endswith("&") and not text.endswith("&&"):
                return "runs a shell command ending in '&'"
    return None


def find(file: JavaFile, values: Values, startup: Startup) -> Iterator[Hit]:
    processes = Processes(file, values, startup)
    for call in file.invocations:
        yield from processes.invocation(call)
