"""A script that takes its address on the command line: which arguments are its port and host.

The WeChat Cloud Run samples start `python3 run.py 0.0.0.0 80` and run.py calls
`app.run(host=sys.argv[1], port=sys.argv[2])`: the port is decided by the start command, so the
start-command rule (checks/start_command.py, CBR104/CBR105) reports it there. This module only
reads the one script the start command runs, and only when it mentions `argv`.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from scaffolder.pysource.context import Context
from scaffolder.pysource.listen import argv_addresses
from scaffolder.pysource.module import PyModule
from scaffolder.pysource.startup import ServiceModules


class ArgvAddress(NamedTuple):
    kind: str  # "port" or "host"
    index: int  # the server's value is sys.argv[index]
    server: str  # the server call, as the rules name it: "app.run()"


def script_file(root: Path, files: list[Path], script: str) -> Path | None:
    """The service file `python <script>` runs: `run.py`, `./src/main.py`, or under the image's
    working folder, `/app/run.py`."""
    name = script[2:] if script.startswith("./") else script
    best, best_length = None, 0
    for path in files:
        text = _relative(root, path).as_posix()
        if text == name:
            return path
        if name.startswith("/") and name.endswith("/" + text) and len(text) > best_length:
            best, best_length = path, len(text)  # the longest match: /app/src/run.py is src/run.py
    return best


def script_addresses(root: Path, files: list[Path], read: Callable[[Path], str], path: Path) -> list[ArgvAddress]:
    """The command-line arguments that give the port and host of the servers the script at `path`
    starts (code that runs when it is started as a script, outside branches chosen by the
    environment). The server object may come from another module of the service (`from counter
    import app` ... `app.run(...)`): that module is read too."""
    try:
        text = read(path)
        if "argv" not in text:
            return []
        module = PyModule(ast.parse(text), text)
        relative = _relative(root, path)
        others = ServiceModules(((other, _relative(root, other)) for other in files if other.suffix == ".py"), read)
        context = Context(module, runs_as_script=True)
        return [ArgvAddress(kind, index, server) for kind, index, server, call in argv_addresses(
                    module, lambda node, classes: others.imported_instance(relative, module, node, classes))
                if not context.is_dead(call) and not context.in_environment_branch(call)]
    except Exception:  # unreadable, not Python (CBR001 is python_source's), absurdly deep: no evidence  # noqa: BLE001
        return []


def _relative(root: Path, path: Path) -> PurePosixPath:
    try:
        return PurePosixPath(path.relative_to(root).as_posix())
    except ValueError:
        return PurePosixPath(path.name)
