"""Go source: the address a server listens on (CBR2xx), files and SQLite databases on the
instance's disk and work started outside requests (CBR3xx). Parsed with tree-sitter; the evidence
and the rules live in scaffolder/gosource/."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

from scaffolder.findings import Finding
from scaffolder.gosource import background, listen, memory, processes, sessions, state
from scaffolder.gosource.context import Startup, in_environment_branch
from scaffolder.gosource.files import MAX_BYTES, built_commands, is_generated_or_ignored, is_service_code
from scaffolder.gosource.gofile import GoFile
from scaffolder.source_hit import Hit
from scaffolder.gosource.package import Package
from scaffolder.gosource.values import Values
from scaffolder.project import Service, UnparsableFile

PARSE_ERROR = "CBR001"
CODES = (frozenset({PARSE_ERROR}) | listen.CODES | state.CODES | sessions.CODES | memory.CODES
         | background.CODES | processes.CODES)

# A file with none of these can give no finding: it is not parsed at all (unless another file of
# its package needs a name it declares).
_NEEDLES = ("Listen", "Run(", "RunTLS(", "Start(", "StartTLS(", "StartAsync(", "StartBlocking(", "WithHostPorts",
            "Addr(", "Create(", "WriteFile(", "OpenFile(", "Mkdir", "Rename(", "SaveUploadedFile(", "SaveFile(",
            "sqlite", "\tgo ", " go ", "AfterFunc(", "append(", "] =", "]++", ".Store(",
            "NewStore(", "NewFilesystemStore(", "scs.New(", "session.New(")


class _Loader:
    """Parses each Go file of the service at most once, on demand."""

    def __init__(self, service: Service, relatives: dict[Path, PurePosixPath]):
        self.service = service
        self.relatives = relatives
        self.parsed: dict[Path, GoFile | None] = {}

    def text(self, path: Path) -> str | None:
        try:
            if path.stat().st_size > MAX_BYTES:
                return None
        except OSError:
            return None
        return self.service.read_text(path)  # raises UnparsableFile: the caller reports it

    def load(self, path: Path) -> GoFile | None:
        if path not in self.parsed:
            try:
                text = self.text(path)
            except UnparsableFile:
                text = None
            if text is None or is_generated_or_ignored(text):
                self.parsed[path] = None
            else:
                self.parsed[path] = GoFile.parse(path, self.relatives[path], text)
        return self.parsed[path]


def _relative(path: Path, root: Path) -> PurePosixPath:
    try:
        return PurePosixPath(path.relative_to(root).as_posix())
    except ValueError:
        return PurePosixPath(path.name)


def check(service: Service) -> Iterable[Finding]:
    paths = service.files_with_suffix(".go")
    if not paths:
        return
    built = service.memo("go_source.built_commands", lambda: built_commands(service))
    relatives = {path: _relative(path, service.root) for path in paths}
    service_code = [path for path in paths if is_service_code(relatives[path], built)]
    loader = _Loader(service, relatives)
    by_folder: dict[Path, list[Path]] = {}
    for path in service_code:
        by_folder.setdefault(path.parent, []).append(path)
    packages: dict[Path, tuple[Package, Values, Startup]] = {}
    for path in service_code:
        if path.parent not in packages:
            package = Package(by_folder[path.parent], loader.load)
            packages[path.parent] = (package, Values(package), Startup(package))
        yield from _check_file(service, loader, path, *packages[path.parent])


def _check_file(service: Service, loader: _Loader, path: Path, package: Package, values: Values,
                startup: Startup) -> Iterator[Finding]:
    try:
        text = loader.text(path)
    except UnparsableFile as error:
        yield Finding(PARSE_ERROR, error.message, str(error.path), error.line, error.column)
        return
    if text is None or not any(needle in text for needle in _NEEDLES):
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
    hits: list[Hit] = []
    if not service.is_function_like:  # function mode listens where the framework says
        hits += listen.find(file, values)
    hits += state.find(file, values)
    hits += sessions.find(file)
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
