"""Writing a file so that it is never half-written: a temporary file in the same folder, then
os.replace. The file's permission bits are kept, and a new file gets the usual ones (0666 less the
umask; mkstemp alone would leave 0600). A path that is not a regular file (/dev/null, a pipe) is
written straight through: replacing it would destroy it."""

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
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else _new_file_mode()
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding=encoding, newline="") as stream:
            stream.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
