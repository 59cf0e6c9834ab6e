"""Java: the port and host a server listens on (CBR2xx) in code and in application.properties /
application.yml, files and embedded databases on the instance's disk, and work started outside
requests (CBR3xx). Source parsed with tree-sitter, YAML with PyYAML; the evidence and the rules
live in scaffolder/javasource/."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from scaffolder.findings import Finding
from scaffolder.javasource import background, config, listen, memory, processes, settings, state
from scaffolder.javasource.context import Startup, in_environment_branch
from scaffolder.javasource.files import MAX_BYTES, is_generated, is_service_file
from scaffolder.source_hit import Hit
from scaffolder.javasource.javafile import JavaFile, name_of
from scaffolder.javasource.overrides import deployment
from scaffolder.javasource.settings import SpringEvidence
from scaffolder.javasource.values import Values
from scaffolder.project import Service, UnparsableFile

PARSE_ERROR = "CBR001"
CODES = (frozenset({PARSE_ERROR}) | listen.CODES | state.CODES | memory.CODES | background.CODES
         | processes.CODES | settings.CODES)

# A file with none of these can give no finding: it is not parsed at all.
_NEEDLES = ("HttpServer", "InetSocketAddress", "ServerSocket", "Javalin", "createHttpServer", "Undertow", "Server(",
            "ServerBootstrap", "port(", "ipAddress(", "setProperty(", "SpringApplication", "server.", "Files.",
            "FileWriter", "FileOutputStream", "PrintWriter", "PrintStream", "RandomAccessFile", "mkdir",
            "createNewFile", "transferTo", "ImageIO", "jdbc:", "Scheduled", "EnableScheduling", "schedule", "Thread",
            "submit(", "execute(", "runAsync", "start(", "Mapping", "@POST", "@PUT", "@PATCH", "@DELETE", "post(",
            "put(", "patch(", "delete(", "ProcessBuilder", "exec(")


def _relative(path: Path, root: Path) -> PurePosixPath:
    try:
        return PurePosixPath(path.relative_to(root).as_posix())
    except ValueError:
        return PurePosixPath(path.name)


def _small(path: Path) -> bool:
    try:
        return path.stat().st_size <= MAX_BYTES
    except OSError:
        return True  # read_text reports what is wrong with it


@dataclass
class _Gathered:
    """What the Java files say about the whole service, collected while each is checked."""

    spring: SpringEvidence = field(default_factory=lambda: SpringEvidence(run_calls=[]))
    enables_scheduling: bool = False  # @EnableScheduling: Spring's @Scheduled methods run


def check(service: Service) -> Iterable[Finding]:
    sources, configs = [], []
    for path in service.files:
        if path.suffix == ".java" or config.is_settings_file(path.name):
            if is_service_file(_relative(path, service.root)) and _small(path):
                (sources if path.suffix == ".java" else configs).append(path)
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
    deploy = deployment(service)
    yield from settings.find(entries, deploy)
    yield from settings.default_port(service, entries, gathered.spring, deploy)


def _check_file(service: Service, path: Path, gathered: _Gathered) -> Iterator[tuple[Finding, bool]]:
    try:
        text = service.read_text(path)
    except UnparsableFile as error:
        yield Finding(PARSE_ERROR, error.message, str(error.path), error.line, error.column), False
        return
    if not any(needle in text for needle in _NEEDLES) or is_generated(text):
        return
    file = JavaFile.parse(path, _relative(path, service.root), text)
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
