"""Go source: the address a server listens on (CBR2xx), files and SQLite databases on the
instance's disk and work started outside requests (CBR3xx). Parsed with tree-sitter; the evidence
and the rules live in scaffolder/gosource/."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from functools import cached_property
from pathlib import Path, PurePosixPath

from scaffolder.findings import Finding
from scaffolder.gosource import background, listen, memory, processes, sessions, state
from scaffolder.gosource.context import Startup, in_environment_branch
from scaffolder.gosource.files import (MAX_BYTES, WholeWords, built_commands, is_generated_or_ignored,
                                       is_service_code)
from scaffolder.gosource.gofile import CALL_NAMES, GoFile
from scaffolder.source_hit import Hit
from scaffolder.gosource.package import Package
from scaffolder.gosource.values import Values
from scaffolder.project import Service, UnparsableFile

PARSE_ERROR = "CBR001"
CODES = (frozenset({PARSE_ERROR}) | listen.CODES | state.CODES | sessions.CODES | memory.CODES
         | background.CODES | processes.CODES)

# A file with none of these can give no finding: it is not parsed at all (unless another file of
# its package needs a name it declares). The commonest come first, since most files have one of
# them and the search stops at the first found.
_NEEDLES = ("append(", "] =", "\tgo ", " go ", "]++", "Listen", "Run(", "RunTLS(", "Start(", "StartTLS(",
            "StartAsync(", "StartBlocking(", "WithHostPorts", "Addr(", "Create(", "WriteFile(", "OpenFile(", "Mkdir",
            "Rename(", "SaveUploadedFile(", "SaveFile(", "sqlite", "AfterFunc(", ".Store(", "NewStore(",
            "NewFilesystemStore(", "scs.New(", "session.New(")

# Every rule but CBR304 starts from a `go` statement or a call named in CALL_NAMES other than a
# route registration (GoFile.calls): a file without one of these words can give only CBR304.
# Needles like "append(" and "] =" are there for CBR304 alone and are common in any code.
_OTHER_RULES = WholeWords({"go"} | (CALL_NAMES - memory.REGISTRATION_NAMES))


class _Loader:
    """Reads and parses each Go file of the service at most once, on demand."""

    def __init__(self, service: Service, relatives: dict[Path, str]):
        self.service = service
        self.relatives = relatives
        self.parsed: dict[Path, GoFile | None] = {}

    def text(self, path: Path) -> str | None:
        """The file's text (the service keeps it), None when over MAX_BYTES; raises UnparsableFile,
        which the caller reports."""
        return self.service.read_text_within(path, MAX_BYTES)

    def load(self, path: Path) -> GoFile | None:
        if path not in self.parsed:
            try:
                text = self.text(path)
            except UnparsableFile:
                text = None
            if text is None or is_generated_or_ignored(text):
                self.parsed[path] = None
            else:
                self.parsed[path] = GoFile.parse(path, PurePosixPath(self.relatives[path]), text)
        return self.parsed[path]


def _built_commands(service: Service, relatives: Iterable[str]) -> frozenset[str] | None:
    """The commands under cmd/ the Dockerfile builds. is_service_code asks only about files in
    cmd/<name>/, so without such files the Dockerfile is not parsed for it."""
    if not any(relative.startswith("cmd/") and relative.count("/") >= 2 for relative in relatives):
        return None
    return service.memo("go_source.built_commands", lambda: built_commands(service))


class _Folder:
    """One folder of service code: its Go package and what the rules know about it."""

    def __init__(self, paths: list[Path], loader: _Loader):
        self.paths = paths
        self.loader = loader
        self.package = Package(paths, loader.load)
        self.values = Values(self.package)
        self.startup = Startup(self.package)

    @cached_property
    def may_store(self) -> bool:
        """Whether CBR304 can report anything in this package (decided on the text alone)."""
        return memory.may_report(self._texts())

    def _texts(self) -> Iterator[str]:
        for path in self.paths:
            try:
                text = self.loader.text(path)
            except UnparsableFile:
                continue  # never loaded, so no part of the package (the file's own check reports it)
            if text is not None:
                yield text

    def may_report(self, text: str) -> bool:
        """A cheap test on the text before parsing: False only when no rule can report in the file.
        Most files have a needle ("append(", "] ="), but only CBR304 looks for those."""
        if not any(needle in text for needle in _NEEDLES):
            return False
        return _OTHER_RULES.found_in(text) or self.may_store


def check(service: Service) -> Iterable[Finding]:
    paths = service.files_with_suffix(".go")
    if not paths:
        return
    relatives = {path: service.relative(path) for path in paths}
    built = _built_commands(service, relatives.values())
    loader = _Loader(service, relatives)
    service_code: list[tuple[Path, str]] = []  # each file with its folder (dirname once per file)
    by_folder: dict[str, list[Path]] = {}
    for path, relative in relatives.items():
        if is_service_code(relative, built):
            parent = os.path.dirname(path)
            by_folder.setdefault(parent, []).append(path)
            service_code.append((path, parent))
    folders = {parent: _Folder(folder_paths, loader) for parent, folder_paths in by_folder.items()}
    for path, parent in service_code:
        yield from _check_file(service, loader, path, folders[parent])


def _check_file(service: Service, loader: _Loader, path: Path, folder: _Folder) -> Iterator[Finding]:
    try:
        text = loader.text(path)
    except UnparsableFile as error:
        yield Finding(PARSE_ERROR, error.message, str(error.path), error.line, error.column)
        return
    if text is None or not folder.may_report(text):
        return
    file = loader.load(path)
    if file is None:
        return
    source = file.source
    if source.has_errors():
        error = source.first_error()
        line, column, _, _ = source.location(error) if error is not None else (1, 1, 1, 1)
        what = f"missing {error.type}" if error is not None and error.is_missing else "unexpected text"
        yield Finding(PARSE_ERROR, f"Go syntax error: {what}", str(path), line, column)
        return
    package, values, startup = folder.package, folder.values, folder.startup
    hits: list[Hit] = []
    if not service.is_function_like:  # function mode listens where the framework says
        hits += listen.find(file, values)
    hits += state.find(file, values)
    hits += sessions.find(file)
    if folder.may_store:  # else no container or no route in the package: skip parsing the rest of it
        hits += memory.find(file, package, values)
    hits += background.find(file, package, values, startup)
    hits += processes.find(file, values, startup)
    seen: set[tuple] = set()
    for hit in hits:
        if in_environment_branch(file, hit.context or hit.node):
            continue
        line, column, end_line, end_column = source.location(hit.node)
        key = (hit.code, line, column)
        if key not in seen:
            seen.add(key)
            yield Finding(hit.code, hit.message, str(path), line, column, end_line, end_column, fix=hit.fix)
