"""CBR301-CBR304: data kept on the instance, which CloudBase Run may stop or replace at any time.

- CBR301 local-file-write: a file opened for writing, written, copied, moved or a folder created
  at a local, persistent path (see paths.py for what counts).
- CBR302 local-sqlite-database: an SQLite database in a file (`sqlite3.connect`, SQLAlchemy and
  SQLModel engines, Flask-SQLAlchemy's SQLALCHEMY_DATABASE_URI, peewee, Tortoise, `databases`,
  Django's `django.db.backends.sqlite3`). In-memory databases are not reported.
- CBR303 local-session-store: sessions kept in files or process memory (Flask-Session
  `SESSION_TYPE = "filesystem"`, Django's file session engine or its cache engine over a
  local-memory or file cache, Beaker `session.type` file/memory/dbm).
- CBR304 in-memory-state-store: a module-level dict/list/set that a state-changing request handler
  (POST, PUT, PATCH, DELETE) adds to.
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Collection, Iterator

from scaffolder.pysource import triggers
from scaffolder.pysource.context import Context, handler_trigger_names
from scaffolder.pysource.hit import Hit
from scaffolder.pysource.module import PyModule, call_arg, enclosing_function, has_unpacking, string_prefix
from scaffolder.pysource.paths import is_persistent_local, local_path, path_root

FILE_WRITE, SQLITE, SESSION_STORE, MODULE_STATE = "CBR301", "CBR302", "CBR303", "CBR304"
CODES = frozenset({FILE_WRITE, SQLITE, SESSION_STORE, MODULE_STATE})

_STATELESS = "CloudBase Run instances are stateless: they scale to zero and are replaced, and each has its own disk"

# ---- CBR301 ------------------------------------------------------------------------------------
_OPENERS = {"builtins.open": (1, "mode"), "io.open": (1, "mode"), "codecs.open": (1, "mode"),
            "gzip.open": (1, "mode"), "bz2.open": (1, "mode"), "lzma.open": (1, "mode")}
_DESTINATIONS = {  # function -> (position, keyword) of the path written
    "shutil.copy": (1, "dst"), "shutil.copy2": (1, "dst"), "shutil.copyfile": (1, "dst"),
    "shutil.copytree": (1, "dst"), "shutil.move": (1, "dst"), "os.rename": (1, "dst"), "os.replace": (1, "dst"),
    "os.makedirs": (0, "name"), "os.mkdir": (0, "path"),
}
_PATH_WRITES = {"write_text", "write_bytes", "touch", "mkdir"}
_PATH_CLASSES = ("pathlib.Path", "pathlib.PosixPath")
_SAVES = {"save", "savefig"}  # werkzeug FileStorage.save, PIL Image.save, matplotlib savefig


def _write_mode(module: PyModule, node: ast.expr | None) -> str | None:
    text = module.literal_string(node) if node is not None else None
    return text if text is not None and any(flag in text for flag in "wax+") else None


def _file_writes(module: PyModule) -> Iterator[Hit]:
    for call in module.nodes(ast.Call):
        qualified = module.qualname(call.func)
        where: str | None = None
        what = ""
        if qualified in _OPENERS:
            mode = _write_mode(module, call_arg(call, *_OPENERS[qualified]))
            if mode is not None:
                where, what = local_path(module, call_arg(call, 0, "file") or call_arg(call, 0, "filename")), \
                    f"opens a file for writing (mode {mode!r})"
        elif qualified in _DESTINATIONS:
            where, what = local_path(module, call_arg(call, *_DESTINATIONS[qualified])), f"{qualified}() writes"
        elif isinstance(call.func, ast.Attribute) and qualified is None:
            method, receiver = call.func.attr, call.func.value
            if method in _PATH_WRITES and _is_path_object(module, receiver):
                where, what = local_path(module, receiver), f"Path.{method}() writes"
            elif method == "open" and _is_path_object(module, receiver):
                mode = _write_mode(module, call_arg(call, 0, "mode"))
                if mode is not None:
                    where, what = local_path(module, receiver), f"Path.open({mode!r}) writes"
            elif (method in _SAVES and 1 <= len(call.args) <= 2 and not _is_remote_store(receiver)
                  and _looks_like_file(module, call.args[0])):
                where, what = local_path(module, call.args[0]), f".{method}() writes a file"
        if where is not None and not _removed_afterwards(module, call):
            yield Hit(FILE_WRITE, f"{what} at {where} on the instance's own disk; {_STATELESS}, so the file is "
                      "lost: keep data in a database or object storage (Cloud Storage), or use /tmp for "
                      "scratch files", call)


_REMOVERS = {"os.remove", "os.unlink", "shutil.rmtree"}
_TOKEN = re.compile(r"_+|(?<=[a-z0-9])(?=[A-Z])")  # default_storage -> default, storage; s3Client -> s3, Client


def _removed_afterwards(module: PyModule, call: ast.Call) -> bool:
    """`file.save(path)` ... `os.remove(path)` in the same function: a scratch file, deleted again."""
    names = {arg.id for arg in call.args if isinstance(arg, ast.Name)}
    if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name):
        names.add(call.func.value.id)  # Path(...).write_text() on a name
    function = enclosing_function(call)
    if not names or function is None:
        return False
    for other in module.nodes(ast.Call):
        if enclosing_function(other) is not function or other.lineno < call.lineno:
            continue
        if module.qualname(other.func) in _REMOVERS and other.args and isinstance(other.args[0], ast.Name):
            if other.args[0].id in names:
                return True
        if (isinstance(other.func, ast.Attribute) and other.func.attr == "unlink"
                and isinstance(other.func.value, ast.Name) and other.func.value.id in names):
            return True
    return False


def _is_path_object(module: PyModule, node: ast.expr) -> bool:
    node = module.resolved(node)
    while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        node = node.left
    if isinstance(node, ast.Call):
        qualified = module.qualname(node.func) or ""
        if qualified in _PATH_CLASSES:
            return True
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("joinpath", "resolve", "with_suffix",
                                                                        "with_name", "absolute"):
            return _is_path_object(module, node.func.value)
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        return _is_path_object(module, node.value)
    return False


def _is_remote_store(receiver: ast.expr) -> bool:
    """`default_storage.save(...)`, `bucket.save(...)`: storage APIs that may well be remote."""
    words = []
    while isinstance(receiver, (ast.Attribute, ast.Call, ast.Subscript)):
        if isinstance(receiver, ast.Attribute):
            words.append(receiver.attr)
        receiver = receiver.func if isinstance(receiver, ast.Call) else receiver.value
    if isinstance(receiver, ast.Name):
        words.append(receiver.id)
    tokens = {token.lower() for word in words for token in _TOKEN.split(word) if token}
    return bool(tokens & {"storage", "storages", "bucket", "blob", "s3", "cos", "oss", "minio", "client", "fs"})


def _looks_like_file(module: PyModule, node: ast.expr) -> bool:
    """A `.save()` argument that is a file path: it ends in a file extension or holds a folder."""
    root = path_root(module, node)
    if root is None:
        return False
    if root.startswith("<"):
        return True
    built = module.resolved(node)
    if isinstance(built, ast.BinOp) and isinstance(built.op, ast.Div):
        return True  # Path("uploads") / name
    if isinstance(built, ast.Call) and len(built.args) >= 2 and module.qualname(built.func) in (
            "os.path.join", "posixpath.join", "pathlib.Path"):
        return True  # os.path.join("uploads", name)
    name = posixpath.basename(root)
    return "/" in root or ("." in name and 1 <= len(name.rsplit(".", 1)[1]) <= 5)


# ---- CBR302 ------------------------------------------------------------------------------------
_SQLITE_CONNECT = {"sqlite3.connect": (0, "database"), "sqlite3.dbapi2.connect": (0, "database"),
                   "aiosqlite.connect": (0, "database")}
_SQLITE_CLASSES = {"peewee.SqliteDatabase", "playhouse.sqlite_ext.SqliteExtDatabase",
                   "playhouse.sqlite_ext.CSqliteExtDatabase", "playhouse.sqliteq.SqliteQueueDatabase",
                   "playhouse.apsw_ext.APSWDatabase", "playhouse.pool.PooledSqliteDatabase"}
_URL_FUNCTIONS = {"sqlalchemy.create_engine": (0, "url"), "sqlalchemy.engine.create_engine": (0, "url"),
                  "sqlalchemy.ext.asyncio.create_async_engine": (0, "url"), "sqlmodel.create_engine": (0, "url"),
                  "databases.Database": (0, "url"), "tortoise.Tortoise.init": (None, "db_url"),
                  "tortoise.contrib.fastapi.register_tortoise": (None, "db_url")}
_URL_KEYS = {"SQLALCHEMY_DATABASE_URI"}
_DJANGO_SQLITE = "django.db.backends.sqlite3"


def _in_memory(text: str) -> bool:
    return text in ("", ":memory:") or ":memory:" in text or "mode=memory" in text


def _sqlite_url(module: PyModule, node: ast.expr | None) -> str | None:
    """The SQLite URL `node` holds when it names a database file; None otherwise."""
    if node is None:
        return None
    text = module.literal_string(node)
    prefix = text if text is not None else string_prefix(module.resolved(node))
    if not prefix or not prefix.lower().startswith("sqlite"):
        return None
    scheme, sep, rest = prefix.partition("://")
    if not sep or not (scheme.lower() == "sqlite" or scheme.lower().startswith("sqlite+")):
        return None
    if text is None:  # f"sqlite:///{path}": a file whose name is computed
        place = rest[1:]
        return prefix + "..." if rest.startswith("/") and (not place or is_persistent_local(place)) else None
    path = rest[1:] if rest.startswith("/") else rest
    if _in_memory(path.split("?", 1)[0]) or _in_memory(rest):
        return None
    return text if is_persistent_local(path.split("?", 1)[0] or None) else None


def _sqlite_path(module: PyModule, node: ast.expr | None) -> str | None:
    if node is None:
        return None
    text = module.literal_string(node)
    if text is not None and _in_memory(text):
        return None
    root = path_root(module, node)
    if root is not None and root.startswith("file:"):  # a URI: file:app.db?mode=ro
        place = root[5:].removeprefix("//").split("?", 1)[0]
        if text is None or _in_memory(text) or not is_persistent_local(place or None):
            return None
        return repr(text)
    return local_path(module, node)


def _sqlite(module: PyModule) -> Iterator[Hit]:
    def hit(node: ast.AST, what: str) -> Hit:
        return Hit(SQLITE, f"{what}: an SQLite file on the instance's own disk; {_STATELESS}, so the data is lost "
                   "and never shared between instances: use a database service (CloudBase database, MySQL)", node)

    for node in module.nodes(ast.Call, ast.Assign, ast.AnnAssign, ast.Dict):
        if isinstance(node, ast.Call):
            qualified = module.qualname(node.func)
            if qualified in _SQLITE_CONNECT:
                where = _sqlite_path(module, call_arg(node, *_SQLITE_CONNECT[qualified]))
                if where:
                    yield hit(node, f"{qualified}() opens {where}")
            elif qualified in _SQLITE_CLASSES or any(
                    name in _SQLITE_CLASSES for name in module.class_names(node.func)):
                where = _sqlite_path(module, call_arg(node, 0, "database"))
                if where:
                    yield hit(node, f"{qualified or 'SqliteDatabase'}() opens {where}")
            elif qualified in _URL_FUNCTIONS:
                url = _sqlite_url(module, call_arg(node, *_URL_FUNCTIONS[qualified]))
                if url:
                    yield hit(node, f"{qualified}() uses {url!r}")
            elif (isinstance(node.func, ast.Attribute) and node.func.attr in ("update", "from_mapping")
                  and not has_unpacking(node)):
                for keyword in node.keywords:
                    url = _sqlite_url(module, keyword.value) if keyword.arg in _URL_KEYS else None
                    if url:
                        yield hit(keyword.value, f"{keyword.arg} = {url!r}")
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(_config_key(target) in _URL_KEYS for target in targets):
                url = _sqlite_url(module, node.value)
                if url:
                    yield hit(node.value, f"SQLALCHEMY_DATABASE_URI = {url!r}")
        elif isinstance(node, ast.Dict):
            entries = {module.literal_string(key): value for key, value in zip(node.keys, node.values) if key}
            engine = entries.get("ENGINE")
            if engine is not None and module.literal_string(engine) == _DJANGO_SQLITE:
                name = entries.get("NAME")
                if name is None or not _in_memory(module.literal_string(name) or "x"):
                    yield hit(engine, f"the Django database engine is {_DJANGO_SQLITE!r}")
            for key in _URL_KEYS:
                url = _sqlite_url(module, entries[key]) if key in entries else None
                if url:
                    yield hit(entries[key], f"{key} = {url!r}")


def _config_key(target: ast.expr) -> str | None:
    """`NAME` for `NAME = ...`, `app.config["NAME"] = ...` or `Config.NAME = ...`."""
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
        return target.slice.value if isinstance(target.slice.value, str) else None
    if isinstance(target, ast.Attribute) and target.attr.isupper():
        return target.attr
    return None


# ---- CBR303 ------------------------------------------------------------------------------------
_DJANGO_FILE_SESSIONS = "django.contrib.sessions.backends.file"
_DJANGO_CACHE_SESSIONS = "django.contrib.sessions.backends.cache"
_SESSION_VALUES = {  # setting -> the values that keep sessions on the instance
    "SESSION_TYPE": ("filesystem",), "SESSION_ENGINE": (_DJANGO_FILE_SESSIONS, _DJANGO_CACHE_SESSIONS),
    "session.type": ("file", "memory", "dbm")}
_LOCAL_CACHES = {"django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.filebased.FileBasedCache"}


def _settings(module: PyModule) -> Iterator[tuple[str, ast.expr, ast.AST]]:
    """(key, value, node) for `KEY = value`, `app.config["KEY"] = value`, `app.config.update(KEY=value)`
    and `{"KEY": value}`."""
    for node in module.nodes(ast.Assign, ast.AnnAssign, ast.Call, ast.Dict):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                key = _config_key(target)
                if key:
                    yield key, node.value, node
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                "update", "from_mapping", "setdefault"):
            for keyword in node.keywords:
                if keyword.arg:
                    yield keyword.arg, keyword.value, keyword.value
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                text = module.literal_string(key) if key is not None else None
                if text:
                    yield text, value, value


def _session_stores(module: PyModule) -> Iterator[Hit]:
    settings = list(_settings(module))
    caches_defined = any(key == "CACHES" for key, _, _ in settings)
    local_cache = any(key == "BACKEND" and module.literal_string(value) in _LOCAL_CACHES for key, value, _ in settings)
    for key, value, node in settings:
        if key not in _SESSION_VALUES:
            continue
        text = module.literal_string(value)
        if text is None:
            continue
        if key == "SESSION_TYPE" and text in _SESSION_VALUES[key]:
            what = 'Flask-Session SESSION_TYPE = "filesystem" keeps sessions in files on the instance'
        elif key == "SESSION_ENGINE" and text == _DJANGO_FILE_SESSIONS:
            what = f"SESSION_ENGINE {text!r} keeps sessions in files on the instance"
        elif key == "SESSION_ENGINE" and text == _DJANGO_CACHE_SESSIONS and (
                local_cache or (not caches_defined and not module.star_import)):
            what = (f"SESSION_ENGINE {text!r} keeps sessions in the cache, and the cache here is Django's "
                    "local-memory (or file) cache")
        elif key == "session.type" and text in _SESSION_VALUES[key]:
            what = f'Beaker session.type = "{text}" keeps sessions on the instance'
        else:
            continue
        yield Hit(SESSION_STORE, f"{what}; {_STATELESS}, so users are logged out at random and requests routed "
                  "to another instance see no session: use cookie sessions or Redis/a database", value, None, node)


# ---- CBR304 ------------------------------------------------------------------------------------
_CONTAINERS = {"builtins.dict", "builtins.list", "builtins.set", "collections.defaultdict", "collections.OrderedDict",
               "collections.deque", "collections.Counter"}
_ADDERS = {"append", "extend", "insert", "add", "update", "setdefault", "appendleft", "__setitem__"}
_STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def _is_container(module: PyModule, value: ast.expr) -> bool:
    if isinstance(value, (ast.Dict, ast.List, ast.Set)):
        return True
    return isinstance(value, ast.Call) and module.qualname(value.func) in _CONTAINERS


def _holds_containers(module: PyModule, value: ast.expr) -> bool:
    """Whether every item of a container is itself a container: `defaultdict(list)`,
    `defaultdict(lambda: {"n": 0})`, `{"open": [], "done": []}`, `[[], []]`."""
    if isinstance(value, ast.Dict):
        return bool(value.values) and all(_is_container(module, item) for item in value.values)
    if isinstance(value, ast.List):
        return bool(value.elts) and all(_is_container(module, item) for item in value.elts)
    if isinstance(value, ast.Call) and module.qualname(value.func) == "collections.defaultdict" and value.args:
        factory = value.args[0]
        if isinstance(factory, ast.Lambda):
            return _is_container(module, factory.body)
        return module.qualname(factory) in _CONTAINERS
    return False


def _module_containers(module: PyModule) -> dict[str, tuple[ast.AST, bool]]:
    """name -> (its assignment, whether its items are containers too) for module-level containers."""
    found = {}
    for name, bindings in module.bindings[module.tree].items():
        if "cache" in name.lower() or "memo" in name.lower():
            continue  # a cache is allowed to be lost
        if len(bindings) == 1 and bindings[0].kind == "assign" and _is_container(module, bindings[0].value):  # type: ignore[arg-type]
            found[name] = (bindings[0].node, _holds_containers(module, bindings[0].value))  # type: ignore[arg-type]
    return found


# What may_keep_module_state looks for: the last part of each container's qualified name.
_CONTAINER_NAMES = frozenset(name.rsplit(".", 1)[1] for name in _CONTAINERS)
_BLOCKS: dict[type, tuple[str, ...]] = {}  # statement class -> its fields that hold statements run in its scope


def may_keep_module_state(tree: ast.Module, text: str) -> bool:
    """False when _module_containers is sure to find nothing, told from the module's own
    statements before the module is indexed (most modules with request handlers have no
    module-level container). Module-level names are bound by the statements outside functions and
    classes, and by functions only through `global`. A container is a dict, list or set display, or
    a call whose qualified name ends in a container's name: spelt so (`dict()`, `collections.deque()`,
    `from collections import deque`) or imported under another name (`import ... Counter as C`)."""
    if "global" in text:
        return True
    aliases: set[str] = set()
    values: list[ast.expr] = []
    for statement in _module_statements(tree):
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            aliases.update(alias.asname for alias in statement.names
                           if alias.asname and alias.name.rsplit(".", 1)[-1] in _CONTAINER_NAMES)
        elif isinstance(statement, ast.Assign) and any(isinstance(target, ast.Name) for target in statement.targets):
            values.append(statement.value)
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and statement.value:
            values.append(statement.value)
    return any(_may_be_container(value, aliases) for value in values)


# What may_keep_module_state_in_text looks for. A statement of the module's own scope starts at
# column 0, unless it is in a compound statement there (if, try, with...: the test gives up) or
# follows a `;`. A line at column 0 that is not a comment, a def, a class or a decorator may start
# one; the test gives up on it when it holds anything a container assignment needs, or anything
# that makes the statement go on past the line or hides its text: a bracket or brace display, a
# container's name (also the one an alias imports), a quote, a `;`, a backslash, an unclosed
# parenthesis, a character outside ASCII (NFKC may make it a container's name). The module's
# docstring is skipped as a whole (only the first statement surely starts where a line does).
_FIRST_STATEMENT = re.compile(r"^[^ \t\n#]", re.MULTILINE)
_BODY_ELSEWHERE = re.compile(r"(?:def|class)\b|@")
_STRING_STATEMENT = re.compile(r"""[rRuU]?(?:
      \'\'\'(?:[^'\\]|\\[\s\S]|'(?!''))*\'\'\'
    | \"\"\"(?:[^"\\]|\\[\s\S]|"(?!""))*\"\"\"
    | '(?:[^'\\\n]|\\[\s\S])*'
    | "(?:[^"\\\n]|\\[\s\S])*"
    )""", re.VERBOSE)
# A compound statement, or anything a container assignment needs or that may hide the statement's
# text or make it go on past the line (an unclosed parenthesis is counted apart).
_MAY_HOLD_CONTAINER = re.compile(
    r"""(?:if|elif|else|for|while|try|except|finally|with|async|match|case)\b|.*?(?:['";\\\[{]|[^\x00-\x7f]|\b(?:%s)\b)"""
    % "|".join(sorted(_CONTAINER_NAMES)))


def may_keep_module_state_in_text(text: str) -> bool:
    """may_keep_module_state told from the text, before the module is parsed: False only when it
    would be False for the parsed module (a superset, see the comment above), so that a module
    whose only possible finding is CBR304 is not parsed at all."""
    if "global" in text or "\f" in text:  # a form feed resets the column Python counts indentation from
        return True
    if "\r" in text:  # Python's other line ends
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    first = _FIRST_STATEMENT.search(text)
    docstring = first and _STRING_STATEMENT.match(text, first.start())
    if docstring:
        text = text[docstring.end():]
        rest, _, text = text.partition("\n")
        rest = rest.strip()
        if rest and not rest.startswith("#"):
            return True  # more code on the docstring's last line
    for code in text.split("\n"):
        if not code or code[0] in " \t#" or _BODY_ELSEWHERE.match(code):
            continue  # not at column 0, a comment, or a statement whose body is not the module's scope
        if _MAY_HOLD_CONTAINER.match(code):
            return True
        code = code.partition("#")[0]  # no quote: `#` starts a comment
        if code.count("(") > code.count(")"):
            return True  # an unclosed parenthesis
    return False


def _module_statements(tree: ast.Module) -> list[ast.AST]:
    """The statements that run in the module's own scope: all but those in functions and classes."""
    found: list[ast.AST] = []
    pending: list[ast.AST] = list(tree.body)
    while pending:
        statement = pending.pop()
        found.append(statement)
        kind = type(statement)
        blocks = _BLOCKS.get(kind)
        if blocks is None:
            blocks = _BLOCKS[kind] = () if kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef) else tuple(
                field for field in ("body", "orelse", "finalbody", "handlers", "cases") if field in kind._fields)
        for field in blocks:  # if, for, while, with, try and match blocks
            pending.extend(getattr(statement, field))
    return found


def _may_be_container(value: ast.expr, aliases: set[str]) -> bool:
    if isinstance(value, (ast.Dict, ast.List, ast.Set)):
        return True
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    if isinstance(func, ast.Name):
        return func.id in _CONTAINER_NAMES or func.id in aliases
    return isinstance(func, ast.Attribute) and func.attr in _CONTAINER_NAMES


def _container_name(node: ast.expr) -> tuple[str, bool] | None:
    """(`store`, nested) for `store` or, nested, for an item of it: `store[k]`, `store[k][j]`."""
    nested = False
    while isinstance(node, ast.Subscript):
        node, nested = node.value, True
    return (node.id, nested) if isinstance(node, ast.Name) else None


def _written_name(node: ast.AST) -> tuple[str, ast.AST, bool] | None:
    """The module-level name a statement adds to: `store[k] = v`, `store[k] += v`, `store.append(v)`;
    with True at the end when it changes an item of it instead (`store[k].append(v)`,
    `store[k][j] = v`)."""
    if isinstance(node, (ast.Assign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            written = _container_name(target.value) if isinstance(target, ast.Subscript) else None
            if written is not None:
                return written[0], target, written[1]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _ADDERS:
        written = _container_name(node.func.value)
        if written is not None:
            return written[0], node, written[1]
    return None


def _module_state(module: PyModule, context: Context) -> Iterator[Hit]:
    containers = _module_containers(module)
    if not containers:
        return
    reported: set[str] = set()
    for handler, methods in context.handlers.items():
        if not methods & _STATE_CHANGING:
            continue
        for node in ast.walk(handler):
            written = _written_name(node)
            if written is None or written[0] not in containers or written[0] in reported:
                continue
            name, where, nested = written
            if nested and not containers[name][1]:
                continue  # an item of unknown kind (a client, a connection) may keep nothing in memory
            if enclosing_function(where) is not handler or module.lookup(name, handler) is not \
                    module.bindings[module.tree].get(name):
                continue
            reported.add(name)
            line = getattr(containers[name][0], "lineno", 0)
            yield Hit(MODULE_STATE, f"request handler {handler.name}() stores data in module-level {name!r} "  # type: ignore[attr-defined]
                      f"(defined on line {line}); {_STATELESS}, so the data is lost and each instance sees its own "
                      "copy: keep it in a database or cache service", where, None, where)


# What gate.py looks for (see triggers.py), by rule: every hit of a rule needs one of its sets of
# words in the file: a function it matches, a method on a pathlib path or on anything (`.save()`),
# a setting's key and value, or a route decorator for a state-changing method (CBR304).
TRIGGERS_BY_CODE: dict[str, frozenset[triggers.Trigger]] = {
    FILE_WRITE: frozenset(
        triggers.qualified([*_OPENERS, *_DESTINATIONS])
        | {trigger for method in (*_PATH_WRITES, "open") for trigger in triggers.qualified(_PATH_CLASSES, method)}
        | triggers.each(_SAVES)),
    SQLITE: frozenset(
        triggers.qualified([*_SQLITE_CONNECT, *_SQLITE_CLASSES, *_URL_FUNCTIONS])
        | triggers.each(_URL_KEYS) | {("ENGINE", _DJANGO_SQLITE)}),
    SESSION_STORE: frozenset(
        {trigger for key, values in _SESSION_VALUES.items() for trigger in triggers.each(values, key)}),
    MODULE_STATE: frozenset(triggers.each(handler_trigger_names(_STATE_CHANGING))),
}
TRIGGERS: frozenset[triggers.Trigger] = frozenset().union(*TRIGGERS_BY_CODE.values())
# The trigger words the rules compare with string values (keys and values of settings), which
# escapes and adjacent literals can spell without writing them out; all others are identifiers.
STRING_WORDS: frozenset[str] = frozenset(
    {*_URL_KEYS, "ENGINE", _DJANGO_SQLITE, *_SESSION_VALUES,
     *(value for values in _SESSION_VALUES.values() for value in values)})


def find(module: PyModule, context: Context, codes: Collection[str] = CODES) -> Iterator[Hit]:
    """The hits of the rules whose codes are in `codes` (the gate's answer: the others cannot fire)."""
    if FILE_WRITE in codes:
        yield from _file_writes(module)
    if SQLITE in codes:
        yield from _sqlite(module)
    if SESSION_STORE in codes:
        yield from _session_stores(module)
    if MODULE_STATE in codes:
        yield from _module_state(module, context)
