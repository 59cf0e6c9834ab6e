"""Minimal dependencies for Node.js services (CBR621, CBR622): development tools in production
`dependencies`, and a committed `node_modules` folder."""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Iterable

from scaffolder.findings import Finding
from scaffolder.nodeproject.dev_tools import dev_tool, platform_programs, used_on_platform
from scaffolder.nodeproject.git_index import find_repository, tracked_node_modules
from scaffolder.nodeproject.package_json import package_json
from scaffolder.project import Service, UnparsableFile

DEV_TOOL_IN_DEPENDENCIES = "CBR621"
COMMITTED_NODE_MODULES = "CBR622"
CODES = frozenset({DEV_TOOL_IN_DEPENDENCIES, COMMITTED_NODE_MODULES})


def check(service: Service) -> Iterable[Finding]:
    package = package_json(service)
    if package is None:
        return []
    return [*_dev_tools(service, package), *_node_modules(service, package.path)]


# ---- CBR621 ----------------------------------------------------------------------------------------
def _dev_tools(service: Service, package) -> list[Finding]:
    tools = [(name, commands) for name in package.section("dependencies")
             if (commands := dev_tool(name)) is not None]
    if not tools:
        return []
    used = {program.name for program in platform_programs(service, package)}
    findings = []
    for name, commands in tools:
        if used_on_platform(name, commands, used):
            continue
        line, column = package.location("dependencies", name)
        findings.append(Finding(
            DEV_TOOL_IN_DEPENDENCIES,
            f"{name} is a development tool, but package.json lists it in dependencies: every deploy installs it "
            f"into the production image or function (more to download, a bigger image, slower cold starts), "
            f"though nothing the platform runs uses it. Move it to devDependencies",
            str(package.path), line, column))
    return findings


# ---- CBR622 ----------------------------------------------------------------------------------------
def _node_modules(service: Service, anchor: Path) -> list[Finding]:
    repository = find_repository(service.root)
    if repository is not None:
        return _tracked(service, anchor, *repository)
    folder = service.root / "node_modules"
    if not folder.is_dir() or not _git_ignore_files(service.root):
        return []  # no git and no .gitignore: nothing says this folder is meant for version control
    if any(_ignores_node_modules(service, path) for path in _git_ignore_files(service.root)):
        return []
    return [Finding(
        COMMITTED_NODE_MODULES,
        "node_modules/ is in the service folder and .gitignore does not exclude it, so it gets committed: the "
        "repository carries thousands of installed files, built for this machine, that the platform installs "
        "again anyway. Add node_modules/ to .gitignore",
        str(anchor), 1, 1)]


def _tracked(service: Service, anchor: Path, work_tree: Path, git_dir: Path) -> list[Finding]:
    paths = tracked_node_modules(git_dir / "index")
    if not paths:
        return []
    try:
        prefix = service.root.relative_to(work_tree).as_posix()
    except ValueError:
        return []
    prefix = "" if prefix == "." else prefix + "/"
    mine = [path for path in paths if path.startswith(prefix + "node_modules/")]
    if not mine:
        return []
    return [Finding(
        COMMITTED_NODE_MODULES,
        f"git tracks {len(mine)} file{'s' if len(mine) != 1 else ''} under node_modules/ (e.g. {mine[0]}): "
        f"installed dependencies are committed, built for one machine, and the platform installs them again "
        f"anyway. Remove them from the repository (git rm -r --cached node_modules) and add node_modules/ to "
        f".gitignore",
        str(anchor), 1, 1)]


def _git_ignore_files(root: Path) -> list[Path]:
    return [directory / ".gitignore" for directory in (root, *root.parents) if (directory / ".gitignore").is_file()]


def _ignores_node_modules(service: Service, path: Path) -> bool:
    """Whether this .gitignore excludes the service's `node_modules` folder: `node_modules`,
    `node_modules/`, `**/node_modules`, `node_modules/*`, or an anchored path such as
    `/svc/node_modules` in a parent folder's file; a later `!` pattern takes it back, as in git."""
    try:
        text = service.read_text(path) if path.parent == service.root else path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, UnparsableFile):
        return False
    relative = (service.root / "node_modules").relative_to(path.parent).as_posix()
    ignored = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = line[1:] if negated else line
        for suffix in ("/**", "/*", "/"):
            if pattern.endswith(suffix):
                pattern = pattern[: -len(suffix)]
                break
        if "/" in pattern:  # anchored to the .gitignore's folder
            pattern = pattern.lstrip("/")
            matched = fnmatch.fnmatchcase(relative, pattern) or (
                pattern.startswith("**/") and fnmatch.fnmatchcase(relative, pattern[3:]))
        else:
            matched = bool(pattern) and fnmatch.fnmatchcase("node_modules", pattern)
        if matched:
            ignored = not negated
    return ignored
