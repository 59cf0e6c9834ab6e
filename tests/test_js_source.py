"""JavaScript and TypeScript source rules: port and host (CBR201/CBR202), a server in function mode
(CBR606), state (CBR301-CBR304) and background work (CBR311-CBR313), and CBR001 for files
tree-sitter cannot parse.

Each case is a small tree linted with the real engine. The findings a case expects are written in
the source itself, as a trailing `// expect: CODE [CODE...]` comment on the line they belong to; a
case without such comments must be clean. Only the JavaScript check's codes are compared.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import PurePosixPath

import pytest

from conftest import lint_tree
from scaffolder.checks import js_source
from scaffolder.jssource import background, listen, state
from scaffolder.jssource.entrypoints import StartEvidence
from scaffolder.jssource.files import is_service_code
from scaffolder.jssource.listen import is_loopback

MINE = js_source.CODES
_EXPECT = re.compile(r"//\s*expect:\s*((?:CBR\d{3}\s*)+)$")

CONTAINER_PACKAGE = '{"name": "svc", "private": true, "scripts": {"start": "node server.js"}}\n'
FUNCTION_PACKAGE = ('{"name": "fn", "private": true, "scripts": {"start": "tcb-ff"}, '
                    '"dependencies": {"@cloudbase/functions-framework": "1.18.0"}}\n')
AGENT_PACKAGE = ('{"name": "bot", "private": true, "scripts": {"start": "tcb-ff"}, "dependencies": '
                 '{"@cloudbase/functions-framework": "1.18.0", "@cloudbase/aiagent-framework": "1.0.0"}}\n')


def expected(files: dict[str, str]) -> list[tuple[str, str, int]]:
    found = []
    for name, text in files.items():
        for number, line in enumerate(textwrap.dedent(text).splitlines(), start=1):
            match = _EXPECT.search(line)
            if match:
                found.extend((name, code, number) for code in match.group(1).split())
    return sorted(found)


@pytest.fixture
def lint_js(tmp_path):
    """lint_js(source) lints server.js beside a container-mode package.json; lint_js({...}) a tree.
    Returns [(path, code, line)] of the JavaScript check's findings."""
    calls = iter(range(1000))

    def run(source, package: str | None = CONTAINER_PACKAGE):
        files = dict(source) if isinstance(source, dict) else {"server.js": source}
        if package is not None:
            files.setdefault("package.json", package)
        findings = lint_tree(tmp_path / f"case{next(calls)}", files)
        return sorted((f.path, f.code, f.line) for f in findings if f.code in MINE)

    return run


def assert_expected(lint_js, source, **kwargs):
    files = dict(source) if isinstance(source, dict) else {"server.js": source}
    assert lint_js(files, **kwargs) == expected(files)


# ---- CBR201 / CBR202: ports and hosts ---------------------------------------------------------------

LISTEN_CASES = {
    "express-literal": """\
        const express = require("express");
        const app = express();
        app.get("/", (req, res) => res.send("ok"));
        app.listen(3000, () => console.log("up")); // expect: CBR201
        """,
    "const-bound-to-literal": """\
        import express from "express";
        const PORT = 8080;
        const app = express();
        app.listen(PORT); // expect: CBR201
        """,
    "string-port": """\
        const http = require("node:http");
        const port = "8080";
        http.createServer((req, res) => res.end("ok")).listen(port); // expect: CBR201
        """,
    "http-chain-with-host": """\
        const http = require("http");
        const server = http.createServer((req, res) => res.end("ok"));
        server.listen(8080, "127.0.0.1"); // expect: CBR201 CBR202
        """,
    "koa": """\
        const Koa = require("koa");
        const app = new Koa();
        app.use(async (ctx) => { ctx.body = "ok"; });
        app.listen(3000); // expect: CBR201
        """,
    "env-port-loopback-host": """\
        const express = require("express");
        const app = express();
        const HOST = "localhost";
        app.listen(process.env.PORT || 3000, HOST); // expect: CBR202
        """,
    "listen-options-object": """\
        const net = require("net");
        const server = net.createServer((socket) => socket.end("ok"));
        server.listen({ port: 9000, host: "::1" }); // expect: CBR201 CBR202
        """,
    "fastify-default-host": """\
        const fastify = require("fastify")({ logger: true });
        fastify.get("/", async () => ({ hello: "world" }));
        fastify.listen({ port: 3000 }); // expect: CBR201 CBR202
        """,
    "fastify-env-port-no-host": """\
        import Fastify from "fastify";
        const app = Fastify();
        await app.listen({ port: Number(process.env.PORT) || 3000 }); // expect: CBR202
        """,
    "hapi": """\
        const Hapi = require("@hapi/hapi");
        const init = async () => {
          const server = Hapi.server({ port: 3000, host: "localhost" }); // expect: CBR201 CBR202
          await server.start();
        };
        init();
        """,
    "hono-default-port": """\
        import { serve } from "@hono/node-server";
        import { Hono } from "hono";
        const app = new Hono();
        serve({ fetch: app.fetch }); // expect: CBR201
        """,
    "websocket-server": """\
        const { WebSocketServer } = require("ws");
        const wss = new WebSocketServer({ port: 8080 }); // expect: CBR201
        wss.on("connection", (ws) => ws.send("hi"));
        """,
    "unknown-receiver-literal-port": """\
        const app = require("./app");
        app.listen(8080); // expect: CBR201
        """,
    "number-parse-int-literal": """\
        const http = require("node:http");
        const port = Number.parseInt("8080", 10);
        http.createServer(() => {}).listen(port); // expect: CBR201
        """,
    "both-branches-literal": """\
        const app = require("express")();
        const port = process.argv.includes("--alt") ? 8081 : 8080;
        app.listen(port); // expect: CBR201
        """,
}

CLEAN_LISTEN = {
    "or": 'const app = require("express")();\napp.listen(process.env.PORT || 3000);\n',
    "nullish": 'const app = require("express")();\nconst port = process.env.PORT ?? 3000;\napp.listen(port);\n',
    "number": 'const app = require("express")();\napp.listen(Number(process.env.PORT) || 8080, "0.0.0.0");\n',
    "parse-int": ('const app = require("express")();\n'
                  'const port = parseInt(process.env.PORT ?? "3000", 10);\napp.listen(port);\n'),
    "destructuring": 'const app = require("express")();\nconst { PORT = 3000 } = process.env;\napp.listen(PORT);\n',
    "config-module": 'const app = require("express")();\nconst config = require("./config");\napp.listen(config.port);\n',
    "imported-port": 'import express from "express";\nimport { PORT } from "./config.js";\nexpress().listen(PORT);\n',
    "parameter": 'const app = require("express")();\nfunction start(port) { app.listen(port); }\nstart(8080);\n',
    "reassigned-let": ('const app = require("express")();\nlet port = 3000;\n'
                       'if (process.env.PORT) port = Number(process.env.PORT);\napp.listen(port);\n'),
    "port-zero": 'const http = require("http");\nhttp.createServer().listen(0, "127.0.0.1");\n',
    "unix-socket": 'const http = require("http");\nhttp.createServer().listen("/tmp/app.sock");\n',
    "dev-branch": ('const app = require("express")();\nif (process.env.NODE_ENV !== "production") {\n'
                   '  app.listen(3000);\n} else {\n  app.listen(process.env.PORT);\n}\n'),
    "not-a-server": 'const bus = require("./bus");\nbus.listen("orders", (msg) => console.log(msg));\n',
    "fastify-host": ('const app = require("fastify")();\n'
                     'app.listen({ port: Number(process.env.PORT), host: "0.0.0.0" });\n'),
    "normalize-port": ('const http = require("http");\nconst app = require("../app");\n'
                       'const port = normalizePort(process.env.PORT || "3000");\n'
                       'http.createServer(app).listen(port);\nfunction normalizePort(v) { return Number(v); }\n'),
}


@pytest.mark.parametrize("name", sorted(LISTEN_CASES))
def test_listen_cases(lint_js, name):
    assert_expected(lint_js, LISTEN_CASES[name])


@pytest.mark.parametrize("name", sorted(CLEAN_LISTEN))
def test_port_read_from_the_environment_is_not_reported(lint_js, name):
    assert lint_js(CLEAN_LISTEN[name]) == []


def test_nest_typescript_bootstrap(lint_js):
    assert_expected(lint_js, {"src/main.ts": """\
        import { NestFactory } from "@nestjs/core";
        import { AppModule } from "./app.module";

        async function bootstrap(): Promise<void> {
          const app = await NestFactory.create(AppModule);
          const port: number = 3000;
          await app.listen(port); // expect: CBR201
        }
        bootstrap();
        """})


def test_main_guard_is_dead_when_another_file_is_started(lint_js):
    files = {
        "app.js": """\
            const express = require("express");
            const app = express();
            module.exports = app;
            if (require.main === module) {
              app.listen(3000);
            }
            """,
        "server.js": """\
            const app = require("./app");
            app.listen(process.env.PORT || 3000);
            """,
    }
    assert lint_js(files) == []
    # Started directly, the block runs on the platform.
    started = {**files, "package.json": '{"name": "svc", "scripts": {"start": "node app.js"}}'}
    assert lint_js(started, package=None) == [("app.js", "CBR201", 5)]


def test_main_guard_function_called_only_from_the_guard(lint_js):
    files = {
        "Dockerfile": "FROM node:20-slim\nWORKDIR /app\nCOPY . .\nUSER node\nCMD [\"node\", \"server.js\"]\n",
        "app.js": """\
            const app = require("express")();
            function startLocal() {
              app.listen(3000);
            }
            if (require.main === module) startLocal();
            module.exports = app;
            """,
        "server.js": 'require("./app").listen(process.env.PORT);\n',
    }
    assert lint_js(files) == []


def test_express_generator_bin_www_is_checked(lint_js):
    files = {
        "package.json": '{"name": "gen", "scripts": {"start": "node ./bin/www"}}',
        "bin/www": """\
            #!/usr/bin/env node
            var app = require("../app");
            var http = require("http");
            var server = http.createServer(app);
            server.listen(3000); // expect: CBR201
            """,
        "app.js": 'module.exports = require("express")();\n',
    }
    assert_expected(lint_js, files, package=None)


def test_tests_and_unstarted_scripts_are_not_checked(lint_js):
    files = {
        "server.js": 'require("express")().listen(process.env.PORT);\n',
        "server.test.js": 'require("express")().listen(3000);\n',
        "__tests__/api.js": 'require("express")().listen(3001);\n',
        "test/helpers.ts": 'import express from "express";\nexpress().listen(3002);\n',
        "scripts/mock-server.js": 'require("http").createServer().listen(4000);\n',
        "jest.config.js": 'require("http").createServer().listen(4001);\n',
        "public/js/app.js": "setInterval(() => fetch('/api/poll'), 5000);\n",
        "dist/server.js": 'require("express")().listen(3000);\n',
        "server.min.js": 'require("express")().listen(3000);\n',
    }
    assert lint_js(files) == []


# ---- CBR606: a server of its own in function mode ---------------------------------------------------

def test_function_mode_listen_is_cbr606_not_cbr201(lint_js):
    files = {"index.js": """\
        const express = require("express");
        const app = express();
        app.get("/", (req, res) => res.send("hi"));
        app.listen(3000); // expect: CBR606
        exports.main = async (event, context) => ({ ok: true });
        """}
    assert_expected(lint_js, files, package=FUNCTION_PACKAGE)


def test_function_mode_http_server_and_agent_mode(lint_js):
    files = {"index.js": """\
        const http = require("http");
        const port = process.env.PORT || 3000;
        http.createServer((req, res) => res.end("ok")).listen(port, "127.0.0.1"); // expect: CBR606
        exports.main = async () => "ok";
        """}
    assert_expected(lint_js, files, package=FUNCTION_PACKAGE)
    assert_expected(lint_js, files, package=AGENT_PACKAGE)


def test_function_mode_local_runner_is_not_reported(lint_js):
    files = {"index.js": """\
        const express = require("express");
        exports.main = async (event) => ({ echo: event });
        if (require.main === module) {
          const app = express();
          app.post("/", async (req, res) => res.json(await exports.main(req.body)));
          app.listen(3000);
        }
        """}
    assert lint_js(files, package=FUNCTION_PACKAGE) == []


def test_function_mode_template_style_code_is_clean(lint_js):
    files = {"index.js": """\
        async function streamEvents(context) {
          const sse = context.sse();
          for (const text of ["a", "b"]) {
            sse.send({ data: { text } });
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          sse.end();
          return "";
        }
        exports.main = async (event, context) => streamEvents(context);
        """}
    assert lint_js(files, package=FUNCTION_PACKAGE) == []


def test_function_mode_hapi_start(lint_js):
    files = {"index.js": """\
        const Hapi = require("@hapi/hapi");
        const server = Hapi.server({ port: 3000 });
        server.start(); // expect: CBR606
        exports.main = async () => "ok";
        """}
    assert_expected(lint_js, files, package=FUNCTION_PACKAGE)


# ---- CBR301: file writes -------------------------------------------------------------------------------

FILE_WRITES = {
    "fs-sync": """\
        const fs = require("fs");
        const app = require("express")();
        app.post("/notes", (req, res) => {
          fs.appendFileSync("notes.txt", req.body.text + "\\n"); // expect: CBR301
          res.sendStatus(201);
        });
        """,
    "fs-promises-dirname": """\
        import { writeFile } from "node:fs/promises";
        import path from "node:path";
        import { fileURLToPath } from "node:url";
        const here = path.dirname(fileURLToPath(import.meta.url));
        export async function save(data) {
          await writeFile(path.join(here, "data", "state.json"), JSON.stringify(data)); // expect: CBR301
        }
        """,
    "write-stream-and-mkdir": """\
        const fs = require("fs");
        const path = require("path");
        const LOG_DIR = path.join(__dirname, "logs");
        fs.mkdirSync(LOG_DIR, { recursive: true }); // expect: CBR301
        const log = fs.createWriteStream(`${LOG_DIR}/access.log`, { flags: "a" }); // expect: CBR301
        module.exports = log;
        """,
    "open-for-writing": """\
        const fs = require("fs");
        const fd = fs.openSync("./counter.dat", "w+"); // expect: CBR301
        const readOnly = fs.openSync("./config.json", "r");
        module.exports = { fd, readOnly };
        """,
    "fs-extra": """\
        const fse = require("fs-extra");
        async function persist(user) {
          await fse.outputJson(`data/users/${user.id}.json`, user); // expect: CBR301
        }
        module.exports = persist;
        """,
    "multer-dest": """\
        const express = require("express");
        const multer = require("multer");
        const upload = multer({ dest: "uploads/" }); // expect: CBR301
        const app = express();
        app.post("/avatar", upload.single("avatar"), (req, res) => res.json(req.file));
        """,
    "multer-disk-storage": """\
        const multer = require("multer");
        const storage = multer.diskStorage({ // expect: CBR301
          destination: (req, file, cb) => cb(null, "public/uploads"),
          filename: (req, file, cb) => cb(null, Date.now() + "-" + file.originalname),
        });
        module.exports = multer({ storage });
        """,
    "express-fileupload-mv": """\
        const app = require("express")();
        app.post("/upload", async (req, res) => {
          const file = req.files.photo;
          await file.mv(`./uploads/${file.name}`); // expect: CBR301
          res.send("ok");
        });
        """,
}

CLEAN_FILES = {
    "tmpdir": """\
        const fs = require("fs");
        const os = require("os");
        const path = require("path");
        const scratch = path.join(os.tmpdir(), "render.html");
        fs.writeFileSync(scratch, "<p>hi</p>");
        fs.writeFileSync("/tmp/last.json", "{}");
        fs.mkdirSync("/tmp/uploads", { recursive: true });
        fs.appendFileSync("/dev/stdout", "log line\\n");
        """,
    "reads-and-unknown-paths": """\
        const fs = require("fs");
        const config = JSON.parse(fs.readFileSync("config.json", "utf8"));
        fs.writeFileSync(process.env.OUTPUT_FILE, "x");
        fs.writeFileSync(config.outputPath, "x");
        function save(target, data) { fs.writeFileSync(target, data); }
        module.exports = save;
        """,
    "scratch-removed": """\
        const fs = require("fs");
        const path = require("path");
        const app = require("express")();
        app.post("/pdf", (req, res) => {
          const file = path.join(__dirname, "render.pdf");
          fs.writeFileSync(file, req.body);
          res.sendFile(file, () => fs.unlinkSync(file));
        });
        """,
    "memory-uploads": """\
        const multer = require("multer");
        const os = require("os");
        const inMemory = multer({ storage: multer.memoryStorage() });
        const scratch = multer({ dest: os.tmpdir() });
        const tmp = multer.diskStorage({ destination: "/tmp/uploads" });
        module.exports = { inMemory, scratch, tmp };
        """,
    "local-fs-shadow": """\
        const storage = require("./storage");
        async function save(fs, name) { await fs.writeFile("data/" + name, "x"); }
        module.exports = save;
        """,
}


@pytest.mark.parametrize("name", sorted(FILE_WRITES))
def test_file_writes(lint_js, name):
    assert_expected(lint_js, FILE_WRITES[name])


@pytest.mark.parametrize("name", sorted(CLEAN_FILES))
def test_file_near_misses(lint_js, name):
    assert lint_js(CLEAN_FILES[name]) == []


# ---- CBR302: embedded databases ------------------------------------------------------------------------

DATABASES = {
    "sqlite3": """\
        const sqlite3 = require("sqlite3").verbose();
        const db = new sqlite3.Database("./app.db"); // expect: CBR302
        const scratch = new sqlite3.Database(":memory:");
        module.exports = { db, scratch };
        """,
    "better-sqlite3": """\
        import Database from "better-sqlite3";
        export const db = new Database("data/app.sqlite"); // expect: CBR302
        export const tmp = new Database("/tmp/cache.sqlite");
        export const fromEnv = new Database(process.env.DB_FILE);
        """,
    "sequelize": """\
        const { Sequelize } = require("sequelize");
        const sequelize = new Sequelize({ dialect: "sqlite", storage: "database.sqlite" }); // expect: CBR302
        const url = new Sequelize("sqlite:./db.sqlite"); // expect: CBR302
        const memory = new Sequelize("sqlite::memory:");
        module.exports = { sequelize, url, memory };
        """,
    "knexfile": """\
        module.exports = {
          development: { client: "sqlite3", connection: { filename: "./dev.sqlite3" } },
          production: { client: "pg", connection: process.env.DATABASE_URL },
        };
        const knex = require("knex")({ client: "better-sqlite3", connection: { filename: "./prod.db" } }); // expect: CBR302
        """,
    "typeorm": """\
        import { DataSource } from "typeorm";
        export const AppDataSource = new DataSource({ // expect: CBR302
          type: "sqlite",
          database: "db.sqlite",
          synchronize: true,
        });
        """,
    "lowdb-and-nedb": """\
        import { JSONFilePreset } from "lowdb/node";
        import Datastore from "@seald-io/nedb";
        const db = await JSONFilePreset("db.json", { posts: [] }); // expect: CBR302
        const users = new Datastore({ filename: "data/users.db", autoload: true }); // expect: CBR302
        const sessions = new Datastore();
        const cache = new Datastore({ filename: "x.db", inMemoryOnly: true });
        export { db, users, sessions, cache };
        """,
}


@pytest.mark.parametrize("name", sorted(DATABASES))
def test_databases(lint_js, name):
    assert_expected(lint_js, DATABASES[name])


# ---- CBR303: sessions --------------------------------------------------------------------------------

SESSIONS = {
    "memory-store": """\
        const express = require("express");
        const session = require("express-session");
        const app = express();
        app.use(session({ secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false })); // expect: CBR303
        """,
    "file-store": """\
        const session = require("express-session");
        const FileStore = require("session-file-store")(session);
        module.exports = session({ store: new FileStore({}), secret: "s" }); // expect: CBR303
        """,
    "fastify-session": """\
        import Fastify from "fastify";
        import fastifyCookie from "@fastify/cookie";
        import fastifySession from "@fastify/session";
        const app = Fastify();
        app.register(fastifyCookie);
        app.register(fastifySession, { secret: process.env.SESSION_SECRET }); // expect: CBR303
        """,
}

CLEAN_SESSIONS = {
    "redis-store": """\
        const session = require("express-session");
        const RedisStore = require("connect-redis").default;
        const { createClient } = require("redis");
        const client = createClient({ url: process.env.REDIS_URL });
        module.exports = session({ store: new RedisStore({ client }), secret: process.env.SECRET });
        """,
    "cookie-session-and-options-from-elsewhere": """\
        const cookieSession = require("cookie-session");
        const session = require("express-session");
        const options = require("./session-options");
        module.exports = [cookieSession({ keys: [process.env.KEY] }), session(options)];
        """,
}


@pytest.mark.parametrize("name", sorted(SESSIONS))
def test_sessions(lint_js, name):
    assert_expected(lint_js, SESSIONS[name])


@pytest.mark.parametrize("name", sorted(CLEAN_SESSIONS))
def test_session_near_misses(lint_js, name):
    assert lint_js(CLEAN_SESSIONS[name]) == []


# ---- CBR304: module-level stores ------------------------------------------------------------------------

STATE = {
    "express-todos": """\
        const express = require("express");
        const app = express();
        let todos = [];
        const byId = new Map();
        const seen = new Set();
        app.get("/todos", (req, res) => { seen.add(req.ip); res.json(todos); });
        app.post("/todos", (req, res) => {
          todos.push(req.body); // expect: CBR304
          byId.set(req.body.id, req.body); // expect: CBR304
          res.status(201).end();
        });
        app.delete("/todos/:id", (req, res) => {
          todos = todos.filter((t) => t.id !== req.params.id);
          res.end();
        });
        """,
    "named-handler-and-route-chain": """\
        const router = require("express").Router();
        const sessions = {};
        const carts = {};
        function login(req, res) {
          sessions[req.body.token] = req.body.user; // expect: CBR304
          res.end();
        }
        router.post("/login", login);
        router.route("/cart").put((req, res) => {
          carts[req.user.id] = req.body; // expect: CBR304
          res.end();
        });
        module.exports = router;
        """,
    "fastify-route-object": """\
        const fastify = require("fastify")();
        const votes = [];
        fastify.route({
          method: "POST",
          url: "/votes",
          handler: async (request) => {
            votes.push(request.body); // expect: CBR304
            return { ok: true };
          },
        });
        """,
    "nest-controller": """\
        import { Body, Controller, Get, Post } from "@nestjs/common";

        const cats: string[] = [];

        @Controller("cats")
        export class CatsController {
          @Post()
          create(@Body() name: string): void {
            cats.push(name); // expect: CBR304
          }

          @Get()
          findAll(): string[] {
            return cats;
          }
        }
        """,
}

CLEAN_STATE = {
    "local-shadow-cache-and-startup": """\
        const app = require("express")();
        const items = [];
        const responseCache = new Map();
        items.push({ id: 1 });
        app.post("/items", (req, res) => {
          const items = [];
          items.push(req.body);
          responseCache.set(req.url, items);
          res.json(items);
        });
        """,
    "get-only-and-client-calls": """\
        const axios = require("axios");
        const app = require("express")();
        const hits = [];
        app.get("/hits", (req, res) => { hits.push(Date.now()); res.json(hits); });
        async function notify() { await axios.post("/hooks/notify", { hits }); }
        module.exports = notify;
        """,
}


@pytest.mark.parametrize("name", sorted(STATE))
def test_module_state(lint_js, name):
    files = {"server.ts" if name.startswith("nest") else "server.js": STATE[name]}
    assert_expected(lint_js, files)


@pytest.mark.parametrize("name", sorted(CLEAN_STATE))
def test_module_state_near_misses(lint_js, name):
    assert lint_js(CLEAN_STATE[name]) == []


def test_function_mode_main_writing_module_state(lint_js):
    files = {"index.js": """\
        const events = [];
        exports.main = async (event) => {
          events.push(event); // expect: CBR304
          return { count: events.length };
        };
        """}
    assert_expected(lint_js, files, package=FUNCTION_PACKAGE)


# ---- CBR311 / CBR312 / CBR313: background work ------------------------------------------------------------

BACKGROUND = {
    "set-interval-at-top": """\
        const app = require("express")();
        let rates = {};
        setInterval(async () => { rates = await fetchRates(); }, 60_000); // expect: CBR311
        async function fetchRates() { return {}; }
        app.get("/rates", (req, res) => res.json(rates));
        """,
    "interval-in-listen-callback-and-main": """\
        const app = require("express")();
        function refresh() {}
        async function main() {
          setInterval(refresh, 1000); // expect: CBR311
          app.listen(process.env.PORT, () => {
            setInterval(refresh, 5000); // expect: CBR311
          });
        }
        main().catch(console.error);
        """,
    "recurring-set-timeout": """\
        function poll() {
          console.log("polling");
          setTimeout(poll, 10_000); // expect: CBR311
        }
        poll();
        """,
    "sleeping-loop": """\
        const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
        async function worker() {
          while (true) { // expect: CBR311
            await drainQueue();
            await sleep(5000);
          }
        }
        async function drainQueue() {}
        worker();
        """,
    "node-cron-and-cron": """\
        const cron = require("node-cron");
        const { CronJob } = require("cron");
        cron.schedule("0 * * * *", () => console.log("hourly")); // expect: CBR312
        const nightly = new CronJob("0 0 * * *", () => {}, null, true); // expect: CBR312
        const later = new CronJob("0 1 * * *", () => {});
        later.start(); // expect: CBR312
        const paused = cron.schedule("* * * * *", () => {}, { scheduled: false });
        """,
    "node-schedule-in-startup-hook": """\
        const schedule = require("node-schedule");
        const app = require("express")();
        app.listen(process.env.PORT, () => {
          schedule.scheduleJob("*/5 * * * *", () => {}); // expect: CBR312
        });
        """,
    "spawn-at-startup": """\
        const { spawn, fork } = require("child_process");
        const redis = spawn("redis-server", ["--port", "6380"]); // expect: CBR313
        const worker = fork("./worker.js"); // expect: CBR313
        worker.on("message", (m) => console.log(m));
        """,
    "detached-in-handler": """\
        const { spawn, exec } = require("node:child_process");
        const app = require("express")();
        app.post("/reindex", (req, res) => {
          const child = spawn("node", ["reindex.js"], { detached: true, stdio: "ignore" }); // expect: CBR313
          child.unref();
          exec("node cleanup.js > /tmp/cleanup.log 2>&1 &"); // expect: CBR313
          res.status(202).end();
        });
        """,
}

CLEAN_BACKGROUND = {
    "work-in-handlers": """\
        const app = require("express")();
        const cron = require("node-cron");
        const { spawn, execSync } = require("child_process");
        const rev = execSync("git rev-parse HEAD").toString();
        app.post("/jobs/run", (req, res) => {
          const timer = setInterval(() => res.write("."), 1000);
          const child = spawn("convert", ["in.png", "out.png"]);
          child.on("close", (code) => { clearInterval(timer); res.end(String(code)); });
        });
        app.post("/cron", (req, res) => { cron.schedule("* * * * *", () => {}); res.end(); });
        """,
    "one-shot-timeout-retry-loop-and-dev-branch": """\
        const mongoose = require("mongoose");
        setTimeout(() => console.log("warm"), 1000);
        async function connect() {
          for (;;) {
            try { await mongoose.connect(process.env.MONGO_URL); break; }
            catch { await new Promise((r) => setTimeout(r, 1000)); }
          }
        }
        connect();
        if (process.env.NODE_ENV === "development") {
          setInterval(() => console.log(process.memoryUsage()), 10_000);
        }
        """,
    "startup-child-waited": """\
        const { spawn } = require("child_process");
        const migrate = spawn("npx", ["prisma", "migrate", "deploy"], { stdio: "inherit" });
        migrate.on("exit", (code) => { if (code) process.exit(code); });
        """,
    "cli-command": """\
        const { program } = require("commander");
        const cron = require("node-cron");
        program.command("watch").action(() => {
          cron.schedule("* * * * *", () => console.log("tick"));
          setInterval(() => {}, 1000);
        });
        program.parse();
        """,
    "browser-component": """\
        "use client";
        import { useEffect, useState } from "react";
        setInterval(() => console.log("tick"), 1000);
        export default function Clock() {
          const [now, setNow] = useState(Date.now());
          useEffect(() => { const id = setInterval(() => setNow(Date.now()), 1000); return () => clearInterval(id); }, []);
          return now;
        }
        """,
}


@pytest.mark.parametrize("name", sorted(BACKGROUND))
def test_background_work(lint_js, name):
    assert_expected(lint_js, BACKGROUND[name])


@pytest.mark.parametrize("name", sorted(CLEAN_BACKGROUND))
def test_background_near_misses(lint_js, name):
    assert lint_js(CLEAN_BACKGROUND[name]) == []


def test_nest_schedule_decorators(lint_js):
    files = {"src/tasks.service.ts": """\
        import { Injectable, OnModuleInit } from "@nestjs/common";
        import { Cron, CronExpression, Interval } from "@nestjs/schedule";

        @Injectable()
        export class TasksService implements OnModuleInit {
          @Cron(CronExpression.EVERY_HOUR) // expect: CBR312
          handleCron(): void {}

          @Interval(10000) // expect: CBR312
          handleInterval(): void {}

          onModuleInit(): void {
            setInterval(() => this.handleInterval(), 5000); // expect: CBR311
          }
        }
        """}
    assert_expected(lint_js, files)


# ---- CBR001 and syntax that must parse ---------------------------------------------------------------------

def test_syntax_error_is_cbr001_with_location(lint_js):
    findings = lint_js({"server.js": 'const app = require("express")();\napp.listen(process.env.PORT\n'
                        'app.get("/", (req, res) => { res.send("x") );\n'})
    assert [(path, code) for path, code, _ in findings] == [("server.js", "CBR001")]


@pytest.mark.parametrize("name,text", [
    ("jsx.jsx", 'import React from "react";\nexport const App = () => <div className="a">{1}<b /></div>;\n'
                'setTimeout(() => {}, 1);\n'),
    ("generics.ts", "export function first<T>(items: T[]): T | undefined { return items[0]; }\n"
                    "const x = <number>(1 as unknown);\nsetTimeout(() => first([x]), 1);\n"),
    ("component.tsx", "export function List<T,>({ items }: { items: T[] }) { return <ul>{items.length}</ul>; }\n"
                      "setTimeout(() => {}, 1);\n"),
    ("decorators.ts", '@Injectable()\nexport class S { @Inject() dep!: string; }\nsetTimeout(() => {}, 1);\n'),
    ("top-level-await.mjs", 'import fs from "node:fs/promises";\nconst data = await fs.readFile("a.json", "utf8");\n'
                            "export default JSON.parse(data);\n"),
    ("modern.js", "class A { #p = 1; static { setTimeout(() => {}, 1); } get p() { return this.#p; } }\n"
                  "a ??= b?.c ?? 1n;\nimport cfg from './c.json' with { type: 'json' };\n"),
    ("asi.js", "function f(list) {\n  const g = () => {\n    return 1\n  }\n  [...list].forEach((x) => setTimeout(x, 1))\n}\n"
               "module.exports = f\n"),
])
def test_valid_modern_syntax_parses(lint_js, name, text):
    assert lint_js({name: text}) == []


def test_files_without_trigger_words_are_not_parsed(lint_js):
    # No rule can fire on this file, so it is not parsed, and its syntax error is not reported.
    assert lint_js({"util.js": "export const add = (a, b) => a + ;\n"}) == []
    assert not js_source.passes_gate(b"export const add = (a, b) => a + b;\n", function_mode=False)


def test_suppression_comment(lint_js):
    files = {"server.js": 'const app = require("express")();\n'
                          "app.listen(8080); // scaffolder: ignore[CBR201]\n"}
    assert lint_js(files) == []


# ---- units ------------------------------------------------------------------------------------------------

def test_gate_covers_every_module_the_rules_resolve():
    modules = ["fs", "node:fs", "fs/promises", "fs-extra", "graceful-fs", "child_process", "node:child_process",
               "multer", "formidable", "sqlite3", "better-sqlite3", "node:sqlite", "sqlite", "lowdb/node",
               "lowdb/adapters/FileSync", "nedb", "@seald-io/nedb", "nedb-promises", "sequelize", "knex", "typeorm",
               "@nestjs/typeorm", "@libsql/client", "express-session", "@fastify/session", "node-cron", "cron",
               "croner", "node-schedule", "agenda", "bree", "toad-scheduler", "@nestjs/schedule", "timers",
               "timers/promises", "@hapi/hapi", "ws", "socket.io", "@hono/node-server", "@nestjs/common"]
    for module in modules:
        for form in (f'require("{module}")', f"import x from '{module}'"):
            assert js_source.passes_gate(form.encode(), function_mode=False), form
    for trigger in (b"app.listen(3000)", b"setInterval(f, 1)", b"setTimeout(f, 1)", b"Bun.serve({})",
                    b"router.post('/x', h)", b"app.delete('/x', h)", b"file.mv(p)"):
        assert js_source.passes_gate(trigger, function_mode=False), trigger
    assert js_source.passes_gate(b"exports.main = async () => 1", function_mode=True)


def test_rule_modules_report_only_their_codes():
    assert listen.CODES == {"CBR201", "CBR202", "CBR606"}
    assert state.CODES == {"CBR301", "CBR302", "CBR303", "CBR304"}
    assert background.CODES == {"CBR311", "CBR312", "CBR313"}


@pytest.mark.parametrize("path,checked", [
    ("server.js", True), ("src/routes/users.ts", True), ("src/app.controller.tsx", True),
    ("src/users.spec.ts", False), ("test/app.e2e-spec.ts", False), ("__tests__/a.js", False),
    ("jest.config.js", False), ("webpack.prod.js", False), (".eslintrc.js", False), ("types/index.d.ts", False),
    ("public/app.js", False), ("dist/main.js", False), ("vendor.min.js", False), ("migrations/001.js", False),
    ("scripts/seed.js", False),
])
def test_is_service_code(path, checked):
    evidence = StartEvidence(known=True, entries=frozenset({"server"}))
    assert is_service_code(PurePosixPath(path), evidence) is checked


def test_started_build_output_and_scripts_are_service_code():
    evidence = StartEvidence(known=True, entries=frozenset({"dist/main", "src/main", "scripts/start"}))
    assert is_service_code(PurePosixPath("dist/main.js"), evidence)
    assert is_service_code(PurePosixPath("scripts/start.js"), evidence)
    assert not is_service_code(PurePosixPath("dist/other.js"), evidence)
    assert evidence.runs_as_main(PurePosixPath("src/main.ts"))
    assert not evidence.runs_as_main(PurePosixPath("src/app.ts"))


def test_start_evidence_follows_dockerfile_and_npm_scripts(lint_js, tmp_path):
    from scaffolder.jssource.entrypoints import start_evidence
    from scaffolder.project import discover_services
    from conftest import write_tree

    write_tree(tmp_path, {
        "Dockerfile": 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nUSER node\nCMD ["npm", "run", "serve"]\n',
        "package.json": '{"name": "x", "scripts": {"serve": "NODE_ENV=production node -r dotenv/config dist/index.js",'
                        ' "dev": "nodemon src/dev.ts"}}',
    })
    [service] = discover_services([tmp_path])
    evidence = start_evidence(service)
    assert evidence.known and evidence.entries == {"dist/index", "src/index"}


@pytest.mark.parametrize("host,loopback", [("localhost", True), ("127.0.0.1", True), ("[::1]", True),
                                           ("0.0.0.0", False), ("::", False), ("example.com", False)])
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_for_ever_loop_with_sleep_helper(lint_js):
    assert_expected(lint_js, """\
        import { setTimeout as sleep } from "node:timers/promises";
        async function sync() {}
        (async () => {
          for (;;) { // expect: CBR311
            await sync();
            await sleep(60_000);
          }
        })();
        """)


def test_browser_scripts_are_not_server_code(lint_js):
    files = {
        "server.js": 'require("express")().use(require("express").static(__dirname)).listen(process.env.PORT);\n',
        "js/game.js": """\
            const canvas = document.querySelector("#game");
            function loop() { draw(canvas); }
            setInterval(loop, 40);
            function draw(target) { target.width += 0; }
            """,
        "ssr.js": """\
            const isBrowser = typeof window !== "undefined";
            setInterval(() => console.log("server tick", isBrowser), 1000); // expect: CBR311
            """,
    }
    assert_expected(lint_js, files)


def test_javascript_of_a_non_node_service_is_not_checked(lint_js):
    files = {
        "Dockerfile": ("FROM nginx:1.27-alpine\nCOPY . /usr/share/nginx/html\nEXPOSE 8080\n"
                       'CMD ["nginx", "-g", "daemon off;"]\n'),
        "app.js": "setInterval(() => fetch('/api/ping'), 5000);\n",
    }
    assert lint_js(files, package=None) == []


def test_server_and_session_set_up_inside_a_connect_callback(lint_js):
    # A common shape: everything is set up once the database connection is open.
    assert_expected(lint_js, """\
        const express = require("express");
        const MongoClient = require("mongodb").MongoClient;
        const app = express();
        MongoClient.connect(process.env.MONGO_URL, function (err, client) {
          app.listen("5501", function () { // expect: CBR201
            console.log("listening");
          });
          const session = require("express-session");
          app.use(session({ secret: "s", resave: true, saveUninitialized: false })); // expect: CBR303
        });
        """)


def test_sqlite_session_store_and_unknown_database_folder(lint_js):
    assert_expected(lint_js, """\
        const path = require("path");
        const session = require("express-session");
        const sqlite3 = require("sqlite3").verbose();
        const SQLiteStore = require("connect-sqlite3")(session);
        const dbPath = path.join(process.env.DISK_MOUNT_PATH || ".", "keys.db");
        const db = new sqlite3.Database(dbPath);
        module.exports = [db, session({ store: new SQLiteStore({ db: "sessions.db" }), secret: "s" })]; // expect: CBR303
        """)


def test_port_probe_is_not_the_services_listener(lint_js):
    assert_expected(lint_js, """\
        const net = require("net");
        function isFree(port) {
          return new Promise((resolve) => {
            const probe = net.createServer();
            probe.unref();
            probe.on("error", () => resolve(false));
            probe.listen({ port, host: "127.0.0.1" }, () => probe.close(() => resolve(true)));
          });
        }
        function check(port) {
          const tester = net.createServer();
          tester.listen(port, "localhost", () => tester.close());
        }
        const server = net.createServer((socket) => socket.end("hi"));
        server.listen(Number(process.env.PORT), "localhost"); // expect: CBR202
        process.on("SIGTERM", () => server.close());
        module.exports = { isFree, check };
        """)


@pytest.mark.parametrize("guard", [
    "if (import.meta.url === pathToFileURL(process.argv[1]).href) {",
    "if (!module.parent) {",
    "if (require.main !== module) { module.exports = app; } else {",
])
def test_other_main_guards_are_local_runners(lint_js, guard):
    files = {
        "Dockerfile": 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nUSER node\nCMD ["node", "server.js"]\n',
        "server.js": 'require("./app.js").listen(process.env.PORT);\n',
        "app.js": f'import {{ pathToFileURL }} from "node:url";\nconst app = require("express")();\n{guard}\n'
                  "  app.listen(3000);\n}\n",
    }
    assert lint_js(files) == []
    files["Dockerfile"] = files["Dockerfile"].replace("server.js", "app.js")
    assert lint_js(files) == [("app.js", "CBR201", 4)]


def test_the_suffixes_that_choose_the_check_are_those_it_reads():
    from scaffolder import checks, treesitter
    from scaffolder.jssource.entrypoints import JS_SUFFIXES

    javascript = {suffix for suffix, grammar in treesitter.GRAMMAR_BY_SUFFIX.items() if grammar not in ("go", "java")}
    assert checks.JS_SUFFIXES == set(JS_SUFFIXES) == javascript
