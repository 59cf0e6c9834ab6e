"""What git tracks, read from the repository's index file (`.git/index`) without running git.

Index versions 2, 3 and 4 are read (4 compresses each path against the previous one). An unknown
version or a damaged file gives None: the caller then knows nothing (with a split index only the
entries of the main file are seen, so fewer paths, never wrong ones). The paths
containing a `node_modules/` component are kept per index file (and its size and modification
time), so a monorepo's index is read once per process.
"""

from __future__ import annotations

import errno
import os
import stat
import struct
from functools import lru_cache
from pathlib import Path

_HEADER = struct.Struct(">4sLL")
_ENTRY_FIXED = 62  # ctime, mtime, dev, ino, mode, uid, gid, size (40 bytes), sha-1 (20), flags (2)


def find_repository(start: Path) -> tuple[Path, Path] | None:
    """(work tree, git dir) of the repository holding `start`, or None."""
    directory = str(start)  # plain strings and one stat() a folder: this runs for every Node.js service
    while True:
        dot_git = os.path.join(directory, ".git")
        mode = _mode(dot_git)
        if stat.S_ISDIR(mode):
            return Path(directory), Path(dot_git)
        if stat.S_ISREG(mode):  # a worktree or submodule: "gitdir: <path>"
            try:
                with open(dot_git, encoding="utf-8", errors="replace") as handle:
                    text = handle.read().strip()
            except OSError:
                return None
            if text.startswith("gitdir:"):
                git_dir = Path(text[len("gitdir:"):].strip())
                return Path(directory), git_dir if git_dir.is_absolute() else (Path(directory) / git_dir)
            return None
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _mode(path: str) -> int:
    """The file mode, 0 when nothing is there (the errors pathlib's is_dir() and is_file() take as
    "no": a missing file or folder, a symlink loop)."""
    try:
        return os.stat(path).st_mode
    except OSError as error:
        if error.errno in _MISSING:
            return 0
        raise
    except ValueError:  # an embedded NUL
        return 0


_MISSING = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP})


def tracked_node_modules(index: Path) -> tuple[str, ...] | None:
    """Tracked paths with a `node_modules/` component, or None when the index cannot be read."""
    try:
        info = index.stat()
    except OSError:
        return None
    return _read(str(index), info.st_size, info.st_mtime_ns)


@lru_cache(maxsize=16)
def _read(index: str, size: int, mtime: int) -> tuple[str, ...] | None:
    try:
        with open(index, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    try:
        return tuple(path for path in _paths(data) if path.startswith("node_modules/") or "/node_modules/" in path)
    except (struct.error, ValueError, IndexError, UnicodeDecodeError):
        return None


def _paths(data: bytes):
    signature, version, count = _HEADER.unpack_from(data, 0)
    if signature != b"DIRC" or version not in (2, 3, 4):
        raise ValueError("not a git index this reader knows")
    offset = _HEADER.size
    previous = b""
    for _ in range(count):
        flags = struct.unpack_from(">H", data, offset + 60)[0]
        header = _ENTRY_FIXED + (2 if version >= 3 and flags & 0x4000 else 0)
        start = offset + header
        if version == 4:
            strip, start = _varint(data, start)
            end = data.index(b"\0", start)
            name = previous[: len(previous) - strip] + data[start:end]
            offset = end + 1
        else:
            end = data.index(b"\0", start)
            name = data[start:end]
            offset += (header + len(name) + 8) & ~7  # NUL-padded to a multiple of 8
        previous = name
        yield os.fsdecode(name)


def _varint(data: bytes, offset: int) -> tuple[int, int]:
    """git's offset encoding: 7 bits a byte, high bit set while more bytes follow, +1 per extra byte."""
    byte = data[offset]
    value = byte & 0x7F
    offset += 1
    while byte & 0x80:
        byte = data[offset]
        offset += 1
        value = ((value + 1) << 7) | (byte & 0x7F)
    return value, offset
