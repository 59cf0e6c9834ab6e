"""CBR201 and CBR202: the port and the host a Python server listens on.

A server is one of the calls below, recognised by its qualified name (imports and aliases
resolved) or by the class of the object it is called on. A port is hard-coded when it is a
literal or a name bound only to literals, or when it is left out and the server then uses a fixed
default. A host is loopback when it is literally `127.x.x.x`, `localhost` or `::1`, or when it is
left out and the server then defaults to 127.0.0.1. Anything read from elsewhere (the environment,
a settings object, a parameter, an import) is not reported.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import NamedTuple

from scaffolder.findings import Fix
from scaffolder.pysource import triggers
from scaffolder.pysource.hit import Hit
from scaffolder.pysource.module import PyModule, call_arg, has_unpacking, parent, string_prefix

HARDCODED_PORT, LOOPBACK_BIND = "CBR201", "CBR202"
CODES = frozenset({HARDCODED_PORT, LOOPBACK_BIND})

Arg = tuple[int | None, str | None]  # (position, keyword)
InstanceOf = Callable[[ast.expr, frozenset[str]], "str | None"]  # which of the classes an expression is


class Server(NamedTuple):
    label: str
    host: Arg | None = None
    port: Arg | None = None
    address: Arg | None = None  # a (host, port) pair or "host:port" text
    default_host: str | None = None  # "127.0.0.1" when the server binds loopback by default
    default_port: int | None = None  # None when the port is required or not fixed
    elsewhere: frozenset[str] = frozenset()  # keywords that make it listen on a socket or file instead


_UVICORN = dict(host=(None, "host"), port=(None, "port"), default_host="127.0.0.1", default_port=8000,
                elsewhere=frozenset({"uds", "fd"}))
_TCP_PAIR = dict(address=(0, "server_address"))

FUNCTIONS: dict[str, Server] = {
    "uvicorn.run": Server("uvicorn.run()", **_UVICORN),
    "uvicorn.main.run": Server("uvicorn.run()", **_UVICORN),
    "uvicorn.Config": Server("uvicorn.Config()", **{**_UVICORN, "host": (1, "host"), "port": (2, "port")}),
    "uvicorn.config.Config": Server("uvicorn.Config()", **{**_UVICORN, "host": (1, "host"), "port": (2, "port")}),
    "aiohttp.web.run_app": Server("aiohttp's web.run_app()", host=(None, "host"), port=(None, "port"),
                                  default_port=8080, elsewhere=frozenset({"path", "sock"})),
    "aiohttp.web.TCPSite": Server("aiohttp's web.TCPSite()", host=(1, "host"), port=(2, "port"), default_port=8080),
    "aiohttp.web_runner.TCPSite": Server("aiohttp's web.TCPSite()", host=(1, "host"), port=(2, "port"),
                                         default_port=8080),
    "http.server.HTTPServer": Server("HTTPServer()", **_TCP_PAIR),
    "http.server.ThreadingHTTPServer": Server("ThreadingHTTPServer()", **_TCP_PAIR),
    "socketserver.TCPServer": Server("TCPServer()", **_TCP_PAIR),
    "socketserver.ThreadingTCPServer": Server("ThreadingTCPServer()", **_TCP_PAIR),
    "socketserver.ForkingTCPServer": Server("ForkingTCPServer()", **_TCP_PAIR),
    "wsgiref.simple_server.make_server": Server("make_server()", host=(0, "host"), port=(1, "port")),
    "werkzeug.serving.make_server": Server("make_server()", host=(0, "host"), port=(1, "port")),
    "werkzeug.serving.run_simple": Server("run_simple()", host=(0, "hostname"), port=(1, "port")),
    "werkzeug.run_simple": Server("run_simple()", host=(0, "hostname"), port=(1, "port")),
    "waitress.serve": Server("waitress.serve()", host=(None, "host"), port=(None, "port"),
                             address=(None, "listen"), default_port=8080,
                             elsewhere=frozenset({"unix_socket", "sockets"})),
    "waitress.server.create_server": Server("waitress create_server()", host=(None, "host"), port=(None, "port"),
                                            address=(None, "listen"), default_port=8080,
                                            elsewhere=frozenset({"unix_socket", "sockets"})),
    "bottle.run": Server("bottle.run()", host=(2, "host"), port=(3, "port"), default_host="127.0.0.1",
                         default_port=8080),
    "gevent.pywsgi.WSGIServer": Server("gevent WSGIServer()", address=(0, "listener")),
    "gevent.server.StreamServer": Server("gevent StreamServer()", address=(0, "listener")),
    "eventlet.listen": Server("eventlet.listen()", address=(0, "addr")),
    "socket.create_server": Server("socket.create_server()", address=(0, "address")),
    "asyncio.start_server": Server("asyncio.start_server()", host=(1, "host"), port=(2, "port")),
    "websockets.serve": Server("websockets.serve()", host=(1, "host"), port=(2, "port")),
    "websockets.server.serve": Server("websockets.serve()", host=(1, "host"), port=(2, "port")),
    "websockets.asyncio.server.serve": Server("websockets.serve()", host=(1, "host"), port=(2, "port")),
}

_FLASK = frozenset({"flask.Flask", "flask.app.Flask", "quart.Quart", "quart.app.Quart"})
_SANIC = frozenset({"sanic.Sanic", "sanic.app.Sanic"})
_SOCKETIO = frozenset({"flask_socketio.SocketIO"})
_BOTTLE = frozenset({"bottle.Bottle"})
_TORNADO = frozenset({"tornado.web.Application", "tornado.httpserver.HTTPServer", "tornado.tcpserver.TCPServer"})
_SOCKET = frozenset({"socket.socket"})
_HYPERCORN_CONFIG = frozenset({"hypercorn.config.Config", "hypercorn.Config"})
_HYPERCORN_SERVE = {"hypercorn.asyncio.serve", "hypercorn.trio.serve"}
_CALL_COMMAND = "django.core.management.call_command"

METHODS: list[tuple[frozenset[str], str, Server]] = [
    (_FLASK, "run", Server("app.run()", host=(0, "host"), port=(1, "port"), default_host="127.0.0.1",
                           default_port=5000)),
    (_SANIC, "run", Server("Sanic's app.run()", host=(0, "host"), port=(1, "port"), default_host="127.0.0.1",
                           default_port=8000, elsewhere=frozenset({"unix", "sock"}))),
    (_SOCKETIO, "run", Server("socketio.run()", host=(1, "host"), port=(2, "port"), default_host="127.0.0.1",
                              default_port=5000)),
    (_BOTTLE, "run", Server("bottle's app.run()", host=(None, "host"), port=(None, "port"),
                            default_host="127.0.0.1", default_port=8080)),
    (_TORNADO, "listen", Server("tornado listen()", port=(0, "port"), host=(1, "address"))),
    (_TORNADO, "bind", Server("tornado bind()", port=(0, "port"), host=(1, "address"))),
]


def is_loopback(text: str) -> bool:
    host = text.strip().strip("[]").lower()
    return host in ("localhost", "::1", "ip6-localhost") or host.startswith("127.") or host.startswith(
        "localhost.")


def _port_number(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    return value if isinstance(value, int) and 0 <= value <= 65535 else None


def _split_address(text: str) -> tuple[str | None, str | None]:
    """("0.0.0.0", "8000") for "0.0.0.0:8000"; (None, "8000") for ":8000"; (host, None) for "host"."""
    text = text.strip()
    if text.startswith("["):  # [::1]:8000
        host, _, rest = text[1:].partition("]")
        return host, rest[1:] if rest.startswith(":") else None
    if text.count(":") == 1:
        host, port = text.split(":")
        return host or None, port or None
    return (text or None), None


class _Listen:
    def __init__(self, module: PyModule):
        self.module = module

    @cached_property
    def listening_sockets(self) -> set[str]:  # on first use: few modules bind a socket
        return _listening_socket_names(self.module)

    # ---- evaluating arguments -------------------------------------------------------------
    def port(self, server: Server, expr: ast.expr, context: ast.AST) -> Iterator[Hit]:
        values = self.module.literal_values(expr)
        if not values:
            return
        numbers = [_port_number(value) for value in values]
        if any(number is None or number == 0 for number in numbers):
            return  # None means "the default" here; 0 means "any free port"
        shown = ", ".join(str(number) for number in sorted(set(numbers)))  # type: ignore[type-var]
        fix = Fix(f'read the port from PORT: int(os.environ.get("PORT", {numbers[0]}))', safe=True)
        yield Hit(HARDCODED_PORT, f"{server.label} listens on hard-coded port {shown}; CloudBase Run sends "
                  "traffic to the port in the PORT environment variable", expr, fix, context)

    def host(self, server: Server, expr: ast.expr, context: ast.AST) -> Iterator[Hit]:
        values = self.module.literal_values(expr)
        if values and all(isinstance(value, str) and is_loopback(value) for value in values):
            yield self._loopback(server, values[0], expr, context)

    @staticmethod
    def _loopback(server: Server, host: str, node: ast.AST, context: ast.AST) -> Hit:
        return Hit(LOOPBACK_BIND, f"{server.label} binds {host!r}, which only the instance itself can reach; "
                   "bind 0.0.0.0 so that CloudBase Run can forward requests",
                   node, Fix('listen on all interfaces: "0.0.0.0"', safe=False), context)

    def address(self, server: Server, expr: ast.expr, context: ast.AST) -> Iterator[Hit]:
        node = self.module.resolved(expr)
        if isinstance(node, (ast.Tuple, ast.List)) and len(node.elts) == 2 and not any(
                isinstance(element, ast.Constant) and isinstance(element.value, str) and ":" in element.value
                for element in node.elts):
            if self.module.literal_values(node.elts[1]) != (0,):  # port 0: a helper socket, not the service
                yield from self.host(server, node.elts[0], context)
            yield from self.port(server, node.elts[1], context)
            return
        texts = self._address_texts(node)
        if texts is None:  # f"127.0.0.1:{port}": the host is still literal
            prefix = string_prefix(node)
            if prefix and ":" in prefix:
                host = prefix[: prefix.rindex(":")].strip("[]")
                if is_loopback(host):
                    yield self._loopback(server, host, expr, context)
            return
        for text in texts:
            host, port = _split_address(text)
            if port is not None and _port_number(port) == 0:
                continue  # any free port: a helper, not the service's listener
            if host and is_loopback(host):
                yield self._loopback(server, host, expr, context)
                break
        for text in texts:
            _, port = _split_address(text)
            number = _port_number(port) if port else None
            if number:
                yield Hit(HARDCODED_PORT, f"{server.label} listens on hard-coded port {number} ({text!r}); "
                          "CloudBase Run sends traffic to the port in the PORT environment variable", expr,
                          None, context)
                break

    def _address_texts(self, node: ast.expr) -> list[str] | None:
        """The "host:port" texts of a literal string, or of a list of them (waitress's listen is
        space-separated)."""
        if isinstance(node, (ast.List, ast.Tuple)):
            texts = [self.module.literal_string(element) for element in node.elts]
            return None if any(text is None for text in texts) else texts  # type: ignore[return-value]
        text = self.module.literal_string(node)
        return text.split() if text is not None else None

    # ---- a call of a server ---------------------------------------------------------------
    def call(self, server: Server, call: ast.Call) -> Iterator[Hit]:
        def argument(arg: Arg | None) -> ast.expr | None:
            return None if arg is None else call_arg(call, *arg)

        if any(keyword.arg in server.elsewhere for keyword in call.keywords):
            return
        unpacked = has_unpacking(call)
        address = argument(server.address)
        if address is not None:
            yield from self.address(server, address, call)
            return
        host, port = argument(server.host), argument(server.port)
        if port is not None and self.module.literal_values(port) == (0,):
            return  # any free port: a helper or test server, not the service's listener
        if port is not None:
            yield from self.port(server, port, call)
        elif server.default_port is not None and not unpacked:
            yield Hit(HARDCODED_PORT, f"{server.label} listens on its default port {server.default_port} because "
                      "no port is given; CloudBase Run sends traffic to the port in the PORT environment variable",
                      call, Fix(f'read the port from PORT: pass port=int(os.environ.get("PORT", '
                                f'{server.default_port}))', safe=True))
        if host is not None:
            yield from self.host(server, host, call)
        elif server.default_host is not None and not unpacked:
            yield Hit(LOOPBACK_BIND, f"{server.label} binds {server.default_host} by default, which only the "
                      'instance itself can reach; pass host="0.0.0.0"', call,
                      Fix('listen on all interfaces: pass host="0.0.0.0"', safe=False))


# What gate.py looks for (see triggers.py): every hit above needs one of these sets of words written
# in the file. A gunicorn configuration file also reports its module-level `bind` setting.
TRIGGERS: frozenset[triggers.Trigger] = frozenset(
    triggers.qualified([*FUNCTIONS, *_HYPERCORN_SERVE, _CALL_COMMAND])
    | {trigger for classes, method, _server in METHODS for trigger in triggers.qualified(classes, method)}
    | triggers.qualified(_SOCKET, "bind") | triggers.qualified(_HYPERCORN_CONFIG, "bind"))
GUNICORN_TRIGGERS: frozenset[triggers.Trigger] = frozenset({("bind",)})
# The last part of every name a server call above is matched by: its function's or method's name.
_SERVER_NAMES = frozenset({name.rsplit(".", 1)[1] for name in (*FUNCTIONS, *_HYPERCORN_SERVE, _CALL_COMMAND)}
                          | {method for _classes, method, _server in METHODS} | {"bind"})


def find(module: PyModule, gunicorn_config: bool = False) -> Iterator[Hit]:
    """Servers in `module`; with `gunicorn_config`, also gunicorn's module-level `bind` setting
    (which replaces gunicorn's own default of 0.0.0.0:$PORT)."""
    listen = _Listen(module)
    for node in module.nodes(ast.Call, ast.Assign):
        if isinstance(node, ast.Call):
            yield from _server_call(module, listen, node)
        elif isinstance(node, ast.Assign):
            if gunicorn_config and module.tree is parent(node) and any(
                    isinstance(target, ast.Name) and target.id == "bind" for target in node.targets):
                yield from listen.address(Server("gunicorn's bind setting"), node.value, node)
            for target in node.targets:
                if (isinstance(target, ast.Attribute) and target.attr == "bind"
                        and module.instance_of(target.value, _HYPERCORN_CONFIG)):
                    yield from listen.address(Server("hypercorn's config.bind"), node.value, node)


def _known_server(module: PyModule, call: ast.Call, imported: InstanceOf | None = None) -> Server | None:
    """The server a call starts, from FUNCTIONS (also subclasses that keep the constructor:
    class S(HTTPServer)) or METHODS; `imported` tells the class of an object imported from
    another module of the service."""
    func = call.func
    qualified = module.qualname(func)
    if qualified in FUNCTIONS:
        return FUNCTIONS[qualified]
    if qualified is None and isinstance(func, ast.Name):
        for name in sorted(module.class_names(func, same_signature=True)):
            server = FUNCTIONS.get(name)
            if server is not None and server.address is not None:
                return server
    if isinstance(func, ast.Attribute):
        for classes, method, server in METHODS:
            if func.attr == method and (module.instance_of(func.value, classes)
                                        or (imported is not None and imported(func.value, classes))):
                return server
    return None


def _may_start_server(call: ast.Call) -> bool:
    """False for `x.y.name(...)` when no server function or method in the tables is called `name`
    (the qualified name of `x.y.name` ends in `name`): a cheap test before the costly ones."""
    func = call.func
    return not isinstance(func, ast.Attribute) or func.attr in _SERVER_NAMES


def _server_call(module: PyModule, listen: _Listen, call: ast.Call) -> Iterator[Hit]:
    if not _may_start_server(call):
        return
    func = call.func
    qualified = module.qualname(func)
    if qualified in _HYPERCORN_SERVE:
        yield from _hypercorn_serve(module, call)
        return
    if qualified == _CALL_COMMAND:
        yield from _runserver(module, listen, call)
        return
    server = _known_server(module, call)
    if server is not None:
        yield from listen.call(server, call)
        return
    if not isinstance(func, ast.Attribute):
        return
    if (func.attr == "bind" and isinstance(func.value, ast.Name) and func.value.id in listen.listening_sockets
            and module.instance_of(func.value, _SOCKET) and call.args):
        yield from listen.address(Server("socket.bind()"), call.args[0], call)


def _listening_socket_names(module: PyModule) -> set[str]:
    """Names of TCP sockets that call .listen() somewhere in the module (a server, not a client)."""
    names = set()
    for node in module.nodes(ast.Call):
        if (isinstance(node.func, ast.Attribute) and node.func.attr == "listen"
                and isinstance(node.func.value, ast.Name)):
            names.add(node.func.value.id)
    datagram = any(node.attr in ("SOCK_DGRAM", "AF_UNIX") for node in module.nodes(ast.Attribute))
    return set() if datagram else names


def _hypercorn_serve(module: PyModule, call: ast.Call) -> Iterator[Hit]:
    """serve(app, config) with a Config() whose bind is never set: hypercorn binds 127.0.0.1:8000."""
    config = call_arg(call, 1, "config")
    if not isinstance(config, ast.Name) or not module.instance_of(config, _HYPERCORN_CONFIG):
        return
    values = module.assigned_values(config) or []
    if any(not isinstance(value, ast.Call) or value.args or value.keywords
           or not module.class_names(value.func) & _HYPERCORN_CONFIG for value in values):
        return  # arguments, or a factory function (which may set bind itself)
    if any(attr in ("bind", "insecure_bind", "quic_bind") or attr.startswith("from_")
           for attr, _use in module.method_uses.get(config.id, ())):
        return
    server = Server("hypercorn's serve()", default_host="127.0.0.1", default_port=8000)
    yield Hit(HARDCODED_PORT, f"{server.label} listens on hypercorn's default 127.0.0.1:8000 because config.bind "
              "is never set; CloudBase Run sends traffic to the port in the PORT environment variable", call,
              Fix('read the port from PORT: config.bind = [f"0.0.0.0:{os.environ.get(\'PORT\', 8000)}"]', safe=True))
    yield Hit(LOOPBACK_BIND, f"{server.label} binds 127.0.0.1 by default, which only the instance itself can reach; "
              'set config.bind = ["0.0.0.0:..."]', call, None)


def _runserver(module: PyModule, listen: _Listen, call: ast.Call) -> Iterator[Hit]:
    """call_command("runserver", "0.0.0.0:8000"): Django's development server."""
    if not call.args or module.literal_string(call.args[0]) != "runserver" or has_unpacking(call):
        return
    server = Server('call_command("runserver")', default_host="127.0.0.1", default_port=8000)
    addrport = call_arg(call, 1, "addrport")
    if addrport is None:
        yield from listen.call(server, call)
        return
    text = module.literal_string(addrport)
    if text is None:
        return
    host, port = _split_address(text) if ":" in text else (None, text)
    if port is not None and _port_number(port):
        yield Hit(HARDCODED_PORT, f"{server.label} listens on hard-coded port {port}; CloudBase Run sends traffic "
                  "to the port in the PORT environment variable", addrport, None, call)
    if host is None:
        yield Hit(LOOPBACK_BIND, f"{server.label} binds 127.0.0.1 when no address is given, which only the instance "
                  'itself can reach; pass "0.0.0.0:<port>"', addrport, None, call)
    elif is_loopback(host):
        yield listen._loopback(server, host, addrport, call)


# ---- the command line as the address ------------------------------------------------------------
def argv_addresses(module: PyModule, imported: InstanceOf | None = None) -> Iterator[tuple[str, int, str, ast.Call]]:
    """(kind, index, server, call) for each server whose port or host ("port", "host") is the
    script's command-line argument `sys.argv[index]`: `app.run(host=sys.argv[1], port=sys.argv[2])`,
    `int(sys.argv[1])`, or a name bound only to one of these. The start command then decides the
    address (see checks/start_command.py)."""
    for call in module.nodes(ast.Call):
        server = _known_server(module, call, imported) if _may_start_server(call) else None
        if server is None or any(keyword.arg in server.elsewhere for keyword in call.keywords):
            continue
        host = call_arg(call, *server.host) if server.host else None
        port = call_arg(call, *server.port) if server.port else None
        address = call_arg(call, *server.address) if server.address else None
        if address is not None:
            pair = module.resolved(address)
            if isinstance(pair, (ast.Tuple, ast.List)) and len(pair.elts) == 2:
                host, port = pair.elts
        for kind, expr in (("port", port), ("host", host)):
            index = _argv_index(module, expr) if expr is not None else None
            if index is not None:
                yield kind, index, server.label, call


def _argv_index(module: PyModule, expr: ast.expr) -> int | None:
    for _ in range(8):
        if (isinstance(expr, ast.Call) and len(expr.args) == 1 and not expr.keywords
                and any(module.is_builtin(expr.func, name) for name in ("int", "str"))):
            expr = expr.args[0]
        elif isinstance(expr, ast.Name):
            values = module.assigned_values(expr)
            if not values or len(values) != 1:
                return None
            expr = values[0]
        else:
            break
    if (isinstance(expr, ast.Subscript) and module.qualname(expr.value) == "sys.argv"
            and isinstance(expr.slice, ast.Constant) and type(expr.slice.value) is int and expr.slice.value >= 1):
        return expr.slice.value
    return None
