"""CBR301 and CBR302: Go code that keeps data on the instance's own disk.

- CBR301 local-file-write: `os.Create`, `os.WriteFile`/`ioutil.WriteFile`, `os.OpenFile` with a
  write flag (`O_WRONLY`, `O_RDWR`, `O_CREATE`, `O_APPEND`, `O_TRUNC`), `os.Mkdir`/`MkdirAll`,
  `os.Rename` onto a path, and an uploaded file saved with gin's `c.SaveUploadedFile` or fiber's
  `c.SaveFile`, when the path is local and persistent (see pysource/paths.py: not `/tmp`,
  `os.TempDir()`, `os.MkdirTemp`, `/dev`, `/mnt`...). A file the same function removes again
  (`defer os.Remove(name)`) is scratch space and is not reported.
- CBR302 local-sqlite-database: `sql.Open("sqlite3", "app.db")` (also `"sqlite"`, sqlx), and gorm's
  `sqlite.Open("app.db")`, unless the database is in memory or under /tmp.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from scaffolder import treesitter
from scaffolder.gosource.gofile import GRAMMAR, GoFile, arguments, call_name, enclosing_function
from scaffolder.source_hit import Hit
from scaffolder.gosource.values import Values
from scaffolder.local_paths import APP_FOLDER
from scaffolder.pysource.paths import is_persistent_local

FILE_WRITE, SQLITE = "CBR301", "CBR302"
CODES = frozenset({FILE_WRITE, SQLITE})

_STATELESS = "CloudBase Run instances are stateless: they scale to zero and are replaced, and each has its own disk"

# function -> (position of the path written, what it does)
_WRITERS: dict[str, tuple[int, str]] = {
    "os.Create": (0, "os.Create() creates a file"),
    "os.WriteFile": (0, "os.WriteFile() writes a file"),
    "io/ioutil.WriteFile": (0, "ioutil.WriteFile() writes a file"),
    "os.Mkdir": (0, "os.Mkdir() creates a folder"),
    "os.MkdirAll": (0, "os.MkdirAll() creates a folder"),
    "os.Rename": (1, "os.Rename() moves a file"),
}
_OPEN_FILE = "os.OpenFile"
_WRITE_FLAGS = frozenset({"O_WRONLY", "O_RDWR", "O_CREATE", "O_APPEND", "O_TRUNC"})
_UPLOAD_SAVES = {"SaveUploadedFile": "gin's SaveUploadedFile()", "SaveFile": "fiber's SaveFile()"}
_REMOVE_QUERY = """
((call_expression function: (selector_expression field: (field_identifier) @name)) @call
 (#any-of? @name "Remove" "RemoveAll"))
"""

_SQL_OPENERS = frozenset({"database/sql.Open", "github.com/jmoiron/sqlx.Open", "github.com/jmoiron/sqlx.Connect",
                          "github.com/jmoiron/sqlx.MustConnect", "github.com/jmoiron/sqlx.MustOpen"})
_SQLITE_DRIVERS = frozenset({"sqlite3", "sqlite", "sqlite3_extended", "libsql"})
_GORM_SQLITE = frozenset({"gorm.io/driver/sqlite", "github.com/glebarez/sqlite",
                          "github.com/ncruces/go-sqlite3/gormlite"})


def _place(root: str) -> str:
    return "the application folder" if root == APP_FOLDER else repr(root)


class State:
    def __init__(self, values: Values):
        self.values = values

    def _flags(self, file: GoFile, node: Node, depth: int = 0) -> set[str] | None:
        """The os.O_* names an OpenFile flag expression combines (None when it is not known)."""
        if depth > 8:
            return None
        if node.type == "selector_expression":
            field = node.child_by_field_name("field")
            return {file.text(field)} if field is not None else None
        if node.type in ("binary_expression", "parenthesized_expression"):
            names: set[str] = set()
            for child in node.named_children:
                more = self._flags(file, child, depth + 1)
                if more is None:
                    return None
                names |= more
            return names
        if node.type == "identifier":
            bound = self.values.bound_nodes(file, node)
            if not bound:
                return None
            names = set()
            for owner, value in bound:
                more = self._flags(owner, value, depth + 1)
                if more is None:
                    return None
                names |= more
            return names
        return None

    def file_write(self, file: GoFile, call: Node) -> Iterator[Hit]:
        qualified = file.qualified(call.child_by_field_name("function"))
        args = arguments(call)
        path: Node | None = None
        what = ""
        if qualified in _WRITERS:
            position, what = _WRITERS[qualified]
            path = args[position] if position < len(args) else None
        elif qualified == _OPEN_FILE and len(args) >= 2:
            flags = self._flags(file, args[1])
            if flags and flags & _WRITE_FLAGS:
                path, what = args[0], f"os.OpenFile() opens a file for writing ({'|'.join(sorted(flags))})"
        elif qualified is None and call_name(call, file) in _UPLOAD_SAVES and len(args) == 2:
            path, what = args[1], f"{_UPLOAD_SAVES[call_name(call, file)]} saves an uploaded file"
        if path is None:
            return
        root = self.values.path_root(file, path)
        if root is None or not is_persistent_local(root) or self._removed_afterwards(file, call, path):
            return
        yield Hit(FILE_WRITE, f"{what} at {_place(root)} on the instance's own disk; {_STATELESS}, so the file is "
                  "lost: keep data in a database or object storage (Cloud Storage), or use os.TempDir() for "
                  "scratch files", call)

    def _removed_afterwards(self, file: GoFile, call: Node, path: Node) -> bool:
        function = enclosing_function(call)
        if function is None or path.type != "identifier":
            return False
        name = file.text(path)
        for remove in treesitter.captures(GRAMMAR, _REMOVE_QUERY, function).get("call", ()):
            if file.qualified(remove.child_by_field_name("function")) not in ("os.Remove", "os.RemoveAll"):
                continue
            args = arguments(remove)
            if args and args[0].type == "identifier" and file.text(args[0]) == name:
                return True
        return False

    # ---- CBR302 ----------------------------------------------------------------------------------
    def sqlite(self, file: GoFile, call: Node) -> Iterator[Hit]:
        function = call.child_by_field_name("function")
        qualified = file.qualified(function)
        args = arguments(call)
        if qualified is not None and qualified in _SQL_OPENERS and len(args) >= 2:
            drivers = self.values.literals(file, args[0])
            if not drivers or not all(driver in _SQLITE_DRIVERS for driver in drivers):
                return
            dsn, label = args[1], f"{qualified.rsplit('/', 1)[-1]}({file.text(args[0])}, ...)"
        elif qualified is not None and qualified.rsplit(".", 1)[0] in _GORM_SQLITE \
                and qualified.endswith(".Open") and args:
            dsn, label = args[0], "gorm's sqlite.Open()"
        else:
            return
        where = self._database_file(file, dsn)
        if where is not None:
            yield Hit(SQLITE, f"{label} opens {where}: an SQLite file on the instance's own disk; {_STATELESS}, so "
                      "the data is lost and never shared between instances: use a database service (CloudBase "
                      "database, MySQL)", call)

    def _database_file(self, file: GoFile, dsn: Node) -> str | None:
        values = self.values.literals(file, dsn)
        if values is not None:
            texts = [value for value in values if isinstance(value, str)]
            if len(texts) != len(values):
                return None
            for text in texts:
                if _in_memory(text):
                    return None
                place = text.removeprefix("file:").removeprefix("//").split("?", 1)[0]
                if not is_persistent_local(place or None):
                    return None
            return repr(texts[0])
        root = self.values.path_root(file, dsn)
        if root is None:
            return None
        place = root.removeprefix("file:").removeprefix("//")
        return _place(root) if root != "file:" and is_persistent_local(place or None) else None


def _in_memory(text: str) -> bool:
    return text in ("", ":memory:") or ":memory:" in text or "mode=memory" in text


def find(file: GoFile, values: Values) -> Iterator[Hit]:
    state = State(values)
    for call in file.calls:
        yield from state.file_write(file, call)
        yield from state.sqlite(file, call)
