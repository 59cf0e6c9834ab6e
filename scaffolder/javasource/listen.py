"""CBR201 and CBR202 in Java code: the port and host a server listens on.

Servers recognised: `HttpServer.create(addr, backlog)` and `HttpsServer.create` (JDK), `bind(addr)`
with an `InetSocketAddress` (a server socket, channel or HttpServer), `new ServerSocket(port[,
backlog, bindAddr])`, Jetty `new Server(port)`, Netty `ServerBootstrap.bind(port)`, Javalin
`Javalin.create().start(port)` (and `start()` on a `Javalin.create()` with no configuration, which
listens on Javalin's default 8080), Spark `port(n)` and `ipAddress(host)`, Vert.x
`createHttpServer()...listen(port[, host])`, Undertow `addHttpListener(port, host)`, and
`System.setProperty("server.port", "8080")`. A port is hard-coded when it is a literal, or a local,
field or constant bound only to literals (`static final int PORT = 8080`); a host is loopback when
it is literally `127.x.x.x`, `localhost` or `::1`, or `InetAddress.getLoopbackAddress()`. Values
from `System.getenv`, an injected field (`@Value("${PORT:8080}")`), a parameter or a method call
are not reported, nor port 0 (any free port).
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from scaffolder.source_hit import Hit
from scaffolder.javasource.javafile import JavaFile, arguments, name_of, type_name
from scaffolder.javasource.values import Values
from scaffolder.pysource.listen import is_loopback

HARDCODED_PORT, LOOPBACK_BIND = "CBR201", "CBR202"
CODES = frozenset({HARDCODED_PORT, LOOPBACK_BIND})

_JAVALIN_DEFAULT = 8080
_LOOPBACK_CALLS = frozenset({("InetAddress", "getLoopbackAddress")})
_ADDRESS_CALLS = frozenset({("InetAddress", "getByName"), ("InetAddress", "getByAddress")})


class Listen:
    def __init__(self, file: JavaFile, values: Values):
        self.file = file
        self.values = values

    # ---- ports and hosts ---------------------------------------------------------------------------
    def port(self, label: str, node: Node, context: Node) -> Iterator[Hit]:
        values = self.values.literals(node)
        if not values:
            return
        numbers = [value if isinstance(value, int) else int(value) if isinstance(value, str) and value.isdigit()
                   else None for value in values]
        if any(number is None or not 0 < number <= 65535 for number in numbers):
            return  # 0: any free port
        shown = ", ".join(str(number) for number in sorted(set(numbers)))  # type: ignore[type-var]
        yield Hit(HARDCODED_PORT, f"{label} listens on hard-coded port {shown}; CloudBase Run sends traffic to the "
                  'port in the PORT environment variable: read it with Integer.parseInt(System.getenv()'
                  f'.getOrDefault("PORT", "{numbers[0]}"))', node, None, context)

    def host(self, label: str, node: Node, context: Node) -> Iterator[Hit]:
        host = self._loopback_host(node)
        if host is not None:
            yield Hit(LOOPBACK_BIND, f"{label} binds {host!r}, which only the instance itself can reach; bind "
                      '"0.0.0.0" so that CloudBase Run can forward requests', node, None, context)

    def _loopback_host(self, node: Node) -> str | None:
        values = self.values.literals(node)
        if values and all(isinstance(value, str) and is_loopback(value) for value in values):
            return values[0]
        for bound in self.values.bound(node) or ():
            if bound.type != "method_invocation":
                return None
            owner = bound.child_by_field_name("object")
            key = (self.file.text(owner) if owner is not None else "", name_of(bound, self.file))
            if key in _LOOPBACK_CALLS:
                return "127.0.0.1"
            if key in _ADDRESS_CALLS and arguments(bound):
                texts = self.values.literals(arguments(bound)[0])
                if texts and all(isinstance(text, str) and is_loopback(text) for text in texts):
                    return texts[0]
            return None
        return None

    def socket_address(self, label: str, node: Node, context: Node) -> Iterator[Hit]:
        """`new InetSocketAddress(port)` / `(host, port)`, directly or through a name."""
        bound = self.values.bound(node)
        if not bound or len(bound) != 1:
            return
        creation = bound[0]
        if creation.type != "object_creation_expression" or type_name(
                creation.child_by_field_name("type"), self.file) != "InetSocketAddress":
            return
        args = arguments(creation)
        if len(args) == 1:
            yield from self.port(label, args[0], context)
        elif len(args) == 2:
            if self.values.literals(args[1]) != [0]:
                yield from self.host(label, args[0], context)
            yield from self.port(label, args[1], context)

    # ---- servers ----------------------------------------------------------------------------------
    def invocation(self, call: Node) -> Iterator[Hit]:
        file = self.file
        name = name_of(call, file)
        owner = call.child_by_field_name("object")
        owner_text = file.text(owner) if owner is not None else ""
        args = arguments(call)
        if name == "create" and owner_text in ("HttpServer", "HttpsServer") and args:
            yield from self.socket_address(f"{owner_text}.create()", args[0], call)
        elif name == "bind" and args and owner is not None:
            yield from self._bind(call, owner, args)
        elif name == "start" and owner is not None:
            yield from self._javalin(call, owner, args)
        elif name == "listen" and owner is not None and args and self._chain_has(owner, "createHttpServer"):
            yield from self.port("Vert.x listen()", args[0], call)
            if len(args) >= 2:
                yield from self.host("Vert.x listen()", args[1], call)
        elif name in ("port", "ipAddress") and args and self._spark(owner_text, name):
            if name == "port":
                yield from self.port("Spark port()", args[0], call)
            else:
                yield from self.host("Spark ipAddress()", args[0], call)
        elif name == "addHttpListener" and len(args) >= 2 and owner is not None and (
                self._chain_has(owner, "builder", "Undertow") or file.imports_from("io.undertow")):
            yield from self.port("Undertow addHttpListener()", args[0], call)
            yield from self.host("Undertow addHttpListener()", args[1], call)
        elif name == "setProperty" and owner_text == "System" and len(args) == 2:
            keys = self.values.literals(args[0])
            if keys == ["server.port"]:
                yield from self.port('System.setProperty("server.port")', args[1], call)
            elif keys == ["server.address"]:
                yield from self.host('System.setProperty("server.address")', args[1], call)

    def creation(self, creation: Node) -> Iterator[Hit]:
        file = self.file
        kind = type_name(creation.child_by_field_name("type"), file)
        args = arguments(creation)
        if kind == "ServerSocket" and args:
            yield from self.port("new ServerSocket()", args[0], creation)
            if len(args) >= 3:
                yield from self.host("new ServerSocket()", args[2], creation)
        elif kind == "Server" and file.class_name("Server") == "org.eclipse.jetty.server.Server" and len(args) == 1:
            yield from self.port("Jetty new Server()", args[0], creation)
            yield from self.socket_address("Jetty new Server()", args[0], creation)

    def _bind(self, call: Node, owner: Node, args: list[Node]) -> Iterator[Hit]:
        yield from self.socket_address("bind()", args[0], call)
        if self.file.imports_from("io.netty.bootstrap") or "ServerBootstrap" in self.values.declared_types(owner):
            if len(args) == 1:
                yield from self.port("Netty ServerBootstrap.bind()", args[0], call)
            elif len(args) == 2:
                yield from self.host("Netty ServerBootstrap.bind()", args[0], call)
                yield from self.port("Netty ServerBootstrap.bind()", args[1], call)

    def _javalin(self, call: Node, owner: Node, args: list[Node]) -> Iterator[Hit]:
        create = self._javalin_create(owner)
        if create is None:
            return
        if len(args) == 1:
            yield from self.port("Javalin start()", args[0], call)
        elif len(args) == 2:
            yield from self.host("Javalin start()", args[0], call)
            yield from self.port("Javalin start()", args[1], call)
        elif not args and not arguments(create):
            yield Hit(HARDCODED_PORT, f"Javalin start() listens on Javalin's default port {_JAVALIN_DEFAULT}; "
                      "CloudBase Run sends traffic to the port in the PORT environment variable: pass it, "
                      'app.start(Integer.parseInt(System.getenv().getOrDefault("PORT", "8080")))', call)

    def _javalin_create(self, node: Node, depth: int = 0) -> Node | None:
        """The `Javalin.create(...)` the receiver comes from, through calls and names."""
        if depth > 10:
            return None
        if node.type == "method_invocation":
            owner = node.child_by_field_name("object")
            if owner is not None and self.file.text(owner) == "Javalin" and name_of(node, self.file) == "create":
                return node
            return self._javalin_create(owner, depth + 1) if owner is not None else None
        if node.type in ("identifier", "field_access"):
            bound = self.values.bound(node)
            if bound and len(bound) == 1:
                return self._javalin_create(bound[0], depth + 1)
        return None

    def _chain_has(self, node: Node, method: str, owner_text: str | None = None, depth: int = 0) -> bool:
        """Whether a call chain (or what a name holds) passes through `Owner.method(...)`."""
        if depth > 10:
            return False
        if node.type == "method_invocation":
            owner = node.child_by_field_name("object")
            if name_of(node, self.file) == method and (
                    owner_text is None or (owner is not None and self.file.text(owner) == owner_text)):
                return True
            return owner is not None and self._chain_has(owner, method, owner_text, depth + 1)
        if node.type in ("identifier", "field_access"):
            bound = self.values.bound(node)
            return bool(bound) and all(self._chain_has(item, method, owner_text, depth + 1) for item in bound)
        return False

    def _spark(self, owner_text: str, name: str) -> bool:
        if owner_text:
            return owner_text == "Spark" and self.file.imports_from("spark")
        return self.file.imports_static("spark.Spark", name)


def find(file: JavaFile, values: Values) -> Iterator[Hit]:
    listen = Listen(file, values)
    for call in file.invocations:
        yield from listen.invocation(call)
    for creation in file.creations:
        yield from listen.creation(creation)
