"""Where a path expression points: a local, persistent place on the instance, or not.

Only certain evidence counts as local: a literal path (`"data.json"`, `"/app/uploads"`), a path
built on one (`os.path.join("uploads", name)`, `Path("data") / name`, `f"uploads/{name}"`), a
name bound only to such a value, or a path built on the application's own folder (`__file__`,
`os.getcwd()`, `Path.cwd()`, `Path.home()`). Temporary and special places are not persistent
state: `/tmp`, `/var/tmp`, `/dev` (`/dev/stdout`, `/dev/null`), `/proc`, `/sys`, `/run`, and `/mnt`
(where attached storage is mounted); nor are URLs (`s3://...`). Everything else is unknown.
"""

from __future__ import annotations

import ast

from scaffolder import local_paths
from scaffolder.local_paths import APP_FOLDER, parent_folder
from scaffolder.pysource.module import PyModule, string_prefix

_JOINS = {"os.path.join", "posixpath.join"}
_PATH_CLASSES = {"pathlib.Path", "pathlib.PosixPath", "pathlib.PurePath", "pathlib.PurePosixPath"}
_SAME_PLACE = {"os.path.abspath", "os.path.realpath", "os.path.normpath", "os.path.expanduser",
               "os.path.dirname", "os.fspath", "builtins.str"}
_APP_CALLS = {"os.getcwd", "pathlib.Path.cwd", "pathlib.Path.home"}
_PATH_METHODS = {"resolve", "absolute", "expanduser", "joinpath", "with_name", "with_suffix", "with_stem"}
_MAX_DEPTH = 12


def path_root(module: PyModule, node: ast.expr, _depth: int = 0) -> str | None:
    """The literal text a path starts with, APP_FOLDER, or None when it is not known."""
    if _depth > _MAX_DEPTH:
        return None
    again = lambda expr: path_root(module, expr, _depth + 1)  # noqa: E731
    if isinstance(node, ast.Name):
        if node.id == "__file__" and module.lookup_name(node) is None:
            return APP_FOLDER
        values = module.assigned_values(node)
        if not values:
            return None
        roots = {again(value) for value in values}
        return roots.pop() if len(roots) == 1 else None
    if isinstance(node, (ast.Constant, ast.JoinedStr)) or (
            isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod))):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and not isinstance(node.left, ast.Constant):
            root = again(node.left)  # BASE + "/data.json"
            return root if root is not None else None
        prefix = string_prefix(node)
        return prefix or None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):  # Path("data") / name
        right = module.literal_string(node.right)
        if right is not None and right.startswith("/"):
            return right
        return again(node.left)
    if isinstance(node, ast.Attribute):
        if node.attr in ("parent", "parents"):
            return parent_folder(again(node.value))
        return None
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "parents":
        return parent_folder(again(node.value.value))
    if isinstance(node, ast.Call):
        qualified = module.qualname(node.func)
        if qualified in _APP_CALLS:
            return APP_FOLDER
        if qualified in _JOINS or qualified in _PATH_CLASSES:
            return _joined(module, node.args, again)
        if qualified in _SAME_PLACE and len(node.args) == 1:
            root = again(node.args[0])
            return parent_folder(root) if qualified == "os.path.dirname" else root
        if isinstance(node.func, ast.Attribute) and node.func.attr in _PATH_METHODS and qualified is None:
            if node.func.attr == "joinpath":
                return _joined(module, [node.func.value, *node.args], again)
            return again(node.func.value)
    return None


def _joined(module: PyModule, parts: list[ast.expr], again) -> str | None:
    if not parts or any(isinstance(part, ast.Starred) for part in parts):
        return None
    root = again(parts[0])
    for part in parts[1:]:
        text = module.literal_string(part)
        if text is not None and text.startswith("/"):
            root = text  # joining an absolute path starts over
    return root


def is_persistent_local(root: str | None) -> bool:
    """Whether a path starting with `root` is a place on the instance's own disk that outlives a
    request (and is lost when the instance goes)."""
    return local_paths.is_persistent_local(root, not_a_path=_windows_null_device)


def _windows_null_device(text: str) -> bool:
    return text.upper() == "NUL"


def local_path(module: PyModule, node: ast.expr | None) -> str | None:
    """A short description of the local, persistent place `node` points at; None otherwise."""
    if node is None:
        return None
    root = path_root(module, node)
    if not is_persistent_local(root):
        return None
    return "the application folder" if root == APP_FOLDER else repr(root)
