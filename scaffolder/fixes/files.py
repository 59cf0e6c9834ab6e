"""Files as `--fix` reads and writes them.

A file is read as UTF-8 with its byte-order mark (if any) set aside, so that edits use the same
offsets as the checks, and put back on writing. Writing goes through a temporary file in the same
folder and os.replace, so a file is never half-written; the owner, group and permission bits are
kept, and a new file gets the usual mode (0666 less the umask). Only regular files with a single link
are changed: a symlink, a device, a pipe or a file with other hard links is refused rather than
replaced by a copy that no longer shares its content. `--add-suppressions` writes through the same
functions.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import NamedTuple

from scaffolder.atomic import write_text_atomically
from scaffolder.fixes.text_edits import FixError

BOM = "\ufeff"


class FileText(NamedTuple):
    path: Path
    text: str | None  # None: the file does not exist yet
    bom: bool = False

    def encoded(self, text: str) -> str:
        return BOM + text if self.bom else text


def check_writable(path: Path) -> None:
    """FixError unless `path` is a regular file (not a symlink) with one link, or does not exist yet."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        if not path.parent.is_dir():
            raise FixError(f"folder {path.parent} does not exist") from None
        return
    except OSError as error:
        raise FixError(f"cannot read it: {error.strerror or error}") from None
    if stat.S_ISLNK(info.st_mode):
        raise FixError("it is a symbolic link; edit the file it points to")
    if not stat.S_ISREG(info.st_mode):
        raise FixError("it is not a regular file")
    if info.st_nlink > 1:  # os.replace would give this name a new inode and leave the others behind
        raise FixError(f"it has {info.st_nlink} hard links; edit it by hand")


def read_for_fix(path: Path) -> FileText:
    check_writable(path)
    if not path.exists():
        return FileText(path, None)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise FixError(f"cannot read it: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise FixError("it is not UTF-8 text") from None
    if text.startswith(BOM):
        return FileText(path, text[1:], bom=True)
    return FileText(path, text)


def write_atomically(path: Path, text: str) -> None:
    """Replace (or create) `path` with `text` in one step; refused unless it is a regular file."""
    check_writable(path)
    write_text_atomically(path, text)
