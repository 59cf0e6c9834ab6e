"""`cloudbase-functions.json`: several functions in one function-mode service.

    {"functionsRoot": "./src",
     "functions": [{"name": "user", "directory": "user", "source"?: "index.js", "target"?: "main",
                    "triggerPath"?: "/user"}],
     "routes": [{"functionName": "user", "path": "/api/user"}]}

The framework loads `functionsRoot/directory/source` (source defaults to `index.js`) and calls its
export `target` (default `main`); a request goes to the route (or triggerPath) with the longest
matching path prefix. This module reads the file and lists what is wrong with it, each problem at
the key it is about. Paths that do not exist are not problems when they can be build output (the
project compiles, e.g. TypeScript into `dist/`).
"""

from __future__ import annotations

import difflib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from scaffolder.deploy_config import json_positions, line_column
from scaffolder.project import Service

CONFIG_NAME = "cloudbase-functions.json"
DEFAULT_SOURCE = "index.js"
DEFAULT_TARGET = "main"
TOP_KEYS = ("functionsRoot", "functions", "routes")
FUNCTION_KEYS = ("name", "directory", "source", "target", "triggerPath")
ROUTE_KEYS = ("functionName", "path")
BUILD_OUTPUT_DIRS = frozenset({"dist", "build", "lib", "out", "output", ".output", ".build"})


class FunctionEntry(NamedTuple):
    name: str
    index: int
    directory: Path  # functionsRoot/directory, resolved against the service root
    source: Path  # the file the framework loads
    target: str
    explicit_source: bool
    explicit_target: bool


class Problem(NamedTuple):
    message: str
    line: int
    column: int


@dataclass
class FunctionsConfig:
    path: Path
    text: str
    data: object = None
    positions: dict = field(default_factory=dict, repr=False)
    problems: list[Problem] = field(default_factory=list)
    functions: list[FunctionEntry] = field(default_factory=list)

    def at(self, *path) -> tuple[int, int]:
        path = tuple(path)
        while path and path not in self.positions:
            path = path[:-1]
        return line_column(self.text, self.positions[path][0]) if path else (1, 1)

    def problem(self, message: str, *path) -> None:
        self.problems.append(Problem(message, *self.at(*path)))


def load(service: Service, path: Path, may_be_built: bool) -> FunctionsConfig:
    """Read and check the config. Invalid JSON is a problem at its position, not an exception."""
    text = service.read_text(path)
    config = FunctionsConfig(path, text)
    try:
        config.data = json.loads(text)
    except json.JSONDecodeError as error:
        config.problems.append(Problem(f"{path.name} is not valid JSON ({error.msg}), so the framework cannot load "
                                       f"any function", error.lineno, error.colno))
        return config
    except RecursionError:
        config.problems.append(Problem(f"{path.name} is nested too deeply to be read", 1, 1))
        return config
    config.positions = json_positions(text)
    if not isinstance(config.data, dict):
        config.problem(f"{path.name} must be a JSON object with `functions` (and optionally `functionsRoot`, "
                       f"`routes`)")
        return config
    _Checker(service, config, may_be_built).run()
    return config


class _Checker:
    def __init__(self, service: Service, config: FunctionsConfig, may_be_built: bool):
        self.service, self.config, self.may_be_built = service, config, may_be_built
        self.name = config.path.name
        self.files = set(service.files)

    def run(self) -> None:
        data = self.config.data
        self._unknown_keys(data, TOP_KEYS, (), "at the top level")  # a misspelt functionsRoot: "." applies
        root = self._functions_root(data.get("functionsRoot", "."))
        names = self._functions(data.get("functions"), root)
        self._routes(data.get("routes"), names)

    # ---- keys --------------------------------------------------------------------------------
    def _unknown_keys(self, obj: dict, known: tuple[str, ...], path: tuple, where: str) -> set[str]:
        """Report unknown keys; return the known keys they were probably meant to be."""
        meant: set[str] = set()
        for key in obj:
            if key in known or key.startswith("$"):  # "$schema" and the like
                continue
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6) or \
                [name for name in known if name.lower() == key.lower()]
            hint = f" (did you mean `{close[0]}`?)" if close else f" (known keys: {', '.join(known)})"
            meant.update(close[:1])
            self.config.problem(f"unknown key `{key}` {where} of {self.name}{hint}: the framework ignores it, "
                                f"so what it was meant to configure does not happen", *path, key)
        return meant

    # ---- functionsRoot -------------------------------------------------------------------------
    def _functions_root(self, value) -> Path | None:
        if not isinstance(value, str) or not value.strip():
            self.config.problem(f"`functionsRoot` must be a folder path (a non-empty string), not {json.dumps(value)}",
                                "functionsRoot")
            return None
        root = self._inside(value, ("functionsRoot",))
        if root is None:
            return None
        if not root.is_dir():
            if not self._built(root):
                self.config.problem(f"`functionsRoot` names the folder `{value}`, which does not exist in the service: "
                                    f"the framework finds none of the functions", "functionsRoot")
            return None
        return root

    def _inside(self, value: str, path: tuple, base: Path | None = None) -> Path | None:
        """`value` resolved against `base` (the service root), or None (with a problem) when it is
        absolute or leaves the service."""
        if PurePosixPath(value).is_absolute():
            self.config.problem(f"`{value}` is an absolute path: paths in {self.name} are relative to the "
                                f"service folder, the only one uploaded", *path)
            return None
        resolved = Path(os.path.normpath((base or self.service.root) / value))
        if resolved != self.service.root and self.service.root not in resolved.parents:
            self.config.problem(f"`{value}` leaves the service folder, which is all the platform uploads", *path)
            return None
        return resolved

    def _built(self, path: Path) -> bool:
        """Whether a missing path may be produced by the build (it sits in a build output folder)."""
        if not self.may_be_built:
            return False
        relative = path.relative_to(self.service.root).parts if path != self.service.root else ()
        return any(part in BUILD_OUTPUT_DIRS for part in relative)

    # ---- functions -----------------------------------------------------------------------------
    def _functions(self, functions, root: Path | None) -> set[str]:
        names: set[str] = set()
        if functions is None:
            self.config.problem(f"{self.name} has no `functions` list, so it defines no function to load")
            return names
        if not isinstance(functions, list):
            self.config.problem("`functions` must be a list of {name, directory, ...} objects", "functions")
            return names
        for index, entry in enumerate(functions):
            at = ("functions", index)
            if not isinstance(entry, dict):
                self.config.problem(f"functions[{index}] must be an object with `name` and `directory`", *at)
                continue
            misspelt = self._unknown_keys(entry, FUNCTION_KEYS, at, f"in functions[{index}]")
            name = entry.get("name")
            if (not isinstance(name, str) or not name.strip()) and "name" in misspelt:
                name = None
            elif not isinstance(name, str) or not name.strip():
                self.config.problem(f"functions[{index}] needs a `name` (a non-empty string): routes refer to "
                                    f"functions by name", *at, "name")
                name = None
            elif name in names:
                self.config.problem(f"the function name `{name}` is used twice: routes to it reach only one of "
                                    f"the two functions", *at, "name")
            else:
                names.add(name)
            for key in ("source", "target", "triggerPath"):
                if key in entry and (not isinstance(entry[key], str) or not entry[key].strip()):
                    self.config.problem(f"`{key}` in functions[{index}] must be a non-empty string", *at, key)
            trigger = entry.get("triggerPath")
            if isinstance(trigger, str) and trigger.strip() and not trigger.startswith("/"):
                self.config.problem(f"triggerPath `{trigger}` must start with `/`", *at, "triggerPath")
            directory = entry.get("directory")
            if (not isinstance(directory, str) or not directory.strip()) and "directory" in misspelt:
                continue
            if not isinstance(directory, str) or not directory.strip():
                self.config.problem(f"functions[{index}] needs a `directory` (a folder under functionsRoot, `.` for "
                                    f"functionsRoot itself)", *at, "directory")
                continue
            if root is None or name is None:
                continue
            located = self._entry(entry, index, root, directory)
            if located is not None:
                self.config.functions.append(FunctionEntry(
                    name, index, located[0], located[1], _string(entry, "target", DEFAULT_TARGET),
                    isinstance(entry.get("source"), str), isinstance(entry.get("target"), str)))
        return names

    def _entry(self, entry: dict, index: int, root: Path, directory: str) -> tuple[Path, Path] | None:
        at = ("functions", index)
        relative = self._inside(directory, (*at, "directory"), base=root)
        if relative is None:
            return None
        if not relative.is_dir():
            if not self._built(relative):
                self.config.problem(f"functions[{index}] directory `{directory}` does not exist under functionsRoot "
                                    f"(looked for {_shown(relative, self.service.root)}): the framework cannot load "
                                    f"this function", *at, "directory")
            return None
        source_name = _string(entry, "source", DEFAULT_SOURCE)
        source = Path(os.path.normpath(relative / source_name))
        if source not in self.files and not source.is_file():
            explicit = isinstance(entry.get("source"), str)
            alternatives = any((relative / name).is_file() for name in ("index.mjs", "index.cjs", "package.json"))
            if not self._built(source) and (explicit or not alternatives):
                key = "source" if explicit else "directory"
                self.config.problem(f"functions[{index}] has no entry file {_shown(source, self.service.root)}"
                                    f"{'' if explicit else ' (the default source)'}: the framework cannot load this "
                                    f"function", *at, key)
            return None
        return relative, source

    # ---- routes --------------------------------------------------------------------------------
    def _routes(self, routes, names: set[str]) -> None:
        data = self.config.data
        seen: dict[str, str] = {}  # path -> function name
        functions = data.get("functions") if isinstance(data.get("functions"), list) else []
        for entry in functions:
            trigger = entry.get("triggerPath") if isinstance(entry, dict) else None
            if isinstance(trigger, str) and isinstance(entry.get("name"), str):
                seen.setdefault(_route_key(trigger), entry["name"])
        if routes is None:
            return
        if not isinstance(routes, list):
            self.config.problem("`routes` must be a list of {functionName, path} objects", "routes")
            return
        exact: set[tuple[str, str]] = set()
        for index, route in enumerate(routes):
            at = ("routes", index)
            if not isinstance(route, dict):
                self.config.problem(f"routes[{index}] must be an object with `functionName` and `path`", *at)
                continue
            misspelt = self._unknown_keys(route, ROUTE_KEYS, at, f"in routes[{index}]")
            function, path = route.get("functionName"), route.get("path")
            if (not isinstance(function, str) or not function.strip()) and "functionName" in misspelt:
                pass  # reported as the misspelt key
            elif not isinstance(function, str) or not function.strip():
                self.config.problem(f"routes[{index}] needs a `functionName`", *at, "functionName")
            elif names and function not in names:
                self.config.problem(f"routes[{index}] sends requests to `{function}`, which is not the name of any "
                                    f"function in `functions` ({', '.join(sorted(names))})", *at, "functionName")
            if not isinstance(path, str) or not path.startswith("/"):
                if "path" not in misspelt:
                    self.config.problem(f"routes[{index}] needs a `path` that starts with `/`", *at, "path")
                continue
            if not isinstance(function, str):
                continue
            key = _route_key(path)
            if (key, function) in exact:
                self.config.problem(f"the route `{path}` -> `{function}` is listed twice", *at, "path")
            elif key in seen and seen[key] != function:
                self.config.problem(f"the path `{path}` is routed to both `{seen[key]}` and `{function}`: only one of "
                                    f"them ever receives its requests", *at, "path")
            exact.add((key, function))
            seen.setdefault(key, function)


def _string(entry: dict, key: str, default: str) -> str:
    value = entry.get(key)
    return value if isinstance(value, str) and value.strip() else default


def _route_key(path: str) -> str:
    return path.rstrip("/") or "/"


def _shown(path: Path, root: Path) -> str:
    try:
        return "`" + path.relative_to(root).as_posix() + "`"
    except ValueError:
        return f"`{path}`"
