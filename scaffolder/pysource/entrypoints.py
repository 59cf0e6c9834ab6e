"""How a service is started, as far as its start files say: which Python files run as scripts.

Code under `if __name__ == "__main__":` runs only when its file is started as a script. When the
service's start files (Dockerfile, Procfile, cloudbaserc.json, shell scripts, supervisord
configuration) start a server command such as `gunicorn app:app` or `uvicorn main:app` and do not
name a file as a script (`python app.py`, `python -m app`), that block is a local-development
entry point that never runs on CloudBase Run. Without such evidence every `__main__` block counts.
The `module:attribute` a server command loads (`wsgi:app`, `"main:create_app()"`) tells startup.py
where the application is built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

_SERVER_COMMAND = re.compile(
    r"(?<![\w.-])(gunicorn|uvicorn|hypercorn|waitress-serve|daphne|granian|uwsgi|"
    r"flask\s+run|fastapi\s+run|-m\s+(?:gunicorn|uvicorn|hypercorn|waitress|daphne|granian|flask\s+run))(?![\w-])"
)
_BIND_OPTION = re.compile(r"(?:--bind\b|\s-b\s|[\"']-b[\"'])")
_SCRIPT = re.compile(r"([\w./-]+\.py)\b")
_PYTHON = re.compile(r"(?<![\w.-])python[\d.]*(?![\w-])")
_MODULE = re.compile(r"-m\s+([A-Za-z_][\w.]*)")
# The application a server command loads: `wsgi:app`, `main:create_app()`; `--factory`/`--call`
# (uvicorn, waitress) say the attribute is a factory the server calls.
_APP_TARGET = re.compile(r"(?<![\w.:/$-])([A-Za-z_][\w.]*):([A-Za-z_]\w*)(\()?(?![\w.:])")
_FACTORY_OPTION = re.compile(r"(?<![\w-])--(?:factory|call)(?![\w-])")
_START_FILE_NAMES = ("Dockerfile", "Procfile", "cloudbaserc.json")
_MAX_BYTES = 256 * 1024


@dataclass(frozen=True)
class StartEvidence:
    served_by_command: bool  # a server command (gunicorn, uvicorn, ...) starts the service
    scripts: frozenset[str]  # file names run as scripts: "app.py", "src/main.py"
    modules: frozenset[str]  # modules run with -m: "app", "mypkg.server"
    command_binds: bool = False  # a server command sets its address itself (--bind, -b)
    # (module, attribute, called): what a server command loads, `wsgi:app` -> ("wsgi", "app", False);
    # called when the server calls it as a factory (`main:create_app()`, uvicorn --factory)
    app_targets: frozenset[tuple[str, str, bool]] = frozenset()

    def runs_as_script(self, relative: PurePosixPath) -> bool:
        """Whether the file may run as `__main__` on the platform."""
        return not self.served_by_command or self.names(relative)

    def names(self, relative: PurePosixPath) -> bool:
        """Whether a start file runs this file as a script or module."""
        text = relative.as_posix()
        for script in self.scripts:
            script = script.lstrip("./")
            if text == script or text.endswith("/" + script) or script.endswith("/" + text) or relative.name == script:
                return True
        dotted = ".".join(relative.with_suffix("").parts)
        if relative.name == "__main__.py":
            dotted = ".".join(relative.parent.parts)
        return any(dotted == module or dotted.endswith("." + module) for module in self.modules)


def _is_start_file(path: Path, root: Path) -> bool:
    name = path.name
    if name.startswith("Dockerfile") or name.endswith(".dockerfile") or name in _START_FILE_NAMES:
        return path.parent == root or name.startswith("Dockerfile")
    if name.endswith(".sh"):
        return True
    return name.startswith("supervisord") and name.endswith((".conf", ".ini"))


def start_evidence(root: Path, files: list[Path]) -> StartEvidence:
    served = binds = False
    scripts: set[str] = set()
    targets: set[tuple[str, str, bool]] = set()
    modules: set[str] = set()
    for path in files:
        if not _is_start_file(path, root):
            continue
        try:
            with path.open("rb") as handle:
                text = handle.read(_MAX_BYTES).decode("utf-8", errors="replace")
        except OSError:
            continue
        for line in text.splitlines():
            if line.lstrip().startswith("#"):
                continue
            if _SERVER_COMMAND.search(line):
                served = True
                binds = binds or bool(_BIND_OPTION.search(line))
                factory = bool(_FACTORY_OPTION.search(line))
                targets.update((module, attribute, factory or bool(call))
                               for module, attribute, call in _APP_TARGET.findall(line))
            interpreter = _PYTHON.search(line)  # `python app.py`; not `uwsgi --wsgi-file app.py`
            if interpreter:
                scripts.update(_SCRIPT.findall(line, interpreter.end()))
            modules.update(name for name in _MODULE.findall(line)
                           if name.split(".")[0] not in ("gunicorn", "uvicorn", "hypercorn", "waitress", "daphne",
                                                          "granian", "flask", "pip", "venv", "ensurepip"))
    return StartEvidence(served, frozenset(scripts), frozenset(modules), binds, frozenset(targets))
