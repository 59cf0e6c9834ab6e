"""Development tools that do not belong in production `dependencies`, and whether the platform's
own build or start uses one anyway.

A tool counts as used on the platform when a command the platform runs invokes it: the package.json
lifecycle scripts (`start`, `build`, `gcp-build`, `postinstall`, `prepare`, ...), the scripts they and
the Dockerfile's RUN/CMD/ENTRYPOINT and the Procfile run with `npm run X`, and those commands
themselves. TypeScript also counts as used by anything that compiles TypeScript (ts-node, tsx,
next, nest, tsup, vite, webpack...). A used tool must be installed in production, so it is not reported.
"""

from __future__ import annotations

import fnmatch
import shlex

from scaffolder.nodeproject.package_json import PackageJson
from scaffolder.package_scripts import LIFECYCLE_SCRIPTS, Program, procfile_web, programs, run_target
from scaffolder.project import Service, UnparsableFile

# package (or glob) -> the commands it provides
DEV_TOOLS: dict[str, tuple[str, ...]] = {
    "nodemon": ("nodemon",),
    "typescript": ("tsc",),
    "eslint": ("eslint",),
    "eslint-plugin-*": (),
    "eslint-config-*": (),
    "@typescript-eslint/*": (),
    "prettier": ("prettier",),
    "jest": ("jest",),
    "ts-jest": (),
    "@types/jest": (),
    "mocha": ("mocha", "_mocha"),
    "@types/mocha": (),
    "vitest": ("vitest",),
    "chai": (),
    "sinon": (),
    "supertest": (),
    "nyc": ("nyc",),
    "husky": ("husky",),
    "lint-staged": ("lint-staged",),
    "ts-node-dev": ("ts-node-dev", "tsnd"),
}
_TYPESCRIPT_USERS = frozenset({"tsc", "ts-node", "ts-node-esm", "tsx", "ts-node-dev", "tsnd", "next", "nest", "tsup",
                               "vite", "webpack", "rollup", "ncc", "parcel", "nuxt", "astro", "vue-tsc"})


def dev_tool(package_name: str) -> tuple[str, ...] | None:
    """The commands of a development tool, or None when the package is not one."""
    for pattern, commands in DEV_TOOLS.items():
        if package_name == pattern or ("*" in pattern and fnmatch.fnmatchcase(package_name, pattern)):
            return commands
    return None


def platform_programs(service: Service, package: PackageJson) -> list[Program]:
    """Every program the platform runs while installing, building or starting the service."""
    names = [name for name in LIFECYCLE_SCRIPTS if name in package.scripts]
    found: list[Program] = []
    commands = list(_dockerfile_commands(service))
    web = procfile_web(service)
    if web is not None:
        commands.append(web.command)
    for command in commands:
        for program in programs(command):
            target = run_target(program.words, package.scripts)
            if target is not None:
                names.append(target[0])
            else:
                found.append(program)
    seen: set[str] = set()
    while names:
        name = names.pop()
        if name in seen:
            continue
        seen.add(name)
        for program in programs(package.scripts.get(name, "")):
            target = run_target(program.words, package.scripts)
            if target is not None:
                names.append(target[0])
            else:
                found.append(program)
    return found


def used_on_platform(package_name: str, commands: tuple[str, ...], used: set[str]) -> bool:
    if package_name == "typescript":
        return bool(used & _TYPESCRIPT_USERS) or any("ts-node" in name for name in used)
    return any(command in used for command in commands)


def _dockerfile_commands(service: Service):
    from scaffolder.dockerfile_model import parse

    try:
        model = parse(service)
    except UnparsableFile:
        return
    if model is None:
        return
    for instruction in model.instructions:
        if instruction.cmd.upper() not in ("RUN", "CMD", "ENTRYPOINT") or not instruction.value:
            continue
        words = list(instruction.value)
        if not instruction.json:
            yield " ".join(words)
        elif len(words) >= 3 and words[0].rsplit("/", 1)[-1] in ("sh", "bash", "ash", "dash") and words[1] == "-c":
            yield words[2]
        else:
            yield shlex.join(words)
