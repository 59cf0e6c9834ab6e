"""Where a piece of Java code runs.

- Startup code: `static void main(String[])`, static initialisers, methods annotated
  `@PostConstruct`, `@Bean`, `@Startup` or `@EventListener` for a startup event
  (`ApplicationReadyEvent`, `ContextRefreshedEvent`, `ApplicationStartedEvent`, Quarkus and
  Micronaut `StartupEvent`), a parameter `@Observes StartupEvent`, `run` of a `CommandLineRunner`
  or `ApplicationRunner`, `afterPropertiesSet` of an `InitializingBean`, `onApplicationEvent` of
  an `ApplicationListener` of a startup event, `contextInitialized` of a `ServletContextListener`,
  constructors of Spring and CDI beans (`@Component`, `@Service`, `@Configuration`,
  `@RestController`, `@ApplicationScoped`, `@Singleton`...), a lambda that a `@Bean` method returns
  as its `CommandLineRunner`, and the methods of the same class that startup code calls. A lambda or
  anonymous class anywhere else runs later (a handler, a callback), so it is not startup code.
- Environment-dependent code: a branch of an `if` (or `?:`) whose condition reads the environment
  or a debug/test/environment flag (`System.getenv(...)`, `isDebug`, `"dev".equals(profile)`), and
  classes or methods annotated `@Profile` with a development profile (`dev`, `local`, `test`).
"""

from __future__ import annotations

import re

from tree_sitter import Node

from scaffolder import treesitter
from scaffolder.javasource.javafile import (
    CALLABLE_TYPES,
    CLASS_TYPES,
    GRAMMAR,
    JavaFile,
    annotation_names,
    enclosing,
    modifiers,
    name_of,
    super_types,
    type_name,
)

_STARTUP_ANNOTATIONS = frozenset({"PostConstruct", "Bean", "Startup"})
_STARTUP_EVENTS = frozenset({"ApplicationReadyEvent", "ContextRefreshedEvent", "ApplicationStartedEvent",
                             "StartupEvent", "ServerStartupEvent"})
_BEAN_ANNOTATIONS = frozenset({"Component", "Service", "Configuration", "RestController", "Controller", "Repository",
                               "SpringBootApplication", "ApplicationScoped", "Singleton", "Startup"})
_RUNNERS = frozenset({"CommandLineRunner", "ApplicationRunner"})
_FLAG_WORDS = frozenset({"debug", "testing", "test", "tests", "env", "environ", "environment", "dev", "develop",
                         "development", "local", "prod", "production", "stage", "staging", "profile", "profiles"})
_DEV_PROFILES = frozenset({"dev", "develop", "development", "local", "test", "tests", "testing", "ci", "debug"})
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_CALLS_QUERY = "(method_invocation) @call"
_FLAGS_QUERY = """
(identifier) @name
(string_fragment) @string
(method_invocation object: (identifier) @owner name: (identifier) @method)
"""


def words(identifier: str) -> set[str]:
    return {word.lower() for word in _WORD.findall(identifier)}


def is_dev_profile(profile: str) -> bool:
    return bool(words(profile) & _DEV_PROFILES)


def enclosing_callable(node: Node) -> Node | None:
    return enclosing(node, CALLABLE_TYPES)


def enclosing_class(node: Node) -> Node | None:
    return enclosing(node, CLASS_TYPES)


class Startup:
    """The callables of one file that run at startup, found once."""

    def __init__(self, file: JavaFile):
        self.file = file
        self._callables: set[int] | None = None

    def at_startup(self, node: Node) -> bool:
        callable_ = enclosing_callable(node)
        if callable_ is None:  # a field initialiser: runs when the class or bean is created
            return enclosing(node, frozenset({"field_declaration"})) is not None
        return callable_.id in self.callables()

    def callables(self) -> set[int]:
        if self._callables is None:
            self._callables = self._find()
        return self._callables

    def _roots(self) -> list[Node]:
        file = self.file
        roots: list[Node] = []
        for class_node in file.classes.values():
            body = class_node.child_by_field_name("body")
            if body is None:
                continue
            class_annotations = annotation_names(class_node, file)
            supers = super_types(class_node, file)
            for member in body.named_children:
                if member.type == "static_initializer":
                    roots.append(member)
                elif member.type == "constructor_declaration" and class_annotations.keys() & _BEAN_ANNOTATIONS:
                    roots.append(member)
                elif member.type == "method_declaration" and self._startup_method(member, supers):
                    roots.append(member)
                    if "Bean" in annotation_names(member, file):
                        roots.extend(self._returned_runners(member))
        return roots

    def _startup_method(self, method: Node, supers: set[str]) -> bool:
        file = self.file
        name = name_of(method, file)
        annotations = annotation_names(method, file)
        if annotations.keys() & _STARTUP_ANNOTATIONS:
            return True
        if "EventListener" in annotations:
            listened = file.text(annotations["EventListener"]) + file.text(method.child_by_field_name("parameters"))
            return bool(words(listened) & {"ready", "refreshed", "started", "startup"}) and any(
                event in listened for event in _STARTUP_EVENTS)
        parameters = method.child_by_field_name("parameters")
        if parameters is not None and "@Observes" in file.text(parameters) and "StartupEvent" in file.text(parameters):
            return True
        if name == "main" and _is_static(method):
            return True
        if name == "run" and supers & _RUNNERS:
            return True
        if name == "afterPropertiesSet" and "InitializingBean" in supers:
            return True
        if name == "contextInitialized" and "ServletContextListener" in supers:
            return True
        if name == "onApplicationEvent":
            return any(event in superclass for superclass in supers for event in _STARTUP_EVENTS)
        return False

    def _returned_runners(self, method: Node) -> list[Node]:
        """`@Bean CommandLineRunner init() { return args -> {...}; }`: that lambda runs at startup."""
        if type_name(method.child_by_field_name("type"), self.file) not in _RUNNERS:
            return []
        body = method.child_by_field_name("body")
        found = []
        for statement in body.named_children if body is not None else ():
            if statement.type == "return_statement" and statement.named_child_count:
                value = statement.named_children[0]
                if value.type == "lambda_expression":
                    found.append(value)
        return found

    def _find(self) -> set[int]:
        file = self.file
        queue = self._roots()
        found = {node.id for node in queue}
        methods_by_class: dict[int, dict[str, list[Node]]] = {}
        while queue:
            callable_ = queue.pop()
            class_node = enclosing_class(callable_)
            if class_node is None:
                continue
            if class_node.id not in methods_by_class:
                body = class_node.child_by_field_name("body")
                methods: dict[str, list[Node]] = {}
                for member in body.named_children if body is not None else ():
                    if member.type == "method_declaration":
                        methods.setdefault(name_of(member, file), []).append(member)
                methods_by_class[class_node.id] = methods
            methods = methods_by_class[class_node.id]
            for call in treesitter.captures(GRAMMAR, _CALLS_QUERY, callable_).get("call", ()):
                owner = call.child_by_field_name("object")
                if owner is not None and owner.type != "this":
                    continue
                runner = enclosing_callable(call)
                if runner is None or runner.id != callable_.id:
                    continue  # inside a lambda: runs later
                for target in methods.get(name_of(call, file), ()):
                    if target.id not in found:
                        found.add(target.id)
                        queue.append(target)
        return found


def _is_static(declaration: Node) -> bool:
    mods = modifiers(declaration)
    return mods is not None and any(child.type == "static" for child in mods.children)


def in_environment_branch(file: JavaFile, node: Node) -> bool:
    child, up = node, node.parent
    while up is not None:
        if up.type in ("if_statement", "ternary_expression"):
            condition = up.child_by_field_name("condition")
            if condition is not None and child.id != condition.id and _reads_flags(file, condition):
                return True
        elif up.type in CLASS_TYPES or up.type == "method_declaration":
            profile = annotation_names(up, file).get("Profile")
            if profile is not None and _dev_only(file, profile):
                return True
        child, up = up, up.parent
    return False


def _dev_only(file: JavaFile, annotation: Node) -> bool:
    """@Profile("dev") or @Profile({"local", "test"}); not @Profile("!dev")."""
    profiles = [file.text(node) for node in treesitter.captures(GRAMMAR, _FLAGS_QUERY, annotation).get("string", ())]
    return bool(profiles) and all(is_dev_profile(profile) and not profile.startswith("!") for profile in profiles)


def _reads_flags(file: JavaFile, condition: Node) -> bool:
    captured = treesitter.captures(GRAMMAR, _FLAGS_QUERY, condition)
    for owner in captured.get("owner", ()):
        method = owner.parent.child_by_field_name("name")
        if file.text(owner) == "System" and method is not None and file.text(method) in ("getenv", "getProperty"):
            return True
    for node in captured.get("name", ()):
        if words(file.text(node)) & _FLAG_WORDS:
            return True
    for node in captured.get("string", ()):
        text = file.text(node)
        if len(text) < 40 and words(text) & _FLAG_WORDS:
            return True
    return False
