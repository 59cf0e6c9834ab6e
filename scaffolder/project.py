"""What a folder is: the CloudBase Run services under it, each one's mode, files and languages."""

from __future__ import annotations

import json
import stat
import os
from pathlib import Path

FUNCTIONS_FRAMEWORK = "@cloudbase/functions-framework"
AGENT_FRAMEWORK = "@cloudbase/aiagent-framework"

# Never part of a service's source: tool caches, environments, dependencies, VCS data.
SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox",
     ".mypy_cache", ".pytest_cache", ".ruff_cache", ".scaffolder_cache", ".idea", ".vscode"}
)

LANGUAGE_BY_SUFFIX = {
    ".py": "python",
    ".js": "node", ".mjs": "node", ".cjs": "node", ".ts": "node", ".mts": "node", ".cts": "node",
    ".go": "go",
    ".java": "java",
}


def suffix_of(name: str) -> str:
    """A file name's suffix as pathlib gives it (`.js`; "" for `.eslintrc`, `a.` or `www`), without
    building a path object: the checks ask this for every file of a service."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def stem_of(name: str) -> str:
    """A file name without its suffix, as pathlib's stem has it (`.env` and `a.` keep theirs)."""
    return name[:len(name) - len(suffix_of(name))]


MAX_TEXT_BYTES = 16 * 2**20  # no service file a rule reads is this large; a model or dump is not read


class UnparsableFile(Exception):
    """A file a check needs could not be read or parsed; the engine reports it as CBR001."""

    def __init__(self, path: Path, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.path, self.message, self.line, self.column = path, message, line, column

    def __reduce__(self):  # a Service that memoised one must still pickle to a worker
        return type(self), (self.path, self.message, self.line, self.column)


def _package_mode(package: dict) -> str | None:
    dependencies: dict = {}
    for key in ("dependencies", "devDependencies", "peerDependencies"):
        value = package.get(key)
        if isinstance(value, dict):
            dependencies.update(value)
    if AGENT_FRAMEWORK in dependencies:
        return "agent"
    if FUNCTIONS_FRAMEWORK in dependencies:
        return "function"
    return None


def _read_package_mode(path: str) -> str | None:
    try:
        package = json.loads(_read_regular_file(path)[0])  # never blocks on a FIFO named package.json
    except (OSError, ValueError, UnparsableFile):
        return None
    return _package_mode(package) if isinstance(package, dict) else None


def is_service_root(directory: Path | str, names: set[str] | None = None) -> bool:
    if names is None:
        try:
            names = set(os.listdir(directory))
        except OSError:
            return False
    if "Dockerfile" in names or "cloudbaserc.json" in names:
        return True
    return "package.json" in names and _read_package_mode(os.path.join(directory, "package.json")) is not None


class Service:
    """One deployable service: a folder and the files that belong to it (not to a nested service).

    Discovery gives the files as path strings; the Path objects are made on first use, in the
    process that checks the service (on a corpus, making them all in the main process before the
    workers start cost more than the walk itself)."""

    def __init__(self, root: Path, files: list[Path] | None = None, config_file: Path | None = None,
                 file_paths: list[str] | None = None):
        self.root = root
        self.config_file = config_file  # --config: a standalone serverConfig overriding cloudbaserc.json
        self._files = files
        self._file_paths = file_paths if file_paths is not None else [str(path) for path in files]
        self._text_cache: dict = {}  # path -> text
        self._sizes: dict = {}  # path -> size in bytes, of each file opened
        self._json_cache: dict = {}  # path -> parsed JSON; memo keys -> evidence

    def __repr__(self) -> str:
        return f"Service(root={str(self.root)!r}, {self.file_count} files)"

    @property
    def files(self) -> list[Path]:
        if self._files is None:
            self._files = [Path(path) for path in self._file_paths]
        return self._files

    @property
    def file_count(self) -> int:
        return len(self._file_paths)

    @property
    def file_names(self) -> list[str]:
        """The files' base names, without making Paths."""
        return [path.rpartition(os.sep)[2] for path in self._file_paths]

    def memo(self, key: str, compute):
        """Evidence parsed once per service and shared by the checks (a Dockerfile, serverConfig)."""
        if key not in self._json_cache:
            self._json_cache[key] = compute()
        return self._json_cache[key]

    # ---- files -------------------------------------------------------------------------------
    def path(self, name: str) -> Path:
        return self.root / name

    def has(self, name: str) -> bool:
        """Whether the service has a file `name` (a relative POSIX path such as `src/index.js`)."""
        if name.startswith("/"):
            return False
        if "/" in name:
            return os.path.join(self.root, *name.split("/")) in self._own_paths()
        return name in self.memo("root_names", self._root_names)

    def relative(self, path: Path) -> str:
        """`path` from the service root, "/" between folders; its name when it is outside the root.
        By slicing strings: pathlib's relative_to costs more than the checks of most files."""
        text = str(path)
        prefix = os.path.join(self.root, "")
        if text.startswith(prefix):
            return text[len(prefix):].replace(os.sep, "/")
        return os.path.basename(text)

    def _own_paths(self) -> set[str]:
        return self.memo("own_paths", lambda: set(self._file_paths))

    def _root_names(self) -> set[str]:
        """The names of the files directly in the root folder, compared as strings: hashing Paths
        is slow."""
        prefix = os.path.join(self.root, "")  # with one final separator, also for "/"
        return {path[len(prefix):] for path in self._file_paths
                if path.startswith(prefix) and os.sep not in path[len(prefix):]}

    def files_with_suffix(self, *suffixes: str) -> list[Path]:
        """The files whose suffix (as pathlib has it) is one of `suffixes`: Paths made only for them."""
        return [Path(path) for path in self._file_paths if suffix_of(path.rpartition(os.sep)[2]) in suffixes]

    def read_text(self, path: Path) -> str:
        if path not in self._text_cache:
            self._load(path)
        return self._text_cache[path]

    def read_text_within(self, path: Path, max_bytes: int) -> str | None:
        """Like read_text, but None, without reading it, for a file of more than `max_bytes` (a
        check's own limit): the size comes from the open descriptor, so there is no stat first."""
        if path in self._text_cache:
            return self._text_cache[path] if self._sizes[path] <= max_bytes else None
        if self._sizes.get(path, 0) > max_bytes:
            return None  # opened before, and too large
        self._load(path, max_bytes)
        return self._text_cache.get(path)  # None when over the limit

    def size_of(self, path: Path) -> int | None:
        """The size in bytes of a file read_text or read_text_within has opened."""
        return self._sizes.get(path)

    def _load(self, path: Path, skip_above: int | None = None) -> None:
        try:
            data, self._sizes[path] = _read_regular_file(path, skip_above)
        except OSError as error:
            raise UnparsableFile(path, f"cannot read file: {error.strerror or error}") from None
        if data is None:
            return  # over skip_above: left unread
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise UnparsableFile(path, f"file is not UTF-8 text ({error.reason} at byte {error.start})") from None
        # a byte-order mark is dropped, as the utf-8-sig codec would (which decodes slower)
        self._text_cache[path] = text[1:] if text.startswith("\ufeff") else text

    def read_files(self) -> list[Path]:
        """The service's own files that have been read (only those can hold a suppression that
        matters); compared as strings, which hash faster than Paths."""
        own = self._own_paths()
        return [path for path in self._text_cache if str(path) in own]

    def owns(self, path: Path) -> bool:
        """Whether `path` is one of the service's files (not a nested service's, nor outside it)."""
        return str(path) in self._own_paths()

    def is_cached(self, path: Path) -> bool:
        """Whether a check has already read this file."""
        return path in self._text_cache

    def read_json(self, path: Path):
        if path not in self._json_cache:
            text = self.read_text(path)
            try:
                self._json_cache[path] = json.loads(text)
            except json.JSONDecodeError as error:
                raise UnparsableFile(path, f"invalid JSON: {error.msg}", error.lineno, error.colno) from None
            except RecursionError:
                raise UnparsableFile(path, "JSON nested too deeply to read") from None
        return self._json_cache[path]

    # ---- what kind of service ----------------------------------------------------------------
    @property
    def package_json(self) -> Path | None:
        return self._root_file("package.json")

    @property
    def cloudbaserc(self) -> Path | None:
        return self._root_file("cloudbaserc.json")

    @property
    def dockerfile(self) -> Path | None:
        """The Dockerfile at the root (serverConfig may name another: dockerfile_model)."""
        return self._root_file("Dockerfile")

    def _root_file(self, name: str) -> Path | None:
        """The file `name` at the root, or None; the Path is made once (the checks ask many times)."""
        return self.memo(f"root file {name}", lambda: self.root / name if self.has(name) else None)

    @property
    def mode(self) -> str:
        return self.memo("mode", self._detect_mode)

    def _detect_mode(self) -> str:
        path = self.package_json
        if path is None:
            return "container"
        try:
            package = self.read_json(path)
        except UnparsableFile:
            return "container"
        return (_package_mode(package) if isinstance(package, dict) else None) or "container"

    @property
    def is_function_like(self) -> bool:
        return self.mode in ("function", "agent")

    @property
    def languages(self) -> set[str]:
        return {LANGUAGE_BY_SUFFIX[path.suffix] for path in self.files if path.suffix in LANGUAGE_BY_SUFFIX}


def _read_regular_file(path: Path | str, skip_above: int | None = None) -> tuple[bytes | None, int]:
    """(bytes, size) of a regular file of at most MAX_TEXT_BYTES; (None, size) when it is larger
    than `skip_above`. Opened without blocking and checked on the open descriptor (one system call
    fewer than stat then open): a FIFO would otherwise block the run, and /dev/zero never end. Read
    with os.read, not a file object: half the cost per file."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise UnparsableFile(path, "not a regular file")
        if skip_above is not None and info.st_size > skip_above:
            return None, info.st_size
        if info.st_size > MAX_TEXT_BYTES:
            raise UnparsableFile(path, f"file is too large to check ({info.st_size // 2**20} MiB; "
                                       f"the limit is {MAX_TEXT_BYTES // 2**20} MiB)")
        data = os.read(descriptor, info.st_size + 1)  # normally the whole file, in one read
        if len(data) == info.st_size:
            return data, info.st_size
        parts = [data]  # a read may return less (FUSE, network file systems), or the file grew
        while data:
            data = os.read(descriptor, 1 << 20)
            parts.append(data)
        data = b"".join(parts)
        return data, len(data)
    finally:
        os.close(descriptor)


def _walk(top: str):
    """os.walk's top-down walk, with the skipped folders left out and subfolders in name order;
    yields (folder, subfolder names, file names) as strings, and a caller may prune a folder by
    clearing its subfolder list. Written on os.scandir rather than os.walk because os.walk stats
    every subfolder again to find symlinks, which the scandir entry already knows. As in os.walk,
    a symlink to a folder is neither walked nor a file."""
    pending = [top]
    while pending:
        directory = pending.pop()
        subdirs, names = [], []
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    try:
                        is_dir = entry.is_dir()
                    except OSError:
                        is_dir = False
                    if not is_dir:
                        names.append(entry.name)
                    elif entry.name not in SKIPPED_DIRS and not entry.is_symlink():
                        subdirs.append(entry.name)
        except OSError:
            continue
        subdirs.sort()
        names.sort()
        yield directory, subdirs, names
        pending.extend(os.path.join(directory, name) for name in reversed(subdirs))


def discover_services(paths: list[Path], config_file: Path | None = None) -> list[Service]:
    """The services under `paths`. A folder with no service marker inside is linted as one service;
    a file stands for the service that holds it, and a file that no service holds is skipped."""
    services: dict[Path, Service] = {}
    roots_of_folders: dict[Path, Path | None] = {}  # many staged files share folders: look each up once
    for given in paths:
        given = given.resolve()
        if given.is_file():
            if given.parent not in roots_of_folders:
                roots_of_folders[given.parent] = _enclosing_root(given.parent)
            root = roots_of_folders[given.parent]
            if root is None:
                continue
            if root not in services:
                services[root] = Service(root, file_paths=_service_files(root), config_file=config_file)
            continue
        found = _services_under(given, config_file)
        if not found:
            found = [Service(given, file_paths=_service_files(given), config_file=config_file)]
        for service in found:
            services.setdefault(service.root, service)
    return [services[root] for root in sorted(services)]


def _enclosing_root(directory: Path) -> Path | None:
    """The service folder at or above `directory`, looking no higher than the repository's top (the
    folder holding .git), so that a Dockerfile above the repository never claims its files; None when
    no service holds it (a staged file outside every service: nothing to lint)."""
    for candidate in (directory, *directory.parents):
        if is_service_root(candidate):
            return candidate
        if (candidate / ".git").exists():
            return None
    return None


def _services_under(top: Path, config_file: Path | None) -> list[Service]:
    # The walk is top-down, so a folder's owner is itself when it is a root, else its parent's
    # owner. Folders are kept as strings here: pathlib objects cost more than the walk itself.
    owner_of: dict[str, str | None] = {}
    files_by_root: dict[str, list[str]] = {}
    join = os.path.join
    for directory, _subdirs, names in _walk(str(top)):
        if is_service_root(directory, set(names)):
            owner = directory
            files_by_root[owner] = []
        else:
            owner = owner_of.get(os.path.dirname(directory))
        owner_of[directory] = owner
        if owner is not None:
            files_by_root[owner].extend([join(directory, name) for name in names])
    return [Service(Path(root), file_paths=files, config_file=config_file) for root, files in files_by_root.items()]


def _service_files(root: Path) -> list[str]:
    """Every file of the service at `root`, as path strings, leaving out nested services."""
    files: list[str] = []
    top = str(root)
    for directory, subdirs, names in _walk(top):
        if directory != top and is_service_root(directory, set(names)):
            subdirs.clear()
            continue
        files.extend([os.path.join(directory, name) for name in names])
    return files
