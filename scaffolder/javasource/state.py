"""CBR301 and CBR302 in Java code: data kept on the instance's own disk.

- CBR301 local-file-write: `Files.write`, `writeString`, `newBufferedWriter`, `newOutputStream`,
  `createFile`, `createDirectory`, `createDirectories`, and `Files.copy`/`Files.move` onto a path;
  `new FileWriter(...)`, `new FileOutputStream(...)`, `new PrintWriter(file)`, `new PrintStream(file)`,
  `new RandomAccessFile(file, "rw")`; `file.mkdir()`, `mkdirs()`, `createNewFile()`; an upload saved
  with `multipartFile.transferTo(dest)`; `ImageIO.write(image, format, file)` — when the path is
  local and persistent (see pysource/paths.py: not `/tmp`, `java.io.tmpdir`, `Files.createTempFile`,
  `/dev`, `/mnt`...). A file the same method deletes again is scratch space and is not reported.
- CBR302 local-sqlite-database: a JDBC URL in the code naming a database file on the instance:
  `jdbc:sqlite:app.db` (also `"jdbc:sqlite:" + path`), and the embedded H2 and HSQLDB file modes
  (`jdbc:h2:./data/db`, `jdbc:h2:file:...`, `jdbc:hsqldb:file:...`). In-memory and server URLs
  (`jdbc:h2:mem:`, `jdbc:h2:tcp://`) and databases under /tmp are not reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from scaffolder import treesitter
from scaffolder.javasource.context import enclosing_callable
from scaffolder.source_hit import Hit
from scaffolder.javasource.javafile import GRAMMAR, JavaFile, arguments, name_of, type_name
from scaffolder.javasource.values import Values
from scaffolder.local_paths import APP_FOLDER
from scaffolder.pysource.paths import is_persistent_local

FILE_WRITE, SQLITE = "CBR301", "CBR302"
CODES = frozenset({FILE_WRITE, SQLITE})

_STATELESS = "CloudBase Run instances are stateless: they scale to zero and are replaced, and each has its own disk"

# Files.method -> position of the path written
_FILES_WRITERS = {"write": 0, "writeString": 0, "newBufferedWriter": 0, "newOutputStream": 0, "createFile": 0,
                  "createDirectory": 0, "createDirectories": 0, "copy": 1, "move": 1}
_STREAMS = frozenset({"FileWriter", "FileOutputStream", "PrintWriter", "PrintStream"})
_FILE_METHODS = frozenset({"mkdir", "mkdirs", "createNewFile"})
_DELETE_QUERY = """
((method_invocation name: (identifier) @name) @call (#any-of? @name "delete" "deleteIfExists" "deleteOnExit"))
"""


def _place(root: str) -> str:
    return "the application folder" if root == APP_FOLDER else repr(root)


class State:
    def __init__(self, file: JavaFile, values: Values):
        self.file = file
        self.values = values

    def _hit(self, what: str, root: str, node: Node) -> Hit:
        return Hit(FILE_WRITE, f"{what} at {_place(root)} on the instance's own disk; {_STATELESS}, so the file is "
                   "lost: keep data in a database or object storage (Cloud Storage), or use "
                   'System.getProperty("java.io.tmpdir") for scratch files', node)

    def _write(self, what: str, path: Node | None, node: Node) -> Iterator[Hit]:
        if path is None:
            return
        root = self.values.path_root(path)
        if is_persistent_local(root) and not self._deleted_afterwards(node, path):
            yield self._hit(what, root, node)  # type: ignore[arg-type]

    def invocation(self, call: Node) -> Iterator[Hit]:
        file = self.file
        name = name_of(call, file)
        owner = call.child_by_field_name("object")
        owner_text = file.text(owner) if owner is not None else ""
        args = arguments(call)
        if owner_text in ("Files", "java.nio.file.Files") and name in _FILES_WRITERS:
            position = _FILES_WRITERS[name]
            if position < len(args):
                yield from self._write(f"Files.{name}() writes", args[position], call)
        elif owner_text == "ImageIO" and name == "write" and len(args) == 3:
            yield from self._write("ImageIO.write() writes an image", args[2], call)
        elif name in _FILE_METHODS and not args and owner is not None:
            yield from self._write(f"File.{name}() creates", owner, call)
        elif name == "transferTo" and len(args) == 1 and owner is not None:
            yield from self._write("transferTo() saves an uploaded file", args[0], call)

    def creation(self, creation: Node) -> Iterator[Hit]:
        kind = type_name(creation.child_by_field_name("type"), self.file)
        args = arguments(creation)
        if not args:
            return
        if kind in _STREAMS:
            yield from self._write(f"new {kind}() writes", args[0], creation)
        elif kind == "RandomAccessFile" and len(args) == 2:
            modes = self.values.literals(args[1])
            if modes and all(isinstance(mode, str) and "w" in mode for mode in modes):
                yield from self._write(f"new RandomAccessFile(..., {modes[0]!r}) writes", args[0], creation)

    def _deleted_afterwards(self, node: Node, path: Node) -> bool:
        """`Files.delete(path)`, `file.delete()` or `deleteOnExit()` on the same name in the same method."""
        callable_ = enclosing_callable(node)
        if callable_ is None or path.type != "identifier":
            return False
        name = self.file.text(path)
        for call in treesitter.captures(GRAMMAR, _DELETE_QUERY, callable_).get("call", ()):
            owner = call.child_by_field_name("object")
            args = arguments(call)
            if owner is not None and owner.type == "identifier" and self.file.text(owner) == name:
                return True
            if args and args[0].type == "identifier" and self.file.text(args[0]) == name:
                return True
        return False

    # ---- CBR302 ----------------------------------------------------------------------------------
    def jdbc_url(self, fragment: Node) -> Iterator[Hit]:
        literal = fragment.parent
        if literal is None or literal.type != "string_literal" or literal.named_children[0].id != fragment.id:
            return
        expression = literal
        while expression.parent is not None and expression.parent.type in ("binary_expression",
                                                                            "parenthesized_expression"):
            parent = expression.parent
            if parent.type == "binary_expression" and parent.child_by_field_name("left").id != expression.id:
                break
            expression = parent
        found = self.values.prefix(expression)
        if found is None:
            return
        where = embedded_database(*found)
        if where is not None:
            yield Hit(SQLITE, f"the JDBC URL {found[0] + ('' if found[1] else '...')!r} opens {where} on the "
                      f"instance's own disk; {_STATELESS}, so the data is lost and never shared between instances: "
                      "use a database service (CloudBase database, TencentDB for MySQL)", expression)


def embedded_database(url: str, complete: bool = True) -> str | None:
    """What an embedded-database JDBC URL keeps on disk ("an SQLite file"), or None when the
    database is in memory, on a server, under /tmp, or not a file database at all."""
    lower = url.lower()
    if lower.startswith("jdbc:sqlite:"):
        place = url[len("jdbc:sqlite:"):].split("?", 1)[0]
        if not complete:
            return "an SQLite file" if not place or is_persistent_local(place) else None
        if place in ("", ":memory:") or ":memory:" in url or "mode=memory" in url:
            return None
        place = place.removeprefix("file:").removeprefix("//")
        return "an SQLite file" if is_persistent_local(place) else None
    for scheme, label, server_modes in (("jdbc:h2:", "an H2 database file", ("mem:", "tcp:", "ssl:", "zip:")),
                                        ("jdbc:hsqldb:", "an HSQLDB database file", ("mem:", "hsql:", "hsqls:",
                                                                                     "http:", "https:", "res:"))):
        if not lower.startswith(scheme):
            continue
        rest = url[len(scheme):]
        if rest.lower().startswith(server_modes) or not rest:
            return None
        explicit = rest.lower().startswith("file:")
        place = rest[5:] if explicit else rest
        if not complete and not (explicit and not place):
            return None  # jdbc:h2: + something computed: the mode is not known
        if scheme == "jdbc:hsqldb:" and not explicit:
            return None
        place = place.split(";", 1)[0]
        return label if not place or is_persistent_local(place) else None
    return None


def find(file: JavaFile, values: Values) -> Iterator[Hit]:
    state = State(file, values)
    for call in file.invocations:
        yield from state.invocation(call)
    for creation in file.creations:
        yield from state.creation(creation)
    for fragment in file.settings:
        if file.text(fragment).startswith("jdbc:"):
            yield from state.jdbc_url(fragment)
