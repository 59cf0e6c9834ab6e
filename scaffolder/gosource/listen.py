"""CBR201 and CBR202: the address a Go server listens on.

A server is a call below, recognised by its package (imports resolved) or, for a framework's
method, by the constructor its receiver comes from (`r := gin.Default()` ... `r.Run(addr)`); when
the receiver cannot be traced (a struct field), a file that imports the framework and passes a
literal address is enough. The address is hard-coded when it is a literal with a port, or built
only from literals and names bound only to literals; it is loopback when its literal host is
`127.x.x.x`, `localhost` or `::1` (also `"127.0.0.1:" + port`). Anything from elsewhere (the
environment, a flag, a config struct, a parameter) is not reported, nor port 0 (any free port),
nor a literal loopback listener in a file whose main server takes its address from elsewhere: that
is a side listener kept inside the instance on purpose (`http.ListenAndServe("localhost:6060", nil)`
for pprof).

gin's `Run()` without an address reads PORT itself, so it is correct.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from scaffolder import treesitter
from scaffolder.gosource.gofile import GRAMMAR, GoFile, arguments, call_name, receiver
from scaffolder.source_hit import Hit
from scaffolder.gosource.values import Values
from scaffolder.pysource.listen import is_loopback

HARDCODED_PORT, LOOPBACK_BIND = "CBR201", "CBR202"
CODES = frozenset({HARDCODED_PORT, LOOPBACK_BIND})

# package function -> (label, position of the address)
FUNCTIONS: dict[str, tuple[str, int]] = {
    "net/http.ListenAndServe": ("http.ListenAndServe()", 0),
    "net/http.ListenAndServeTLS": ("http.ListenAndServeTLS()", 0),
    "net.Listen": ("net.Listen()", 1),
    "crypto/tls.Listen": ("tls.Listen()", 1),
    "github.com/valyala/fasthttp.ListenAndServe": ("fasthttp.ListenAndServe()", 0),
    "github.com/valyala/fasthttp.ListenAndServeTLS": ("fasthttp.ListenAndServeTLS()", 0),
    "github.com/cloudwego/hertz/pkg/app/server.WithHostPorts": ("hertz server.WithHostPorts()", 0),
    "github.com/beego/beego/v2/server/web.Run": ("beego web.Run()", 0),
    "github.com/astaxie/beego.Run": ("beego.Run()", 0),
}
_IRIS = ("github.com/kataras/iris",)
_IRIS_ADDR = "Addr"


# framework: (import path prefixes, constructors, {method: position of the address})
FRAMEWORKS: dict[str, tuple[tuple[str, ...], frozenset[str], dict[str, int]]] = {
    "gin": (("github.com/gin-gonic/gin",), frozenset({"Default", "New"}), {"Run": 0, "RunTLS": 0}),
    "echo": (("github.com/labstack/echo",), frozenset({"New"}), {"Start": 0, "StartTLS": 0}),
    "fiber": (("github.com/gofiber/fiber",), frozenset({"New"}), {"Listen": 0, "ListenTLS": 0}),
    "iris": (_IRIS, frozenset({"New", "Default"}), {"Listen": 0}),
}
_HTTP_SERVER_METHODS = frozenset({"ListenAndServe", "ListenAndServeTLS"})
_STREAM_NETWORKS = frozenset({"tcp", "tcp4", "tcp6"})
_ADDR_ASSIGNMENT = """
(assignment_statement left: (expression_list (selector_expression field: (field_identifier) @field)))
"""


def _split(text: str) -> tuple[str | None, str | None]:
    """("0.0.0.0", "8080") for "0.0.0.0:8080", (None, "8080") for ":8080"."""
    text = text.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        return host, rest[1:] if rest.startswith(":") else None
    if ":" not in text:
        return None, None
    host, _, port = text.rpartition(":")
    return host or None, port or None


def _port(text: str | None) -> int | None:
    return int(text) if text is not None and text.isdigit() and int(text) <= 65535 else None


def _imports_framework(file: GoFile, prefixes: tuple[str, ...]) -> bool:
    return file.imports_any(*prefixes)


def looks_like_address(values: list | None) -> bool:
    return bool(values) and all(isinstance(value, str) and _port(_split(value)[1]) is not None for value in values)


class Listen:
    def __init__(self, values: Values):
        self.values = values
        self.configured = False  # a server in the file takes its address from elsewhere (PORT)

    # ---- the address --------------------------------------------------------------------------------
    def address(self, file: GoFile, label: str, node: Node, context: Node) -> Iterator[Hit]:
        values = self.values.literals(file, node)
        if values is None:
            found = self.values.prefix(file, node)
            if found is not None and ":" in found[0]:
                host = found[0][: found[0].rindex(":")].strip("[]")
                if host and is_loopback(host):
                    yield self._loopback(label, host, node, context)
                    return
            self.configured = True
            return
        texts = [value for value in values if isinstance(value, str)]
        if len(texts) != len(values):
            return
        for text in texts:
            host, port = _split(text)
            if _port(port) == 0:
                continue  # any free port: a helper listener, not the service
            if host and is_loopback(host):
                yield self._loopback(label, host, node, context)
                break
        for text in texts:
            number = _port(_split(text)[1])
            if number:
                yield Hit(HARDCODED_PORT, f"{label} listens on hard-coded port {number} ({text!r}); CloudBase Run "
                          "sends traffic to the port in the PORT environment variable: listen on "
                          '":" + os.Getenv("PORT")', node, None, context)
                break

    @staticmethod
    def _loopback(label: str, host: str, node: Node, context: Node) -> Hit:
        return Hit(LOOPBACK_BIND, f"{label} binds {host!r}, which only the instance itself can reach; listen on all "
                   'interfaces (":" + port or "0.0.0.0:" + port) so that CloudBase Run can forward requests', node,
                   None, context)

    # ---- the servers --------------------------------------------------------------------------------
    def call(self, file: GoFile, call: Node) -> Iterator[Hit]:
        function = call.child_by_field_name("function")
        qualified = file.qualified(function)
        args = arguments(call)
        if qualified is not None:
            if qualified in FUNCTIONS:
                label, position = FUNCTIONS[qualified]
                if position < len(args) and self._stream_network(file, qualified, args):
                    yield from self.address(file, label, args[position], call)
            elif qualified.rsplit(".", 1)[1] == _IRIS_ADDR and qualified.startswith(_IRIS) and args:
                yield from self.address(file, "iris.Addr()", args[0], call)
            return
        name = call_name(call, file)
        target = receiver(call)
        if target is None:
            return
        for framework, (prefixes, constructors, methods) in FRAMEWORKS.items():
            if name not in methods or len(args) <= methods[name] or not _imports_framework(file, prefixes):
                continue
            made = self._made_by(file, target, prefixes, constructors)
            if made or (made is None and looks_like_address(self.values.literals(file, args[methods[name]]))):
                yield from self.address(file, f"{framework}'s {name}()", args[methods[name]], call)
                return
        if name in _HTTP_SERVER_METHODS and len(args) in (0, 2):
            yield from self._http_server(file, target, call)

    def _stream_network(self, file: GoFile, qualified: str, args: list[Node]) -> bool:
        if qualified not in ("net.Listen", "crypto/tls.Listen"):
            return True
        networks = self.values.literals(file, args[0]) if args else None
        return networks is None or all(network in _STREAM_NETWORKS for network in networks)

    def _made_by(self, file: GoFile, target: Node, prefixes: tuple[str, ...],
                 constructors: frozenset[str]) -> bool | None:
        """Whether the receiver comes from one of the framework's constructors; None when unknown."""
        calls = self.values.bound_calls(file, target)
        if calls is None:
            return None
        known = True
        for owner, made, _index in calls:
            function = made.child_by_field_name("function")
            qualified = owner.qualified(function)
            if qualified is None:
                if function is not None and function.type == "selector_expression":
                    inner = function.child_by_field_name("operand")  # gin.Default().Use(...): follow the chain
                    inner_made = self._made_by(owner, inner, prefixes, constructors) if inner is not None else None
                    if inner_made is False:
                        return False
                    known = known and bool(inner_made)
                else:
                    known = False  # r := setupRouter(): a function of the package
                continue
            package, _, constructor = qualified.rpartition(".")
            if not (constructor in constructors and any(
                    package == prefix or package.startswith(prefix + "/") for prefix in prefixes)):
                return False  # exec.Command(...).Run(): another package's object
        return True if known else None

    def _http_server(self, file: GoFile, target: Node, call: Node) -> Iterator[Hit]:
        """srv.ListenAndServe() where srv := &http.Server{Addr: ...}."""
        nodes = self.values.bound_nodes(file, target)
        if not nodes or self._addr_assigned(file):
            return
        for owner, node in nodes:
            while node.type == "unary_expression":
                node = node.child_by_field_name("operand")
            if node is None or node.type != "composite_literal":
                return
            kind = node.child_by_field_name("type")
            if kind is None or owner.text(kind).replace(" ", "") not in self._server_types(owner):
                return
            body = node.child_by_field_name("body")
            for element in body.named_children if body is not None else ():
                if element.type != "keyed_element" or element.named_child_count < 2:
                    continue
                key, value = element.named_children[0], element.named_children[1]
                if owner.text(key) == "Addr":
                    value = value.named_children[0] if value.type == "literal_element" and value.named_child_count \
                        else value
                    yield from self.address(owner, "http.Server.ListenAndServe()", value, call)

    @staticmethod
    def _server_types(file: GoFile) -> set[str]:
        return {f"{name}.Server" for name, path in file.imports.items()
                if path in ("net/http", "github.com/valyala/fasthttp")}

    @staticmethod
    def _addr_assigned(file: GoFile) -> bool:
        """`srv.Addr = ...` somewhere in the file: the literal in the struct may not be the address."""
        captured = treesitter.captures(GRAMMAR, _ADDR_ASSIGNMENT, file.source.root)
        return any(file.text(node) == "Addr" for node in captured.get("field", ()))


def find(file: GoFile, values: Values) -> Iterator[Hit]:
    listen = Listen(values)
    by_call = [list(listen.call(file, call)) for call in file.calls]
    for hits in by_call:
        if listen.configured and any(hit.code == LOOPBACK_BIND for hit in hits):
            continue  # a side listener on loopback (pprof on localhost:6060) next to the real one
        yield from hits
