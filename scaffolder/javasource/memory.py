"""CBR304 in-memory-state-store in Java: a collection field that a state-changing handler adds to.

A container is a field initialised with a collection (`new HashMap<>()`, `new ConcurrentHashMap<>()`,
`new ArrayList<>()`, `new CopyOnWriteArrayList<>()`, `new HashSet<>()`...,
`Collections.synchronizedMap(new HashMap<>())`) that lives as long as the process: a `static`
field, or a field of a singleton bean (`@RestController`, `@Controller`, `@Service`, `@Component`,
`@Repository`, `@Singleton`, `@ApplicationScoped`). A name that says it is a cache (`cache`, `memo`)
and an injected (annotated) field are left out. A state-changing handler is a method annotated
`@PostMapping`, `@PutMapping`, `@PatchMapping`, `@DeleteMapping`, `@RequestMapping(method = POST...)`
or JAX-RS `@POST`/`@PUT`/`@PATCH`/`@DELETE`, or a lambda registered with Javalin or Spark
`app.post("/x", ctx -> ...)`. Adding is `put`, `putIfAbsent`, `putAll`, `compute*`, `merge`, `add`,
`addAll`, `offer`, `push` on the field in the handler itself, reported once per field.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from scaffolder import treesitter
from scaffolder.javasource.context import enclosing_callable, words
from scaffolder.source_hit import Hit
from scaffolder.javasource.javafile import (
    GRAMMAR,
    JavaFile,
    annotation_names,
    arguments,
    modifiers,
    name_of,
    type_name,
)
from scaffolder.javasource.values import Values, string_value

MODULE_STATE = "CBR304"
CODES = frozenset({MODULE_STATE})

_STATELESS = "CloudBase Run instances are stateless: they scale to zero and are replaced, and each has its own disk"
_COLLECTIONS = frozenset({"HashMap", "LinkedHashMap", "TreeMap", "ConcurrentHashMap", "ConcurrentSkipListMap",
                          "Hashtable", "ArrayList", "LinkedList", "CopyOnWriteArrayList", "Vector", "HashSet",
                          "LinkedHashSet", "TreeSet", "CopyOnWriteArraySet", "ConcurrentSkipListSet", "ArrayDeque",
                          "ConcurrentLinkedQueue", "ConcurrentLinkedDeque", "LinkedBlockingQueue"})
_SINGLETONS = frozenset({"RestController", "Controller", "Service", "Component", "Repository", "Singleton",
                         "ApplicationScoped"})
_MAPPINGS = frozenset({"PostMapping", "PutMapping", "PatchMapping", "DeleteMapping", "POST", "PUT", "PATCH", "DELETE"})
_STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ROUTE_NAMES = frozenset({"post", "put", "patch", "delete"})
_ADDERS = frozenset({"put", "putIfAbsent", "putAll", "compute", "computeIfAbsent", "computeIfPresent", "merge", "add",
                     "addAll", "addFirst", "addLast", "offer", "offerFirst", "offerLast", "push"})
_WRITES_QUERY = f"""
((method_invocation object: [(identifier) @target (field_access object: (this) field: (identifier) @target)]
  name: (identifier) @name) @write (#any-of? @name {" ".join(f'"{n}"' for n in sorted(_ADDERS))}))
"""
_IDENTIFIERS_QUERY = "(identifier) @name"


def _is_collection(file: JavaFile, value: Node | None) -> bool:
    if value is None:
        return False
    if value.type == "object_creation_expression":
        return type_name(value.child_by_field_name("type"), file) in _COLLECTIONS and not any(
            child.type == "class_body" for child in value.named_children)
    if value.type == "method_invocation":
        owner = value.child_by_field_name("object")
        if owner is not None and file.text(owner) == "Collections" and name_of(value, file).startswith("synchronized"):
            args = arguments(value)
            return bool(args) and _is_collection(file, args[0])
    return False


def containers(file: JavaFile) -> dict[str, Node]:
    """Collection fields that live as long as the process, by name (their declarator)."""
    found: dict[str, Node] = {}
    for class_node in file.classes.values():
        body = class_node.child_by_field_name("body")
        singleton = bool(annotation_names(class_node, file).keys() & _SINGLETONS)
        for member in body.named_children if body is not None else ():
            if member.type != "field_declaration":
                continue
            mods = modifiers(member)
            kinds = {child.type for child in mods.children} if mods is not None else set()
            if kinds & {"annotation", "marker_annotation"} or not ("static" in kinds or singleton):
                continue
            for declarator in member.children_by_field_name("declarator"):
                name = declarator.child_by_field_name("name")
                if name is None or words(file.text(name)) & {"cache", "cached", "memo"}:
                    continue  # a cache is allowed to be lost
                if _is_collection(file, declarator.child_by_field_name("value")):
                    found.setdefault(file.text(name), declarator)
    return found


def _state_changing(file: JavaFile, method: Node) -> bool:
    annotations = annotation_names(method, file)
    if annotations.keys() & _MAPPINGS:
        return True
    mapping = annotations.get("RequestMapping")
    if mapping is None:
        return False
    names = {file.text(node) for node in treesitter.captures(GRAMMAR, _IDENTIFIERS_QUERY, mapping).get("name", ())}
    return bool(names & _STATE_CHANGING)


def handlers(file: JavaFile) -> set[int]:
    """Node ids of the file's state-changing handler methods and route lambdas."""
    found: set[int] = set()
    for class_node in file.classes.values():
        body = class_node.child_by_field_name("body")
        for member in body.named_children if body is not None else ():
            if member.type == "method_declaration" and _state_changing(file, member):
                found.add(member.id)
    for call in file.invocations:
        args = arguments(call)
        if name_of(call, file) not in ROUTE_NAMES or len(args) < 2 or args[0].type != "string_literal":
            continue
        path = string_value(file, args[0])
        if path is not None and path.startswith("/") and args[-1].type == "lambda_expression":
            found.add(args[-1].id)
    return found


def find(file: JavaFile, values: Values) -> Iterator[Hit]:
    if not any(node.type == "field_declaration" for node in file.captured.get("declaration", ())):
        return  # no field at all, so no container: spare the walk over the classes
    fields = containers(file)
    if not fields:
        return
    routes = handlers(file)
    if not routes:
        return
    reported: set[str] = set()
    for write in treesitter.captures(GRAMMAR, _WRITES_QUERY, file.source.root).get("write", ()):
        owner = write.child_by_field_name("object")
        target = owner.child_by_field_name("field") if owner.type == "field_access" else owner
        name = file.text(target)
        if name not in fields or name in reported:
            continue
        handler = enclosing_callable(write)
        if handler is None or handler.id not in routes:
            continue
        if owner.type == "identifier" and not values.scopes.declared_in_class(write, name):
            continue  # a local or parameter with the same name
        reported.add(name)
        line = fields[name].start_point[0] + 1
        yield Hit(MODULE_STATE, f"a state-changing request handler stores data in the field {name!r} (declared on "
                  f"line {line}), which lives in the process; {_STATELESS}, so the data is lost and each instance "
                  "sees its own copy: keep it in a database or cache service", write)
