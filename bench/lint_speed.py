"""Benchmark `scaffolder lint` on a generated corpus of services, next to hadolint alone.

    python bench/lint_speed.py                      # 200 services, 3 runs each
    python bench/lint_speed.py --services 500 --runs 5 --jobs 2

It prints figures (min / median / max wall time, files and source lines per second, peak memory
of the largest process); it asserts nothing. The corpus is generated deterministically from --seed
under bench/.corpus/ (git-ignored), so a rerun measures the same input.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent

PY_APP = '''import os

from flask import Flask

app = Flask(__name__)
{extra}

@app.get("/healthz")
def health():
    return {{"ok": True, "service": "{name}"}}


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "{port}")))
'''
PY_MODULE = '''"""Helpers for {name}."""

import json


def handler_{index}(payload):
    data = json.loads(payload)
    total = 0
    for key, value in sorted(data.items()):
        if isinstance(value, int):
            total += value
    return {{"total": total, "keys": len(data)}}
'''
NODE_APP = '''const http = require("http");

const port = Number(process.env.PORT || {port});
http.createServer((req, res) => {{
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({{ ok: true, service: "{name}" }}));
}}).listen(port, "0.0.0.0");
'''
GO_APP = '''package main

import (
\t"net/http"
\t"os"
)

func main() {{
\tport := os.Getenv("PORT")
\tif port == "" {{
\t\tport = "{port}"
\t}}
\thttp.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {{ w.Write([]byte("ok {name}")) }})
\thttp.ListenAndServe(":"+port, nil)
}}
'''
JAVA_APP = '''import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;

public class App {{
    public static void main(String[] args) throws Exception {{
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "{port}"));
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/healthz", exchange -> {{ exchange.sendResponseHeaders(200, -1); exchange.close(); }});
        server.start(); // {name}
    }}
}}
'''
DOCKERFILES = {
    "python": "FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt ./\nRUN pip install --no-cache-dir -r requirements.txt\n"
              "COPY . .\nENV PORT={port}\nEXPOSE {port}\nUSER nobody\nLABEL service={name}\nCMD [\"python\", \"app.py\"]\n",
    "node": "FROM node:20-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\nCOPY . .\nENV PORT={port}\n"
            "EXPOSE {port}\nUSER node\nLABEL service={name}\nCMD [\"node\", \"server.js\"]\n",
    "go": "FROM golang:1.22-bookworm AS build\nWORKDIR /src\nCOPY go.mod ./\nRUN go mod download\nCOPY . .\n"
          "RUN CGO_ENABLED=0 go build -o /server .\nFROM gcr.io/distroless/static-debian12\nCOPY --from=build /server /server\n"
          "ENV PORT={port}\nEXPOSE {port}\nLABEL service={name}\nUSER nonroot\nCMD [\"/server\"]\n",
    "java": "FROM eclipse-temurin:17-jdk AS build\nWORKDIR /src\nCOPY App.java ./\nRUN javac App.java\n"
            "FROM eclipse-temurin:17-jre\nWORKDIR /app\nCOPY --from=build /src/App.class ./\nENV PORT={port}\nEXPOSE {port}\n"
            "LABEL service={name}\nUSER nobody\nCMD [\"java\", \"App\"]\n",
}


def build_corpus(root: Path, services: int, seed: int) -> None:
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    languages = ["python", "node", "go", "java"]
    for index in range(services):
        language = languages[index % 4]
        name = f"svc-{index:04d}"
        port = rng.choice([8080, 8000, 3000, 9000])
        folder = root / language / name
        folder.mkdir(parents=True)
        (folder / "Dockerfile").write_text(DOCKERFILES[language].format(port=port, name=name))
        (folder / ".dockerignore").write_text(".git\n.env\nnode_modules\n")
        cpu = rng.choice([0.25, 0.5, 1, 2])
        config = {"envId": "bench-env", "cloudrun": {"name": name, "serverConfig": {
            "Cpu": cpu, "Mem": cpu * 2, "MinNum": 0, "MaxNum": rng.randint(1, 10), "OpenAccessTypes": ["PUBLIC"],
            "Port": port}}}
        (folder / "cloudbaserc.json").write_text(json.dumps(config, indent=2) + "\n")
        if language == "python":
            (folder / "requirements.txt").write_text("flask==3.0.3\n")
            (folder / "app.py").write_text(PY_APP.format(name=name, port=port, extra="# " + "x" * rng.randint(1, 40)))
            for module in range(8):
                (folder / f"helpers_{module}.py").write_text(PY_MODULE.format(name=name, index=module))
        elif language == "node":
            (folder / "package.json").write_text(json.dumps({"name": name, "version": "1.0.0", "main": "server.js"}))
            (folder / "server.js").write_text(NODE_APP.format(name=name, port=port))
        elif language == "go":
            (folder / "go.mod").write_text(f"module example.com/{name}\n\ngo 1.22\n")
            (folder / "main.go").write_text(GO_APP.format(name=name, port=port))
        else:
            (folder / "App.java").write_text(JAVA_APP.format(name=name, port=port))


def corpus_size(root: Path) -> tuple[int, int, list[Path]]:
    files = lines = 0
    dockerfiles = []
    for path in root.rglob("*"):
        if path.is_file():
            files += 1
            if path.suffix in (".py", ".js", ".go", ".java"):
                lines += path.read_text().count("\n")
            if path.name == "Dockerfile":
                dockerfiles.append(path)
    return files, lines, sorted(dockerfiles)


def timed(command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return times


def hadolint_alone(dockerfiles: list[Path], jobs: int, runs: int) -> list[float]:
    binary = str(Path(sys.executable).parent / "hadolint")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        with ThreadPoolExecutor(jobs) as pool:
            list(pool.map(lambda path: subprocess.run([binary, "--no-fail", "-f", "json", str(path)],
                                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), dockerfiles))
        times.append(time.perf_counter() - start)
    return times


def describe(label: str, times: list[float], files: int, lines: int) -> None:
    median = statistics.median(times)
    print(f"{label:<34} min {min(times):7.3f}s  median {median:7.3f}s  max {max(times):7.3f}s  "
          f"{files / median:9.0f} files/s  {lines / median:10.0f} source lines/s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args()

    corpus = HERE / ".corpus" / f"{args.services}-{args.seed}"
    build_corpus(corpus, args.services, args.seed)
    files, lines, dockerfiles = corpus_size(corpus)
    print(f"corpus: {corpus} — {args.services} services, {files} files, {lines} source lines, "
          f"{len(dockerfiles)} Dockerfiles; {args.runs} runs each, --jobs {args.jobs}")

    scaffolder = [sys.executable, "-m", "scaffolder", "lint", "--format", "json", "-o", os.devnull,
                  "--jobs", str(args.jobs), str(corpus)]
    print("commands:\n  " + " ".join(scaffolder) + "\n  " + " ".join(scaffolder) + " --no-hadolint")
    describe("scaffolder lint", timed(scaffolder, args.runs), files, lines)
    describe("scaffolder lint --no-hadolint", timed([*scaffolder, "--no-hadolint"], args.runs), files, lines)
    describe(f"hadolint alone ({args.jobs} at a time)", hadolint_alone(dockerfiles, args.jobs, args.runs),
             len(dockerfiles), 0)
    describe("scaffolder --help", timed([sys.executable, "-m", "scaffolder", "--help"], args.runs), 1, 0)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"peak memory of the largest process run: {peak_kib / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
