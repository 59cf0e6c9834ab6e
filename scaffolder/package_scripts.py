"""Start commands written outside the Dockerfile: package.json scripts and a Procfile's `web:` line.

`npm start` (or `yarn start`, `pnpm start`, `npm run X`) runs a package.json script through a shell,
so the script's text is the start command's real evidence: `next start -p 3000`,
`node server.js --port 8080`, `--host 127.0.0.1`. Without a Dockerfile, a Procfile's `web:` process or
the package.json `start` script is what a buildpack runs. This module finds those texts and where
they are written; checks/start_command.py analyses them like a CMD and reports at their line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, NamedTuple, Sequence

from scaffolder.deploy_config import line_column
from scaffolder.nodeproject.package_json import PackageJson, package_json
from scaffolder.project import Service, UnparsableFile


class ScriptSource(NamedTuple):
    """A command written in package.json `scripts` or in a Procfile, and where it is written."""

    path: Path
    label: str  # 'the "start" script in package.json', 'the Procfile\'s web process'
    command: str  # the command text as the shell receives it
    text: str  # the whole file, for locating words inside the command
    key_offset: int  # where the script's key (or the Procfile line) starts
    value_start: int  # the raw command text in the file: text[value_start:value_end]
    value_end: int

    def locate(self, needle: str = "") -> tuple[int, int]:
        """Line and column of `needle` inside the command as written (of the key when not found)."""
        if needle:
            at = self.text.find(needle, self.value_start, self.value_end)
            if at >= 0:
                return line_column(self.text, at)
        return line_column(self.text, self.key_offset)


# ---- which script a package manager runs -------------------------------------------------------
_NPM_SHORTCUTS = {"start": "start", "restart": "restart", "test": "test", "t": "test", "tst": "test",
                  "stop": "stop"}
PACKAGE_MANAGERS = frozenset({"npm", "yarn", "pnpm", "bun"})  # the programs run_target knows
_RUN_COMMANDS = frozenset({"run", "run-script", "rum", "urn"})
# yarn and pnpm run a script by its bare name too, unless the name is one of their own commands.
_OWN_COMMANDS = frozenset({"add", "audit", "bin", "cache", "config", "create", "dlx", "exec", "install", "i",
                           "link", "list", "ls", "remove", "rm", "up", "update", "upgrade", "why", "workspace",
                           "workspaces", "info", "init", "publish", "pack", "import", "outdated", "prune",
                           "store", "fetch", "patch", "node", "env", "help", "version"})


def run_target(words: Sequence[str], scripts: Mapping[str, str]) -> tuple[str, tuple[str, ...]] | None:
    """The package.json script that `npm start`, `npm run X`, `yarn X`, `pnpm run X`, `bun run X` runs
    (when `scripts` has it), with the arguments the package manager appends to the script's command
    (npm: those after `--`; yarn, pnpm and bun: everything after the script's name)."""
    if not words:
        return None
    manager = words[0].rsplit("/", 1)[-1]
    if manager not in PACKAGE_MANAGERS:
        return None
    rest = list(words[1:])
    positions = [index for index, word in enumerate(rest) if not word.startswith("-")]
    if "--" in rest:
        positions = [index for index in positions if index < rest.index("--")]
    if not positions:
        return None
    first = rest[positions[0]]
    if first in _RUN_COMMANDS:
        at = positions[1] if len(positions) > 1 else None
    elif first in _NPM_SHORTCUTS or (manager != "npm" and first not in _OWN_COMMANDS):
        at = positions[0]
    else:
        at = None
    if at is None:
        return None
    name = _NPM_SHORTCUTS.get(rest[at], rest[at]) if first not in _RUN_COMMANDS else rest[at]
    if name not in scripts:
        return None
    if manager == "npm":
        extra = tuple(rest[rest.index("--") + 1 :]) if "--" in rest else ()
    else:
        extra = tuple(word for word in rest[at + 1 :] if word != "--")
    return name, extra


def script_source(package: PackageJson, name: str) -> ScriptSource | None:
    """Where the script `name` is written in package.json (None when it is not a string)."""
    command = package.scripts.get(name)
    span = package.value_span("scripts", name)
    if command is None or span is None:
        return None
    key_offset = package.positions[("scripts", name)][0]
    return ScriptSource(package.path, f'the "{name}" script in package.json', command, package.text,
                        key_offset, span[0], span[1])


def package_scripts(service: Service) -> PackageJson | None:
    """The service's package.json for reading scripts; None when absent or unreadable (its own
    problems are reported by the checks that read it)."""
    try:
        return package_json(service)
    except UnparsableFile:
        return None


# ---- Procfile -------------------------------------------------------------------------------------
def procfile_web(service: Service) -> ScriptSource | None:
    """The Procfile's `web:` process (the one that receives HTTP traffic), or None."""
    if not service.has("Procfile"):
        return None
    path = service.path("Procfile")
    try:
        text = service.read_text(path)
    except UnparsableFile:
        return None
    offset = 0
    for raw in text.splitlines(keepends=True):
        line = raw.rstrip("\r\n")
        stripped = line.lstrip()
        if not stripped.startswith("#"):
            kind, colon, command = stripped.partition(":")
            if colon and kind.strip() == "web" and command.strip():
                key = offset + len(line) - len(stripped)
                start = key + len(kind) + 1 + (len(command) - len(command.lstrip()))
                return ScriptSource(path, "the Procfile's web process", command.strip(), text, key, start,
                                    offset + len(line))
        offset += len(raw)
    return None


def start_script(service: Service) -> ScriptSource | None:
    """What a buildpack starts when there is no Dockerfile: the Procfile's web process, else the
    package.json `start` script."""
    web = procfile_web(service)
    if web is not None:
        return web
    package = package_scripts(service)
    return script_source(package, "start") if package is not None else None


# ---- the programs a script runs -------------------------------------------------------------------
class Program(NamedTuple):
    """One command of a script after wrappers (env, cross-env, npx, dotenvx run --, exec) are removed."""

    words: tuple[str, ...]
    environment: dict  # NAME=value set for it

    @property
    def name(self) -> str:
        return self.words[0].rsplit("/", 1)[-1] if self.words else ""


def programs(command: str) -> list[Program]:
    from scaffolder.dockerfile_model import split_script

    return [program for simple in split_script(command) if (program := _unwrap(list(simple.words))) is not None]


def _unwrap(words: list[str]) -> Program | None:
    environment: dict[str, str] = {}
    while words:
        base = words[0].rsplit("/", 1)[-1]
        if "=" in words[0] and words[0].split("=", 1)[0].isidentifier():
            name, _, value = words[0].partition("=")
            environment[name] = value
            words = words[1:]
        elif base in ("env", "cross-env", "cross-env-shell", "exec", "nohup", "time", "command"):
            words = words[1:]
            while words and words[0].startswith("-") and base == "env":
                words = words[1:]
        elif base in ("npx", "pnpx", "bunx") or (base in ("pnpm", "yarn") and words[1:2] in (["exec"], ["dlx"])):
            words = words[1:] if base in ("npx", "pnpx", "bunx") else words[2:]
            while words and words[0].startswith("-"):
                words = words[1:]
        elif base in ("dotenvx", "dotenv", "env-cmd") and "--" in words:
            words = words[words.index("--") + 1 :]
        else:
            break
    return Program(tuple(words), environment) if words else None


def script_programs(package: PackageJson, name: str, depth: int = 0) -> list[Program]:
    """The programs a script runs, following `npm run X` into other scripts (not pre/post hooks)."""
    command = package.scripts.get(name)
    if command is None or depth > 4:
        return []
    found = []
    for program in programs(command):
        target = run_target(program.words, package.scripts)
        if target is not None:
            found.extend(script_programs(package, target[0], depth + 1))
        else:
            found.append(program)
    return found


# Scripts the platform or an install runs by itself (a buildpack runs `build`/`gcp-build`).
LIFECYCLE_SCRIPTS = ("start", "prestart", "poststart", "build", "prebuild", "postbuild", "gcp-build",
                     "preinstall", "install", "postinstall", "prepare")
_COMPILERS = frozenset({"tsc", "babel", "esbuild", "webpack", "rollup", "tsup", "swc", "vite", "ncc", "nest",
                        "next", "parcel"})


def has_build_step(service: Service, package: PackageJson | None) -> bool:
    """Whether files may be generated before the service runs: a TypeScript project, or a script
    that compiles or bundles. Paths under build output folders may then be missing from the repo."""
    if service.has("tsconfig.json"):
        return True
    if package is None:
        return False
    if any(name in package.scripts for name in ("build", "compile", "gcp-build")):
        return True
    return any(program.name in _COMPILERS for command in package.scripts.values() for program in programs(command))
