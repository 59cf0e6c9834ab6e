"""The Dockerfile checks (CBR1xx) beyond the catalog's examples: edge cases both ways, locations."""

from __future__ import annotations

import textwrap

import pytest

from conftest import codes
from scaffolder.findings import Severity

APP = """\
import os
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")


if __name__ == "__main__":
    HTTPServer(("0.0.0.0", int(os.environ.get("PORT", "8080"))), Handler).serve_forever()
"""
SERVER_JS = """\
const http = require("http");

const port = Number(process.env.PORT || 3000);
http.createServer((req, res) => res.end("ok")).listen(port, "0.0.0.0");
"""
IGNORE = ".git\n.env\nnode_modules\n"
CLOUDBASERC = """\
{
  "envId": "env-1",
  "cloudrun": {
    "name": "demo-svc",
    "serverConfig": {
      "Cpu": 0.5,
      "Mem": 1,
      "MinNum": 0,
      "MaxNum": 5,
      "OpenAccessTypes": ["PUBLIC"],
      "Port": %d
    }
  }
}
"""


def service(dockerfile: str, **files: str) -> dict[str, str]:
    """A small Python container service around `dockerfile` (dedented)."""
    tree = {"Dockerfile": textwrap.dedent(dockerfile).lstrip("\n"), "app.py": APP, ".dockerignore": IGNORE}
    tree.update(files)
    return {name: content for name, content in tree.items() if content is not None}


def with_cmd(cmd: str, env: str = "") -> dict[str, str]:
    return service(f"FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n{env}CMD {cmd}\n")


def only(findings, code):
    return [finding for finding in findings if finding.code == code]


# ---- CBR001: the Dockerfile itself -------------------------------------------------------------
def test_syntax_error_is_cbr001_with_its_line(lint_files):
    findings = lint_files(service("FROM python:3.12-slim\nWORKDIR /app\nENV ONLY_A_NAME\nCMD [\"python\", \"app.py\"]\n"))
    [finding] = findings
    assert (finding.code, finding.path, finding.line) == ("CBR001", "Dockerfile", 3)
    assert "ENV" in finding.message


def test_unknown_instruction_is_cbr001(lint_files):
    findings = lint_files(service("FROM python:3.12-slim\nRUNN pip install flask\nCMD [\"python\", \"app.py\"]\n"))
    assert [(f.code, f.line) for f in findings] == [("CBR001", 2)]
    assert "RUNN" in findings[0].message


def test_unterminated_heredoc_points_at_its_start(lint_files):
    findings = lint_files(service("FROM python:3.12-slim\nCOPY . .\nRUN <<EOT\necho hi\n"))
    assert [(f.code, f.line) for f in findings] == [("CBR001", 3)]


def test_instruction_before_from_is_cbr001(lint_files):
    findings = lint_files(service("WORKDIR /app\nFROM python:3.12-slim\nCMD [\"python\", \"app.py\"]\n"))
    assert [(f.code, f.line) for f in findings] == [("CBR001", 1)]


# ---- CBR101 / CBR102: ports ----------------------------------------------------------------------
def test_legacy_env_form_is_read(lint_files):
    findings = lint_files(service("""
        FROM python:3.12-slim
        COPY . .
        ENV PORT 8080
        EXPOSE 80
        CMD ["python", "app.py"]
    """))
    [finding] = findings
    assert (finding.code, finding.line) == ("CBR101", 4)
    assert "ENV PORT=8080" in finding.message and "EXPOSE 8080" in finding.message


def test_env_with_several_pairs_over_lines(lint_files):
    findings = lint_files(service("""
        FROM python:3.12-slim
        COPY . .
        ENV PYTHONUNBUFFERED=1 \\
            PORT=9000
        EXPOSE 9000
        CMD ["python", "app.py"]
    """))
    assert findings == []


def test_start_command_port_disagreeing_with_env(lint_files):
    findings = lint_files(service("""
        FROM python:3.12-slim
        COPY . .
        ENV PORT=8080
        CMD ["uvicorn", "app:app", "--host", "0.0.0.0", "--port", "8000"]
    """))
    assert codes(findings) == ["CBR101", "CBR104"]
    [mismatch] = only(findings, "CBR101")
    assert mismatch.line == 4 and "ENV PORT=8080" in mismatch.message


def test_config_port_disagreeing_with_a_consistent_dockerfile_points_at_the_config(lint_files):
    findings = lint_files(service("""
        FROM python:3.12-slim
        COPY . .
        ENV PORT=8080
        EXPOSE 8080
        CMD ["python", "app.py"]
    """, **{"cloudbaserc.json": CLOUDBASERC % 3000}))
    [finding] = findings
    assert (finding.code, finding.path, finding.line) == ("CBR101", "cloudbaserc.json", 11)
    assert "8080" in finding.message and "3000" in finding.message


def test_config_port_is_the_reference(lint_files):
    findings = lint_files(service("""
        FROM python:3.12-slim
        COPY . .
        ENV PORT=3000
        EXPOSE 80
        CMD ["python", "app.py"]
    """, **{"cloudbaserc.json": CLOUDBASERC % 3000}))
    [finding] = findings
    assert (finding.code, finding.path, finding.line) == ("CBR101", "Dockerfile", 4)
    assert "serverConfig Port 3000" in finding.message and "cloudbaserc.json line 11" in finding.message


def test_expose_alone_is_not_compared(lint_files):
    assert lint_files(service("FROM python:3.12-slim\nCOPY . .\nEXPOSE 80\nCMD [\"python\", \"app.py\"]\n")) == []


def test_several_exposed_ports(lint_files):
    findings = lint_files(service("""
        FROM python:3.12-slim
        COPY . .
        ENV PORT=8080
        EXPOSE 8080
        EXPOSE 9090/tcp
        CMD ["python", "app.py"]
    """))
    [finding] = findings
    assert (finding.code, finding.line, finding.column) == ("CBR102", 5, 8)
    assert "EXPOSE 8080" in finding.message


@pytest.mark.parametrize(("expose", "expected"), [
    ("8080/tcp 8080/udp", []),
    ("8080 8080", []),
    ("8080-8081", ["CBR102"]),
])
def test_exposed_port_counting(lint_files, expose, expected):
    findings = lint_files(service(f"FROM python:3.12-slim\nCOPY . .\nENV PORT=8080\nEXPOSE {expose}\nCMD [\"python\", \"app.py\"]\n"))
    assert codes(findings) == expected


def test_multi_stage_build_judges_only_the_final_stage(lint_files):
    findings = lint_files(service("""
        FROM node:20 AS assets
        WORKDIR /src
        COPY package.json ./
        RUN npm install
        ENV PORT=1234
        EXPOSE 1234 9229
        VOLUME /src/cache
        RUN npm run build

        FROM python:3.12-slim
        WORKDIR /app
        COPY --from=assets /src/dist ./static
        COPY . .
        ENV PORT=8080
        EXPOSE 8080
        CMD ["python", "app.py"]
    """, **{"package.json": '{"name": "assets", "private": true}\n'}))
    assert findings == []


# ---- CBR103: exec form and $PORT ----------------------------------------------------------------
def test_exec_form_port_variable(lint_files):
    findings = lint_files(with_cmd('["gunicorn", "--bind", "0.0.0.0:$PORT", "app:app"]'))
    [finding] = findings
    assert (finding.code, finding.line, finding.column) == ("CBR103", 4, 29)
    assert '["sh", "-c", "exec gunicorn --bind 0.0.0.0:$PORT app:app"]' in finding.message
    assert finding.fix is not None


@pytest.mark.parametrize("cmd", [
    '["sh", "-c", "exec gunicorn --bind 0.0.0.0:$PORT app:app"]',
    '["/bin/bash", "-lc", "gunicorn -b :${PORT:-8080} app:app"]',
    "gunicorn --bind 0.0.0.0:${PORT:-8080} app:app",
    'exec gunicorn --bind "0.0.0.0:${PORT}" app:app',
    '["java", "-Dserver.port=${PORT}", "-jar", "app.jar"]',
])
def test_port_variable_that_expands(lint_files, cmd):
    assert lint_files(with_cmd(cmd)) == []


def test_shell_script_split_between_entrypoint_and_cmd(lint_files):
    files = service("""
        FROM python:3.12-slim
        COPY . .
        ENTRYPOINT ["sh", "-c"]
        CMD ["exec gunicorn --bind 0.0.0.0:$PORT app:app"]
    """)
    assert lint_files(files) == []


def test_exec_form_split_between_entrypoint_and_cmd(lint_files):
    files = service("""
        FROM python:3.12-slim
        COPY . .
        ENTRYPOINT ["tini", "--"]
        CMD ["uvicorn", "app:app", "--host", "0.0.0.0", "--port", "${PORT}"]
    """)
    [finding] = lint_files(files)
    assert (finding.code, finding.line) == ("CBR103", 4)
    assert 'CMD ["sh", "-c", "exec uvicorn app:app --host 0.0.0.0 --port ${PORT}"]' in finding.message


def test_shell_form_entrypoint_ignores_cmd(lint_files):
    files = service("""
        FROM python:3.12-slim
        COPY . .
        ENTRYPOINT exec gunicorn --bind 0.0.0.0:$PORT app:app
        CMD ["--bind", "127.0.0.1:8000"]
    """)
    assert lint_files(files) == []


# ---- CBR104 / CBR105: where the server listens -------------------------------------------------
@pytest.mark.parametrize(("cmd", "expected"), [
    ('["uvicorn", "app:app", "--host", "0.0.0.0", "--port", "8000"]', ["CBR104"]),
    ("uvicorn app:app --host 0.0.0.0 --port=8000", ["CBR104"]),
    ("uvicorn app:app --host 0.0.0.0 --port $PORT", []),
    ("uvicorn app:app", ["CBR104", "CBR105"]),
    ("python -m uvicorn app:app --host 127.0.0.1 --port ${PORT:-8000}", ["CBR105"]),
    ("hypercorn app:app --bind 0.0.0.0:8000", ["CBR104"]),
    ("hypercorn --config hypercorn.toml app:app", []),
    ("gunicorn app:app", []),  # gunicorn binds 0.0.0.0:$PORT when PORT is set
    ("gunicorn -b:8000 app:app", ["CBR104"]),
    ("gunicorn --bind=localhost:$PORT app:app", ["CBR105"]),
    ("gunicorn --bind unix:/tmp/app.sock app:app", []),
    ("flask run --host 0.0.0.0 -p 5000", ["CBR104"]),
    ("flask --app app run -h 0.0.0.0 --port $PORT", []),
    ("flask run", ["CBR104", "CBR105"]),
    ("python manage.py migrate && python manage.py runserver 0.0.0.0:8000", ["CBR104"]),
    ("python manage.py runserver 0.0.0.0:$PORT", []),
    ("python manage.py runserver", ["CBR104", "CBR105"]),
    ("daphne -b 0.0.0.0 -p 8000 app.asgi:application", ["CBR104"]),
    ("waitress-serve --port=$PORT app:app", []),
    ("node server.js --port 8080", ["CBR104"]),
    ("node server.js --host localhost", ["CBR105"]),
    ("PORT=8080 node server.js", ["CBR104"]),
    ("export PORT=8080 && exec node server.js", ["CBR104"]),
    ("npx next start -p 3000", ["CBR104"]),
    ("next start", []),  # next reads PORT itself
    ("next start -H 127.0.0.1", ["CBR105"]),
    ("java -Dserver.port=8080 -jar app.jar", ["CBR104"]),
    ("java -jar app.jar --server.address=127.0.0.1", ["CBR105"]),
    ("php -S 127.0.0.1:8080 -t public", ["CBR104", "CBR105"]),
    ("php -S 0.0.0.0:${PORT} -t public", []),
    ("streamlit run app.py --server.port 8501", ["CBR104"]),
    ("./server -port=8080", ["CBR104"]),
    ("python -m http.server 8080", ["CBR104"]),
    ("python3 -m http.server", ["CBR104"]),
    ("python -m http.server ${PORT:-8080} --bind 127.0.0.1", ["CBR105"]),
    ("python wait_for_db.py --port 5432 && exec python app.py", []),  # not the server
    ("celery -A tasks worker --hostname=worker@localhost", []),
])
def test_listen_address(lint_files, cmd, expected):
    assert codes(lint_files(with_cmd(cmd))) == expected


def test_env_settings_replace_server_defaults(lint_files):
    files = with_cmd("uvicorn app:app", env="ENV UVICORN_HOST=0.0.0.0 UVICORN_PORT=8080\n")
    assert codes(lint_files(files)) == []


def test_loopback_location_in_a_multi_line_command(lint_files):
    findings = lint_files(service("""
        FROM python:3.12-slim
        COPY . .
        CMD ["gunicorn", \\
             "--workers", "2", \\
             "--bind", "127.0.0.1:$PORT", \\
             "app:app"]
    """))
    # exec form with $PORT: CBR103; loopback: CBR105; both on the line that holds the bind
    assert sorted((f.code, f.line) for f in findings) == [("CBR103", 5), ("CBR105", 5)]
    loopback = only(findings, "CBR105")[0]
    assert loopback.column == 17
    assert "0.0.0.0" in loopback.message


RUN_PY = """\
import sys

from counter import app

if __name__ == "__main__":
    app.run(host=sys.argv[1], port=sys.argv[2])
"""
COUNTER = "from flask import Flask\n\napp = Flask(__name__)\n"
CLIENT_PY = """\
import sys

import redis
from flask import Flask

app = Flask(__name__)
cache = redis.Redis(host=sys.argv[1], port=int(sys.argv[2]))

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(__import__("os").environ["PORT"]))
"""
STDLIB_PY = """\
import sys
from http.server import HTTPServer, SimpleHTTPRequestHandler

port = int(sys.argv[1])
HTTPServer(("0.0.0.0", port), SimpleHTTPRequestHandler).serve_forever()
"""
BRANCH_PY = """\
import os
import sys

from counter import app

if os.environ.get("LOCAL"):
    app.run(host="0.0.0.0", port=sys.argv[1])
"""


@pytest.mark.parametrize(("cmd", "files", "expected"), [
    # the WeChat Cloud Run sample: the port is sys.argv[2], and the command line fixes it
    ('["python3", "run.py", "0.0.0.0", "80"]', {"run.py": RUN_PY, "counter/__init__.py": COUNTER}, ["CBR104"]),
    ('["python3", "/app/run.py", "0.0.0.0", "80"]', {"run.py": RUN_PY, "counter/__init__.py": COUNTER},
     ["CBR104"]),
    ('python3 run.py 127.0.0.1 "$PORT"', {"run.py": RUN_PY, "counter/__init__.py": COUNTER}, ["CBR105"]),
    ("python app.py 8080", {"app.py": STDLIB_PY}, ["CBR104"]),
    # near-misses: the port comes from PORT; the arguments go to a client; an argument that is not
    # given; a server only in a branch chosen by the environment; an object that is not a server
    ('python3 run.py 0.0.0.0 "$PORT"', {"run.py": RUN_PY, "counter/__init__.py": COUNTER}, []),
    ("python client.py redis.internal 6379", {"client.py": CLIENT_PY}, []),
    ("python run.py 0.0.0.0", {"run.py": RUN_PY, "counter/__init__.py": COUNTER}, []),
    ("python branch.py 8080", {"branch.py": BRANCH_PY, "counter/__init__.py": COUNTER}, []),
    ('["python3", "run.py", "0.0.0.0", "80"]',
     {"run.py": RUN_PY, "counter/__init__.py": "from jobs import Runner\n\napp = Runner()\n"}, []),
])
def test_port_given_to_the_script_on_its_command_line(lint_files, cmd, files, expected):
    assert codes(lint_files({**with_cmd(cmd), **files})) == expected


def test_port_given_on_the_command_line_is_reported_on_the_start_command(lint_files):
    findings = lint_files({**with_cmd('["python3", "run.py", "0.0.0.0", "80"]'), "run.py": RUN_PY,
                           "counter/__init__.py": COUNTER})
    [finding] = only(findings, "CBR104")
    assert (finding.path, finding.line) == ("Dockerfile", 4)
    assert "sys.argv[2] of run.py" in finding.message and "${PORT:-80}" in finding.message


def test_config_cmd_overrides_the_dockerfile_start_command(lint_files):
    config = CLOUDBASERC % 8080
    config = config.replace('"Port": 8080', '"Port": 8080,\n      "Cmd": ["sh", "-c", "exec python app.py"]')
    files = with_cmd('["gunicorn", "--bind", "127.0.0.1:$PORT", "app:app"]', env="ENV PORT=8080\n")
    files["cloudbaserc.json"] = config
    assert codes(lint_files(files)) == []


# ---- CBR106: background processes -----------------------------------------------------------------
@pytest.mark.parametrize(("cmd", "expected"), [
    ("python migrate.py && exec python app.py", []),
    ('["sh", "-c", "python migrate.py && exec python app.py"]', []),
    ("python worker.py & exec python app.py", ["CBR106"]),
    ("python app.py &", ["CBR106"]),
    ("python app.py >/dev/null 2>&1", []),
    ("nohup python worker.py > worker.log 2>&1 ; exec python app.py", ["CBR106"]),
    ('["supervisord", "-n", "-c", "/etc/supervisord.conf"]', ["CBR106"]),
    ("cron && exec python app.py", ["CBR106"]),
    ("service nginx start && exec python app.py", ["CBR106"]),
    ("pm2 start server.js", ["CBR106"]),
    ('["pm2-runtime", "server.js"]', []),
    ("pm2 start server.js --no-daemon", []),
    ("gunicorn --daemon app:app", ["CBR106"]),
    ("python app.py || true", []),
])
def test_background_processes(lint_files, cmd, expected):
    assert codes(lint_files(with_cmd(cmd))) == expected


def test_background_finding_points_at_the_backgrounded_command(lint_files):
    findings = lint_files(service("""
        FROM python:3.12-slim
        COPY . .
        CMD python app.py \\
            --verbose & \\
            exec python worker.py
    """))
    [finding] = findings
    assert (finding.code, finding.line, finding.column) == ("CBR106", 3, 5)
    assert "python app.py --verbose &" in finding.message


# ---- CBR107: slim images ----------------------------------------------------------------------------
@pytest.mark.parametrize(("image", "suggestion"), [
    ("python:3.11", "python:3.11-slim"),
    ("python", "python:3-slim"),
    ("python:3.12-bookworm", "python:3.12-slim-bookworm"),
    ("docker.io/library/python:3.11", "python:3.11-slim"),
    ("node:20", "node:20-slim"),
    ("node:20-bookworm", "node:20-bookworm-slim"),
    ("node:lts", "node:lts-slim"),
])
def test_full_base_images(lint_files, image, suggestion):
    [finding] = lint_files(service(f"FROM {image}\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"))
    assert (finding.code, finding.line, finding.column) == ("CBR107", 1, 6)
    assert suggestion in finding.message


@pytest.mark.parametrize("image", [
    "python:3.11-slim", "python:3.12-slim-bookworm", "python:3.12-alpine", "node:20-alpine", "node:20-bookworm-slim",
    "node:slim", "python:${PYTHON_VERSION}", "ghcr.io/acme/python:3.11", "python@sha256:" + "a" * 64,
])
def test_slim_or_unknown_base_images(lint_files, image):
    assert lint_files(service(f"FROM {image}\nCOPY . .\nCMD [\"python\", \"app.py\"]\n")) == []


def test_final_stage_built_from_a_full_stage(lint_files):
    findings = lint_files(service("""
        FROM python:3.12 AS base
        WORKDIR /app

        FROM base
        COPY . .
        CMD ["python", "app.py"]
    """))
    assert [(f.code, f.line) for f in findings] == [("CBR107", 1)]


# ---- CBR108 / CBR109: .dockerignore -------------------------------------------------------------
def test_missing_dockerignore(lint_files):
    files = service("FROM python:3.12-slim\nWORKDIR /app\nCOPY . /app\nCMD [\"python\", \"app.py\"]\n", **{".dockerignore": None})
    [finding] = lint_files(files)
    assert (finding.code, finding.line) == ("CBR108", 3)
    assert ".git, .env" in finding.message and "node_modules" not in finding.message


def test_missing_dockerignore_for_node_names_node_modules(lint_files):
    files = {"Dockerfile": "FROM node:20-slim\nWORKDIR /app\nCOPY package.json ./\nRUN npm install\nADD . .\nCMD [\"node\", \"server.js\"]\n",
             "package.json": '{"name": "demo", "private": true}\n', "server.js": SERVER_JS}
    [finding] = lint_files(files)
    assert finding.code == "CBR108" and "node_modules" in finding.message


def test_whole_folder_copy_only_in_a_build_stage(lint_files):
    dockerfile = """\
FROM python:3.12-slim AS build
WORKDIR /src
COPY . .
RUN python -m compileall -b .

FROM python:3.12-slim
WORKDIR /app
COPY --from=build /src/app.pyc ./
CMD ["python", "app.pyc"]
"""
    assert lint_files(service(dockerfile, **{".dockerignore": None})) == []
    node = service(dockerfile, **{".dockerignore": None, "package.json": '{"name": "x", "private": true}\n'})
    [finding] = lint_files(node)
    assert finding.code == "CBR108" and "node_modules" in finding.message and ".env" not in finding.message


def test_no_dockerignore_needed_without_a_whole_folder_copy(lint_files):
    files = service("FROM python:3.12-slim\nWORKDIR /app\nCOPY app.py ./\nCMD [\"python\", \"app.py\"]\n", **{".dockerignore": None})
    assert lint_files(files) == []


@pytest.mark.parametrize(("dockerignore", "missing"), [
    (".git\n.env\n", []),
    ("**/.git\n.env*\n", []),
    ("/.git/\n./.env\n", []),
    ("*\n!app.py\n", []),
    (".*\n!.dockerignore\n", []),
    ("# comment\n.git\n", [".env"]),
    ("# .env\n.git\n", [".env"]),
    (".git\n.env\n!.env\n", [".env"]),
    ("*.pyc\n", [".git", ".env"]),
    ("\n  .git  \n.env.local\n", [".env"]),
])
def test_dockerignore_patterns(lint_files, dockerignore, missing):
    findings = lint_files(service("FROM python:3.12-slim\nCOPY . .\nCMD [\"python\", \"app.py\"]\n", **{".dockerignore": dockerignore}))
    if not missing:
        assert findings == []
        return
    [finding] = findings
    assert (finding.code, finding.path, finding.line) == ("CBR109", ".dockerignore", 1)
    assert all(name in finding.message for name in missing)


def test_dockerignore_needs_node_modules_only_for_node(lint_files):
    files = service("FROM node:20-slim\nCOPY package.json ./\nRUN npm install\nCOPY . .\nCMD [\"node\", \"server.js\"]\n",
                    **{".dockerignore": ".git\n.env\n", "package.json": '{"name": "demo", "private": true}\n',
                       "server.js": SERVER_JS, "app.py": None})
    [finding] = lint_files(files)
    assert finding.code == "CBR109" and "node_modules" in finding.message


# ---- CBR110: layer order -----------------------------------------------------------------------------
@pytest.mark.parametrize(("run", "expected"), [
    ("pip install --no-cache-dir -r requirements.txt", ["CBR110"]),
    ("python -m pip install -r requirements.txt", ["CBR110"]),
    ("npm ci --omit=dev", ["CBR110"]),
    ("npm install", ["CBR110"]),
    ("npm install -g pm2", []),
    ("npm run build", []),
    ("yarn install --frozen-lockfile", ["CBR110"]),
    ("go mod download && go build -o /server .", ["CBR110"]),
    ("go build -o /server .", []),
    ("pip install .", []),
])
def test_install_after_copying_everything(lint_files, run, expected):
    files = service(f"FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN {run}\nCMD [\"python\", \"app.py\"]\n")
    findings = lint_files(files)
    assert codes(findings) == expected
    if expected:
        assert findings[0].line == 4 and "line 3" in findings[0].message


def test_install_before_copying_everything(lint_files):
    files = service("""
        FROM python:3.12-slim
        WORKDIR /app
        COPY requirements.txt ./
        RUN pip install --no-cache-dir -r requirements.txt
        COPY . .
        RUN python -m compileall .
        CMD ["python", "app.py"]
    """, **{"requirements.txt": "flask==3.0.3\n"})
    assert lint_files(files) == []


def test_install_in_a_later_stage_is_not_after_the_copy(lint_files):
    files = service("""
        FROM python:3.12-slim AS source
        COPY . /src

        FROM python:3.12-slim
        WORKDIR /app
        COPY requirements.txt ./
        RUN pip install -r requirements.txt
        COPY --from=source /src .
        CMD ["python", "app.py"]
    """, **{"requirements.txt": "flask==3.0.3\n"})
    assert lint_files(files) == []


def test_install_in_a_heredoc(lint_files):
    files = service("""
        FROM python:3.12-slim
        COPY . .
        RUN <<EOT
        set -e
        pip install -r requirements.txt
        EOT
        CMD ["python", "app.py"]
    """)
    assert [(f.code, f.line) for f in lint_files(files)] == [("CBR110", 5)]  # the heredoc's pip line


# ---- CBR111: secrets --------------------------------------------------------------------------------
@pytest.mark.parametrize(("line", "expected"), [
    ("ENV API_KEY=3f9a1c7e5b2d4a6f8e0c", ["CBR111"]),
    ("ENV DB_PASSWORD s3cr3t-P4ssw0rd", ["CBR111"]),
    ("ARG GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789", ["CBR111"]),
    ("ENV CLOUD_ID=AKID" + "A" * 32, ["CBR111"]),
    ("ARG NPM_TOKEN", []),
    ("ARG NPM_TOKEN=changeme", []),
    ("ENV API_KEY=${API_KEY}", []),
    ("ENV TOKEN_FILE=/run/secrets/token", []),
    ("ENV PASSWORD_MIN_LENGTH=12", []),
])
def test_secrets(lint_files, line, expected):
    files = service(f"FROM python:3.12-slim\nCOPY . .\n{line}\nCMD [\"python\", \"app.py\"]\n")
    findings = lint_files(files)
    assert codes(findings) == expected
    if expected:
        assert findings[0].line == 3
        assert "3f9a1c7e" not in findings[0].message and "s3cr3t" not in findings[0].message


def test_secret_line_inside_a_multi_line_env(lint_files):
    files = service("""
        FROM python:3.12-slim
        COPY . .
        ENV APP_ENV=production \\
            LOG_LEVEL=info \\
            SECRET_KEY=0a1b2c3d4e5f60718293
        CMD ["python", "app.py"]
    """)
    [finding] = lint_files(files)
    assert (finding.code, finding.line, finding.column) == ("CBR111", 5, 5)


# ---- CBR112 / CBR113: Dockerfile or not --------------------------------------------------------------
FUNCTION_PACKAGE = '{"name": "fn", "private": true, "scripts": {"start": "tcb-ff"}, "dependencies": {"%s": "1.0.0"}}\n'
FUNCTION_INDEX = "exports.main = async (event, context) => ({ ok: true });\n"


@pytest.mark.parametrize("framework", ["@cloudbase/functions-framework", "@cloudbase/aiagent-framework"])
def test_dockerfile_in_function_or_agent_service(lint_files, framework):
    files = {"package.json": FUNCTION_PACKAGE % framework, "index.js": FUNCTION_INDEX,
             "Dockerfile": "# leftover\nFROM node:20-slim\nCOPY package.json ./\nRUN npm install\nCMD [\"npx\", \"tcb-ff\"]\n"}
    findings = lint_files(files)
    assert [(f.code, f.path, f.line) for f in findings] == [("CBR112", "Dockerfile", 2)]


def test_function_service_without_dockerfile(lint_files):
    files = {"package.json": FUNCTION_PACKAGE % "@cloudbase/functions-framework", "index.js": FUNCTION_INDEX,
             "cloudbaserc.json": '{"envId": "env-1", "cloudrun": {"name": "demo-fn"}}\n'}
    assert codes(lint_files(files)) == []


def test_container_service_without_dockerfile(lint_files):
    findings = lint_files({"cloudbaserc.json": '{\n  "envId": "env-1",\n  "cloudrun": {"name": "demo-svc"}\n}\n', "app.py": APP})
    assert [(f.code, f.path, f.line) for f in findings] == [("CBR113", "cloudbaserc.json", 3)]


@pytest.mark.parametrize("files", [
    {"app.py": APP},
    {"app.py": APP, "requirements.txt": "flask\n"},
    {"cloudbaserc.json": '{"envId": "env-1", "functionRoot": "functions", "functions": [{"name": "hello"}]}\n'},
], ids=["sources-only", "python-project", "not-cloudrun"])
def test_no_dockerfile_needed(lint_files, files):
    assert lint_files(files) == []


def test_dockerfile_in_build_dir(lint_files):
    config = '{"envId": "env-1", "cloudrun": {"name": "demo-svc", "serverConfig": {"BuildDir": "api", "Port": 8080}}}\n'
    files = {"cloudbaserc.json": config, "api/Dockerfile": "FROM python:3.12-slim\nCOPY . .\nENV PORT=9000\nCMD [\"python\", \"app.py\"]\n",
             "api/app.py": APP, "api/.dockerignore": IGNORE}
    findings = lint_files(files)
    assert [(f.code, f.path) for f in findings] == [("CBR101", "api/Dockerfile")]


# ---- CBR114: start command ----------------------------------------------------------------------------
def test_no_start_command(lint_files):
    [finding] = lint_files(service("FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n"))
    assert (finding.code, finding.line) == ("CBR114", 1)


@pytest.mark.parametrize("dockerfile", [
    "FROM nginx:1.27-alpine\nCOPY . /usr/share/nginx/html\n",
    "FROM python:3.12-slim AS base\nCMD [\"python\", \"app.py\"]\nFROM base\nCOPY . .\n",
    "FROM python:3.12-slim\nCOPY . .\nENTRYPOINT [\"python\", \"app.py\"]\n",
])
def test_start_command_present_or_inherited(lint_files, dockerfile):
    assert lint_files(service(dockerfile)) == []


def test_start_command_from_server_config(lint_files):
    config = (CLOUDBASERC % 8080).replace('"Port": 8080', '"Port": 8080,\n      "Cmd": ["python", "app.py"]')
    files = service("FROM python:3.12-slim\nCOPY . .\nENV PORT=8080\n", **{"cloudbaserc.json": config})
    assert lint_files(files) == []


# ---- CBR115: VOLUME ----------------------------------------------------------------------------------
def test_volume(lint_files):
    findings = lint_files(service('FROM python:3.12-slim\nCOPY . .\nVOLUME ["/data", "/uploads"]\nCMD ["python", "app.py"]\n'))
    assert [(f.code, f.line) for f in findings] == [("CBR115", 3)]
    assert "/data /uploads" in findings[0].message


def test_inline_suppression_in_a_dockerfile(lint_files):
    files = service("FROM python:3.12-slim\nCOPY . .\n# scaffolder: ignore[CBR115]\nVOLUME /data\nCMD [\"python\", \"app.py\"]\n")
    assert lint_files(files) == []


# ---- the seeds' examples ---------------------------------------------------------------------------
SEED_NODE = """\
FROM node:18-alpine
WORKDIR /app
COPY package*.json ./
RUN npm ci --omit=dev
COPY . .
ENV NODE_ENV=production
EXPOSE 3000
CMD ["node","server.js"]
"""
SEED_PYTHON = """\
FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt --no-cache-dir
COPY . .
ENV PORT=3000
EXPOSE 3000
CMD ["python","app.py"]
"""
SEED_CONFIG = ('{"envId":"env-1","cloudrun":{"name":"demo-svc","serverConfig":{"Cpu":0.5,"Mem":1,"MinNum":0,'
               '"MaxNum":5,"OpenAccessTypes":["PUBLIC"],"Port":3000}}}\n')


@pytest.mark.parametrize("files", [
    {"Dockerfile": SEED_NODE, "server.js": SERVER_JS, ".dockerignore": IGNORE,
     "package.json": '{"name": "demo-svc", "version": "1.0.0", "private": true}\n', "cloudbaserc.json": SEED_CONFIG},
    {"Dockerfile": SEED_PYTHON, "app.py": APP, "requirements.txt": "flask==3.0.3\n", ".dockerignore": IGNORE,
     "cloudbaserc.json": SEED_CONFIG},
], ids=["node", "python"])
def test_seed_examples_have_no_errors(lint_files, files):
    findings = [f for f in lint_files(files) if f.code.startswith("CBR1")]
    assert [f for f in findings if f.severity == Severity.ERROR] == []
    assert findings == []


@pytest.mark.parametrize(("build_dir", "files", "used"), [
    (False, {"Dockerfile.dockerignore": ".git\n", ".dockerignore": ".git\n"}, "Dockerfile.dockerignore"),
    (False, {".dockerignore": ".git\n"}, ".dockerignore"),
    (True, {"api/.dockerignore": ".git\n", ".dockerignore": ".git\n"}, "api/.dockerignore"),
    (True, {".dockerignore": ".git\n"}, ".dockerignore"),
    (True, {"api/Dockerfile.dockerignore": ".git\n", "api/.dockerignore": ".git\n"}, "api/Dockerfile.dockerignore"),
], ids=["own-name", "beside", "build-dir-beside", "build-dir-root", "build-dir-own-name"])
def test_which_dockerignore_is_read(lint_files, build_dir, files, used):
    """The lookup order (`<Dockerfile>.dockerignore`, `.dockerignore` beside the Dockerfile, then at the
    service root), with the Dockerfile at the root or in BuildDir."""
    dockerfile = "FROM python:3.12-slim\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"
    tree = {"app.py": APP, **files}
    if build_dir:
        config = '{"envId": "env-1", "cloudrun": {"name": "demo-svc", "serverConfig": {"BuildDir": "api"}}}\n'
        tree.update({"cloudbaserc.json": config, "api/Dockerfile": dockerfile})
    else:
        tree["Dockerfile"] = dockerfile
    [finding] = [f for f in lint_files(tree) if f.code == "CBR109"]
    assert finding.path == used


def test_a_dockerignore_folder_is_not_a_dockerignore(lint_files):
    files = service("FROM python:3.12-slim\nCOPY . .\nCMD [\"python\", \"app.py\"]\n",
                    **{".dockerignore": None, ".dockerignore/x": "y\n"})
    assert [f.code for f in lint_files(files) if f.code.startswith("CBR10")] == ["CBR108"]


def test_an_unparsable_dockerfile_raises_at_every_call(tmp_path):
    """parse() and the start-command analysis memoise what they find; an unparsable Dockerfile is
    reported by every check that asks (each raises UnparsableFile), a missing one by none."""
    from scaffolder.checks.start_command import analyze
    from scaffolder.dockerfile_model import parse
    from scaffolder.project import Service, UnparsableFile

    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\nBOGUS x\n", encoding="utf-8")
    service = Service(tmp_path, file_paths=[str(tmp_path / "Dockerfile")])
    for ask in (parse, analyze, parse, analyze):
        with pytest.raises(UnparsableFile):
            ask(service)
    empty = tmp_path / "empty"
    empty.mkdir()
    bare = Service(empty, file_paths=[])
    assert (parse(bare), analyze(bare), parse(bare), analyze(bare)) == (None, None, None, None)
