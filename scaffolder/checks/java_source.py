"""Java: the port and host a server listens on (CBR2xx) in code and in application.properties /
application.yml, files and embedded databases on the instance's disk, and work started outside
requests (CBR3xx). Source parsed with tree-sitter, YAML with PyYAML; the evidence and the rules
live in scaffolder/javasource/."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from scaffolder.findings import Finding
from scaffolder.javasource import background, config, listen, memory, processes, settings, state
from scaffolder.javasource.context import Startup, in_environment_branch
from scaffolder.javasource.files import MAX_BYTES, is_generated, is_service_folder, is_test_name
from scaffolder.source_hit import Hit
from scaffolder.javasource.javafile import JavaFile, name_of
from scaffolder.javasource.overrides import deployment
from scaffolder.javasource.settings import SpringEvidence
from scaffolder.javasource.values import Values
from scaffolder.project import Service, UnparsableFile

PARSE_ERROR = "CBR001"
CODES = (frozenset({PARSE_ERROR}) | listen.CODES | state.CODES | memory.CODES | background.CODES
         | processes.CODES | settings.CODES)

# A file with none of these can give no finding: it is not parsed at all. "HttpServer." and not
# "HttpServer": `HttpServer.create(addr)` is reported only when addr is a `new InetSocketAddress`
# of the same file (a needle itself), and a handler file that only names the type is common.
_NEEDLES = ("HttpServer.", "InetSocketAddress", "ServerSocket", "Javalin", "createHttpServer", "Undertow", "Server(",
            "ServerBootstrap", "port(", "ipAddress(", "setProperty(", "SpringApplication", "server.", "Files.",
            "FileWriter", "FileOutputStream", "PrintWriter", "PrintStream", "RandomAccessFile", "mkdir",
            "createNewFile", "transferTo", "ImageIO", "jdbc:", "Scheduled", "EnableScheduling", "schedule", "Thread",
            "submit(", "execute(", "runAsync", "start(", "Mapping", "@POST", "@PUT", "@PATCH", "@DELETE", "post(",
            "put(", "patch(", "delete(", "ProcessBuilder", "exec(")
# The same needles, grouped under a part they share: a group is tried only when the text has its
# part, so most files are scanned fewer times and the answer is the same.
_SHARED_PARTS = {"Server": ("HttpServer.", "ServerSocket", "createHttpServer", "Server(", "ServerBootstrap"),
                 "File": ("Files.", "FileWriter", "FileOutputStream", "RandomAccessFile", "createNewFile"),
                 "Print": ("PrintWriter", "PrintStream"),
                 "chedul": ("Scheduled", "EnableScheduling", "schedule"),
                 "@": ("@POST", "@PUT", "@PATCH", "@DELETE")}
_GROUPED = {needle for group in _SHARED_PARTS.values() for needle in group}
# "server." counts only with one of the words the rules read after it: Spring's "server.port" (and
# "server.address") in code, or a WebServerFactory customizer or setDefaultProperties call, whose
# imports have it (`...boot.web.server.`). Alone it is mostly a variable: `server.createContext(...)`.
_AFTER_SERVER = ("server.port", "server.address", "WebServerFactory", "setDefaultProperties")
_NEEDLE_GROUPS = (*_SHARED_PARTS.items(), *((needle, (needle,)) for needle in _NEEDLES if needle not in _GROUPED
                                          and needle != "server."), ("server.", _AFTER_SERVER))


def _checked_files(service: Service) -> tuple[list[Path], list[Path]]:
    """The service's own .java and application.* files (see files.py) of at most MAX_BYTES.
    Plain strings, not pathlib, in this loop: it runs for every file of the service. Every file
    kept is read here, so that a service whose files are all too large is left at once."""
    root = str(service.root)
    prefix = root if root.endswith(os.sep) else root + os.sep
    own_folders: dict[str, bool] = {}  # many files share a folder: judge each folder once
    sources, configs = [], []
    for path in service.files:
        full = str(path)
        cut = full.rfind(os.sep) + 1
        folder, name = full[:cut], full[cut:]
        is_java = name.endswith(".java") and name != ".java"  # Path.suffix == ".java"
        if not is_java and not config.is_settings_file(name):
            continue
        if folder not in own_folders:
            own_folders[folder] = is_service_folder(_relative_parts(folder, prefix))
        if own_folders[folder] and not is_test_name(name) and _within_limit(service, path):
            (sources if is_java else configs).append(path)
    return sources, configs


def _relative_parts(folder: str, prefix: str) -> list[str]:
    """The parts of a folder (written with a trailing separator) below the service root."""
    if not folder.startswith(prefix):
        return []  # outside the root: judged by its name alone
    return folder[len(prefix):].split(os.sep)[:-1]


def _within_limit(service: Service, path: Path) -> bool:
    """Whether the file has at most MAX_BYTES. Read now (it is checked next, and its text kept):
    the size comes from the open descriptor, without a stat first."""
    try:
        return service.read_text_within(path, MAX_BYTES) is not None
    except UnparsableFile:
        return True  # read_text reports what is wrong with it


def _may_report(text: str) -> bool:
    """The word gate: a file with none of _NEEDLES (and "server." only with _AFTER_SERVER) can give
    no finding, so it is not parsed; nor is a generated file."""
    for part, needles in _NEEDLE_GROUPS:  # plain loops: cheaper than any() over a generator
        if part in text:
            for needle in needles:
                if needle in text:
                    return not is_generated(text)
    return False


@dataclass
class _Gathered:
    """What the Java files say about the whole service, collected while each is checked."""

    spring: SpringEvidence = field(default_factory=lambda: SpringEvidence(run_calls=[]))
    enables_scheduling: bool = False  # @EnableScheduling: Spring's @Scheduled methods run


def check(service: Service) -> Iterable[Finding]:
    sources, configs = _checked_files(service)
    if not sources and not configs:
        return
    gathered = _Gathered()
    spring_scheduled: list[Finding] = []
    for path in sources:
        for finding, needs_enable in _check_file(service, path, gathered):
            if needs_enable:
                spring_scheduled.append(finding)
            else:
                yield finding
    if gathered.enables_scheduling:
        yield from spring_scheduled
    entries: list[config.Entry] = []
    for path in configs:
        try:
            entries += config.read(path, service.read_text(path))
        except UnparsableFile as error:
            yield Finding(PARSE_ERROR, error.message, str(error.path), error.line, error.column)
    deploy = partial(deployment, service)  # read (once per service) only if a setting needs it
    yield from settings.find(entries, deploy)
    yield from settings.default_port(service, entries, gathered.spring, deploy)


def _check_file(service: Service, path: Path, gathered: _Gathered) -> Iterator[tuple[Finding, bool]]:
    try:
        text = service.read_text(path)
    except UnparsableFile as error:
        yield Finding(PARSE_ERROR, error.message, str(error.path), error.line, error.column), False
        return
    if not _may_report(text):
        return
    file = JavaFile.parse(path, text)
    source = file.source
    if source.has_errors():
        error = source.first_error()
        line, column, _, _ = source.location(error) if error is not None else (1, 1, 1, 1)
        what = f"missing {error.type}" if error is not None and error.is_missing else "unexpected text"
        yield Finding(PARSE_ERROR, f"Java syntax error: {what}", str(path), line, column), False
        return
    _gather(file, gathered)
    values, startup = Values(file), Startup(file)
    hits: list[tuple[Hit, bool]] = []
    hits += [(hit, False) for hit in listen.find(file, values)]
    hits += [(hit, False) for hit in state.find(file, values)]
    hits += [(hit, False) for hit in memory.find(file, values)]
    hits += [(hit, False) for hit in background.find(file, values, startup)]
    hits += [(hit, False) for hit in processes.find(file, values, startup)]
    hits += list(background.scheduled(file, values, startup))
    seen: set[tuple] = set()
    for hit, needs_enable in hits:
        if in_environment_branch(file, hit.context or hit.node):
            continue
        line, column, end_line, end_column = source.location(hit.node)
        key = (hit.code, line, column)
        if key not in seen:
            seen.add(key)
            yield Finding(hit.code, hit.message, str(path), line, column, end_line, end_column, fix=hit.fix), \
                needs_enable


def _gather(file: JavaFile, gathered: _Gathered) -> None:
    evidence = gathered.spring
    gathered.enables_scheduling = gathered.enables_scheduling or background.enables_scheduling(file)
    if file.markers or any(file.text(node) == "server.port" for node in file.settings) or any(
            name_of(call, file) == "setDefaultProperties" for call in file.invocations):
        evidence.sets_port_in_code = True
    boot = any(file.text(annotation.child_by_field_name("name")).rsplit(".", 1)[-1] == "SpringBootApplication"
               for annotation in file.annotations)
    if not boot:
        return
    for call in file.invocations:
        owner = call.child_by_field_name("object")
        if name_of(call, file) == "run" and owner is not None and file.text(owner) == "SpringApplication":
            line, column, _, _ = file.source.location(call)
            evidence.run_calls.append((str(file.path), line, column))
