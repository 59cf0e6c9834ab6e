"""Functions that other modules call at startup: the application factory pattern.

`def create_app(): ...` in one module runs at startup when the module the server loads calls it:
`app = create_app()` in the wsgi.py that `gunicorn wsgi:app` imports, in the run.py that
`python run.py` starts, or the server calls it itself (`gunicorn "app:create_app()"`, `uvicorn
--factory main:create_app`). context.py knows startup code within one module; this follows it
across modules, from the start files' evidence (entrypoints.py) only:

- entry modules: the scripts and `-m` modules the start files run, the modules a server command
  loads (`wsgi` in `wsgi:app`), and the module that defines the attribute it loads (`from myapp
  import app` in wsgi.py leads to myapp);
- in those, every call made at startup (module level, a live `__main__` block, startup hooks and
  the functions they call) of a function imported from one of the service's own modules makes that
  function startup code of its module, whose own calls are then followed the same way. A call in
  an `if` branch chosen by the environment or a debug flag is not followed.

Only these few modules are read and parsed. A module that is not an entry and is not reached this
way adds nothing (a one-off script calling `create_app()` is not the service starting).
"""

from __future__ import annotations

import ast
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

from scaffolder.pysource.context import Context
from scaffolder.pysource.entrypoints import StartEvidence
from scaffolder.pysource.module import PyModule

_MAX_SCANS = 64  # modules (re)read while following calls: an application factory is a few hops deep
_MAX_HOPS = 6  # re-exports followed to where a name is defined (`from .factory import create_app`)


class ServiceModules:
    """The service's Python modules by dotted name, each parsed at most once, on demand."""

    def __init__(self, files: Iterable[tuple[Path, str | PurePosixPath]], read: Callable[[Path], str]):
        """`files`: (path, path relative to the service)."""
        self.read = read
        self.paths: dict[PurePosixPath, Path] = {}
        self.by_dotted: dict[str, PurePosixPath] = {}
        self.by_last: dict[str, list[PurePosixPath]] = defaultdict(list)  # last part of the name -> modules
        for path, relative in files:
            relative = PurePosixPath(relative)
            self.paths[relative] = path
            dotted = _dotted(relative)
            if dotted:
                self.by_dotted[dotted] = relative
                self.by_last[dotted.rsplit(".", 1)[-1]].append(relative)
        self.parsed: dict[PurePosixPath, PyModule | None] = {}

    def find(self, dotted: str) -> PurePosixPath | None:
        """The module `import dotted` loads: the one of that name, or one under a folder that is a
        source root (`src/app/main.py` for `app.main`) when exactly one is."""
        exact = self.by_dotted.get(dotted)
        if exact is not None:
            return exact
        candidates = [relative for relative in self.by_last.get(dotted.rsplit(".", 1)[-1], ())
                      if _dotted(relative).endswith("." + dotted) and self._under_source_root(relative, dotted)]
        return candidates[0] if len(candidates) == 1 else None

    def _under_source_root(self, relative: PurePosixPath, dotted: str) -> bool:
        parts = relative.parts[: len(relative.parts) - len(dotted.split(".")) - (relative.name == "__init__.py")]
        return PurePosixPath(*parts, "__init__.py") not in self.paths  # a package there would change the name

    def script(self, name: str) -> PurePosixPath | None:
        """The file `python name` runs (`run.py`, `./src/main.py`, `/app/run.py`)."""
        name = name[2:] if name.startswith("./") else name
        exact = PurePosixPath(name)
        if exact in self.paths:
            return exact
        found = [relative for relative in self.paths if name.endswith("/" + relative.as_posix())]
        return max(found, key=lambda relative: len(relative.parts)) if found else None

    def load(self, relative: PurePosixPath) -> PyModule | None:
        if relative not in self.parsed:
            self.parsed[relative] = None
            try:
                text = self.read(self.paths[relative])
                self.parsed[relative] = PyModule(ast.parse(text), text)
            except Exception:  # unreadable, not Python, too deep: it adds no evidence  # noqa: BLE001
                pass
        return self.parsed[relative]

    def relative_module(self, relative: PurePosixPath, level: int, parts: tuple[str, ...]) -> PurePosixPath | None:
        """The module `from <level dots><parts> import ...` in `relative` means."""
        package = relative.parent.parts
        if level - 1 > len(package):
            return None
        base = package[: len(package) - (level - 1)]
        for candidate in (PurePosixPath(*base, *parts).with_suffix(".py") if parts else None,
                          PurePosixPath(*base, *parts, "__init__.py")):
            if candidate is not None and candidate in self.paths:
                return candidate
        return None

    def definition(self, relative: PurePosixPath, name: str) -> tuple[PurePosixPath, str] | None:
        """Where the module-level `name` of a module is defined, through re-exports (`from .factory
        import create_app` in a package's __init__.py)."""
        for _ in range(_MAX_HOPS):
            module = self.load(relative)
            if module is None:
                return None
            bindings = module.bindings[module.tree].get(name)
            if not bindings or len(bindings) != 1:
                return None
            statement = bindings[0].node
            if bindings[0].kind != "import" or not isinstance(statement, ast.ImportFrom):
                return relative, name
            alias = next((alias for alias in statement.names if (alias.asname or alias.name) == name), None)
            source = self._from_module(relative, statement)
            if alias is None or source is None:
                return None
            relative, name = source, alias.name
        return None

    def _from_module(self, relative: PurePosixPath, statement: ast.ImportFrom) -> PurePosixPath | None:
        parts = tuple(statement.module.split(".")) if statement.module else ()
        if statement.level:
            return self.relative_module(relative, statement.level, parts)
        return self.find(".".join(parts)) if parts else None

    def imported_instance(self, relative: PurePosixPath, module: PyModule, node: ast.expr,
                          classes: frozenset[str]) -> str | None:
        """Which of `classes` a name imported from one of the service's modules is an instance of:
        `app` after `from counter import app`, where counter/__init__.py says `app = Flask(__name__)`."""
        if not isinstance(node, ast.Name):
            return None
        bindings = module.lookup_name(node)
        if not bindings or len(bindings) != 1 or not isinstance(bindings[0].node, ast.ImportFrom):
            return None
        statement = bindings[0].node
        alias = next((alias for alias in statement.names if (alias.asname or alias.name) == node.id), None)
        source = self._from_module(relative, statement)
        found = self.definition(source, alias.name) if source is not None and alias is not None else None
        defined = self.load(found[0]) if found is not None else None
        if defined is None:
            return None
        values = defined.bindings[defined.tree].get(found[1])  # type: ignore[index]
        if not values or len(values) != 1 or values[0].kind != "assign":
            return None
        return defined.instance_of(values[0].value, classes)  # type: ignore[arg-type]

    def imported_function(self, relative: PurePosixPath, module: PyModule, func: ast.expr
                          ) -> tuple[PurePosixPath, str] | None:
        """(module, name) of the service's own module-level function a call of `func` runs, when
        `func` is imported: `create_app` after `from app import create_app`, `jobs.start` after
        `import jobs` or `from . import jobs`."""
        attributes: list[str] = []
        while isinstance(func, ast.Attribute):
            attributes.append(func.attr)
            func = func.value
        if not isinstance(func, ast.Name) or len(attributes) > 3:
            return None
        attributes.reverse()
        bindings = module.lookup_name(func)
        if not bindings or len(bindings) != 1 or bindings[0].kind != "import":
            return None
        statement = bindings[0].node
        if isinstance(statement, ast.ImportFrom):
            alias = next((alias for alias in statement.names if (alias.asname or alias.name) == func.id), None)
            source = self._from_module(relative, statement)
            if alias is None or source is None:
                return None
            if not attributes:  # from app import create_app
                found = self.definition(source, alias.name)
            else:  # from app import jobs; jobs.start(): jobs is a module of the package app
                inner = (self.relative_module(source, 1, (alias.name, *attributes[:-1]))
                         if source.name == "__init__.py" else None)
                found = self.definition(inner, attributes[-1]) if inner is not None else None
        else:  # import jobs; jobs.start() / import app.jobs; app.jobs.start() / import app.jobs as j
            alias = next((alias for alias in statement.names
                          if (alias.asname or alias.name.split(".", 1)[0]) == func.id), None)
            if alias is None or not attributes:
                return None
            parts = alias.name.split(".") if alias.asname else [func.id]
            target = self.find(".".join([*parts, *attributes[:-1]]))
            found = self.definition(target, attributes[-1]) if target is not None else None
        if found is None:
            return None
        defined = self.load(found[0])
        return found if defined is not None and found[1] in defined.functions else None


def _dotted(relative: PurePosixPath) -> str:
    parts = relative.with_suffix("").parts
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts) if all(part.isidentifier() for part in parts) else ""


def functions_started_elsewhere(files: Iterable[tuple[Path, str | PurePosixPath]], evidence: StartEvidence,
                                read: Callable[[Path], str]) -> dict[PurePosixPath, frozenset[str]]:
    """For each module (by its path relative to the service), the names of its module-level
    functions that the service's entry modules call at startup, directly or through other functions
    (see the module docstring). `files`: the service's Python files that are service code."""
    modules = ServiceModules(files, read)
    started: dict[PurePosixPath, set[str]] = defaultdict(set)
    entries: list[PurePosixPath] = []
    for script in sorted(evidence.scripts):
        entries.append(modules.script(script))  # type: ignore[arg-type]
    for name in sorted(evidence.modules):
        entries.append(modules.find(name + ".__main__") or modules.find(name))  # type: ignore[arg-type]
    for name, attribute, called in sorted(evidence.app_targets):
        loaded = modules.find(name)
        if loaded is None:
            continue
        entries.append(loaded)
        defined = modules.definition(loaded, attribute)
        if defined is not None:
            entries.append(defined[0])  # the module that builds the application runs at startup
            module = modules.load(defined[0])
            if called and module is not None and defined[1] in module.functions:
                started[defined[0]].add(defined[1])
    queue = deque(dict.fromkeys(entry for entry in entries if entry is not None))
    scans = 0
    while queue and scans < _MAX_SCANS:
        relative = queue.popleft()
        module = modules.load(relative)
        scans += 1
        if module is None:
            continue
        context = Context(module, evidence.runs_as_script(relative), started_elsewhere=frozenset(started[relative]))
        for call in module.nodes(ast.Call):
            if not isinstance(call.func, (ast.Name, ast.Attribute)) or not context.at_startup(call):
                continue
            target = modules.imported_function(relative, module, call.func)
            if (target is None or target[1] in started[target[0]] or context.is_dead(call)
                    or context.in_environment_branch(call)):
                continue  # not run on the platform, or only in some environments
            started[target[0]].add(target[1])
            if target[0] not in queue:
                queue.append(target[0])
    return {relative: frozenset(names) for relative, names in started.items() if names}
