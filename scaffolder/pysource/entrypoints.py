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

import os
import re
import stat
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from scaffolder.project import stem_of

_SERVER_COMMAND = re.compile(
    r"(?<![\w.-])(gunicorn|uvicorn|hypercorn|waitress-serve|daphne|granian|uwsgi|"
    r"flask\s+run|fastapi\s+run|-m\s+(?:gunicorn|uvicorn|hypercorn|waitress|daphne|granian|flask\s+run))(?![\w-])"
)
# One of these words is in every text _SERVER_COMMAND matches.
_SERVER_WORDS = ("gunicorn", "uvicorn", "hypercorn", "waitress", "daphne", "granian", "uwsgi", "flask", "fastapi")
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


class StartEvidence(NamedTuple):
    served_by_command: bool  # a server command (gunicorn, uvicorn, ...) starts the service
    scripts: frozenset[str]  # file names run as scripts: "app.py", "src/main.py"
    modules: frozenset[str]  # modules run with -m: "app", "mypkg.server"
    command_binds: bool = False  # a server command sets its address itself (--bind, -b)
    # (module, attribute, called): what a server command loads, `wsgi:app` -> ("wsgi", "app", False);
    # called when the server calls it as a factory (`main:create_app()`, uvicorn --factory)
    app_targets: frozenset[tuple[str, str, bool]] = frozenset()

    def runs_as_script(self, relative: str | PurePosixPath) -> bool:
        """Whether the file may run as `__main__` on the platform."""
        return not self.served_by_command or self.names(relative)

    def names(self, relative: str | PurePosixPath) -> bool:
        """Whether a start file runs this file as a script or module. `relative`: its path relative
        to the service, as a POSIX string or a PurePosixPath."""
        text = posix_text(relative)
        *folders, name = text.split("/")
        for script in self.scripts:
            script = script.lstrip("./")
            if text == script or text.endswith("/" + script) or script.endswith("/" + text) or name == script:
                return True
        if not self.modules:
            return False
        dotted = ".".join(folders if name == "__main__.py" else [*folders, stem_of(name)])
        return any(dotted == module or dotted.endswith("." + module) for module in self.modules)


def posix_text(relative: str | PurePosixPath) -> str:
    return relative if isinstance(relative, str) else relative.as_posix()


def _is_start_file(path: Path, root: Path) -> bool:
    name = path.name
    if name.startswith("Dockerfile") or name.endswith(".dockerfile") or name in _START_FILE_NAMES:
        return name.startswith("Dockerfile") or _in_folder(path, root)
    if name.endswith(".sh"):
        return True
    return name.startswith("supervisord") and name.endswith((".conf", ".ini"))


def _in_folder(path: Path, folder: Path) -> bool:
    """path.parent == folder: on POSIX, where paths are equal when their texts are, without making
    the parent path."""
    if os.sep != "/":
        return path.parent == folder
    return (os.path.dirname(str(path)) or ".") == str(folder)


def start_evidence(root: Path, files: list[Path]) -> StartEvidence:
    served = binds = False
    scripts: set[str] = set()
    targets: set[tuple[str, str, bool]] = set()
    modules: set[str] = set()
    for path in files:
        if not _is_start_file(path, root):
            continue
        text = _read_start_file(path)
        # A pattern matches only in a line holding its words: cheap tests before each search.
        server_words = [word for word in _SERVER_WORDS if word in text]
        python, module_option = "python" in text, "-m" in text
        if not (server_words or python or module_option):
            continue
        for line in text.splitlines():
            if line.lstrip().startswith("#"):
                continue
            if any(word in line for word in server_words) and _SERVER_COMMAND.search(line):
                served = True
                binds = binds or bool(_BIND_OPTION.search(line))
                factory = bool(_FACTORY_OPTION.search(line))
                targets.update((module, attribute, factory or bool(call))
                               for module, attribute, call in _APP_TARGET.findall(line))
            interpreter = _PYTHON.search(line) if python and "python" in line else None
            if interpreter:  # `python app.py`; not `uwsgi --wsgi-file app.py`
                scripts.update(_SCRIPT.findall(line, interpreter.end()))
            if module_option and "-m" in line:
                modules.update(name for name in _MODULE.findall(line)
                               if name.split(".")[0] not in ("gunicorn", "uvicorn", "hypercorn", "waitress", "daphne",
                                                              "granian", "flask", "pip", "venv", "ensurepip"))
    return StartEvidence(served, frozenset(scripts), frozenset(modules), binds, frozenset(targets))


def _read_start_file(path: Path) -> str:
    """The first _MAX_BYTES of the file ("" when unreadable)."""
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            # read(n) sets n bytes aside before it reads: ask a regular file for no more than it holds
            size = min(info.st_size, _MAX_BYTES) if stat.S_ISREG(info.st_mode) else _MAX_BYTES
            return handle.read(size).decode("utf-8", errors="replace")
    except OSError:
        return ""
