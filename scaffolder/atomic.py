"""Writing a file so that it is never half-written: a temporary file in the same folder, then
os.replace. The file's owner, group and permission bits are kept (the owner only where the process
may give a file away: as root, or when it is the owner already), and a new file gets the usual mode
(0666 less the umask; mkstemp alone would leave 0600). A path that is not a regular file (/dev/null,
a pipe) is written straight through: replacing it would destroy it.

Replacing a file gives it a new inode, so a file with other hard links would silently part from
them: callers that edit users' files refuse those first (fixes.files.check_writable)."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def write_text_atomically(path: Path, text: str, encoding: str = "utf-8") -> None:
    if path.exists() and not path.is_file():
        with open(path, "w", encoding=encoding) as stream:
            stream.write(text)
        return
    try:
        old = path.stat()
    except FileNotFoundError:
        old = None
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding=encoding, newline="") as stream:
            stream.write(text)
        if old is not None:
            _keep_owner(temporary, old)
        # after chown, which clears the set-user-ID and set-group-ID bits
        os.chmod(temporary, stat.S_IMODE(old.st_mode) if old is not None else _new_file_mode())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _keep_owner(temporary: str, old: os.stat_result) -> None:
    info = os.stat(temporary)
    if (info.st_uid, info.st_gid) == (old.st_uid, old.st_gid):
        return
    try:
        os.chown(temporary, old.st_uid, old.st_gid)
    except PermissionError:
        try:  # a user may still hand the file to another group they belong to
            os.chown(temporary, -1, old.st_gid)
        except PermissionError:
            pass


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
