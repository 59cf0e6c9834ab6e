"""A per-service cache of lint results, keyed by everything that can change them.

The key of a service is a hash of
- the tool itself: scaffolder's version and the size and mtime of every file of the installed
  package and rule catalog (so an edited rule or a reinstall invalidates everything),
- the run: the settings, the `--config` file's content, the report root (paths are stored relative
  to it) and whether hadolint runs, with the hadolint binary and the project's .hadolint.yaml,
- the service: its root and the relative path and content hash of each of its files.

One cache file per service root (named by a hash of the root and the run), replaced atomically, so
concurrent runs never read a half-written entry: the last writer wins. A missing, unreadable or
corrupt entry is a miss. The folder marks itself as a cache (CACHEDIR.TAG) and ignores itself in
git (.gitignore containing `*`).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
from dataclasses import asdict
from functools import cache
from pathlib import Path

from scaffolder import __version__
from scaffolder.findings import Finding, Fix, Severity

DEFAULT_FOLDER = ".scaffolder_cache"
FOLDER_VARIABLE = "SCAFFOLDER_CACHE_DIR"
FORMAT = "v1"
_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
        "# This file is a cache directory tag created by scaffolder.\n"
        "# For information about cache directory tags see https://bford.info/cachedir/\n")


def foreign_folder(folder: Path) -> bool:
    """A folder that holds other things than a scaffolder cache: the cache will not write into it
    (its CACHEDIR.TAG and `*` .gitignore would hide a project from backups and git)."""
    try:
        return folder.is_dir() and any(folder.iterdir()) and not (folder / "CACHEDIR.TAG").is_file()
    except OSError:
        return True


def default_folder(cwd: Path) -> Path:
    override = os.environ.get(FOLDER_VARIABLE)
    return Path(override) if override else cwd / DEFAULT_FOLDER


@cache
def tool_fingerprint() -> str:
    """scaffolder's version plus the size and mtime of its code and rules: cheap (stat only)."""
    from scaffolder.resources import rules_dir

    digest = hashlib.blake2b(__version__.encode(), digest_size=16)
    for top in (Path(__file__).parent, rules_dir()):
        for path in sorted(top.rglob("*")):
            if path.suffix in (".py", ".md") and "__pycache__" not in path.parts:
                info = path.stat()
                digest.update(_bytes(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\n"))
    return digest.hexdigest()


HASHED_UP_TO = 2**20  # larger files (models, dumps) are keyed by size and mtime, not read


def file_digest(path: Path) -> str:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block, /dev/zero never end
            return f"special:{stat.S_IFMT(info.st_mode)}"
        if info.st_size > HASHED_UP_TO:
            return f"large:{info.st_size}:{info.st_mtime_ns}"
        return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    except OSError as error:  # unreadable: the checks will say so; key on the error
        return f"error:{error.errno}"


class ResultCache:
    def __init__(self, folder: Path, run_key: str):
        self.folder = folder / FORMAT
        self.run_key = run_key
        self.usable = True

    # ---- keys ------------------------------------------------------------------------------------
    def service_key(self, root: Path, files: list[Path], extra: str = "") -> str:
        digest = hashlib.blake2b(_bytes(f"{self.run_key}\0{root}\0{extra}\n"), digest_size=20)
        for path in files:
            digest.update(_bytes(f"{path}\0{file_digest(path)}\n"))
        return digest.hexdigest()

    def _entry(self, root: Path) -> Path:
        name = hashlib.blake2b(_bytes(f"{self.run_key}\0{root}"), digest_size=16).hexdigest()
        return self.folder / name[:2] / f"{name}.json"

    # ---- reading and writing ---------------------------------------------------------------------
    def get(self, root: Path, key: str) -> list[Finding] | None:
        try:
            data = json.loads(self._entry(root).read_text(encoding="utf-8"))
            if data.get("key") != key:
                return None
            return [_finding_from(item) for item in data["findings"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, root: Path, key: str, findings: list[Finding]) -> None:
        if not self.usable:
            return
        entry = self._entry(root)
        try:
            self._prepare(entry.parent)
            payload = json.dumps({"key": key, "findings": [_finding_to(f) for f in findings]}, ensure_ascii=False)
            handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=entry.parent)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    stream.write(payload)
                os.replace(temporary, entry)
            except BaseException:
                if os.path.exists(temporary):
                    os.unlink(temporary)
                raise
        except OSError:
            self.usable = False  # a read-only checkout: lint without a cache rather than fail

    def _prepare(self, directory: Path) -> None:
        if directory.is_dir():
            return
        top = self.folder.parent
        top.mkdir(parents=True, exist_ok=True)
        for name, text in (("CACHEDIR.TAG", _TAG), (".gitignore", "# created by scaffolder\n*\n")):
            marker = top / name
            if not marker.exists():
                marker.write_text(text, encoding="utf-8")
        directory.mkdir(parents=True, exist_ok=True)


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")  # file names need not be UTF-8


def run_key(*parts: object) -> str:
    digest = hashlib.blake2b(tool_fingerprint().encode(), digest_size=20)
    for part in parts:
        digest.update(_bytes(repr(part)))
        digest.update(b"\0")
    return digest.hexdigest()


def _finding_to(finding: Finding) -> dict:
    data = finding._asdict()
    data["fix"] = asdict(finding.fix) if finding.fix else None
    data["severity"] = finding.severity.value if finding.severity else None
    return data


def _finding_from(data: dict) -> Finding:
    fix = data.get("fix")
    severity = data.get("severity")
    return Finding(**{**data, "fix": Fix(**fix) if fix else None,
                      "severity": Severity(severity) if severity else None})
