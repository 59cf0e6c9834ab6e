"""Python source rules: the listening port and host (CBR2xx), state and background work (CBR3xx).

Every case lints a small tree with the real engine and asserts the exact (code, line) pairs that
the Python source check reports; other checks' codes are left out where a Dockerfile or a
package.json is part of the tree.
"""

from __future__ import annotations

import ast
import textwrap
import time
from pathlib import PurePosixPath

import pytest

from conftest import lint_tree, python_sources
from scaffolder.checks import python_source
from scaffolder.pysource import background, listen, state
from scaffolder.pysource.context import Context
from scaffolder.pysource.gate import may_hold_finding
from scaffolder.pysource.module import PyModule
from scaffolder.pysource.entrypoints import StartEvidence, start_evidence
from scaffolder.pysource.files import is_service_code
from scaffolder.pysource.listen import _split_address, is_loopback
from scaffolder.pysource.paths import is_persistent_local

MINE = python_source.CODES


def found(findings) -> list[tuple[str, int]]:
    return sorted((finding.code, finding.line) for finding in findings if finding.code in MINE)


@pytest.fixture
def lint_py(tmp_path):
    """lint_py(source) -> [(code, line)] for app.py; lint_py({"a.py": ..., "Dockerfile": ...}) for a tree.
    Every call lints a fresh folder."""
    calls = iter(range(1000))

    def run(source, **kwargs):
        files = source if isinstance(source, dict) else {"app.py": source}
        return found(lint_tree(tmp_path / f"case{next(calls)}", files, **kwargs))

    return run


# ---- clean, realistic services: nothing to report ---------------------------------------------

CLEAN_SERVICES = {
    "flask": """\
        import os
        import tempfile

        from flask import Flask, jsonify, request

        app = Flask(__name__)


        @app.get("/")
        def index():
            with open("templates/index.html", encoding="utf-8") as page:
                return page.read()


        @app.post("/convert")
        def convert():
            with tempfile.NamedTemporaryFile("wb", delete=False) as scratch:
                scratch.write(request.get_data())
            with open("/tmp/last-request.json", "w") as last:
                last.write("{}")
            return jsonify(ok=True)


        if __name__ == "__main__":
            app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
        """,
    "fastapi": """\
        import os

        import uvicorn
        from fastapi import BackgroundTasks, FastAPI

        app = FastAPI()
        port = int(os.getenv("PORT", "8000"))


        def send_mail(to: str) -> None:
            print("mail", to)


        @app.post("/signup")
        async def signup(email: str, tasks: BackgroundTasks):
            tasks.add_task(send_mail, email)
            return {"ok": True}


        if __name__ == "__main__":
            uvicorn.run("main:app", host="0.0.0.0", port=port, log_level="info")
        """,
    "aiohttp": """\
        import os

        from aiohttp import web


        async def hello(request):
            return web.Response(text="hello")


        app = web.Application()
        app.add_routes([web.get("/", hello)])

        if __name__ == "__main__":
            web.run_app(app, port=int(os.environ["PORT"]))
        """,
    "django-settings": """\
        import os
        from pathlib import Path

        import dj_database_url

        BASE_DIR = Path(__file__).resolve().parent.parent
        DEBUG = os.environ.get("DEBUG") == "1"
        DATABASES = {"default": dj_database_url.config(default="sqlite:///db.sqlite3")}
        SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
        CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                              "LOCATION": os.environ["REDIS_URL"]}}
        STATIC_ROOT = BASE_DIR / "staticfiles"
        """,
    "http-server": """\
        import os
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")


        def main():
            port = int(os.environ.get("PORT", "8080"))
            server = ThreadingHTTPServer(("", port), Handler)
            server.serve_forever()


        if __name__ == "__main__":
            main()
        """,
    "thread-in-handler": """\
        import os
        import threading

        from flask import Flask

        app = Flask(__name__)


        def crunch(results, index):
            results[index] = index * index


        @app.post("/batch")
        def batch():
            results = [0] * 4
            workers = [threading.Thread(target=crunch, args=(results, i)) for i in range(4)]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
            return {"results": results}


        if __name__ == "__main__":
            app.run("0.0.0.0", int(os.environ["PORT"]))
        """,
    "special-files": """\
        import os
        import shutil
        import sys
        import tempfile
        from pathlib import Path

        workdir = tempfile.mkdtemp()
        scratch = Path(tempfile.gettempdir()) / "work"
        scratch.mkdir(exist_ok=True)
        (scratch / "a.txt").write_text("x")
        os.makedirs("/tmp/uploads", exist_ok=True)
        shutil.copy("static/logo.png", os.path.join(workdir, "logo.png"))
        with open(os.devnull, "w") as sink:
            sink.write("")
        with open("/dev/stdout", "w") as out:
            out.write("log line")
        with open("/mnt/cfs/shared.txt", "a") as shared:
            shared.write("x")
        print("done", file=sys.stderr)
        """,
    "reads-only": """\
        import json
        from pathlib import Path

        CONFIG = json.loads(Path("config.json").read_text())
        with open("data/prices.csv", "rb") as prices:
            HEADER = prices.readline()
        with open("data/regions.txt") as regions:
            REGIONS = regions.read().split()
        LOGO = open("static/logo.png", mode="rb").read()
        """,
    "settings-objects": """\
        import os
        from dataclasses import dataclass

        import uvicorn
        from fastapi import FastAPI
        from pydantic_settings import BaseSettings

        from config import HOST, PORT


        class Settings(BaseSettings):
            host: str = "0.0.0.0"
            port: int = 8080


        @dataclass
        class Runtime:
            port: int = int(os.environ.get("PORT", 8080))


        settings = Settings()
        runtime = Runtime()
        options = {"port": int(os.environ.get("PORT", 8080))}
        app = FastAPI()


        def serve(port: int):
            uvicorn.run(app, host="0.0.0.0", port=port)


        if __name__ == "__main__":
            uvicorn.run(app, host=settings.host, port=settings.port)
            uvicorn.run(app, host="0.0.0.0", port=runtime.port)
            uvicorn.run(app, host="0.0.0.0", port=options["port"])
            uvicorn.run(app, host=HOST, port=PORT)
            uvicorn.run(app, **options)
        """,
    "aliases": """\
        import os as _os
        from os import environ, getenv

        from flask import Flask as F

        app = F(__name__)
        PORT = int(environ.get("PORT", 8080))
        HOST = getenv("HOST", "0.0.0.0")

        if __name__ == "__main__":
            app.run(HOST, PORT)
            app.run(host="0.0.0.0", port=int(_os.environ["PORT"]))
            app.run(host="0.0.0.0", port=int(getenv("PORT")))
        """,
    "caches-are-fine": """\
        import functools

        from cachetools import TTLCache
        from fastapi import FastAPI

        app = FastAPI()
        _cache: dict[str, str] = {}
        ttl = TTLCache(maxsize=100, ttl=60)
        connections: set = set()
        hits = []


        @functools.lru_cache(maxsize=256)
        def lookup(key: str) -> str:
            return key.upper()


        @app.post("/render")
        def render(key: str):
            _cache[key] = lookup(key)
            ttl[key] = key
            return {"value": _cache[key]}


        @app.get("/items")
        def items():
            hits.append(1)
            return {"hits": len(hits)}


        @app.websocket("/ws")
        async def ws(socket):
            connections.add(socket)


        @app.post("/local")
        def local():
            hits = []
            hits.append(2)
            return hits
        """,
    "environment-branches": """\
        import os
        import sqlite3

        from sqlalchemy import create_engine

        DEBUG = os.environ.get("DEBUG") == "1"
        if os.environ.get("DATABASE_URL"):
            engine = create_engine(os.environ["DATABASE_URL"])
        else:
            engine = create_engine("sqlite:///dev.db")
        if DEBUG:
            conn = sqlite3.connect("debug.db")
        fallback = create_engine(os.environ.get("DATABASE_URL", "sqlite:///local.db"))
        memory = sqlite3.connect(":memory:")
        temporary = create_engine("sqlite:////tmp/cache.db")
        """,
    "awaited-and-waited": """\
        import asyncio
        import subprocess

        from fastapi import FastAPI

        app = FastAPI()


        async def warm_up():
            await asyncio.sleep(0)


        @app.on_event("startup")
        async def startup():
            await asyncio.create_task(warm_up())
            task = asyncio.ensure_future(warm_up())
            await task
            proc = subprocess.Popen(["migrate"])
            proc.wait()
            with subprocess.Popen(["seed"]) as seeding:
                seeding.communicate()
            converter = subprocess.Popen(["convert", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            converter.stdin.close()
            output = converter.stdout.read()
            subprocess.run("make assets && echo done", shell=True, check=True)
        """,
}


@pytest.mark.parametrize("name", sorted(CLEAN_SERVICES))
def test_CBR2_CBR3_clean_services_raise_nothing(lint_files, name):
    findings = lint_files({"app.py": CLEAN_SERVICES[name]})
    assert [(f.code, f.line, f.message) for f in findings] == []


# ---- CBR201 hardcoded-listen-port and CBR202 loopback-bind -----------------------------------

def test_CBR201_flask_literal_port_and_named_literal(lint_py):
    assert lint_py("""\
        from flask import Flask

        app = Flask(__name__)
        PORT = 8080

        if __name__ == "__main__":
            app.run(host="0.0.0.0", port=8080)
            app.run("0.0.0.0", PORT)
        """) == [("CBR201", 7), ("CBR201", 8)]


def test_CBR201_CBR202_flask_run_without_arguments_uses_defaults(lint_py):
    assert lint_py("""\
        from flask import Flask

        app = Flask(__name__)

        if __name__ == "__main__":
            app.run(debug=True)
        """) == [("CBR201", 6), ("CBR202", 6)]


def test_CBR201_finding_positions_and_fix(lint_files):
    (finding,) = lint_files({"app.py": """\
        from flask import Flask
        app = Flask(__name__)
        app.run(host="0.0.0.0", port=8080)
        """})
    assert (finding.code, finding.line, finding.column, finding.end_line, finding.end_column) == ("CBR201", 3, 30, 3, 34)
    assert finding.fix.safe and finding.fix.description == 'read the port from PORT: int(os.environ.get("PORT", 8080))'


def test_CBR201_CBR202_uvicorn_and_hypercorn(lint_py):
    assert lint_py("""\
        import asyncio
        import uvicorn
        from hypercorn.asyncio import serve
        from hypercorn.config import Config

        from main import app

        uvicorn.run(app, host="0.0.0.0", port=8000)
        uvicorn.run(app)
        config = Config()
        config.bind = ["0.0.0.0:8000"]
        asyncio.run(serve(app, config))
        other = Config()
        asyncio.run(serve(app, other))
        local = Config()
        local.bind = "127.0.0.1:8000"
        """) == [("CBR201", 8), ("CBR201", 9), ("CBR201", 11), ("CBR201", 14), ("CBR201", 16),
                 ("CBR202", 9), ("CBR202", 14), ("CBR202", 16)]


def test_CBR201_CBR202_stdlib_servers(lint_py):
    assert lint_py("""\
        import http.server
        import socketserver
        from wsgiref.simple_server import make_server

        from app import application

        httpd = http.server.HTTPServer(("", 8000), http.server.SimpleHTTPRequestHandler)
        threaded = http.server.ThreadingHTTPServer(("localhost", 8001), http.server.SimpleHTTPRequestHandler)
        tcp = socketserver.TCPServer(("0.0.0.0", 9000), socketserver.BaseRequestHandler)
        wsgi = make_server("", 8000, application)
        ADDRESS = ("127.0.0.1", 8002)
        named = http.server.HTTPServer(ADDRESS, http.server.SimpleHTTPRequestHandler)


        class ReusableServer(socketserver.ThreadingTCPServer):
            allow_reuse_address = True


        reusable = ReusableServer(("", 9001), socketserver.BaseRequestHandler)
        """) == [("CBR201", 7), ("CBR201", 8), ("CBR201", 9), ("CBR201", 10), ("CBR201", 11),
                 ("CBR201", 19), ("CBR202", 8), ("CBR202", 11)]


def test_CBR201_CBR202_aiohttp_tornado_waitress_and_others(lint_py):
    assert lint_py("""\
        import bottle
        import tornado.web
        from aiohttp import web
        from gevent.pywsgi import WSGIServer
        from sanic import Sanic
        from waitress import serve
        from werkzeug.serving import run_simple

        from wsgi import application

        web.run_app(web.Application(), port=8080)
        web.run_app(web.Application())
        tornado_app = tornado.web.Application([])
        tornado_app.listen(8888)
        serve(application, host="0.0.0.0", port=8080)
        serve(application)
        serve(application, listen="*:8080")
        WSGIServer(("0.0.0.0", 5000), application).serve_forever()
        run_simple("localhost", 5000, application)
        bottle.run(host="0.0.0.0", port=8080)
        sanic_app = Sanic("api")
        sanic_app.run(host="0.0.0.0", port=8000)
        web.run_app(web.Application(), path="/tmp/app.sock")
        serve(application, unix_socket="/tmp/waitress.sock")
        """) == [("CBR201", 11), ("CBR201", 12), ("CBR201", 14), ("CBR201", 15), ("CBR201", 16),
                 ("CBR201", 17), ("CBR201", 18), ("CBR201", 19), ("CBR201", 20), ("CBR201", 22),
                 ("CBR202", 19)]


def test_CBR201_CBR202_listening_socket_not_client_or_udp(lint_py):
    assert lint_py("""\
        import socket

        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
            server.bind(("127.0.0.1", 65432))
            server.listen()
        client = socket.socket()
        client.connect(("localhost", 6379))
        """) == [("CBR201", 4), ("CBR202", 4)]
    assert lint_py({"udp.py": """\
        import socket

        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("0.0.0.0", 5005))
        """}) == []


def test_CBR202_loopback_hosts(lint_py):
    assert lint_py("""\
        import os

        import uvicorn
        from flask import Flask

        from main import app as api

        app = Flask(__name__)
        port = int(os.environ["PORT"])
        LOCAL = "localhost"

        app.run(host="127.0.0.1", port=port)
        app.run(LOCAL, port)
        uvicorn.run(api, host="::1", port=port)
        uvicorn.run(api, host="0.0.0.0", port=port)
        uvicorn.run(api, host=os.environ.get("HOST", "127.0.0.1"), port=port)
        """) == [("CBR202", 12), ("CBR202", 13), ("CBR202", 14)]


def test_CBR201_CBR202_django_call_command_runserver(lint_py):
    assert lint_py("""\
        import os

        from django.core.management import call_command

        call_command("runserver", "0.0.0.0:8000")
        call_command("runserver")
        call_command("runserver", f"0.0.0.0:{os.environ['PORT']}")
        call_command("migrate")
        """) == [("CBR201", 5), ("CBR201", 6), ("CBR202", 6)]


def test_CBR201_gunicorn_config_bind(lint_py):
    assert lint_py({"gunicorn.conf.py": """\
        import os

        bind = "0.0.0.0:8000"
        workers = 2
        """}) == [("CBR201", 3)]
    assert lint_py({"gunicorn.conf.py": 'import os\nbind = f"0.0.0.0:{os.environ[\'PORT\']}"\n'}) == []


def test_CBR2_unknown_values_are_not_reported(lint_py):
    assert lint_py("""\
        import argparse
        import os
        from http.server import BaseHTTPRequestHandler, HTTPServer

        from flask import Flask

        from settings import config

        app = Flask(__name__)
        parser = argparse.ArgumentParser()
        parser.add_argument("--port", type=int, default=8080)
        args = parser.parse_args()
        port = 8080
        port = int(os.environ.get("PORT", port))

        app.run(host="0.0.0.0", port=args.port)
        app.run(host="0.0.0.0", port=config.PORT)
        app.run(host="0.0.0.0", port=port)
        app.run(host="0.0.0.0", port=0)
        helper = HTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
        invalid = HTTPServer(("", -1), BaseHTTPRequestHandler)
        """) == []


def test_CBR2_not_a_known_server_is_not_reported(lint_py):
    assert lint_py("""\
        import redis

        from myframework import create_app

        app = create_app()
        app.run(port=5000)
        cache = redis.Redis(host="localhost", port=6379)
        """) == []


def test_CBR2_main_block_of_a_module_served_by_gunicorn_is_dead(lint_files):
    source = """\
        from flask import Flask

        app = Flask(__name__)

        if __name__ == "__main__":
            app.run(debug=True)
        """
    served = {"app.py": source, "Dockerfile": 'FROM python:3.12-slim\nCMD exec gunicorn --bind :$PORT app:app\n'}
    assert found(lint_files(served)) == []


def test_CBR2_main_block_of_a_script_the_dockerfile_runs_is_live(lint_files):
    source = """\
        from flask import Flask

        app = Flask(__name__)

        if __name__ == "__main__":
            app.run(debug=True)
        """
    started = {"app.py": source, "Dockerfile": 'FROM python:3.12-slim\nCMD ["python", "app.py"]\n'}
    assert found(lint_files(started)) == [("CBR201", 6), ("CBR202", 6)]


def test_CBR2_function_mode_is_not_checked_for_ports(lint_files):
    files = {
        "package.json": '{"dependencies": {"@cloudbase/functions-framework": "1.18.0"}}',
        "index.js": "exports.main = async () => ({ok: true});\n",
        "tools.py": "from flask import Flask\napp = Flask(__name__)\napp.run(port=5000)\n",
    }
    assert found(lint_files(files)) == []


# ---- CBR301 local-file-write --------------------------------------------------------------------

def test_CBR301_local_file_writes(lint_py):
    assert lint_py("""\
        import json
        import os
        import shutil
        from pathlib import Path

        from flask import Flask, request

        app = Flask(__name__)
        UPLOADS = "uploads"
        BASE_DIR = os.path.dirname(os.path.abspath(__file__))
        os.makedirs(UPLOADS, exist_ok=True)


        @app.post("/upload")
        def upload():
            file = request.files["file"]
            file.save(os.path.join(UPLOADS, file.filename))
            with open("data.json", "a") as data:
                data.write(json.dumps(request.form))
            Path("state.json").write_text("{}")
            shutil.copy("/tmp/x", "/app/data/x")
            with open(os.path.join(BASE_DIR, "counter.txt"), "w") as counter:
                counter.write("1")
            Path(f"reports/{file.filename}").open("wb").write(b"")
            return "ok"
        """) == [("CBR301", 11), ("CBR301", 17), ("CBR301", 18), ("CBR301", 20), ("CBR301", 21),
                 ("CBR301", 22), ("CBR301", 24)]


def test_CBR3_tests_migrations_and_scripts_are_not_checked(lint_py):
    writer = 'open("out.json", "w").write("{}")\n'
    assert lint_py({
        "tests/test_app.py": writer, "test_views.py": writer, "conftest.py": writer,
        "app/migrations/0001_initial.py": writer, "scripts/export.py": writer, "setup.py": writer,
        "mysite/settings/dev.py": 'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3"}}\n',
    }) == []


# ---- CBR302 local-sqlite-database ---------------------------------------------------------------

def test_CBR302_sqlite_databases(lint_py):
    assert lint_py("""\
        import os
        import sqlite3

        from flask import Flask
        from peewee import SqliteDatabase
        from sqlalchemy import create_engine

        app = Flask(__name__)
        basedir = os.path.abspath(os.path.dirname(__file__))
        DB_PATH = "app.db"
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(basedir, "app.db")
        conn = sqlite3.connect(DB_PATH)
        engine = create_engine("sqlite:///./todos.db")
        db = SqliteDatabase("people.db")


        class Config:
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{os.path.join(basedir, 'data.sqlite')}"


        DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
        memory = create_engine("sqlite://")
        """) == [("CBR302", 11), ("CBR302", 12), ("CBR302", 13), ("CBR302", 14), ("CBR302", 18),
                 ("CBR302", 21)]


# ---- CBR303 local-session-store -----------------------------------------------------------------

def test_CBR303_session_stores(lint_py):
    assert lint_py({
        "app.py": """\
            from flask import Flask

            app = Flask(__name__)
            app.config.update(SESSION_TYPE="filesystem", SECRET_KEY="x")
            """,
        "config.py": """\
            class Config:
                SESSION_TYPE = "filesystem"


            class Production(Config):
                SESSION_TYPE = "redis"
            """,
        "mysite/settings.py": 'SESSION_ENGINE = "django.contrib.sessions.backends.cache"\n',
        "other/settings.py": """\
            SESSION_ENGINE = "django.contrib.sessions.backends.cache"
            CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
            """,
        "beaker_app.py": 'session_opts = {"session.type": "file", "session.data_dir": "./data"}\n',
    }) == [("CBR303", 1), ("CBR303", 1), ("CBR303", 2), ("CBR303", 4)]


# ---- CBR304 in-memory-state-store ---------------------------------------------------------------

def test_CBR304_module_state_written_by_state_changing_handlers(lint_py):
    assert lint_py("""\
        from collections import defaultdict

        from flask import Flask, request

        app = Flask(__name__)
        users = {}
        todos = []
        votes = defaultdict(int)


        @app.route("/users", methods=["POST"])
        def create_user():
            users[request.json["id"]] = request.json
            return "ok"


        @app.route("/todos", methods=["GET", "POST"])
        def todo_list():
            if request.method == "POST":
                todos.append(request.json)
            return {"todos": todos}


        @app.put("/votes/<name>")
        def vote(name):
            votes[name] += 1
            users.update({name: {}})
            return "ok"
        """) == [("CBR304", 13), ("CBR304", 20), ("CBR304", 26)]


# ---- CBR311 background-thread-at-startup --------------------------------------------------------

def test_CBR311_background_threads_and_tasks_at_startup(lint_py):
    assert lint_py("""\
        import asyncio
        import threading
        from multiprocessing import Process

        from fastapi import FastAPI


        def loop_forever():
            while True:
                pass


        class Worker(threading.Thread):
            def run(self):
                loop_forever()


        threading.Thread(target=loop_forever, daemon=True).start()
        timer = threading.Timer(60, loop_forever)
        timer.start()
        Worker().start()


        def start_workers():
            Process(target=loop_forever).start()


        start_workers()
        app = FastAPI()


        @app.on_event("startup")
        async def on_startup():
            asyncio.create_task(asyncio.sleep(3600))
            asyncio.get_event_loop().create_task(asyncio.sleep(3600))
        """) == [("CBR311", 18), ("CBR311", 20), ("CBR311", 21), ("CBR311", 25), ("CBR311", 34),
                 ("CBR311", 35)]


def test_CBR311_startup_hooks_and_lifespan(lint_py):
    assert lint_py("""\
        import asyncio
        import threading
        from contextlib import asynccontextmanager

        from aiohttp import web
        from fastapi import FastAPI


        async def poll():
            await asyncio.sleep(1)


        @asynccontextmanager
        async def lifespan(app):
            task = asyncio.create_task(poll())
            yield
            task.cancel()


        async def start_background(app):
            app["poller"] = asyncio.create_task(poll())


        def not_a_hook():
            threading.Thread(target=print).start()


        api = FastAPI(lifespan=lifespan)
        aio = web.Application()
        aio.on_startup.append(start_background)
        """) == [("CBR311", 15), ("CBR311", 21)]


def test_CBR311_thread_joined_at_startup_is_not_background(lint_py):
    assert lint_py("""\
        import threading

        loader = threading.Thread(target=print)
        loader.start()
        loader.join()
        """) == []


# ---- CBR312 scheduler-at-startup ----------------------------------------------------------------

def test_CBR312_schedulers(lint_py):
    assert lint_py("""\
        import schedule
        from apscheduler.schedulers.asyncio import AsyncIOScheduler
        from apscheduler.schedulers.background import BackgroundScheduler as Scheduler
        from fastapi import FastAPI

        app = FastAPI()
        scheduler = Scheduler()
        scheduler.add_job(print, "interval", minutes=5)
        scheduler.start()
        schedule.every(10).minutes.do(print)
        unused = AsyncIOScheduler()


        @app.on_event("startup")
        def start_async_scheduler():
            jobs = AsyncIOScheduler()
            jobs.start()


        @app.post("/jobs/run")
        def run_jobs():
            schedule.run_pending()
            return "ok"
        """) == [("CBR312", 9), ("CBR312", 10), ("CBR312", 17)]


# ---- CBR313 long-lived-child-process ------------------------------------------------------------

def test_CBR313_long_lived_child_processes(lint_py):
    assert lint_py("""\
        import os
        import subprocess

        from flask import Flask

        app = Flask(__name__)
        redis_server = subprocess.Popen(["redis-server", "--port", "6380"])


        @app.post("/export")
        def export():
            subprocess.Popen(["python", "export.py"], start_new_session=True)
            os.system("python worker.py &")
            subprocess.Popen(["nohup", "python", "crawler.py"])
            subprocess.run(f"python reindex.py {os.getpid()} &", shell=True)
            subprocess.Popen(["convert", "a.png", "b.png"]).wait()
            os.system("make build && make test")
            return "started"
        """) == [("CBR313", 7), ("CBR313", 12), ("CBR313", 13), ("CBR313", 14), ("CBR313", 15)]


# ---- dead code, environment branches, CBR001 ----------------------------------------------------

def test_CBR2_CBR3_functions_called_only_from_a_dead_main_block(lint_files):
    source = """\
        import threading

        from flask import Flask

        app = Flask(__name__)


        def main():
            threading.Thread(target=print, daemon=True).start()
            app.run(port=5000)


        if __name__ == "__main__":
            main()
        """
    dockerfile = "FROM python:3.12-slim\nCMD gunicorn -b 0.0.0.0:$PORT app:app\n"
    assert found(lint_files({"app.py": source, "Dockerfile": dockerfile})) == []


def test_CBR001_syntax_error_and_other_files_still_checked(lint_files):
    findings = lint_files({
        "broken.py": "import sqlite3\n\ndef handler(:\n    return sqlite3.connect(\"a.db\")\n",
        "app.py": "from flask import Flask\napp = Flask(__name__)\napp.run(host='0.0.0.0', port=8080)\n",
    })
    assert [(f.path, f.code, f.line) for f in findings] == [("app.py", "CBR201", 3), ("broken.py", "CBR001", 3)]
    assert "syntax" in findings[1].message.lower()


def test_CBR001_undecodable_python_file(lint_files, tmp_path):
    (tmp_path / "latin.py").write_bytes(b"name = '\xe9t\xe9'\n")
    findings = lint_files({"app.py": "print('ok')\n"})
    assert [(f.path, f.code) for f in findings] == [("latin.py", "CBR001")]


def test_CBR302_suppression_silences_a_source_finding(lint_files):
    findings = lint_files({"app.py": """\
        import sqlite3

        conn = sqlite3.connect("cache.db")  # scaffolder: ignore[CBR302]
        """})
    assert findings == []


def test_CBR302_columns_count_characters_not_bytes(lint_files):
    (finding,) = lint_files({"app.py": 'import sqlite3\nname = "数据"; conn = sqlite3.connect("数据.db")\n'})
    assert (finding.code, finding.line, finding.column) == ("CBR302", 2, 21)


# ---- helpers ------------------------------------------------------------------------------------

def test_CBR2_loopback_and_address_parsing():
    assert all(is_loopback(host) for host in ("127.0.0.1", "localhost", "::1", "[::1]", "127.0.1.1"))
    assert not any(is_loopback(host) for host in ("0.0.0.0", "", "::", "*", "example.com"))
    assert _split_address("0.0.0.0:8000") == ("0.0.0.0", "8000")
    assert _split_address(":8000") == (None, "8000")
    assert _split_address("[::1]:8000") == ("::1", "8000")


def test_CBR3_persistent_local_paths():
    assert all(is_persistent_local(path) for path in ("data.json", "./uploads/", "/app/data", "~/.cache/x", "<app>"))
    assert not any(is_persistent_local(path) for path in (
        "/tmp/x", "/tmp", "/var/tmp/y", "/dev/stdout", "/dev/null", "/proc/self/fd/1", "/mnt/cfs/a", "s3://b/k",
        "-", "", None))


def test_CBR2_CBR3_start_evidence_and_service_code(tmp_path):
    (tmp_path / "Dockerfile").write_text('FROM python:3.12\nCMD ["sh", "start.sh"]\n')
    (tmp_path / "start.sh").write_text("python scripts/migrate.py\nexec uvicorn main:app --host 0.0.0.0 --port $PORT\n")
    evidence = start_evidence(tmp_path, [tmp_path / "Dockerfile", tmp_path / "start.sh"])
    assert evidence.served_by_command and not evidence.command_binds
    assert evidence.runs_as_script(PurePosixPath("scripts/migrate.py"))
    assert not evidence.runs_as_script(PurePosixPath("main.py"))
    assert is_service_code(PurePosixPath("scripts/migrate.py"), evidence)
    assert not is_service_code(PurePosixPath("scripts/seed.py"), evidence)
    nothing = StartEvidence(False, frozenset(), frozenset())
    assert nothing.runs_as_script(PurePosixPath("main.py"))
    assert not is_service_code(PurePosixPath("pkg/tests/helpers.py"), nothing)
    assert not is_service_code(PurePosixPath("config/settings_local.py"), nothing)
    assert is_service_code(PurePosixPath("myapp/local.py"), nothing)


def test_CBR301_scratch_file_removed_in_the_same_handler(lint_py):
    assert lint_py("""\
        import os

        from flask import Flask, request

        app = Flask(__name__)


        @app.post("/detect")
        def detect():
            video = request.files["video"]
            path = os.path.join("uploads", video.filename)
            video.save(path)
            try:
                return {"frames": 1}
            finally:
                os.remove(path)
        """) == []


def test_CBR301_storage_apis_and_in_memory_buffers(lint_py):
    assert lint_py("""\
        import io

        from django.core.files.storage import default_storage
        from flask import Flask, request

        app = Flask(__name__)


        @app.post("/avatar")
        def avatar():
            image = request.files["image"]
            default_storage.save("avatars/me.png", image)
            buffer = io.BytesIO()
            image.save(buffer)
            return "ok"
        """) == []


def test_CBR201_CBR202_websockets_and_asyncio_servers(lint_py):
    assert lint_py("""\
        import asyncio

        import websockets


        async def main():
            host, port = "0.0.0.0", 9000
            async with websockets.serve(print, "0.0.0.0", 9000):
                await asyncio.Future()
            server = await asyncio.start_server(print, "127.0.0.1", 8888)
            async with websockets.serve(print, host, port):
                await server.serve_forever()
        """) == [("CBR201", 8), ("CBR201", 10), ("CBR202", 10)]


def test_CBR3_cli_commands_are_not_checked_for_state(lint_py):
    assert lint_py("""\
        import click
        from flask import Flask

        app = Flask(__name__)


        @app.cli.command("export")
        def export():
            with open("export.csv", "w") as out:
                out.write("id\\n")


        @click.command()
        def seed():
            open("seed.json", "w").write("[]")
        """) == []


def test_CBR302_sqlite_uris(lint_py):
    assert lint_py("""\
        import sqlite3

        from settings import DB_FILE

        durable = sqlite3.connect("file:app.db?mode=rwc", uri=True)
        shared = sqlite3.connect("file:cache?mode=memory&cache=shared", uri=True)
        readonly = sqlite3.connect(f"file:{DB_FILE}?mode=ro", uri=True)
        scratch = sqlite3.connect("/tmp/scratch.db")
        """) == [("CBR302", 5)]


def test_CBR2_scripts_are_files_run_by_python(tmp_path):
    (tmp_path / "Dockerfile").write_text(
        'FROM python:3.12\nCMD ["uwsgi", "--http", ":8080", "--wsgi-file", "app.py"]\n')
    (tmp_path / "Procfile").write_text("release: python3 -m tasks.migrate\n")
    evidence = start_evidence(tmp_path, [tmp_path / "Dockerfile", tmp_path / "Procfile"])
    assert evidence.served_by_command and evidence.scripts == frozenset()
    assert not evidence.runs_as_script(PurePosixPath("app.py"))
    assert evidence.runs_as_script(PurePosixPath("tasks/migrate.py"))


# ---- speed: the gate before parsing and the walk --------------------------------------------------

def _rule_hits(text: str) -> list[str]:
    """Every hit the rules find in `text`, read in every way the check can read it."""
    module = PyModule(ast.parse(text), text)
    hits = list(listen.find(module, True))
    for runs_as_script in (True, False):
        context = Context(module, runs_as_script, True)
        hits += [*state.find(module, context), *background.find(module, context)]
    return [hit.code for hit in hits]



def test_gate_passes_every_file_the_rules_report_something_in():
    reported = 0
    for label, text in python_sources():
        try:
            hits = _rule_hits(text)
        except SyntaxError:
            continue
        if hits:
            reported += 1
            assert may_hold_finding(text, True, True), f"{label}: the gate hides {hits}"
    assert reported >= 30  # the corpus really exercises the rules


def _qualified_uses() -> list[str]:
    """For every qualified name a rule matches, a module that imports it under another name and
    uses it the way the rule looks for it."""
    def use(name: str, method: str | None = None) -> str:
        module, _, last = name.rpartition(".")
        if module == "builtins":
            return f"{last}(x){'.' + method + '()' if method else ''}\n"
        return f"from {module} import {last} as renamed\nrenamed(x){'.' + method + '()' if method else ''}\n"

    uses = [use(name) for name in (*listen.FUNCTIONS, *listen._HYPERCORN_SERVE, listen._CALL_COMMAND,
                                   *state._OPENERS, *state._DESTINATIONS, *state._SQLITE_CONNECT,
                                   *state._SQLITE_CLASSES, *state._URL_FUNCTIONS, *background._START_NEW_THREAD,
                                   *background._TASK_FUNCTIONS, *background._JOB_DECORATORS,
                                   *background._SHELL_RUNNERS)]
    uses += [use(name, method) for classes, method, _server in listen.METHODS for name in classes]
    uses += [use(name, "bind") for name in (*listen._SOCKET, *listen._HYPERCORN_CONFIG)]
    uses += [use(name, method) for name in state._PATH_CLASSES for method in (*state._PATH_WRITES, "open")]
    uses += [use(name, "start") for name in background._THREADS]
    uses += [use(name, "create_task") for name in background._LOOPS]
    uses += [use(name, method) for name in background._SCHEDULERS for method in background._SCHEDULER_STARTS]
    uses += [use(background._SCHEDULE_EVERY, "do"), "import os\nos.spawnvp(os.P_NOWAIT, 'x', [])\n"]
    uses += [f"upload.{method}(path)\n" for method in state._SAVES]
    uses += [f"config = {{{key!r}: {value!r}}}\n" for key, values in state._SESSION_VALUES.items() for value in values]
    uses += ["app.config.update(SQLALCHEMY_DATABASE_URI=url)\n",
             "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3'}}\n"]
    uses += [f"@app.{method}('/x')\ndef handler():\n    pass\n" for method in ("post", "put", "patch", "delete")]
    uses += ["@bp.route('/x', methods=['POST'])\ndef handler():\n    pass\n",
             "from django.views.decorators.http import require_POST as only_post\n",
             "from django.views.decorators.http import require_http_methods as allow\n",
             "from rest_framework.decorators import api_view as view\n"]
    return uses


@pytest.mark.parametrize("source", _qualified_uses())
def test_gate_knows_every_name_the_rules_match(source):
    assert may_hold_finding(source), source


def test_gate_skips_modules_without_trigger_words():
    assert not may_hold_finding("import json\n\n\ndef clean(text):\n    return json.loads(text.replace('a', 'b'))\n")
    assert not may_hold_finding("import os\nrun = os.environ.get('RUN')\nThread = None\n")  # words, not the pairs
    assert not may_hold_finding("from flask import Flask\napp = Flask(__name__)\napp.run()\n", listens=False)
    assert not may_hold_finding("bind = '127.0.0.1:8000'\n")
    assert may_hold_finding("bind = '127.0.0.1:8000'\n", gunicorn_config=True)


@pytest.mark.parametrize("source", [
    'CONFIG = {"SESSION_" "TYPE": "file" "system"}\n',  # adjacent literals
    'CONFIG = {"SESSION_"  # the key\n  r"TYPE": "filesystem"}\n',
    'CONFIG = {"SESSION_" "" "T" "YPE": "filesystem"}\n',
    'CONFIG = {"\\x53ESSION_TYPE": "\\u0066ilesystem"}\n',  # escapes
    'CONFIG = {"SESSION_\\\nTYPE": "filesystem"}\n',
    'ｏｐｅｎ("data.json", "w").write("{}")\n',  # identifiers are NFKC-normalised
])
def test_gate_sees_names_python_spells_differently(source, lint_py):
    assert may_hold_finding(source)
    assert lint_py(source) != []


def test_gate_stays_linear_on_pathological_text():
    texts = ['x = "a" ' + "#" * 200_000, "a" + '"' * 200_000, 'a" "' * 50_000 + "b", '"' + 'r"' * 100_000,
             "x" + "\\" * 200_000, 'a"' + ' #\n' * 50_000 + '"b', "é" * 200_000]
    started = time.perf_counter()
    for text in texts:
        may_hold_finding(text)
    assert time.perf_counter() - started < 5  # backtracking would take longer than the universe


def test_syntax_errors_only_count_in_modules_a_rule_needs(lint_files):
    """CBR001 is about files the rules had to read: a module no rule can fire in is not parsed."""
    findings = lint_files({
        "helpers.py": "import json\n\n\ndef load(text:\n    return json.loads(text)\n",
        "worker.py": "import threading\n\n\ndef start(:\n    threading.Thread(target=print).start()\n",
        "ok.py": "import json\n",
    })
    assert [(f.path, f.code, f.line) for f in findings] == [("worker.py", "CBR001", 4)]


def test_global_and_nonlocal_still_decide_where_names_are_bound(lint_py):
    assert lint_py("""\
        import os

        from flask import Flask

        app = Flask(__name__)
        PORT = 8080


        def configure():
            global PORT
            PORT = int(os.environ["PORT"])


        configure()
        app.run(host="0.0.0.0", port=PORT)
        """) == []
    assert lint_py("""\
        from flask import Flask

        app = Flask(__name__)


        def serve():
            port = 8080

            def from_env():
                nonlocal port
                port = read_port()

            from_env()
            app.run(host="0.0.0.0", port=port)
        """) == []
    assert lint_py("""\
        from flask import Flask

        app = Flask(__name__)
        PORT = 8080


        def configure():
            PORT = read_port()
            return PORT


        app.run(host="0.0.0.0", port=PORT)
        """) == [("CBR201", 12)]


def test_the_walk_reaches_every_child_node():
    """PyModule skips fields that never hold a node; every node ast.walk finds must be indexed,
    except, by design, a class's keyword nodes and a function's `arguments` and `arg` nodes (their
    values, defaults and annotations are indexed)."""
    source = textwrap.dedent("""\
        import os as o, sys
        from . import x as y
        @deco(1)
        class C(Base, metaclass=M):
            a: int = 1
            def f(self, p: int = 2, *args, k=3, **kw) -> None:
                global g
                nonlocal_ = [i async for i in aiter() if i]
                with open(p) as (fh, other):
                    pass
                try:
                    del a[0], b.c
                except (E, F) as err:
                    raise X from err
                finally:
                    lambda q=4: q
                match p:
                    case {"k": [1, *rest], **others} if rest:
                        pass
                    case Point(x=0, y=_) | None:
                        pass
                    case str() as s:
                        pass
                return f"{p!r:>{10}}" + {**kw, 1: 2}[1] if (z := p) else ...
        async def main():
            async for i in x:
                await i
            async with y as z:
                yield z
        """)
    tree = ast.parse(source)
    PyModule(tree, source)
    by_design = {id(keyword) for node in ast.walk(tree) if isinstance(node, ast.ClassDef) for keyword in node.keywords}
    unindexed = [ast.dump(node) for node in ast.walk(tree)
                 if not isinstance(node, (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop,
                                          ast.arguments, ast.arg))
                 and id(node) not in by_design and not hasattr(node, "_cbr_scope")]
    assert unindexed == []
    kinds = {type(node).__name__ for node in ast.walk(tree)}
    assert {"MatchMapping", "MatchClass", "MatchOr", "MatchStar", "MatchAs", "comprehension", "withitem",
            "FormattedValue", "NamedExpr", "ExceptHandler", "Global", "alias", "keyword"} <= kinds


# ---- startup code across modules: the application factory ----------------------------------------

def located(findings) -> list[tuple[str, str, int]]:
    return sorted((str(finding.path), finding.code, finding.line) for finding in findings if finding.code in MINE)


FACTORY = """\
    import threading

    from apscheduler.schedulers.background import BackgroundScheduler
    from flask import Flask


    def poll():
        pass


    def create_app():
        app = Flask(__name__)
        threading.Thread(target=poll, daemon=True).start()
        scheduler = BackgroundScheduler()
        scheduler.start()
        return app
    """
GUNICORN_WSGI = "FROM python:3.12-slim\nCMD exec gunicorn --bind :$PORT wsgi:app\n"


def test_CBR311_CBR312_app_factory_called_by_the_module_the_server_loads(lint_files):
    assert located(lint_files({
        "rates.py": FACTORY, "Dockerfile": GUNICORN_WSGI,
        "wsgi.py": "from rates import create_app\n\napp = create_app()\n",
    })) == [("rates.py", "CBR311", 13), ("rates.py", "CBR312", 15)]


@pytest.mark.parametrize(("files", "expected"), [
    # gunicorn calls the factory itself; uvicorn --factory too
    ({"Dockerfile": 'FROM python:3.12-slim\nCMD ["gunicorn", "rates:create_app()"]\n'}, 2),
    ({"Dockerfile": "FROM python:3.12-slim\nCMD uvicorn --factory rates:create_app --host 0.0.0.0 --port $PORT\n"},
     2),
    # `import rates` ... `rates.create_app()` in the script the Dockerfile runs
    ({"Dockerfile": 'FROM python:3.12-slim\nCMD ["python", "serve.py"]\n',
      "serve.py": "import rates\n\napp = rates.create_app()\n"}, 2),
    # the loaded attribute is built in a package: wsgi.py imports it from there
    ({"Dockerfile": GUNICORN_WSGI, "wsgi.py": "from shop import app\n",
      "shop/__init__.py": "from rates import create_app\n\napp = create_app()\n"}, 2),
    # near-misses: only a one-off script, a test or a dead __main__ block calls the factory
    ({"Dockerfile": GUNICORN_WSGI, "wsgi.py": "from flask import Flask\n\napp = Flask(__name__)\n",
      "seed.py": "from rates import create_app\n\napp = create_app()\n"}, 0),
    ({"Dockerfile": GUNICORN_WSGI, "wsgi.py": "from flask import Flask\n\napp = Flask(__name__)\n",
      "tests/test_app.py": "from rates import create_app\n\napp = create_app()\n"}, 0),
    ({"Dockerfile": GUNICORN_WSGI,
      "wsgi.py": "from rates import create_app\n\nif __name__ == '__main__':\n    create_app().run()\n"}, 0),
    # only in some environments
    ({"Dockerfile": GUNICORN_WSGI,
      "wsgi.py": "import os\nfrom rates import create_app\n\nif os.environ.get('JOBS'):\n    app = create_app()\n"}, 0),
    # no start files: which module the server loads is unknown
    ({"wsgi.py": "from rates import create_app\n\napp = create_app()\n"}, 0),
])
def test_CBR311_CBR312_app_factory_started_only_from_what_the_start_files_run(lint_files, files, expected):
    findings = located(lint_files({"rates.py": FACTORY, **files}))
    assert [finding for finding in findings if finding[0] == "rates.py"] == \
        [("rates.py", "CBR311", 13), ("rates.py", "CBR312", 15)][:expected]


def test_CBR311_app_factory_through_re_exports_and_calls_into_other_modules(lint_files):
    assert located(lint_files({
        "Dockerfile": GUNICORN_WSGI,
        "wsgi.py": "from myapp import create_app\n\napp = create_app()\n",
        "myapp/__init__.py": "from .factory import create_app\n",
        "myapp/factory.py": textwrap.dedent("""\
            from flask import Flask

            from . import jobs
            from .tasks import start_workers


            def create_app():
                app = Flask(__name__)
                jobs.start()
                start_workers(app)
                return app
            """),
        "myapp/jobs.py": "import threading\n\n\ndef start():\n    threading.Thread(target=print).start()\n",
        "myapp/tasks.py": textwrap.dedent("""\
            import threading


            def start_workers(app):
                threading.Thread(target=print).start()


            def drain():  # never called at startup
                threading.Thread(target=print).start()
            """),
    })) == [("myapp/jobs.py", "CBR311", 5), ("myapp/tasks.py", "CBR311", 5)]


def test_CBR2_CBR3_start_evidence_names_the_application_the_server_loads(tmp_path):
    (tmp_path / "Dockerfile").write_text(
        'FROM python:3.12\nCMD ["sh", "-c", "exec gunicorn --bind 0.0.0.0:$PORT -k gevent myapp.wsgi:application"]\n')
    (tmp_path / "Procfile").write_text("web: uvicorn --factory main:build --port $PORT\nworker: python worker.py\n")
    evidence = start_evidence(tmp_path, [tmp_path / "Dockerfile", tmp_path / "Procfile"])
    assert evidence.app_targets == {("myapp.wsgi", "application", False), ("main", "build", True)}


# ---- servers built by a factory function ----------------------------------------------------------

def test_CBR201_server_returned_by_a_factory_function(lint_py):
    assert lint_py("""\
        import functools

        import tornado.web


        def make_app():
            return tornado.web.Application([])


        def make_named():
            app = tornado.web.Application([])
            return app


        @functools.lru_cache(maxsize=None)
        def cached_app():
            return tornado.web.Application([])


        make_app().listen(8888)
        served = make_named()
        served.listen(8000)
        cached_app().listen(8080)
        """) == [("CBR201", 20), ("CBR201", 22), ("CBR201", 23)]


def test_CBR201_factories_that_may_give_back_something_else_are_not_followed(lint_py):
    assert lint_py("""\
        import os

        import tornado.web
        from hypercorn.asyncio import serve
        from hypercorn.config import Config


        def maybe_app(debug):
            if debug:
                return tornado.web.Application([])


        async def async_app():
            return tornado.web.Application([])


        def generated_app():
            yield tornado.web.Application([])


        @register
        def decorated_app():
            return tornado.web.Application([])


        def either_app(kind):
            if kind:
                return tornado.web.Application([])
            return None


        def make_config():
            config = Config()
            config.bind = [f"0.0.0.0:{os.environ['PORT']}"]
            return config


        maybe_app(True).listen(8888)
        async_app().listen(8888)
        generated_app().listen(8888)
        decorated_app().listen(8888)
        either_app(True).listen(8888)
        config = make_config()
        serve(app, config)
        """) == []


# ---- CBR304: items of a module-level container ---------------------------------------------------

def test_CBR304_items_of_a_container_of_containers(lint_py):
    assert lint_py("""\
        from collections import defaultdict

        from flask import Flask, request

        app = Flask(__name__)
        carts = defaultdict(list)
        rooms = defaultdict(lambda: {"members": set()})
        queues = {"open": [], "done": []}
        tags = defaultdict(set)


        @app.post("/cart/<cart_id>")
        def add(cart_id):
            carts[cart_id].append(request.json)
            return "ok"


        @app.post("/rooms/<room>")
        def join(room):
            rooms[room]["members"].add(request.json["user"])
            queues["open"][0] = request.json
            return "ok"


        @app.get("/tags/<name>")
        def read_tags(name):
            tags[name].add("seen")  # a GET handler
            return "ok"
        """) == [("CBR304", 14), ("CBR304", 20), ("CBR304", 21)]


def test_CBR304_items_of_unknown_kind_are_not_state(lint_py):
    assert lint_py("""\
        from collections import defaultdict

        from flask import Flask, request

        from db import connect, make_counter

        app = Flask(__name__)
        tables = {"orders": connect("orders")}
        clients = {}
        counters = defaultdict(make_counter)


        @app.post("/orders")
        def create_order():
            tables["orders"].insert(request.json)
            clients[request.json["region"]].update(request.json)
            counters["orders"].add(1)
            carts = defaultdict(list)
            carts["x"].append(1)
            return "ok"
        """) == []
