"""Whether a path, as the source rules of every language work it out, is a local and persistent
place on the instance: the part that does not depend on the language.

A rule reduces a path expression to its root: a literal prefix (`"uploads/"`, `"/app/data"`),
APP_FOLDER for a path built on the application's own folder, or None when it cannot tell.
Temporary and special places are not persistent state: `/tmp`, `/var/tmp`, `/dev` (`/dev/stdout`,
`/dev/null`), `/proc`, `/sys`, `/run`, and `/mnt` (where attached storage is mounted); nor are
URLs (`s3://...`), `-` (standard output) or placeholders such as `<memory>`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable

APP_FOLDER = "<app>"  # a path built on the application's own folder
NOT_PERSISTENT = ("/tmp", "/var/tmp", "/dev", "/proc", "/sys", "/run", "/mnt")


def _never(text: str) -> bool:
    return False


def is_persistent_local(root: str | None, not_a_path: Callable[[str], bool] = _never) -> bool:
    """Whether a path starting with `root` is a place on the instance's own disk that outlives a
    request (and is lost when the instance goes). `not_a_path` names the language's own literals
    that look like paths and are not (a Windows `NUL`, a `file:` URL)."""
    if root is None:
        return False
    if root == APP_FOLDER:
        return True
    text = root.strip()
    if not text or text == "-" or "://" in text or text.startswith("<") or not_a_path(text):
        return False
    normalized = posixpath.normpath(text) if text.startswith("/") else text
    return not any(normalized == place or normalized.startswith(place + "/") for place in NOT_PERSISTENT)


def parent_folder(root: str | None) -> str | None:
    """The root of `dirname(path)` for a path with this root."""
    if root is None or root == APP_FOLDER:
        return root
    return posixpath.dirname(root.rstrip("/")) or "."
