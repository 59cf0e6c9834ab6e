"""How package.json scripts run the functions framework's command, `tcb-ff`, and what it then loads.

    tcb-ff [--source index.js] [--target main] [--functionsConfigFile cloudbase-functions.json] ...

`--source` (env FUNCTION_SOURCE, default `index.js`) is the file or folder loaded, `--target` (env
FUNCTION_TARGET, default `main`) the export called. `--functionsConfigFile` (default
`cloudbase-functions.json`) names the multi-function layout; `--loadAllFunctions` and
`--functionsRoot` load functions from a folder instead of one entry.
"""

from __future__ import annotations

from typing import NamedTuple

from scaffolder.nodeproject.package_json import PackageJson
from scaffolder.package_scripts import Program, ScriptSource, programs, script_source

DEFAULT_SOURCE = "index.js"
DEFAULT_TARGET = "main"


class TcbFfRun(NamedTuple):
    script: str  # the package.json script that runs it
    where: ScriptSource
    options: dict  # option name (without dashes) -> value ("" for a flag)
    environment: dict

    def option(self, name: str, variable: str) -> str | None:
        value = self.options.get(name) or self.environment.get(variable)
        return value or None

    @property
    def source(self) -> str | None:
        return self.option("source", "FUNCTION_SOURCE")

    @property
    def target(self) -> str | None:
        return self.option("target", "FUNCTION_TARGET")

    @property
    def config_file(self) -> str | None:
        return self.options.get("functionsConfigFile") or None

    @property
    def loads_a_folder(self) -> bool:
        """--loadAllFunctions / --functionsRoot: functions come from a folder, not one entry."""
        return "loadAllFunctions" in self.options or "functionsRoot" in self.options


def is_tcb_ff(program: Program) -> tuple[str, ...] | None:
    """The arguments when the program is tcb-ff (also `node .../functions-framework/.../tcb-ff.js`)."""
    if program.name in ("tcb-ff", "tcb-ff.js"):
        return program.words[1:]
    if program.name in ("node", "nodejs") and len(program.words) > 1:
        script = program.words[1]
        if script.rsplit("/", 1)[-1] in ("tcb-ff", "tcb-ff.js") or "@cloudbase/functions-framework" in script:
            return program.words[2:]
    return None


def tcb_ff_runs(package: PackageJson) -> list[TcbFfRun]:
    runs = []
    for name, command in package.scripts.items():
        if not _may_run_tcb_ff(command):
            continue
        for program in programs(command):
            args = is_tcb_ff(program)
            if args is not None:
                where = script_source(package, name)
                if where is not None:
                    runs.append(TcbFfRun(name, where, _options(args), program.environment))
    return runs


def _may_run_tcb_ff(command: str) -> bool:
    """A cheap superset of "a program of this script is tcb-ff", to skip splitting most scripts into
    programs. The shell's words are the script's text less the quotes and backslashes it removes, so
    a word holding `tcb-ff` or the package's name shows in the text once all of those are dropped."""
    unquoted = command.translate(_QUOTES)
    return "tcb-ff" in unquoted or "@cloudbase/functions-framework" in unquoted


_QUOTES = str.maketrans("", "", "'\"\\")


def _options(args: tuple[str, ...]) -> dict:
    options: dict[str, str] = {}
    index = 0
    while index < len(args):
        arg = args[index]
        if arg.startswith("-"):
            name, equals, value = arg.lstrip("-").partition("=")
            if not equals and index + 1 < len(args) and not args[index + 1].startswith("-") and \
                    name in ("source", "target", "functionsConfigFile", "functionsRoot", "port", "p", "logDirname",
                             "dotEnvFilePath", "extendedContext", "allowedOrigins"):
                value = args[index + 1]
                index += 1
            options[name] = value
        index += 1
    return options
