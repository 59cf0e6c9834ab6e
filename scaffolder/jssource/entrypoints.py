"""How a Node.js service is started, as far as its start files say: which files node runs.

`if (require.main === module) { ... }` runs only in the file that node was started with. When the
start files (the Dockerfile's CMD/ENTRYPOINT, a Procfile `web:` line, the package.json `start`
script, following `npm start` / `npm run X` / `yarn X` / `pnpm X` into package.json) name the
files node runs, that block in any other file is a local-development entry point that never runs
on CloudBase Run. Without such evidence every such block counts. The same evidence decides whether
a file under `scripts/`, `bin/` or a build folder (`dist/`, `build/`) is part of the running service.
A file started from build output (`node dist/main.js`) also stands for its source (`src/main.ts`).
"""

from __future__ import annotations

import posixpath
import re
import shlex
from pathlib import PurePosixPath
from typing import NamedTuple

from scaffolder.dockerfile_model import parse as parse_dockerfile
from scaffolder.project import Service, UnparsableFile

JS_SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx")
_RUNNERS = {"node", "nodejs", "bun", "babel-node", "ts-node", "ts-node-dev", "tsx", "nodemon", "node-dev",
            "forever", "pm2", "pm2-runtime", "deno", "esno", "swc-node"}
_RUNNER_VERBS = {"start", "run"}  # `pm2 start app.js`, `bun run src/index.ts`, `deno run main.ts`
_OPTIONS_WITH_VALUE = {"-r", "--require", "--import", "--loader", "--experimental-loader", "-C", "--conditions",
                       "-P", "--project", "-i", "--instances", "--name", "-n", "--watch-path", "-e", "--ext",
                       "--exec", "-x", "--env-file", "--title", "--inspect-port", "--max-old-space-size"}
_WRAPPERS = {"exec", "env", "tini", "dumb-init", "cross-env", "nohup", "--", "time"}
_OTHER_SERVERS = {"nginx", "httpd", "apache2", "apache2ctl", "caddy", "gunicorn", "uvicorn", "hypercorn", "java",
                  "php", "php-fpm", "ruby", "rails", "puma", "dotnet", "python", "python3", "openresty", "lighttpd"}
_SEPARATORS = {"&&", "||", ";", "|", "&"}
_PACKAGE_MANAGERS = {"npm", "yarn", "pnpm"}
_BUILD_DIRS = ("dist", "build", "out", "lib")
_MAX_DEPTH = 4
_MAX_BYTES = 256 * 1024


class StartEvidence(NamedTuple):
    known: bool  # a start command was found
    entries: frozenset[str]  # files node runs, relative to the service, without suffix: "server", "src/main"
    other_server: bool = False  # the start command runs a server that is not Node.js (nginx, gunicorn, java...)

    @property
    def runs_node(self) -> bool:
        """False only when the start command is known to run something else: the service's
        JavaScript is then browser code or tooling (an nginx image serving a built front end)."""
        return not (self.known and self.other_server and not self.entries)

    def runs_as_main(self, relative: str | PurePosixPath) -> bool:
        """Whether `require.main === module` may be true for this file on the platform."""
        return not self.known or self.names(relative)

    def names(self, relative: str | PurePosixPath) -> bool:
        """Whether the start files name this file (its path inside the service, `/`-separated)."""
        stem = _strip_suffix(str(relative))
        return any(stem == entry or entry.endswith("/" + stem) for entry in self.entries)


def _strip_suffix(path: str) -> str:
    for suffix in JS_SUFFIXES:
        if path.endswith(suffix):
            return path[: -len(suffix)]
    return path


def _normalise(entry: str, main: str | None) -> set[str]:
    """`./dist/main.js` -> {"dist/main", "src/main"}; `.` -> package.json main or index."""
    path = posixpath.normpath(entry.strip())
    if path in (".", ""):
        path = posixpath.normpath(main) if main else "index"
    path = _strip_suffix(path.removeprefix("./"))
    names = {path}
    head, _, rest = path.partition("/")
    if head in _BUILD_DIRS and rest:
        names.add("src/" + rest)  # compiled output stands for its source
    if "/" not in path and head in _BUILD_DIRS:
        names.add(path + "/index")
    return names


# What makes shlex read a command differently from a split on blanks: quotes, escapes, comments,
# and whitespace other than the blanks shlex knows.
_SHELL_SYNTAX = re.compile(r"[#'\"\\]|[^\S \t\r\n]")


def _shell_words(text: str) -> list[str]:
    """The command's words as shlex.split(comments=True) reads them; a plain `node server.js` is
    split on blanks, the same words without shlex's slow character-by-character reading."""
    if not _SHELL_SYNTAX.search(text):
        return text.split()
    try:
        return shlex.split(text, comments=True, posix=True)
    except ValueError:
        return text.split()


class _Reader:
    def __init__(self, service: Service):
        self.service = service
        self.package = self._package()
        self.scripts = self.package.get("scripts") if isinstance(self.package.get("scripts"), dict) else {}
        main = self.package.get("main")
        self.main = main if isinstance(main, str) else None
        self.entries: set[str] = set()
        self.node = False  # a Node.js runner or package manager was seen
        self.other = False  # a server of another kind was seen

    def _package(self) -> dict:
        path = self.service.package_json
        if path is None:
            return {}
        try:
            data = self.service.read_json(path)
        except UnparsableFile:
            return {}
        return data if isinstance(data, dict) else {}

    def command(self, text: str, depth: int = 0) -> None:
        if depth > _MAX_DEPTH:
            return
        words = _shell_words(text)
        segment: list[str] = []
        for word in [*words, ";"]:
            if word in _SEPARATORS:
                self._segment(segment, depth)
                segment = []
            else:
                segment.append(word)

    def _segment(self, words: list[str], depth: int) -> None:
        while words and (words[0] in _WRAPPERS or words[0].startswith("-") or "=" in words[0]):
            words = words[1:]
        if not words:
            return
        program = posixpath.basename(words[0])
        if program in ("sh", "bash", "ash", "dash") and len(words) >= 3 and words[1] == "-c":
            self.command(words[2], depth + 1)
        elif program in _PACKAGE_MANAGERS:
            self.node = True
            self._script(words[1:], depth)
        elif program == "nest" and len(words) > 1 and words[1] == "start":
            self.node = True
            self.entries |= _normalise("dist/main", None)
        elif program in _RUNNERS:
            self.node = True
            self._runner(words[1:])
        elif program in _OTHER_SERVERS or program.startswith("python"):
            self.other = True

    def _script(self, args: list[str], depth: int) -> None:
        args = [arg for arg in args if not arg.startswith("-")]
        if args and args[0] in ("run", "run-script"):
            args = args[1:]
        if not args:
            return
        name = args[0]
        script = self.scripts.get(name)
        if isinstance(script, str):
            self.command(script, depth + 1)
        elif name == "start" and self.service.has("server.js"):  # npm's default start command
            self.entries |= _normalise("server.js", None)

    def _runner(self, args: list[str]) -> None:
        skip = False
        for arg in args:
            if skip:
                skip = False
            elif arg in _OPTIONS_WITH_VALUE:
                skip = True
            elif arg.startswith("-") or arg in _RUNNER_VERBS:
                continue
            else:
                self.entries |= _normalise(arg, self.main)
                return


def start_evidence(service: Service) -> StartEvidence:
    reader = _Reader(service)
    commands = _dockerfile_commands(service) + _procfile_commands(service)
    if not commands and isinstance(reader.scripts.get("start"), str):
        commands = [reader.scripts["start"]]  # no Dockerfile: the platform's buildpack runs `npm start`
    for text in commands:
        reader.command(text)
    return StartEvidence(bool(commands), frozenset(reader.entries), reader.other and not reader.node)


def _dockerfile_commands(service: Service) -> list[str]:
    try:
        model = parse_dockerfile(service)
    except UnparsableFile:
        return []
    start = model.start_command() if model is not None else None
    if start is None:
        return []
    words = [word.text for word in start.words if not word.implicit]
    if start.exec_form:
        return [" ".join(shlex.quote(word) for word in words)]
    return words


def _procfile_commands(service: Service) -> list[str]:
    if not service.has("Procfile"):
        return []
    try:
        text = service.read_text(service.path("Procfile"))[:_MAX_BYTES]
    except UnparsableFile:
        return []
    commands = []
    for line in text.splitlines():
        kind, sep, command = line.partition(":")
        if sep and kind.strip() == "web":
            commands.append(command.strip())
    return commands
