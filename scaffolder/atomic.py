"""Writing a file so that it is never half-written: a temporary file in the same folder, then
os.replace. The file's permission bits are kept. A path that is not a regular file (/dev/null, a
pipe) is written straight through: replacing it would destroy it."""

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
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else None
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding=encoding, newline="") as stream:
            stream.write(text)
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
