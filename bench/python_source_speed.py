"""Micro-benchmark of the Python source checks alone (CBR001, CBR2xx, CBR3xx) on realistic code.

    python bench/python_source_speed.py                    # 250 services, 5 runs
    python bench/python_source_speed.py --services 50 --runs 3 --profile

It generates a deterministic set of Python services under bench/.corpus/ (git-ignored): Flask and
FastAPI apps, blueprints/routers, models, settings, helper and client modules, a gunicorn
configuration, scripts and tests, with a few real violations mixed in. Each run builds fresh
Service objects (no cached text) and runs `scaffolder.checks.python_source.check` in this process.
It prints min/median/max wall time and lines per second; it asserts nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from scaffolder.checks import python_source  # noqa: E402
from scaffolder.project import discover_services  # noqa: E402

WORDS = ["order", "user", "invoice", "payment", "item", "cart", "report", "account", "session", "ticket",
         "product", "review", "message", "upload", "profile", "coupon", "shipment", "audit", "task", "event"]

FLASK_APP = '''"""HTTP entry point of {name}."""

import logging
import os

from flask import Flask, jsonify, request

from config import Settings
{imports}

logger = logging.getLogger(__name__)
app = Flask(__name__)
app.config.from_object(Settings)
{registrations}


@app.get("/healthz")
def health():
    return jsonify(ok=True, service="{name}")


@app.errorhandler(404)
def not_found(error):
    return jsonify(error="not found", path=request.path), 404

{violation}

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "{port}")), debug=False)
'''

FASTAPI_APP = '''"""HTTP entry point of {name}."""

import os
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI, HTTPException

from config import Settings
{imports}

settings = Settings()


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.settings = settings
    yield


app = FastAPI(title="{name}", lifespan=lifespan)
{registrations}


@app.get("/healthz")
async def health():
    return {{"ok": True, "service": "{name}"}}


@app.get("/version")
async def version():
    if not settings.version:
        raise HTTPException(status_code=404, detail="unknown")
    return {{"version": settings.version}}

{violation}

if __name__ == "__main__":
    uvicorn.run(app, host="0.0.0.0", port=int(os.getenv("PORT", "{port}")))
'''

CONFIG = '''"""Settings read from the environment."""

import os
from dataclasses import dataclass, field


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


@dataclass
class Settings:
    database_url: str = field(default_factory=lambda: os.environ.get("DATABASE_URL", ""))
    redis_url: str = field(default_factory=lambda: os.environ.get("REDIS_URL", ""))
    version: str = os.environ.get("APP_VERSION", "0.0.0")
    debug: bool = _flag("DEBUG")
    page_size: int = int(os.environ.get("PAGE_SIZE", "{page_size}"))
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "")
'''

MODEL_HEADER = '''"""Database models of {name}."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Status(enum.Enum):
    NEW = "new"
    ACTIVE = "active"
    CLOSED = "closed"
'''

MODEL = '''

class {cls}(Base):
    __tablename__ = "{table}"

    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False, index=True)
    description = Column(Text, default="")
    amount = Column(Numeric(12, 2), default=0)
    active = Column(Boolean, default=True)
    owner_id = Column(Integer, ForeignKey("users.id"), nullable=True)
    created_at = Column(DateTime, default=dt.datetime.utcnow)

    owner = relationship("User", back_populates="{table}")

    def to_dict(self) -> dict:
        return {{
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "amount": float(self.amount or 0),
            "active": self.active,
            "created_at": self.created_at.isoformat() if self.created_at else None,
        }}

    def __repr__(self) -> str:
        return f"<{cls} {{self.id}} {{self.name!r}}>"
'''

FLASK_ROUTES_HEADER = '''"""{word} endpoints."""

from flask import Blueprint, abort, jsonify, request

from services.{word}_service import {cls}Service

bp = Blueprint("{word}", __name__, url_prefix="/{word}s")
service = {cls}Service()
'''

FLASK_ROUTE = '''

@bp.{method}("/{path}")
def {function}({params}):
    payload = request.get_json(silent=True) or {{}}
    if not isinstance(payload, dict):
        abort(400)
    result = service.{action}({args})
    if result is None:
        abort(404)
    return jsonify(result)
'''

FASTAPI_ROUTES_HEADER = '''"""{word} endpoints."""

from typing import Optional

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel

from services.{word}_service import {cls}Service

router = APIRouter(prefix="/{word}s", tags=["{word}"])


class {cls}In(BaseModel):
    name: str
    amount: float = 0
    note: Optional[str] = None


def get_service() -> {cls}Service:
    return {cls}Service()
'''

FASTAPI_ROUTE = '''

@router.{method}("/{path}")
async def {function}({params}body: {cls}In | None = None, svc: {cls}Service = Depends(get_service)):
    result = svc.{action}({args})
    if result is None:
        raise HTTPException(status_code=404, detail="{word} not found")
    return result
'''

SERVICE_HEADER = '''"""Business logic for {word}s."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable

log = logging.getLogger(__name__)


@dataclass
class {cls}Record:
    id: int
    name: str
    amount: float = 0.0
    tags: tuple[str, ...] = ()


class {cls}Service:
    def __init__(self, repository=None):
        self.repository = repository or {{}}
'''

SERVICE_METHOD = '''
    def {action}(self, {params}) -> dict[str, Any] | None:
        """{doc}"""
        record = self.repository.get({first})
        if record is None:
            log.info("no {word} %s", {first})
            return None
        totals: dict[str, float] = defaultdict(float)
        for tag in record.tags:
            totals[tag] += record.amount
        ranked = sorted(totals.items(), key=lambda pair: (-pair[1], pair[0]))
        summary = {{name: round(value, 2) for name, value in ranked[:{limit}]}}
        if {first} and len(summary) > {limit}:
            log.warning("{word} %s has many tags", {first})
        return {{"id": record.id, "name": record.name, "summary": summary, "count": len(ranked)}}
'''

HELPER_FUNCTION = '''

def {function}(values: Iterable[Any], *, key: str = "{word}", limit: int = {limit}) -> list[dict]:
    """{doc}"""
    result = []
    seen = set()
    for index, value in enumerate(values):
        if index >= limit:
            break
        if isinstance(value, (bytes, bytearray)):
            value = value.decode("utf-8", errors="replace")
        if isinstance(value, str):
            value = value.strip()
            if not value or value in seen:
                continue
            seen.add(value)
            result.append({{key: value, "length": len(value), "upper": value.upper()}})
        elif isinstance(value, dict):
            result.append({{k: v for k, v in value.items() if not str(k).startswith("_")}})
        else:
            result.append({{key: json.dumps(value, default=str)}})
    return result
'''

CLIENT = '''"""Client for the {word} API."""

from __future__ import annotations

import os
import time

import requests

BASE_URL = os.environ.get("{upper}_API_URL", "https://api.example.com/{word}")
TIMEOUT = float(os.environ.get("{upper}_API_TIMEOUT", "5"))


class {cls}Client:
    def __init__(self, token: str | None = None, session: requests.Session | None = None):
        self.token = token or os.environ.get("{upper}_API_TOKEN", "")
        self.http = session or requests.Session()

    def _headers(self) -> dict[str, str]:
        return {{"Authorization": f"Bearer {{self.token}}", "Accept": "application/json"}}

    def get(self, ident: int) -> dict:
        for attempt in range(3):
            response = self.http.get(f"{{BASE_URL}}/{{ident}}", headers=self._headers(), timeout=TIMEOUT)
            if response.status_code < 500:
                response.raise_for_status()
                return response.json()
            time.sleep(0.2 * (attempt + 1))
        raise RuntimeError("{word} API unavailable")

    def search(self, query: str, page: int = 1) -> list[dict]:
        response = self.http.get(BASE_URL, params={{"q": query, "page": page}}, headers=self._headers(),
                                 timeout=TIMEOUT)
        response.raise_for_status()
        return list(response.json().get("items", []))
'''

GUNICORN = '''import multiprocessing
import os

bind = f"0.0.0.0:{{os.environ.get('PORT', '{port}')}}"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = 60
accesslog = "-"
'''

SCRIPT = '''"""Load fixtures into the database (run by hand)."""

import json
import sys
from pathlib import Path


def main(path: str) -> int:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    Path("fixtures-loaded.json").write_text(json.dumps({{"count": len(data)}}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
'''

TEST = '''"""Tests for {word}s."""

import pytest

from services.{word}_service import {cls}Record, {cls}Service


@pytest.fixture
def service():
    return {cls}Service({{1: {cls}Record(1, "a", 2.5, ("x", "y"))}})
'''

TEST_CASE = '''

def test_{function}(service, tmp_path):
    (tmp_path / "out.json").write_text("{{}}")
    result = service.{action}(1)
    assert result is None or result["id"] == 1
'''

VIOLATIONS = [
    "",
    "",
    "",
    '''
@app.post("/upload")
def upload_file():
    data = request.get_data()
    with open("uploads/latest.bin", "wb") as handle:
        handle.write(data)
    return {"ok": True}
''',
    '''
import sqlite3

DB = sqlite3.connect("data.db", check_same_thread=False)
''',
    '''
import threading


def _refresh_forever():
    while True:
        pass


threading.Thread(target=_refresh_forever, daemon=True).start()
''',
]

DOCKERFILE_GUNICORN = ("FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt ./\n"
                       "RUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nUSER nobody\n"
                       'CMD ["gunicorn", "-c", "gunicorn.conf.py", "app:app"]\n')
DOCKERFILE_SCRIPT = ("FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt ./\n"
                     "RUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nUSER nobody\n"
                     'CMD ["python", "app.py"]\n')


def _pick(rng: random.Random, count: int) -> list[str]:
    return rng.sample(WORDS, count)


def _routes(rng: random.Random, word: str, cls: str, fastapi: bool) -> str:
    header = (FASTAPI_ROUTES_HEADER if fastapi else FLASK_ROUTES_HEADER).format(word=word, cls=cls)
    parts = [header]
    for index in range(rng.randint(3, 9)):
        method = rng.choice(["get", "post", "put", "delete", "patch"])
        with_id = rng.random() < 0.6
        parts.append((FASTAPI_ROUTE if fastapi else FLASK_ROUTE).format(
            method=method, path=f"<int:ident>/{index}" if with_id and not fastapi else
            (f"{{ident}}/{index}" if with_id else f"action-{index}"),
            function=f"{method}_{word}_{index}", params=("ident: int, " if fastapi else "ident")
            if with_id else "", action=f"{rng.choice(['find', 'update', 'summarise', 'rank'])}_{index % 3}",
            args="ident" if with_id else "0", cls=cls, word=word))
    return "".join(parts)


def _service_module(rng: random.Random, word: str, cls: str) -> str:
    parts = [SERVICE_HEADER.format(word=word, cls=cls)]
    for action in ("find", "update", "summarise", "rank"):
        for index in range(3):
            parts.append(SERVICE_METHOD.format(action=f"{action}_{index}", params="ident, *extra",
                                               first="ident", word=word, limit=rng.randint(3, 20),
                                               doc=f"{action.title()} one {word} and its tags."))
    for index in range(rng.randint(1, 6)):
        parts.append(HELPER_FUNCTION.format(function=f"normalise_{word}_{index}", word=word,
                                            limit=rng.randint(10, 500), doc=f"Clean up {word} values."))
    return "".join(parts)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def build_corpus(root: Path, services: int, seed: int) -> None:
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    for number in range(services):
        folder = root / f"svc-{number:04d}"
        name = folder.name
        fastapi = number % 2 == 1
        port = rng.choice([8000, 8080, 5000, 9000])
        words = _pick(rng, rng.randint(2, 5))
        classes = [word.title() for word in words]
        gunicorn = not fastapi and rng.random() < 0.5
        _write(folder / "Dockerfile", DOCKERFILE_GUNICORN if gunicorn else DOCKERFILE_SCRIPT)
        _write(folder / "cloudbaserc.json", json.dumps({"envId": "bench-env", "cloudrun": {"name": name}}))
        _write(folder / "requirements.txt", "fastapi\nuvicorn\n" if fastapi else "flask\ngunicorn\n")
        if gunicorn:
            _write(folder / "gunicorn.conf.py", GUNICORN.format(port=port))
        if fastapi:
            imports = "\n".join(f"from routes.{word} import router as {word}_router" for word in words)
            registrations = "\n".join(f"app.include_router({word}_router)" for word in words)
        else:
            imports = "\n".join(f"from routes.{word} import bp as {word}_bp" for word in words)
            registrations = "\n".join(f"app.register_blueprint({word}_bp)" for word in words)
        violation = rng.choice(VIOLATIONS)
        if fastapi:  # no Flask request object in a FastAPI app
            violation = violation.replace("request.get_data()", "b''")
        _write(folder / "app.py", (FASTAPI_APP if fastapi else FLASK_APP).format(
            name=name, port=port, imports=imports, registrations=registrations, violation=violation))
        _write(folder / "config.py", CONFIG.format(page_size=rng.choice([20, 50, 100])))
        _write(folder / "models.py", MODEL_HEADER.format(name=name) + "".join(
            MODEL.format(cls=cls, table=f"{word}s") for word, cls in zip(words, classes)))
        for word, cls in zip(words, classes):
            _write(folder / "routes" / f"{word}.py", _routes(rng, word, cls, fastapi))
            _write(folder / "services" / f"{word}_service.py", _service_module(rng, word, cls))
            _write(folder / "clients" / f"{word}_client.py", CLIENT.format(word=word, cls=cls, upper=word.upper()))
            tests = TEST.format(word=word, cls=cls) + "".join(
                TEST_CASE.format(function=f"{word}_{index}", action=f"find_{index % 3}") for index in range(6))
            _write(folder / "tests" / f"test_{word}.py", tests)
        for package in ("routes", "services", "clients", "tests"):
            _write(folder / package / "__init__.py", "")
        _write(folder / "scripts" / "load_fixtures.py", SCRIPT)


def corpus_lines(root: Path) -> int:
    return sum(path.read_bytes().count(b"\n") for path in root.rglob("*.py"))


def run_once(root: Path) -> tuple[float, int]:
    services = discover_services([root])
    start = time.perf_counter()
    findings = sum(1 for service in services for _ in python_source.check(service))
    return time.perf_counter() - start, findings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", type=int, default=250)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile of one run")
    args = parser.parse_args()

    corpus = HERE / ".corpus" / f"python-{args.services}-{args.seed}"
    build_corpus(corpus, args.services, args.seed)
    files = sum(1 for _ in corpus.rglob("*.py"))
    lines = corpus_lines(corpus)
    print(f"corpus: {corpus} — {args.services} services, {files} .py files, {lines} lines "
          "(tests and scripts included: the check decides what to skip)")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        run_once(corpus)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    times = []
    findings = 0
    for _ in range(args.runs):
        elapsed, findings = run_once(corpus)
        times.append(elapsed)
    median = statistics.median(times)
    print(f"python source checks: min {min(times):.3f}s  median {median:.3f}s  max {max(times):.3f}s  "
          f"{lines / max(times):,.0f} / {lines / median:,.0f} / {lines / min(times):,.0f} lines/s (min/median/max)  "
          f"{findings} findings")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
