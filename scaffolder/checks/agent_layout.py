"""Agent-mode layout (CBR611-CBR613): the agent framework is installed, BotIds are valid, and
sendMessage ends its SSE stream.

A service is an agent when package.json depends on @cloudbase/aiagent-framework (Service.mode), or,
when that dependency is missing, when its service code imports the package (`require`, `import`,
`import()`, `export ... from`): the import is what fails at run time. BotCore/BotRunner names alone
are not evidence (a project may define its own), nor a BotId string.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

from scaffolder.deploy_config import json_positions, line_column
from scaffolder.findings import Finding
from scaffolder.nodeproject.bot_ids import SERVICE_NAME, bad_bot_ids, explain
from scaffolder.nodeproject.imports import Import, imports, imports_package
from scaffolder.nodeproject.jsfiles import parse_js, read_js, service_js_files
from scaffolder.nodeproject.package_json import AGENT_FRAMEWORK, package_json
from scaffolder.nodeproject.sse_stream import unended_streams
from scaffolder.project import Service, UnparsableFile

NO_AGENT_FRAMEWORK = "CBR611"
BAD_BOT_ID = "CBR612"
UNENDED_STREAM = "CBR613"
CODES = frozenset({NO_AGENT_FRAMEWORK, BAD_BOT_ID, UNENDED_STREAM})

_BOT_ID_GATE = re.compile(r"ibot-", re.I)
_INSTALLED = ("dependencies", "optionalDependencies", "peerDependencies")  # what a production install brings


def check(service: Service) -> Iterable[Finding]:
    files = service_js_files(service)
    agent_imports = list(_agent_imports(service, files))
    if service.mode != "agent" and not agent_imports:
        return []
    findings = _missing_framework(service, agent_imports)
    findings += _service_name(service)
    for path in files:
        text = read_js(service, path)
        if text is None:
            continue
        if _BOT_ID_GATE.search(text):
            findings += _bot_ids(service, path)
        if "sendMessage" in text and ("BotCore" in text or "IBot" in text):
            findings += _streams(service, path)
    return findings


def _agent_imports(service: Service, files: list[Path]) -> Iterable[tuple[Path, object, Import]]:
    for path in files:
        text = read_js(service, path)
        if text is None or AGENT_FRAMEWORK not in text:
            continue
        source = parse_js(service, path)
        if source is None:
            continue
        for item in imports(source):
            if imports_package(item.specifier, AGENT_FRAMEWORK):
                yield path, source, item


# ---- CBR611 ----------------------------------------------------------------------------------------
def _missing_framework(service: Service, agent_imports: list) -> list[Finding]:
    if not agent_imports:
        return []
    package = package_json(service)
    path, source, first = agent_imports[0]
    where = f"{path.relative_to(service.root).as_posix()} line {source.line(first.node)}"
    if package is None:
        line, column, _, _ = source.location(first.node)
        return [Finding(NO_AGENT_FRAMEWORK,
                        f"this code imports {AGENT_FRAMEWORK}, but the service has no package.json that declares it: "
                        f"the platform installs nothing and the agent fails to start with `Cannot find module`. "
                        f"Add a package.json with {AGENT_FRAMEWORK} in dependencies",
                        str(path), line, column)]
    section = package.declared_in(AGENT_FRAMEWORK)
    if section in _INSTALLED:
        return []
    if section is None:
        line, column = package.location("dependencies")
        problem = "package.json does not depend on it"
    else:
        line, column = package.location(section, AGENT_FRAMEWORK)
        problem = f"package.json lists it only in {section}, which a production install leaves out"
    return [Finding(NO_AGENT_FRAMEWORK,
                    f"the agent imports {AGENT_FRAMEWORK} ({where}) but {problem}: the deploy installs no framework "
                    f"and the agent fails to start with `Cannot find module`. Add it to dependencies (the package is "
                    f"published on CloudBase's npm mirror)",
                    str(package.path), line, column)]


# ---- CBR612 ----------------------------------------------------------------------------------------
def _bot_ids(service: Service, path: Path) -> list[Finding]:
    source = parse_js(service, path)
    if source is None:
        return []
    findings = []
    for bad in bad_bot_ids(source):
        line, column, end_line, end_column = source.location(bad.node)
        findings.append(Finding(
            BAD_BOT_ID,
            f"{'the agent route names ' if bad.in_route else ''}`{bad.value}`, which is not a valid "
            f"{'BotId' if bad.in_route else 'BotId or agent service name'}: {bad.message}. The SDK accepts only "
            f"BotIds matching ^ibot-[a-z0-9_]+-[a-z0-9_]+$ (ibot-{{name}}-{{tag}}), and the agent's service is named "
            f"ibot-{{name}}, so calls to this bot are refused",
            str(path), line, column, end_line, end_column))
    return findings


def _service_name(service: Service) -> list[Finding]:
    """An agent's service is ibot-{name}: a cloudbaserc name that starts like one must be one."""
    path = service.cloudbaserc
    if path is None:
        return []
    try:
        document = service.read_json(path)
        text = service.read_text(path)
    except UnparsableFile:
        return []  # the deploy-configuration checks report it
    cloudrun = document.get("cloudrun") if isinstance(document, dict) else None
    name = cloudrun.get("name") if isinstance(cloudrun, dict) else None
    if not isinstance(name, str) or not name.lower().startswith("ibot-") or SERVICE_NAME.match(name):
        return []
    offset = json_positions(text).get(("cloudrun", "name"), (0, 0))[0]
    line, column = line_column(text, offset)
    return [Finding(
        BAD_BOT_ID,
        f"the agent's service name `{name}` cannot be the start of a BotId: {explain(name)}. An agent's BotId is "
        f"ibot-{{name}}-{{tag}} and its service is ibot-{{name}}, with only lowercase letters, digits and `_` in "
        f"{{name}}, so the SDK cannot reach this agent",
        str(path), line, column)]


# ---- CBR613 ----------------------------------------------------------------------------------------
def _streams(service: Service, path: Path) -> list[Finding]:
    source = parse_js(service, path)
    if source is None:
        return []
    findings = []
    for method in unended_streams(service, path, source):
        line, column, end_line, end_column = source.location(method.name)
        findings.append(Finding(
            UNENDED_STREAM,
            f"{method.class_name}.sendMessage sends on this.sseSender but never calls this.sseSender.end() (nor does "
            f"any function it passes the sender to): the SSE response never finishes, so the client waits until it "
            f"times out and the connection stays open. End the stream when the reply is complete, in a `finally` "
            f"so that errors end it too",
            str(path), line, column, end_line, end_column))
    return findings
