"""Where a JavaScript path expression points: a local, persistent place on the instance, or not.

Only certain evidence counts as local: a literal path (`"data.json"`, `"/app/uploads"`), a path
built on one (`path.join("uploads", name)`, `` `uploads/${name}` ``, `"logs/" + day`), a name bound
only to such a value, or a path built on the application's own folder (`__dirname`, `__filename`,
`process.cwd()`, `import.meta.dirname`, `fileURLToPath(import.meta.url)`, `os.homedir()`).
Temporary and special places are not persistent state: `os.tmpdir()`, `/tmp`, `/var/tmp`, `/dev`
(`/dev/stdout`, `/dev/null`), `/proc`, `/sys`, `/run`, and `/mnt` (where attached storage is
mounted); nor are URLs. Everything else (the environment, parameters, settings) is unknown.
"""

from __future__ import annotations

from tree_sitter import Node

from scaffolder import local_paths
from scaffolder.local_paths import APP_FOLDER, parent_folder
from scaffolder.jssource.module import JsModule, arguments_of, unwrap

_JOINS = {"path.join", "path.posix.join", "path.normalize", "path.posix.normalize"}
_RESOLVES = {"path.resolve", "path.posix.resolve"}
_SAME_PLACE = {"url.fileURLToPath", "path.dirname", "path.posix.dirname", "String"}
_APP_CALLS = {"process.cwd", "os.homedir"}
_TEMP_CALLS = {"os.tmpdir"}
_APP_META = {"dirname", "filename", "url"}
_MAX_DEPTH = 12


def path_root(module: JsModule, node: Node | None, _depth: int = 0) -> str | None:
    """The literal text a path starts with, APP_FOLDER, or None when it is not known."""
    node = unwrap(node, awaited=True)
    if node is None or _depth > _MAX_DEPTH:
        return None
    again = lambda child: path_root(module, child, _depth + 1)  # noqa: E731
    kind = node.type
    if kind == "identifier":
        name = module.text(node)
        if name in ("__dirname", "__filename") and module.declaration(node) is None:
            return APP_FOLDER
        return again(module.binding_value(node))
    if kind == "string":
        return module.string_value(node) or None
    if kind == "template_string":
        parts = node.named_children
        if parts and parts[0].type == "template_substitution":  # `${__dirname}/data.json`
            inner = parts[0].named_children
            return again(inner[0]) if inner else None
        return module.string_prefix(node) or None
    if kind == "binary_expression" and module.operator(node) == "+":
        left = unwrap(node.child_by_field_name("left"))
        if left is not None and left.type in ("string", "template_string", "binary_expression"):
            prefix = module.string_prefix(node)
            if prefix:
                return prefix
        return again(left)
    if kind == "member_expression":
        obj, prop = node.child_by_field_name("object"), node.child_by_field_name("property")
        if obj is not None and prop is not None and obj.type == "meta_property" and module.text(prop) in _APP_META:
            return APP_FOLDER  # import.meta.dirname
        return None
    if kind == "call_expression":
        qualified = module.qualname(node.child_by_field_name("function"))
        args = arguments_of(node)
        if qualified in _APP_CALLS:
            return APP_FOLDER
        if qualified in _TEMP_CALLS:
            return "/tmp"
        if not args:
            return None
        if qualified in _JOINS:
            return again(args[0])
        if qualified in _RESOLVES:
            root = again(args[0])
            for part in args[1:]:  # resolving an absolute part starts over
                text = module.literal_string(part)
                if text is not None and text.startswith("/"):
                    root = text
            return root
        if qualified in _SAME_PLACE:
            root = again(args[0])
            return parent_folder(root) if qualified and qualified.endswith("dirname") else root
        return None
    if kind == "new_expression" and module.qualname(node.child_by_field_name("constructor")) in ("URL", "url.URL"):
        args = arguments_of(node)
        if len(args) == 2 and module.text(args[1]) == "import.meta.url":
            return APP_FOLDER  # new URL("./data.json", import.meta.url)
    return None


def is_persistent_local(root: str | None) -> bool:
    """Whether a path starting with `root` is on the instance's own disk and outlives a request
    (and is lost when the instance goes)."""
    return local_paths.is_persistent_local(root, not_a_path=_url_or_share)


def _url_or_share(text: str) -> bool:
    return text.startswith(("file:", "\\\\"))  # a file: URL, a Windows network share


def local_path(module: JsModule, node: Node | None) -> str | None:
    """A short description of the local, persistent place `node` points at; None otherwise."""
    root = path_root(module, node)
    if not is_persistent_local(root):
        return None
    return "the application folder" if root == APP_FOLDER else repr(root)
