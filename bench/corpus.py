"""A deterministic corpus of CloudBase Run services for the benchmarks.

Each service is one of Python (Flask), Node.js (express-style), Go (net/http) or Java (HttpServer),
with its own Dockerfile (base image, port, labels and packages vary) and cloudbaserc.json, and about
ten source files: the entry point, route and store modules, helpers and a test. The same seed
gives byte-identical files.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

LANGUAGES = ("python", "node", "go", "java")
SOURCE_SUFFIXES = (".py", ".js", ".go", ".java")
SOURCE_FILES_PER_SERVICE = 10

PY_APP = '''import os

from flask import Flask, jsonify, request

from {pkg}.routes import register
from {pkg}.settings import Settings

app = Flask(__name__)
settings = Settings.from_environment()
register(app, settings)


@app.get("/healthz")
def health():
    return jsonify(ok=True, service="{name}")


@app.post("/echo")
def echo():
    payload = request.get_json(silent=True) or {{}}
    return jsonify(received=payload, size=len(request.get_data()))


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "{port}")))
'''
PY_SETTINGS = '''"""Settings of {name}, read from the environment."""

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    database_url: str
    cache_url: str
    page_size: int = {page}

    @classmethod
    def from_environment(cls) -> "Settings":
        return cls(
            database_url=os.environ.get("DATABASE_URL", ""),
            cache_url=os.environ.get("REDIS_URL", ""),
            page_size=int(os.environ.get("PAGE_SIZE", "{page}")),
        )
'''
PY_MODULE = '''"""{topic} helpers for {name}."""

import json
from datetime import datetime, timezone


def parse_{topic}(payload: str) -> dict:
    data = json.loads(payload)
    if not isinstance(data, dict):
        raise ValueError("expected an object")
    return {{key: value for key, value in data.items() if not key.startswith("_")}}


def summarise_{topic}(items: list[dict]) -> dict:
    total = 0
    names = []
    for item in items:
        total += int(item.get("amount", 0))
        names.append(str(item.get("name", "")))
    return {{"total": total, "names": sorted(names), "at": datetime.now(timezone.utc).isoformat()}}


class {Topic}Page:
    def __init__(self, items: list[dict], size: int = {page}):
        self.items = items
        self.size = size

    def page(self, number: int) -> list[dict]:
        start = number * self.size
        return self.items[start:start + self.size]

    def count(self) -> int:
        return (len(self.items) + self.size - 1) // self.size
'''
PY_ROUTES = '''from flask import jsonify, request

from {pkg}.orders import parse_orders, summarise_orders


def register(app, settings):
    @app.post("/orders/summary")
    def summary():
        items = [parse_orders(line) for line in request.get_data(as_text=True).splitlines() if line]
        return jsonify(summarise_orders(items))

    @app.get("/config")
    def config():
        return jsonify(page_size=settings.page_size)
'''
PY_TEST = '''from {pkg}.orders import summarise_orders


def test_summary_adds_amounts():
    assert summarise_orders([{{"amount": 2}}, {{"amount": 3}}])["total"] == 5
'''

NODE_SERVER = '''const express = require("express");
const {{ register }} = require("./src/routes");
const config = require("./src/config");

const app = express();
app.use(express.json({{ limit: "1mb" }}));
register(app, config);

app.get("/healthz", (req, res) => res.json({{ ok: true, service: "{name}" }}));

const port = Number(process.env.PORT || {port});
app.listen(port, "0.0.0.0", () => console.log(`{name} listening on ${{port}}`));
'''
NODE_CONFIG = '''module.exports = {{
  databaseUrl: process.env.DATABASE_URL || "",
  cacheUrl: process.env.REDIS_URL || "",
  pageSize: Number(process.env.PAGE_SIZE || {page}),
}};
'''
NODE_ROUTES = '''const {{ summarise }} = require("./orders");

function register(app, config) {{
  app.post("/orders/summary", (req, res) => {{
    const items = Array.isArray(req.body) ? req.body : [];
    res.json(summarise(items));
  }});
  app.get("/config", (req, res) => res.json({{ pageSize: config.pageSize }}));
}}

module.exports = {{ register }};
'''
NODE_MODULE = '''"use strict";

function parse{Topic}(payload) {{
  const data = JSON.parse(payload);
  if (typeof data !== "object" || data === null) {{
    throw new Error("expected an object");
  }}
  return Object.fromEntries(Object.entries(data).filter(([key]) => !key.startsWith("_")));
}}

function summarise(items) {{
  let total = 0;
  const names = [];
  for (const item of items) {{
    total += Number(item.amount || 0);
    names.push(String(item.name || ""));
  }}
  return {{ total, names: names.sort(), at: new Date().toISOString() }};
}}

class {Topic}Page {{
  constructor(items, size = {page}) {{
    this.items = items;
    this.size = size;
  }}

  page(number) {{
    const start = number * this.size;
    return this.items.slice(start, start + this.size);
  }}

  count() {{
    return Math.ceil(this.items.length / this.size);
  }}
}}

module.exports = {{ parse{Topic}, summarise, {Topic}Page }};
'''
NODE_TEST = '''const assert = require("node:assert");
const {{ summarise }} = require("../src/orders");

assert.strictEqual(summarise([{{ amount: 2 }}, {{ amount: 3 }}]).total, 5);
'''

GO_MAIN = '''package main

import (
\t"log"
\t"net/http"
\t"os"

\t"example.com/{name}/internal/routes"
)

func main() {{
\tport := os.Getenv("PORT")
\tif port == "" {{
\t\tport = "{port}"
\t}}
\tmux := http.NewServeMux()
\troutes.Register(mux)
\tmux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {{
\t\tw.Header().Set("Content-Type", "application/json")
\t\tw.Write([]byte(`{{"ok": true, "service": "{name}"}}`))
\t}})
\tlog.Printf("{name} listening on %s", port)
\tlog.Fatal(http.ListenAndServe(":"+port, mux))
}}
'''
GO_ROUTES = '''package routes

import (
\t"encoding/json"
\t"net/http"

\t"example.com/{name}/internal/orders"
)

func Register(mux *http.ServeMux) {{
\tmux.HandleFunc("/orders/summary", func(w http.ResponseWriter, r *http.Request) {{
\t\tvar items []orders.Item
\t\tif err := json.NewDecoder(r.Body).Decode(&items); err != nil {{
\t\t\thttp.Error(w, err.Error(), http.StatusBadRequest)
\t\t\treturn
\t\t}}
\t\tjson.NewEncoder(w).Encode(orders.Summarise(items))
\t}})
}}
'''
GO_MODULE = '''package {topic}

import (
\t"sort"
\t"strings"
\t"time"
)

type Item struct {{
\tName   string `json:"name"`
\tAmount int    `json:"amount"`
}}

type Summary struct {{
\tTotal int       `json:"total"`
\tNames []string  `json:"names"`
\tAt    time.Time `json:"at"`
}}

func Summarise(items []Item) Summary {{
\ttotal := 0
\tnames := make([]string, 0, len(items))
\tfor _, item := range items {{
\t\ttotal += item.Amount
\t\tnames = append(names, strings.TrimSpace(item.Name))
\t}}
\tsort.Strings(names)
\treturn Summary{{Total: total, Names: names, At: time.Now().UTC()}}
}}

func Page(items []Item, number, size int) []Item {{
\tif size <= 0 {{
\t\tsize = {page}
\t}}
\tstart := number * size
\tif start >= len(items) {{
\t\treturn nil
\t}}
\tend := start + size
\tif end > len(items) {{
\t\tend = len(items)
\t}}
\treturn items[start:end]
}}
'''
GO_TEST = '''package orders

import "testing"

func TestSummarise(t *testing.T) {{
\tif got := Summarise([]Item{{{{Amount: 2}}, {{Amount: 3}}}}).Total; got != 5 {{
\t\tt.Fatalf("total %d", got)
\t}}
}}
'''

JAVA_APP = '''package com.example.{pkg};

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

public final class App {{
    private App() {{
    }}

    public static void main(String[] args) throws IOException {{
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "{port}"));
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/healthz", exchange -> {{
            byte[] body = "{{\\"ok\\": true, \\"service\\": \\"{name}\\"}}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {{
                out.write(body);
            }}
        }});
        Routes.register(server);
        server.start();
    }}
}}
'''
JAVA_ROUTES = '''package com.example.{pkg};

import com.sun.net.httpserver.HttpServer;

final class Routes {{
    private Routes() {{
    }}

    static void register(HttpServer server) {{
        server.createContext("/orders/summary", exchange -> {{
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        }});
    }}
}}
'''
JAVA_MODULE = '''package com.example.{pkg};

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

public final class {Topic}Summary {{
    private final int total;
    private final List<String> names;
    private final Instant at;

    public {Topic}Summary(List<Integer> amounts, List<String> names) {{
        int sum = 0;
        for (int amount : amounts) {{
            sum += amount;
        }}
        this.total = sum;
        this.names = new ArrayList<>(names);
        Collections.sort(this.names);
        this.at = Instant.now();
    }}

    public int total() {{
        return total;
    }}

    public List<String> names() {{
        return Collections.unmodifiableList(names);
    }}

    public Instant at() {{
        return at;
    }}

    public static int pages(int items, int size) {{
        int pageSize = size > 0 ? size : {page};
        return (items + pageSize - 1) / pageSize;
    }}
}}
'''
JAVA_TEST = '''package com.example.{pkg};

final class OrdersSummaryTest {{
    void addsAmounts() {{
        if (new OrdersSummary(java.util.List.of(2, 3), java.util.List.of()).total() != 5) {{
            throw new AssertionError();
        }}
    }}
}}
'''
TOPICS = ("orders", "users", "billing", "catalog", "search", "reports")

DOCKERFILES = {
    "python": "FROM python:{py}-slim\nWORKDIR /app\nCOPY requirements.txt ./\n"
              "RUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nENV PORT={port}\nEXPOSE {port}\n"
              "LABEL service={name} team={team}\nUSER nobody\n"
              "CMD [\"sh\", \"-c\", \"exec gunicorn --bind 0.0.0.0:$PORT --workers {workers} app:app\"]\n",
    "node": "FROM node:{node}-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\nCOPY . .\n"
            "ENV PORT={port} NODE_ENV=production\nEXPOSE {port}\nLABEL service={name} team={team}\nUSER node\n"
            "CMD [\"node\", \"server.js\"]\n",
    "go": "FROM golang:{go}-bookworm AS build\nWORKDIR /src\nCOPY go.mod ./\nRUN go mod download\nCOPY . .\n"
          "RUN CGO_ENABLED=0 go build -o /server .\nFROM gcr.io/distroless/static-debian12:nonroot\n"
          "COPY --from=build /server /server\nENV PORT={port}\nEXPOSE {port}\nLABEL service={name} team={team}\n"
          "USER nonroot\nCMD [\"/server\"]\n",
    "java": "FROM maven:3.9-eclipse-temurin-{java} AS build\nWORKDIR /src\nCOPY pom.xml ./\nCOPY src ./src\n"
            "RUN mvn -q -B package -DskipTests\nFROM eclipse-temurin:{java}-jre\nWORKDIR /app\n"
            "COPY --from=build /src/target/app.jar ./app.jar\nENV PORT={port}\nEXPOSE {port}\n"
            "LABEL service={name} team={team}\nUSER nobody\nCMD [\"java\", \"-jar\", \"app.jar\"]\n",
}
POM = '''<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>{name}</artifactId>
  <version>1.0.0</version>
  <properties><maven.compiler.release>{java}</maven.compiler.release></properties>
  <build><finalName>app</finalName></build>
</project>
'''


def build(root: Path, services: int, seed: int) -> None:
    """Write `services` services under root/<language>/svc-NNNN (replacing what is there)."""
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    for index in range(services):
        language = LANGUAGES[index % len(LANGUAGES)]
        name = f"svc-{index:04d}"
        folder = root / language / name
        values = {
            "name": name, "pkg": f"svc{index:04d}", "port": rng.choice([8080, 8000, 3000, 9000, 80]),
            "team": rng.choice(["payments", "search", "growth", "core"]), "page": rng.randint(10, 100),
            "workers": rng.randint(1, 4), "py": rng.choice(["3.11", "3.12"]), "node": rng.choice(["18", "20"]),
            "go": rng.choice(["1.21", "1.22"]), "java": rng.choice(["17", "21"]),
        }
        _write(folder / "Dockerfile", DOCKERFILES[language].format(**values))
        _write(folder / ".dockerignore", ".git\n.env\nnode_modules\ntarget\n")
        cpu = rng.choice([0.25, 0.5, 1, 2])
        config = {"envId": "bench-env", "cloudrun": {"name": name, "serverConfig": {
            "Cpu": cpu, "Mem": cpu * 2, "MinNum": 0, "MaxNum": rng.randint(1, 10),
            "OpenAccessTypes": [rng.choice(["PUBLIC", "OA", "MINIAPP"])], "Port": values["port"]}}}
        _write(folder / "cloudbaserc.json", json.dumps(config, indent=2) + "\n")
        _SOURCES[language](folder, values)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _topics(values: dict) -> list[dict]:
    return [{**values, "topic": topic, "Topic": topic.capitalize()} for topic in TOPICS]


def _python(folder: Path, values: dict) -> None:
    package = folder / values["pkg"]
    _write(folder / "requirements.txt", "flask==3.0.3\ngunicorn==22.0.0\n")
    _write(folder / "app.py", PY_APP.format(**values))
    _write(package / "__init__.py", "")
    _write(package / "settings.py", PY_SETTINGS.format(**values))
    _write(package / "routes.py", PY_ROUTES.format(**values))
    for topic in _topics(values):
        _write(package / f"{topic['topic']}.py", PY_MODULE.format(**topic))
    _write(folder / "tests" / "test_orders.py", PY_TEST.format(**values))


def _node(folder: Path, values: dict) -> None:
    package = {"name": values["name"], "version": "1.0.0", "main": "server.js", "private": True,
               "scripts": {"start": "node server.js", "test": "node test/orders.test.js"},
               "dependencies": {"express": "^4.19.2"}}
    _write(folder / "package.json", json.dumps(package, indent=2) + "\n")
    _write(folder / "server.js", NODE_SERVER.format(**values))
    _write(folder / "src" / "config.js", NODE_CONFIG.format(**values))
    _write(folder / "src" / "routes.js", NODE_ROUTES.format(**values))
    for topic in _topics(values):
        _write(folder / "src" / f"{topic['topic']}.js", NODE_MODULE.format(**topic))
    _write(folder / "test" / "orders.test.js", NODE_TEST.format(**values))


def _go(folder: Path, values: dict) -> None:
    _write(folder / "go.mod", f"module example.com/{values['name']}\n\ngo {values['go']}\n")
    _write(folder / "main.go", GO_MAIN.format(**values))
    _write(folder / "internal" / "routes" / "routes.go", GO_ROUTES.format(**values))
    for topic in _topics(values):
        _write(folder / "internal" / topic["topic"] / f"{topic['topic']}.go", GO_MODULE.format(**topic))
    _write(folder / "internal" / "orders" / "orders_test.go", GO_TEST.format(**values))


def _java(folder: Path, values: dict) -> None:
    source = folder / "src" / "main" / "java" / "com" / "example" / values["pkg"]
    _write(folder / "pom.xml", POM.format(**values))
    _write(source / "App.java", JAVA_APP.format(**values))
    _write(source / "Routes.java", JAVA_ROUTES.format(**values))
    for topic in _topics(values):
        _write(source / f"{topic['Topic']}Summary.java", JAVA_MODULE.format(**topic))
    _write(folder / "src" / "test" / "java" / "com" / "example" / values["pkg"] / "OrdersSummaryTest.java",
           JAVA_TEST.format(**values))


_SOURCES = {"python": _python, "node": _node, "go": _go, "java": _java}


def measure(root: Path) -> tuple[int, int, int, list[Path]]:
    """(files, source files, source lines, Dockerfiles) of a corpus."""
    files = sources = lines = 0
    dockerfiles = []
    for path in sorted(root.rglob("*")):
        if path.is_file():
            files += 1
            if path.suffix in SOURCE_SUFFIXES:
                sources += 1
                lines += path.read_bytes().count(b"\n")
            if path.name == "Dockerfile":
                dockerfiles.append(path)
    return files, sources, lines, dockerfiles
