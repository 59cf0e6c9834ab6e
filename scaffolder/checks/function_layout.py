"""Function-mode layout (CBR601-CBR604): can the functions framework start this service and find
its function? Evidence: package.json (scripts, dependencies), the entry file's exports (parsed with
tree-sitter) and `cloudbase-functions.json`. A service is checked as function mode when package.json
depends on a CloudBase framework (Service.mode) or a script runs `tcb-ff`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, NamedTuple

from scaffolder.findings import Finding
from scaffolder.nodeproject import functions_config
from scaffolder.nodeproject.exports import module_exports
from scaffolder.nodeproject.jsfiles import parse_js
from scaffolder.nodeproject.package_json import AGENT_FRAMEWORK, FUNCTIONS_FRAMEWORK, PackageJson, package_json
from scaffolder.nodeproject.tcb_ff import DEFAULT_SOURCE, DEFAULT_TARGET, TcbFfRun, tcb_ff_runs
from scaffolder.package_scripts import has_build_step
from scaffolder.project import Service

NO_START = "CBR601"
NO_FRAMEWORK = "CBR602"
TARGET_NOT_EXPORTED = "CBR603"
BAD_FUNCTIONS_CONFIG = "CBR604"
CODES = frozenset({NO_START, NO_FRAMEWORK, TARGET_NOT_EXPORTED, BAD_FUNCTIONS_CONFIG})

ENTRY_FILES = tuple(f"{stem}{ext}" for stem in ("index", "app", "server") for ext in (".js", ".mjs", ".cjs"))


class Entry(NamedTuple):
    """A file the framework loads and the export it calls, and who says so."""

    source: Path
    target: str
    origin: str  # 'the "dev" script (tcb-ff --target handler)', 'functions[1] `user` in cloudbase-functions.json'
    where: tuple[Path, int, int]  # where the source and target are named (for a missing file)
    named: bool  # the source is named explicitly (not the default index.js)


def check(service: Service) -> Iterable[Finding]:
    package = package_json(service)
    if package is None:
        return []
    runs = tcb_ff_runs(package)
    findings = _missing_framework(package, runs)
    if not (service.is_function_like or runs):
        return findings
    if service.is_function_like:
        findings += _no_start(service, package)
    built = has_build_step(service, package)
    config_path = _config_path(service, runs)
    if config_path is not None:
        config = functions_config.load(service, config_path, built)
        findings += [Finding(BAD_FUNCTIONS_CONFIG, problem.message, str(config.path), problem.line, problem.column)
                     for problem in config.problems]
        entries = [_config_entry(config, function) for function in config.functions]
    else:
        findings += _missing_config_file(service, runs)
        entries = _script_entries(service, package, runs)
    findings += _unexported(service, package, entries, built)
    return findings


# ---- CBR602 ----------------------------------------------------------------------------------------
def _missing_framework(package: PackageJson, runs: list[TcbFfRun]) -> list[Finding]:
    # Agents are left out: CloudBase's own agent examples run tcb-ff with only the agent framework
    # declared, relying on the platform's (or a global) functions framework.
    if not runs or package.declared_in(FUNCTIONS_FRAMEWORK) is not None or package.declared_in(AGENT_FRAMEWORK):
        return []
    run = runs[0]
    line, column = run.where.locate()
    return [Finding(
        NO_FRAMEWORK,
        f'the "{run.script}" script runs tcb-ff, the command of {FUNCTIONS_FRAMEWORK}, but package.json does not '
        f"depend on it: after a fresh install the command does not exist and the service cannot be run locally "
        f"(function mode is Node.js on {FUNCTIONS_FRAMEWORK}). Add it: npm install {FUNCTIONS_FRAMEWORK}",
        str(package.path), line, column)]


# ---- CBR601 ----------------------------------------------------------------------------------------
def _no_start(service: Service, package: PackageJson) -> list[Finding]:
    scripts = package.scripts
    if "dev" in scripts or "start" in scripts or any(service.has(name) for name in ENTRY_FILES):
        return []
    line, column = package.location("scripts")
    return [Finding(
        NO_START,
        f"this {service.mode}-mode service has no `dev` or `start` script in package.json and no entry file "
        f"(index.js, app.js or server.js) at its root: the local run and the deploy have nothing to start. Add "
        f'"scripts": {{"dev": "tcb-ff -w", "start": "tcb-ff"}} and an index.js that exports main',
        str(package.path), line, column)]


# ---- CBR604 (and which entries the config names) -------------------------------------------------
def _config_path(service: Service, runs: list[TcbFfRun]) -> Path | None:
    named = next((run.config_file for run in runs if run.config_file), None)
    path = Path(os.path.normpath(service.root / (named or functions_config.CONFIG_NAME)))
    return path if path.is_file() else None


def _missing_config_file(service: Service, runs: list[TcbFfRun]) -> list[Finding]:
    for run in runs:
        if run.config_file and not (service.root / run.config_file).is_file():
            line, column = run.where.locate(run.config_file)
            return [Finding(
                BAD_FUNCTIONS_CONFIG,
                f'the "{run.script}" script passes --functionsConfigFile {run.config_file}, which does not exist '
                f"in the service: the framework cannot read its functions", str(run.where.path), line, column)]
    return []


def _config_entry(config: functions_config.FunctionsConfig, function: functions_config.FunctionEntry) -> Entry:
    line, column = config.at("functions", function.index, "target" if function.explicit_target else "name")
    return Entry(function.source, function.target,
                 f"the function `{function.name}` in {config.path.name}", (config.path, line, column), True)


# ---- CBR603 ----------------------------------------------------------------------------------------
def _script_entries(service: Service, package: PackageJson, runs: list[TcbFfRun]) -> list[Entry]:
    entries: dict[tuple[Path, str], Entry] = {}
    for run in runs:
        if run.loads_a_folder:
            continue
        source = service.root / (run.source or DEFAULT_SOURCE)
        if source.is_dir():
            source = source / DEFAULT_SOURCE
        source = Path(os.path.normpath(source))
        target = run.target or DEFAULT_TARGET
        shown = " ".join(part for part in ("tcb-ff", f"--source {run.source}" if run.source else "",
                                           f"--target {run.target}" if run.target else "") if part)
        line, column = run.where.locate(run.target or run.source or "tcb-ff")
        entries.setdefault((source, target), Entry(source, target, f'the "{run.script}" script ({shown})',
                                                   (run.where.path, line, column), run.source is not None))
    if not runs:  # no script names an entry: the framework's defaults
        default = next((service.root / name for name in ("index.js", "index.mjs", "index.cjs")
                        if service.has(name)), None)
        if default is not None:
            entries[(default, DEFAULT_TARGET)] = Entry(default, DEFAULT_TARGET, "the functions framework (its default)",
                                                       (default, 1, 1), False)
    return list(entries.values())


def _unexported(service: Service, package: PackageJson, entries: list[Entry], built: bool) -> list[Finding]:
    findings = []
    for entry in entries:
        relative = _relative(entry.source, service.root)
        if not entry.source.is_file():
            if _maybe_built(entry.source, service.root, built) or (not entry.named and _main_exists(service, package)):
                continue
            path, line, column = entry.where
            findings.append(Finding(
                TARGET_NOT_EXPORTED,
                f"{entry.origin} loads {relative}, which does not exist: the framework cannot load the function. "
                f"Create it, or pass the right file with --source",
                str(path), line, column))
            continue
        source = parse_js(service, entry.source)
        if source is None:
            continue
        exports = module_exports(source)
        if exports.has(entry.target) is not False:
            continue
        if exports.anchor is not None:
            line, column, _, _ = source.location(exports.anchor)
        else:
            line, column = 1, 1
        others = sorted(exports.names)
        has = f"it exports {', '.join(others)}" if others else "it exports nothing"
        findings.append(Finding(
            TARGET_NOT_EXPORTED,
            f"{relative} does not export `{entry.target}`, which {entry.origin} calls ({has}): every request "
            f"fails with a missing-function error. Export it: "
            f"exports.{entry.target} = async (event, context) => {{ ... }}",
            str(entry.source), line, column))
    return findings


def _maybe_built(path: Path, root: Path, built: bool) -> bool:
    if not built:
        return False
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return False
    return any(part in functions_config.BUILD_OUTPUT_DIRS for part in parts) or path.suffix in (".js", ".mjs", ".cjs") \
        and any(path.with_suffix(ext).is_file() for ext in (".ts", ".mts", ".cts"))


def _main_exists(service: Service, package: PackageJson) -> bool:
    main = package.data.get("main")
    return isinstance(main, str) and (service.root / main).is_file()


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
