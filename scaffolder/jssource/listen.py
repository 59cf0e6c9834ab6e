"""CBR201 and CBR202: the port and host a Node.js server listens on; CBR606: a server started in
function mode, where the functions framework owns the server.

A server is a `.listen(...)` call on an object made by a known server factory (express, koa,
fastify, polka, connect, restify, `http`/`https`/`http2`/`net`/`tls` `createServer`, NestJS
`NestFactory.create`, socket.io), or on anything else when the first argument is a port (a
number, an environment read, a name or property called `port`, an options object with a `port`);
hapi `Hapi.server({ port, host })`, `serve({ fetch, port })` from `@hono/node-server`,
`Bun.serve({ port })`, ws `new WebSocketServer({ port })` and socket.io `new Server(3000)`.

A port is hard-coded when it is a literal or a name bound only to literals (`const PORT = 8080`);
`process.env.PORT` in any form (`||`, `??`, `Number()`, `parseInt()`, destructuring with a
default), a parameter, an import, a configuration object or a function call is not reported, nor
port 0 (any free port). A host is loopback when it is literally `127.x.x.x`, `localhost` or `::1`,
or when it is left out of a fastify `listen()`, which then binds localhost.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from scaffolder.source_hit import Hit
from scaffolder.jssource.module import JsModule, arguments_of, enclosing_function, unwrap

HARDCODED_PORT, LOOPBACK_BIND, FUNCTION_LISTENS = "CBR201", "CBR202", "CBR606"
CODES = frozenset({HARDCODED_PORT, LOOPBACK_BIND, FUNCTION_LISTENS})
METHODS = frozenset({"listen", "server", "serve", "start"})  # method calls the candidate query keeps

_FASTIFY = frozenset({"fastify", "fastify.fastify", "fastify.default"})
SERVER_FACTORIES = _FASTIFY | {
    "express", "koa", "polka", "connect", "restify.createServer", "http.createServer", "https.createServer",
    "http2.createServer", "http2.createSecureServer", "net.createServer", "tls.createServer",
    "@nestjs/core.NestFactory.create", "socket.io", "socket.io.Server", "json-server.create",
}
_HAPI = frozenset({"@hapi/hapi.server", "@hapi/hapi.Server"})
_WEBSOCKET_SERVERS = frozenset({"ws.WebSocketServer", "ws.Server"})
_SOCKET_IO = frozenset({"socket.io", "socket.io.Server"})
_HONO_SERVE = "@hono/node-server.serve"
_FUNCTIONS = frozenset({"arrow_function", "function_expression", "function"})

_WHY = "CloudBase Run sends traffic to the port in the PORT environment variable"


def is_loopback(text: str) -> bool:
    host = text.strip().strip("[]").lower()
    return host in ("localhost", "::1", "ip6-localhost") or host.startswith("127.") or host.startswith("localhost.")


def _port_number(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    return value if isinstance(value, int) and 0 <= value <= 65535 else None


class _Listen:
    def __init__(self, module: JsModule, function_mode: bool):
        self.module = module
        self.function_mode = function_mode

    # ---- arguments --------------------------------------------------------------------------------
    def port(self, label: str, node: Node | None, call: Node) -> Iterator[Hit]:
        values = self.module.literal_values(node)
        if not values or self.function_mode:
            return
        numbers = [_port_number(value) for value in values]
        if any(number is None or number == 0 for number in numbers):
            return  # not a port we know, or 0: any free port
        shown = ", ".join(str(number) for number in sorted(set(numbers)))  # type: ignore[type-var]
        yield Hit(HARDCODED_PORT, f"{label} listens on hard-coded port {shown}; {_WHY}: read it with "
                  f"Number(process.env.PORT) || {numbers[0]}", node, call)  # type: ignore[arg-type]

    def host(self, label: str, node: Node | None, call: Node) -> Iterator[Hit]:
        values = self.module.literal_values(node)
        if self.function_mode or not values:
            return
        if all(isinstance(value, str) and is_loopback(value) for value in values):
            yield Hit(LOOPBACK_BIND, f"{label} binds {values[0]!r}, which only the instance itself can reach; "
                      "bind 0.0.0.0 so that CloudBase Run can forward requests", node, call)  # type: ignore[arg-type]

    def function_listens(self, label: str, call: Node) -> Iterator[Hit]:
        if self.function_mode:
            yield Hit(FUNCTION_LISTENS, f"{label} starts a server of its own in function mode; the functions "
                      "framework (tcb-ff) runs the server on port 3000 and calls the exported main function: "
                      "export the handler instead of listening", call, call)

    def looks_like_port(self, node: Node | None) -> bool:
        node = unwrap(node)
        if node is None:
            return False
        module = self.module
        values = module.literal_values(node)
        if values is not None:
            return all(_port_number(value) is not None for value in values)
        if module.reads_env(node):
            return True
        if node.type in ("identifier", "member_expression"):
            return "port" in module.text(node).rsplit(".", 1)[-1].lower()
        return False

    # ---- servers ----------------------------------------------------------------------------------
    def listen_call(self, call: Node) -> Iterator[Hit]:
        module = self.module
        function = call.child_by_field_name("function")
        receiver = function.child_by_field_name("object") if function is not None else None
        factory = module.created_by(receiver)
        args = arguments_of(call)
        first = unwrap(args[0]) if args else None
        label = f"{module.text(receiver)}.listen()" if receiver is not None and receiver.type == "identifier" \
            else "listen()"
        options = module.object_of(first)
        if options is not None:  # listen({ port, host })
            properties = module.properties(options)
            if properties is None or "path" in properties:
                if factory in SERVER_FACTORIES:
                    yield from self.function_listens(label, call)
                return  # spread options, or a unix socket path
            port, host = properties.get("port"), properties.get("host")
            is_server = factory in SERVER_FACTORIES or port is not None
        else:  # listen(port, host, backlog, callback), listen(callback)
            port = first if first is not None and first.type not in _FUNCTIONS else None
            second = unwrap(args[1]) if len(args) > 1 else None
            host = args[1] if port is not None and second is not None and second.type not in _FUNCTIONS else None
            text = module.literal_string(port) if port is not None else None
            if text is not None and not text.strip().isdigit():
                return  # a unix socket or a named pipe
            is_server = factory in SERVER_FACTORIES or self.looks_like_port(port)
        if not is_server or (port is not None and module.literal_values(port) == (0,)):
            return  # not a server, or any free port: a helper or test server, not the service's listener
        hits = [*self.function_listens(label, call)]
        if port is not None:
            hits += self.port(label, port, call)
        if host is not None:
            hits += self.host(label, host, call)
        elif factory in _FASTIFY and not self.function_mode:
            hits.append(Hit(LOOPBACK_BIND, f"fastify's {label} binds localhost when no host is given, which only "
                            "the instance itself can reach; pass host: \"0.0.0.0\"", call, call))
        if hits and not _is_port_probe(module, receiver, call, args):
            yield from hits

    def options_server(self, label: str, call: Node, options: Node | None, port_key: str, host_keys: tuple[str, ...],
                       default_port: int | None = None, starts: bool = True) -> Iterator[Hit]:
        """A server configured by an options object: hapi, hono, Bun, ws. `starts`: creating it
        also starts it (hapi's starts with `server.start()`)."""
        module = self.module
        obj = module.object_of(options)
        properties = module.properties(obj) if obj is not None else None
        if properties is None:
            return
        port = properties.get(port_key)
        if port is not None and module.literal_values(port) == (0,):
            return  # any free port: a helper or test server, not the service's listener
        if starts:
            yield from self.function_listens(label, call)
        if port is not None:
            yield from self.port(label, port, call)
        elif default_port is not None and not self.function_mode:
            yield Hit(HARDCODED_PORT, f"{label} listens on its default port {default_port} because no port is "
                      f"given; {_WHY}: pass port: Number(process.env.PORT) || {default_port}", call, call)
        for key in host_keys:
            if key in properties:
                yield from self.host(label, properties[key], call)
                break


def _is_port_probe(module: JsModule, receiver: Node | None, call: Node, args: list[Node]) -> bool:
    """A server opened only to see whether a port is free: unref()'d, or closed again in the listen
    callback (`server.listen(port, () => server.close(...))`). Not the service's listener."""
    receiver = unwrap(receiver)
    if receiver is None or receiver.type != "identifier":
        return False
    name = module.text(receiver)
    # (where to look, what counts): the listen callback closing it; its scope unref()-ing it
    scopes: list[tuple[Node, str]] = [(arg, "close") for arg in args
                                      if unwrap(arg) is not None and unwrap(arg).type in _FUNCTIONS]  # type: ignore[union-attr]
    if module.mentions(b".unref("):
        scopes.append((enclosing_function(call) or module.root, "unref"))
    for root, method in scopes:
        stack = [root]
        while stack:
            node = stack.pop()
            if node.type == "call_expression":
                function = node.child_by_field_name("function")
                if function is not None and function.type == "member_expression":
                    obj, prop = function.child_by_field_name("object"), function.child_by_field_name("property")
                    if obj is not None and prop is not None and module.text(obj) == name and \
                            module.text(prop) == method:
                        return True
            stack.extend(node.named_children)
    return False


# Every call below is keyed by its callee's own text, which holds one of these words.
_SERVER_WORDS = (b"listen", b"serve", b"Server")


def find(module: JsModule, function_mode: bool) -> Iterator[Hit]:
    """Servers in `module`: CBR201/CBR202 in container mode, CBR606 in function mode."""
    if not module.mentions(*_SERVER_WORDS) and not (function_mode and module.mentions(b"start")):
        return  # no server call: the candidate query need not even run
    listen = _Listen(module, function_mode)
    for call in module.calls_named(".listen"):
        yield from listen.listen_call(call)
    for call in module.calls_named(".server", "new Server"):
        qualified = module.qualname(call.child_by_field_name(
            "function" if call.type == "call_expression" else "constructor"))
        args = arguments_of(call)
        if qualified in _HAPI and args:
            # hapi binds `address`, which defaults to `host`
            yield from listen.options_server("hapi's server()", call, args[0], "port", ("address", "host"),
                                             starts=False)
        elif qualified in _WEBSOCKET_SERVERS and args:
            yield from listen.options_server("new WebSocketServer()", call, args[0], "port", ("host",))
        elif qualified in _SOCKET_IO and args and module.literal_values(args[0]) is not None:
            yield from listen.function_listens("socket.io's new Server()", call)
            yield from listen.port("socket.io's new Server()", args[0], call)
    for call in module.calls_named("new WebSocketServer"):
        args = arguments_of(call)
        if module.qualname(call.child_by_field_name("constructor")) in _WEBSOCKET_SERVERS and args:
            yield from listen.options_server("new WebSocketServer()", call, args[0], "port", ("host",))
    for call in module.calls_named("serve", ".serve"):
        qualified = module.qualname(call.child_by_field_name("function"))
        args = arguments_of(call)
        if qualified == _HONO_SERVE and args:
            yield from listen.options_server("serve() from @hono/node-server", call, args[0], "port",
                                             ("hostname",), default_port=3000)
        elif qualified == "Bun.serve" and args:  # Bun reads PORT itself when no port is given
            yield from listen.options_server("Bun.serve()", call, args[0], "port", ("hostname",))
    if function_mode:
        for call in module.calls_named(".start"):
            receiver = call.child_by_field_name("function").child_by_field_name("object")
            if module.created_by(receiver) in _HAPI:
                yield from listen.function_listens(f"{module.text(receiver)}.start()", call)
