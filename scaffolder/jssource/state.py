"""CBR301-CBR304: data a Node.js service keeps on the instance, which CloudBase Run may stop or
replace at any time.

- CBR301 local-file-write: `fs` writes (`writeFile`, `appendFile`, `createWriteStream`, `mkdir`,
  `copyFile`/`cp`/`rename` onto a path, `open` with a write flag; sync and promise forms;
  fs-extra's `outputFile`, `writeJson`, `ensureDir`, `copy`, `move`), multer's `dest` and
  `diskStorage` destination, formidable's `uploadDir`, and an uploaded file's `.mv(path)`, at a
  local, persistent path (see paths.py).
- CBR302 local-sqlite-database: an SQLite or other embedded database in a file: sqlite3
  `new Database(file)`, better-sqlite3, `node:sqlite` `DatabaseSync`, the `sqlite` package's
  `open({ filename })`, Sequelize, knex and TypeORM configured for SQLite with a file, libSQL
  `file:` URLs, lowdb's `JSONFile`/`FileSync` adapters and NeDB datastores with a filename.
- CBR303 local-session-store: express-session without a `store` (its MemoryStore) or with a
  MemoryStore or session-file-store; `@fastify/session` without a `store`.
- CBR304 in-memory-state-store: a module-level array, object, Map or Set that a state-changing
  request handler (POST, PUT, PATCH, DELETE; function mode's `main`) adds to.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from scaffolder.jssource.context import ALL_METHODS, Context
from scaffolder.source_hit import Hit
from scaffolder.jssource.module import FUNCTION_TYPES, JsModule, arguments_of, enclosing_function, unwrap
from scaffolder.jssource.paths import APP_FOLDER, is_persistent_local, local_path, path_root

FILE_WRITE, SQLITE, SESSION_STORE, MODULE_STATE = "CBR301", "CBR302", "CBR303", "CBR304"
CODES = frozenset({FILE_WRITE, SQLITE, SESSION_STORE, MODULE_STATE})

_STATELESS = "CloudBase Run instances are stateless: they scale to zero and are replaced, and each has its own disk"

# ---- CBR301 ------------------------------------------------------------------------------------
_FS_MODULES = frozenset({"fs", "fs.promises", "fs-extra", "graceful-fs", "fs-extra.promises"})
_FS_WRITES = {  # function -> position of the path it writes
    "writeFile": 0, "writeFileSync": 0, "appendFile": 0, "appendFileSync": 0, "createWriteStream": 0,
    "mkdir": 0, "mkdirSync": 0, "copyFile": 1, "copyFileSync": 1, "cp": 1, "cpSync": 1, "rename": 1,
    "renameSync": 1, "outputFile": 0, "outputFileSync": 0, "outputJson": 0, "outputJSON": 0, "outputJsonSync": 0,
    "writeJson": 0, "writeJSON": 0, "writeJsonSync": 0, "ensureDir": 0, "ensureDirSync": 0, "mkdirs": 0,
    "mkdirp": 0, "mkdirsSync": 0, "ensureFile": 0, "ensureFileSync": 0, "copy": 1, "copySync": 1, "move": 1,
    "moveSync": 1,
}
_FS_OPENS = {"open", "openSync"}
# A call resolves to fs only through an import or require of one of these modules in the same file.
_FS_WORDS = (b"'fs", b'"fs', b"`fs", b":fs", b"graceful-fs", b"mkdirp")
_UPLOAD_WORDS = (b"multer", b"formidable")
_REMOVERS = {"unlink", "unlinkSync", "rm", "rmSync", "remove", "removeSync"}
_UPLOADS = {"multer": "dest", "formidable": "uploadDir", "formidable.formidable": "uploadDir",
            "formidable.IncomingForm": "uploadDir", "formidable.default": "uploadDir"}


def _write_flags(module: JsModule, node: Node | None) -> str | None:
    text = module.literal_string(node) if node is not None else None
    return text if text is not None and any(flag in text for flag in "wax+") else None


def _file_writes(module: JsModule) -> Iterator[Hit]:
    if module.mentions(*_UPLOAD_WORDS):
        yield from _upload_folders(module)
    if module.mentions(b".mv("):
        yield from _moved_uploads(module)
    if not module.mentions(*_FS_WORDS):
        return
    for name, position in _FS_WRITES.items():
        for call in module.calls_named(name, "." + name):
            qualified = module.qualname(call.child_by_field_name("function")) or ""
            base, _, function = qualified.rpartition(".")
            if function != name or (base not in _FS_MODULES and qualified != "mkdirp"):
                continue
            args = arguments_of(call)
            if len(args) > position:
                yield from _write(module, call, args[position], f"{qualified}() writes")
    for name in _FS_OPENS:
        for call in module.calls_named(name, "." + name):
            qualified = module.qualname(call.child_by_field_name("function")) or ""
            args = arguments_of(call)
            if qualified.rpartition(".")[0] in _FS_MODULES and len(args) >= 2:
                flags = _write_flags(module, args[1])
                if flags is not None:
                    yield from _write(module, call, args[0], f"{qualified}() opens a file for writing ({flags!r})")


def _moved_uploads(module: JsModule) -> Iterator[Hit]:
    for call in module.calls_named(".mv"):  # express-fileupload: req.files.avatar.mv(path)
        function = call.child_by_field_name("function")
        receiver = module.text(function.child_by_field_name("object")).lower()
        args = arguments_of(call)
        if "file" in receiver and args and _looks_like_file(module, args[0]):
            yield from _write(module, call, args[0], "an uploaded file's .mv() writes it")


def _write(module: JsModule, call: Node, path: Node, what: str) -> Iterator[Hit]:
    where = local_path(module, path)
    if where is not None and not _removed_afterwards(module, call, path):
        yield Hit(FILE_WRITE, f"{what} at {where} on the instance's own disk; {_STATELESS}, so the file is lost: "
                  "keep data in a database or object storage (Cloud Storage), or use os.tmpdir() for scratch "
                  "files", call)


def _upload_folders(module: JsModule) -> Iterator[Hit]:
    """multer({ dest }), multer.diskStorage({ destination }), formidable({ uploadDir })."""
    for call in module.calls_to(_UPLOADS, ("diskStorage", "formidable", "IncomingForm")):
        function = call.child_by_field_name("function" if call.type == "call_expression" else "constructor")
        qualified = module.qualname(function)
        args = arguments_of(call)
        options = module.object_of(args[0]) if args else None
        properties = module.properties(options) if options is not None else None
        if not properties:
            continue
        if qualified == "multer.diskStorage":
            destination = unwrap(properties.get("destination"))
            for place in _destinations(module, destination):
                yield from _write(module, call, place, "multer's disk storage saves uploads")
        elif qualified in _UPLOADS and _UPLOADS[qualified] in properties:
            key = _UPLOADS[qualified]
            label = "multer" if qualified == "multer" else "formidable"
            yield from _write(module, call, properties[key], f"{label} saves uploads ({key})")


def _destinations(module: JsModule, destination: Node | None) -> Iterator[Node]:
    """The folder a multer destination names: a string, or `cb(null, folder)` in a function."""
    if destination is None:
        return
    if destination.type not in FUNCTION_TYPES:
        yield destination
        return
    params = destination.child_by_field_name("parameters")
    names = [module.text(param) for param in params.named_children] if params is not None else []
    if len(names) < 3:
        return
    callback = names[2]
    stack = [destination.child_by_field_name("body")]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        if node.type == "call_expression" and module.text(node.child_by_field_name("function")) == callback:
            args = arguments_of(node)
            if len(args) == 2:
                yield args[1]
        stack.extend(node.named_children)


def _looks_like_file(module: JsModule, node: Node) -> bool:
    root = path_root(module, node)
    if root is None:
        return False
    if root == APP_FOLDER:
        return True
    name = root.rsplit("/", 1)[-1]
    return "/" in root or ("." in name and 1 <= len(name.rsplit(".", 1)[1]) <= 5)


def _removed_afterwards(module: JsModule, call: Node, path: Node) -> bool:
    """`fs.writeFileSync(file, ...)` ... `fs.unlinkSync(file)` later in the same function (or a callback
    in it): a scratch file, deleted again."""
    path = unwrap(path)
    function = enclosing_function(call)
    if path is None or path.type != "identifier" or function is None:
        return False
    name = module.text(path)
    for remover in _REMOVERS:
        for other in module.calls_named(remover, "." + remover):
            args = arguments_of(other)
            if (args and module.text(args[0]) == name and other.start_byte > call.start_byte
                    and other.end_byte <= function.end_byte):  # also in a callback: res.sendFile(f, () => unlink(f))
                return True
    return False


# ---- CBR302 ------------------------------------------------------------------------------------
_FILE_DATABASES = {  # constructor or function -> (position of the file, or the options key holding it)
    "sqlite3.Database": 0, "better-sqlite3": 0, "sqlite.DatabaseSync": 0,
    "lowdb/node.JSONFile": 0, "lowdb/node.JSONFileSync": 0, "lowdb/node.JSONFilePreset": 0,
    "lowdb/node.JSONFileSyncPreset": 0, "lowdb/adapters/FileSync": 0, "lowdb/adapters/FileAsync": 0,
    "lowdb.JSONFile": 0, "lowdb.JSONFileSync": 0,
}
_DATASTORES = frozenset({"nedb", "@seald-io/nedb", "nedb-promises", "nedb-promises.create", "nedb-promises.default"})
_SQLITE_CLIENTS = frozenset({"sqlite", "sqlite3", "better-sqlite3"})
_SQLITE_TYPES = frozenset({"sqlite", "better-sqlite3", "capacitor", "expo"})
_CONFIGURED = {  # function -> which shape of configuration it takes
    "sqlite.open": "filename", "knex": "knex", "knex.knex": "knex", "knex.default": "knex",
    "sequelize": "sequelize", "sequelize.Sequelize": "sequelize", "sequelize-typescript.Sequelize": "sequelize",
    "typeorm.DataSource": "typeorm", "typeorm.createConnection": "typeorm",
    "@nestjs/typeorm.TypeOrmModule.forRoot": "typeorm", "@libsql/client.createClient": "libsql",
}
DATABASE_NAMES = frozenset({"Database", "DatabaseSync", "JSONFile", "JSONFileSync", "JSONFilePreset",
                            "JSONFileSyncPreset", "FileSync", "FileAsync", "Datastore", "create", "open",
                            "Sequelize", "DataSource", "createConnection", "forRoot", "createClient", "knex"})


def _in_memory(text: str) -> bool:
    return text in ("", ":memory:") or ":memory:" in text or "mode=memory" in text


def _database_file(module: JsModule, node: Node | None) -> str | None:
    """Where a database file is, when `node` names a local, persistent one."""
    if node is None:
        return None
    text = module.literal_string(node)
    if text is not None and _in_memory(text):
        return None
    if text is not None and text.startswith("file:"):
        place = text[5:].removeprefix("//").split("?", 1)[0]
        return repr(text) if place and not _in_memory(place) and is_persistent_local(place) else None
    return local_path(module, node)


def _sqlite_url(module: JsModule, node: Node | None) -> str | None:
    text = module.literal_string(node) if node is not None else None
    if text is None or not text.lower().startswith("sqlite:"):
        return None
    place = text[7:].removeprefix("//").split("?", 1)[0]
    return repr(text) if place and not _in_memory(place) and is_persistent_local(place) else None


_DATABASE_WORDS = (b"sqlite", b"lowdb", b"nedb", b"sequelize", b"knex", b"typeorm", b"libsql")


def _sqlite(module: JsModule) -> Iterator[Hit]:
    if not module.mentions(*_DATABASE_WORDS):
        return

    def hit(node: Node, what: str) -> Hit:
        return Hit(SQLITE, f"{what}: a database file on the instance's own disk; {_STATELESS}, so the data is lost "
                   "and never shared between instances: use a database service (CloudBase database, MySQL)", node)

    targets = {*_FILE_DATABASES, *_DATASTORES, *_CONFIGURED}
    for call in module.calls_to(targets, DATABASE_NAMES):
        function = call.child_by_field_name("function" if call.type == "call_expression" else "constructor")
        qualified = module.qualname(function)
        args = arguments_of(call)
        if qualified is None or not args:
            continue
        if qualified in _FILE_DATABASES:
            where = _database_file(module, args[_FILE_DATABASES[qualified]])
            if where:
                kind = "lowdb" if "lowdb" in qualified else qualified.split(".")[0]
                yield hit(call, f"{kind} keeps its data in {where}")
        elif qualified in _DATASTORES:
            obj = module.object_of(args[0])
            properties = module.properties(obj) if obj is not None else None
            if properties is not None and module.literal_values(properties.get("inMemoryOnly")) == (True,):
                continue
            target = properties.get("filename") if properties is not None else (args[0] if obj is None else None)
            where = _database_file(module, target)
            if where:
                yield hit(call, f"NeDB keeps its data in {where}")
        elif qualified in _CONFIGURED:
            found = _configured_file(module, _CONFIGURED[qualified], args)
            if found:
                yield hit(call, f"{qualified}() uses {found}")


def _configured_file(module: JsModule, shape: str, args: list[Node]) -> str | None:
    if shape == "sequelize":
        url = _sqlite_url(module, args[0])
        if url:
            return url
        obj = module.object_of(args[-1])
        properties = module.properties(obj) if obj is not None else None
        if properties and module.literal_string(properties.get("dialect")) == "sqlite":
            return _database_file(module, properties.get("storage"))
        return None
    obj = module.object_of(args[0])
    properties = module.properties(obj) if obj is not None else None
    if not properties:
        return None
    if shape == "filename":
        return _database_file(module, properties.get("filename"))
    if shape == "libsql":
        url = module.literal_string(properties.get("url"))
        return _database_file(module, properties.get("url")) if url and url.startswith("file:") else None
    if shape == "typeorm":
        if module.literal_string(properties.get("type")) in _SQLITE_TYPES:
            return _database_file(module, properties.get("database"))
        return None
    if shape == "knex" and module.literal_string(properties.get("client")) in _SQLITE_CLIENTS:
        connection = properties.get("connection")
        connection_object = module.object_of(connection)
        if connection_object is not None:
            return _database_file(module, (module.properties(connection_object) or {}).get("filename"))
        return _database_file(module, connection)
    return None


# ---- CBR303 ------------------------------------------------------------------------------------
_EXPRESS_SESSION = "express-session"
_FASTIFY_SESSIONS = frozenset({"@fastify/session", "fastify-session"})
_LOCAL_STORES = {"session-file-store": "files", "connect-sqlite3": "an SQLite file", "memorystore": "process memory",
                 "express-session.MemoryStore": "process memory"}


def _local_store(module: JsModule, store: Node) -> str | None:
    """`new MemoryStore()`, `new FileStore()` where FileStore = require("session-file-store")(session),
    `new SQLiteStore()` from connect-sqlite3."""
    store = unwrap(store)
    if store is None or store.type != "new_expression":
        return None
    constructor = store.child_by_field_name("constructor")
    qualified = module.qualname(constructor) or module.created_by(constructor)
    return _LOCAL_STORES.get(qualified or "")


def _session_stores(module: JsModule) -> Iterator[Hit]:
    def hit(node: Node, what: str) -> Hit:
        return Hit(SESSION_STORE, f"{what}; {_STATELESS}, so users are logged out at random and requests routed to "
                   "another instance see no session: use cookie sessions or a Redis/database store", node)

    if not module.mentions(b"session"):
        return
    for call in module.calls_to({_EXPRESS_SESSION}, ("register",)):
        qualified = module.qualname(call.child_by_field_name("function"))
        args = arguments_of(call)
        if qualified == _EXPRESS_SESSION:
            options = module.object_of(args[0]) if args else None
            label = "express-session"
        elif module.qualname(args[0] if args else None) in _FASTIFY_SESSIONS and len(args) == 2:
            options = module.object_of(args[1])
            label = "@fastify/session"
        else:
            continue
        properties = module.properties(options) if options is not None else None
        if properties is None:
            continue  # options from elsewhere: the store is not known
        store = properties.get("store")
        if store is None:
            yield hit(call, f"{label} without a store keeps sessions in process memory (its MemoryStore)")
        else:
            where = _local_store(module, store)
            if where:
                yield hit(call, f"{label} keeps sessions in {where} on the instance")


# method calls the candidate query keeps (request handlers are found through their route calls)
METHODS = frozenset(_FS_WRITES) | _FS_OPENS | _REMOVERS | DATABASE_NAMES | {
    "diskStorage", "formidable", "IncomingForm", "mv", "register", "post", "put", "patch", "delete", "route"}


# ---- CBR304 ------------------------------------------------------------------------------------
_CONTAINER_CONSTRUCTORS = frozenset({"Map", "Set", "Array", "Object"})
_ADDERS = frozenset({"push", "unshift", "splice", "set", "add"})
_STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE", ALL_METHODS})


def _is_container(module: JsModule, value: Node | None) -> bool:
    value = unwrap(value)
    if value is None:
        return False
    if value.type in ("array", "object"):
        return True
    if value.type == "new_expression":
        constructor = value.child_by_field_name("constructor")
        return constructor is not None and module.text(constructor) in _CONTAINER_CONSTRUCTORS and \
            module.declaration(constructor) is None
    if value.type == "call_expression":
        return module.text(value.child_by_field_name("function")) == "Object.create"
    return False


def _module_containers(module: JsModule) -> dict[str, Node]:
    found: dict[str, Node] = {}
    for statement in module.root.named_children:
        if statement.type == "export_statement":
            statement = statement.child_by_field_name("declaration") or statement
        if statement.type not in ("lexical_declaration", "variable_declaration"):
            continue
        for declarator in statement.named_children:
            name, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
            if name is None or name.type != "identifier":
                continue
            text = module.text(name)
            if "cache" in text.lower() or "memo" in text.lower():
                continue  # a cache is allowed to be lost
            if _is_container(module, value):
                found[text] = declarator
    return found


def _written_name(module: JsModule, node: Node) -> tuple[Node, Node] | None:
    """(name, where) for `store[k] = v`, `store[k] += v`, `store.push(v)`, `Object.assign(store, v)`.
    A new value for the name itself (`rates = await fetchRates()`) is not counted: like Python's
    rule, only adding to a container is."""
    kind = node.type
    if kind in ("assignment_expression", "augmented_assignment_expression"):
        left = unwrap(node.child_by_field_name("left"))
        if left is not None and left.type == "subscript_expression":
            target = unwrap(left.child_by_field_name("object"))
            return (target, node) if target is not None and target.type == "identifier" else None
    elif kind == "call_expression":
        function = node.child_by_field_name("function")
        if function is not None and function.type == "member_expression":
            prop = function.child_by_field_name("property")
            target = unwrap(function.child_by_field_name("object"))
            if prop is not None and module.text(prop) in _ADDERS and target is not None and target.type == "identifier":
                return target, node
        elif function is not None and module.text(function) == "Object.assign":
            args = arguments_of(node)
            if args and unwrap(args[0]) is not None and unwrap(args[0]).type == "identifier":  # type: ignore[union-attr]
                return unwrap(args[0]), node  # type: ignore[return-value]
    return None


def _own_nodes(function: Node) -> Iterator[Node]:
    """The nodes of a function's body, not of the functions nested in it."""
    stack = list(function.named_children)
    while stack:
        node = stack.pop()
        if node.type in FUNCTION_TYPES or node.type == "class_declaration":
            continue
        yield node
        stack.extend(node.named_children)


def _module_state(module: JsModule, context: Context) -> Iterator[Hit]:
    containers = _module_containers(module)
    if not containers:
        return
    reported: set[str] = set()
    for function, methods in sorted(context.handlers.values(), key=lambda item: item[0].start_byte):
        if not methods & _STATE_CHANGING:
            continue
        for node in _own_nodes(function):
            written = _written_name(module, node)
            if written is None:
                continue
            name_node, where = written
            name = module.text(name_node)
            if name not in containers or name in reported:
                continue
            decl = module.declaration(name_node)
            if decl is None or decl.node != containers[name]:
                continue  # a local of the same name
            reported.add(name)
            line = containers[name].start_point[0] + 1
            yield Hit(MODULE_STATE, f"a request handler stores data in module-level {name!r} (defined on line "
                      f"{line}); {_STATELESS}, so the data is lost and each instance sees its own copy: keep it "
                      "in a database or cache service", where, where)


def find(module: JsModule, context: Context) -> Iterator[Hit]:
    yield from _file_writes(module)
    yield from _sqlite(module)
    yield from _session_stores(module)
    yield from _module_state(module, context)
