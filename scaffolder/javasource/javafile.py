"""One parsed Java file: its imports, and the method calls, `new` expressions, annotations and
strings the rules look at, and the declarations and assignments scopes.py needs, all found by one
tree-sitter query (compiled once per process)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from tree_sitter import Node

from scaffolder import treesitter
from scaffolder.treesitter import Source

GRAMMAR = "java"
CALLABLE_TYPES = frozenset({"method_declaration", "constructor_declaration", "compact_constructor_declaration",
                            "lambda_expression", "static_initializer"})
CLASS_BODY_TYPES = frozenset({"class_body", "interface_body", "enum_body", "enum_body_declarations",
                              "annotation_type_body"})
CLASS_TYPES = frozenset({"class_declaration", "record_declaration", "enum_declaration", "interface_declaration"})

# Names any Java rule looks at; a call, `new` or annotation of anything else is never a finding.
METHOD_NAMES = frozenset({
    # listen.py and settings.py
    "create", "bind", "start", "listen", "port", "ipAddress", "addHttpListener", "setPort", "setHost", "setProperty",
    "run", "setDefaultProperties",
    # state.py
    "write", "writeString", "newBufferedWriter", "newOutputStream", "createFile", "createDirectory",
    "createDirectories", "copy", "move", "mkdir", "mkdirs", "createNewFile", "transferTo",
    # background.py
    "schedule", "scheduleAtFixedRate", "scheduleWithFixedDelay", "startVirtualThread", "submit", "execute",
    "runAsync",
    # memory.py: Javalin and Spark routes
    "post", "put", "patch", "delete",
    # processes.py
    "exec",
})
NEW_TYPES = frozenset({"ServerSocket", "Server", "FileWriter", "FileOutputStream", "PrintWriter", "PrintStream",
                       "RandomAccessFile"})
ANNOTATIONS = frozenset({"Scheduled", "Schedules", "EnableScheduling", "SpringBootApplication"})
MARKER_TYPES = frozenset({"WebServerFactoryCustomizer", "SpringApplicationBuilder",
                          "ConfigurableServletWebServerFactory", "ConfigurableWebServerFactory"})


def _any_of(names) -> str:
    return " ".join(f'"{name}"' for name in sorted(names))


_INDEX_PATTERNS = f"""
(package_declaration (_) @package)
(import_declaration) @import
((method_invocation name: (identifier) @name) @invocation (#any-of? @name {_any_of(METHOD_NAMES)}))
((object_creation_expression type: [(type_identifier) @type (generic_type (type_identifier) @type)]) @new
 (#any-of? @type {_any_of(NEW_TYPES)}))
((marker_annotation name: [(identifier) @annotation_name (scoped_identifier name: (identifier) @annotation_name)])
 @annotation (#any-of? @annotation_name {_any_of(ANNOTATIONS)}))
((annotation name: [(identifier) @annotation_name (scoped_identifier name: (identifier) @annotation_name)])
 @annotation (#any-of? @annotation_name {_any_of(ANNOTATIONS)}))
((string_fragment) @setting (#match? @setting "^(jdbc:|server[.](port|address)$)"))
((type_identifier) @marker (#any-of? @marker {_any_of(MARKER_TYPES)}))
"""
# What names are bound to, for scopes.py. In the same query as the rest because each query walks
# the whole tree, and the walk, not the patterns, is what a query costs to run. Compiling it costs
# too, once per process, and most for a pattern that looks inside a node: assignments, updates,
# lambdas and for-each loops are captured whole, and scopes.py picks out their names.
_BINDING_PATTERNS = """
(local_variable_declaration) @declaration
(field_declaration) @declaration
(constant_declaration) @declaration
(formal_parameter name: (identifier) @param)
(spread_parameter (variable_declarator name: (identifier) @param))
(catch_formal_parameter name: (identifier) @param)
(enhanced_for_statement) @for_each
(lambda_expression) @lambda
(inferred_parameters (identifier) @param)
(resource name: (identifier) @resource)
(assignment_expression) @assignment
(update_expression) @update
"""
_QUERY = _INDEX_PATTERNS + _BINDING_PATTERNS


@dataclass
class Imports:
    """What a file's import declarations bring in."""

    classes: dict[str, str] = field(default_factory=dict)  # simple name -> qualified name
    wildcards: list[str] = field(default_factory=list)  # packages imported with .*
    static_wildcards: list[str] = field(default_factory=list)  # classes whose members are imported with .*
    static_members: dict[str, str] = field(default_factory=dict)  # member -> "spark.Spark.port"

    def add(self, node: Node, file: "JavaFile") -> None:
        static = wildcard = False
        name = None
        for child in node.children:  # one pass: `import static a.b.C.*;`
            if child.type == "static":
                static = True
            elif child.type == "asterisk":
                wildcard = True
            elif name is None and child.type in ("scoped_identifier", "identifier"):
                name = child
        if name is None:
            return
        qualified = file.text(name)
        if wildcard:
            (self.static_wildcards if static else self.wildcards).append(qualified)
        elif static:
            self.static_members[qualified.rsplit(".", 1)[-1]] = qualified
        else:
            self.classes[qualified.rsplit(".", 1)[-1]] = qualified


@dataclass(eq=False)
class JavaFile:
    path: Path
    source: Source
    package: str = ""
    import_nodes: list[Node] = field(default_factory=list)  # read into `imported` when a rule asks
    invocations: list[Node] = field(default_factory=list)
    creations: list[Node] = field(default_factory=list)
    annotations: list[Node] = field(default_factory=list)
    settings: list[Node] = field(default_factory=list)  # string fragments: "jdbc:...", "server.port"
    markers: set[str] = field(default_factory=set)  # MARKER_TYPES used in the file
    captured: dict[str, list[Node]] = field(default_factory=dict)  # every capture; scopes.py reads the bindings

    @classmethod
    def parse(cls, path: Path, text: str) -> "JavaFile":
        source = treesitter.parse(GRAMMAR, text)
        file = cls(path, source)
        if not source.has_errors():
            file._index()
        return file

    def _index(self) -> None:
        found = treesitter.captures(GRAMMAR, _QUERY, self.source.root)
        for node in found.get("package", ()):
            self.package = self.text(node)
        self.import_nodes = found.get("import", [])
        # treesitter.captures gives each list in document order already
        self.invocations = found.get("invocation", [])
        self.creations = found.get("new", [])
        self.annotations = found.get("annotation", [])
        self.settings = found.get("setting", [])
        self.markers = {self.text(node) for node in found.get("marker", ())}
        self.captured = found

    @cached_property
    def imported(self) -> Imports:
        """Read on first use: most files never ask where a name comes from."""
        imported = Imports()
        for node in self.import_nodes:
            imported.add(node, self)
        return imported

    # ---- names -----------------------------------------------------------------------------------
    def text(self, node: Node) -> str:
        return self.source.text_of(node)

    def class_name(self, simple: str) -> str:
        """The qualified name of a type as written here: imports first, else the simple name."""
        return self.imported.classes.get(simple, simple)

    def imports_from(self, *prefixes: str) -> bool:
        imported = self.imported
        names = [*imported.classes.values(), *imported.wildcards, *imported.static_wildcards,
                 *imported.static_members.values()]
        return any(name == prefix or name.startswith(prefix + ".") for name in names for prefix in prefixes)

    def imports_static(self, owner: str, member: str) -> bool:
        """Whether `member(...)` here is `owner.member`: `import static spark.Spark.port` or `.*`."""
        imported = self.imported
        return imported.static_members.get(member) == f"{owner}.{member}" or owner in imported.static_wildcards

    @cached_property
    def classes(self) -> dict[str, Node]:
        """Every class, record, enum and interface declared in the file, by simple name."""
        found: dict[str, Node] = {}
        stack = [self.source.root]
        while stack:
            node = stack.pop()
            for child in node.named_children:
                if child.type in CLASS_TYPES:
                    name = child.child_by_field_name("name")
                    if name is not None:
                        found.setdefault(self.text(name), child)
                if child.type in CLASS_TYPES or child.type in CLASS_BODY_TYPES or child.type == "program":
                    stack.append(child)
        return found


# ---- small tree helpers shared by the Java rules ---------------------------------------------------
def arguments(node: Node) -> list[Node]:
    args = node.child_by_field_name("arguments")
    return [child for child in args.named_children if child.type not in ("comment", "line_comment", "block_comment")] \
        if args is not None else []


def name_of(node: Node, file: JavaFile) -> str:
    name = node.child_by_field_name("name")
    return file.text(name) if name is not None else ""


def type_name(node: Node | None, file: JavaFile) -> str:
    """`Timer` for `Timer`, `java.util.Timer` and `List<Timer>`'s outer type `List`."""
    if node is None:
        return ""
    if node.type == "generic_type" and node.named_child_count:
        return type_name(node.named_children[0], file)
    if node.type == "scoped_type_identifier" and node.named_child_count:
        return type_name(node.named_children[-1], file)
    return file.text(node)


def enclosing(node: Node, types: frozenset[str]) -> Node | None:
    up = node.parent
    while up is not None and up.type not in types:
        up = up.parent
    return up


def modifiers(declaration: Node) -> Node | None:
    return next((child for child in declaration.children if child.type == "modifiers"), None)


def annotation_names(declaration: Node, file: JavaFile) -> dict[str, Node]:
    """The annotations on a declaration by simple name: {"PostConstruct": node}."""
    found: dict[str, Node] = {}
    mods = modifiers(declaration)
    for child in mods.named_children if mods is not None else ():
        if child.type in ("annotation", "marker_annotation"):
            name = child.child_by_field_name("name")
            if name is not None:
                found[file.text(name).rsplit(".", 1)[-1]] = child
    return found


def super_types(declaration: Node, file: JavaFile) -> set[str]:
    """Simple names a class extends or implements (type arguments kept: "ApplicationListener<X>")."""
    names: set[str] = set()
    for field_name in ("superclass", "interfaces"):
        part = declaration.child_by_field_name(field_name)
        if part is None:
            continue
        stack = [part]
        while stack:
            node = stack.pop()
            if node.type in ("type_identifier", "generic_type", "scoped_type_identifier"):
                names.add(type_name(node, file))
                if node.type == "generic_type":
                    names.add(file.text(node).replace(" ", ""))
                continue
            stack.extend(node.named_children)
    return names
