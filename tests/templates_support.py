"""Helpers for the template tests: render, find free ports, run servers and always stop them.

Imported explicitly by tests/test_templates.py and tests/test_generate_cli.py (not a conftest).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from scaffolder.generate import generate

JINJA_LEFTOVERS = re.compile(r"\{\{|\}\}|\{%|%\}")

# Every render the tests use: (id, template, data). Defaults and non-default answers for each
# template and each container language.
RENDER_CASES = [
    ("function-defaults", "function", {}),
    (
        "function-custom",
        "function",
        {
            "service_name": "orders-fn",
            "description": 'Orders "API" & <friends>',
            "env_id": "prod-1a2b3c",
            "websocket": "yes",
            "multiple_functions": "true",
            "callers": "miniprogram",
            "cpu": "2",
            "min_num": "1",
            "max_num": "3",
        },
    ),
    *[(f"container-{lang}-defaults", "container", {"language": lang}) for lang in ("python", "node", "go", "java")],
    *[
        (
            f"container-{lang}-custom",
            "container",
            {
                "language": lang,
                "service_name": f"api-{lang}",
                "port": "9000",
                "callers": "server",
                "cpu": "1",
                "min_num": "2",
                "max_num": "10",
                "env_id": "staging_env-9",
            },
        )
        for lang in ("python", "node", "go", "java")
    ],
    ("agent-defaults", "agent", {}),
    (
        "agent-custom",
        "agent",
        {"agent_name": "helper2", "bot_tag": "v_2", "callers": "miniprogram", "cpu": "0.25", "max_num": "2"},
    ),
]

ACCESS_TYPES = {"web": "PUBLIC", "miniprogram": "MINIAPP", "server": "VPC"}
ALLOWED_CPU = (0.25, 0.5, 1, 2, 4, 8, 16)


def render(template: str, dest: Path, data: dict | None = None):
    """Render non-interactively with defaults for what `data` leaves open."""
    return generate(template, dest, dict(data or {}), defaults=True, interactive=False)


def project_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    lines, current = [], ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        keyword, _, rest = current.partition(" ")
        lines.append((keyword.upper(), rest.strip()))
        current = ""
    return lines


def dockerfile_cmd(text: str) -> list[str]:
    """The last CMD, which must be exec form (a JSON array)."""
    cmds = [args for keyword, args in dockerfile_instructions(text) if keyword == "CMD"]
    assert cmds, "the Dockerfile has no CMD"
    value = json.loads(cmds[-1])
    assert isinstance(value, list) and all(isinstance(part, str) for part in value), cmds[-1]
    return value


class Server:
    """A process started by a test: its output goes to a file; `stop()` kills its process group."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str], log: Path):
        self.log = log
        self._log_file = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            args, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=self._log_file,
            stderr=subprocess.STDOUT, start_new_session=True,
        )

    def output(self) -> str:
        self._log_file.flush()
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self._log_file.close()


@contextlib.contextmanager
def running(args: list[str], cwd: Path, port: int, log: Path, extra_env: dict[str, str] | None = None):
    env = {**os.environ, "PORT": str(port), **(extra_env or {})}
    server = Server(args, cwd, env, log)
    try:
        yield server
    finally:
        server.stop()


def http(method: str, url: str, headers: dict[str, str] | None = None, body: bytes | None = None, timeout: float = 10):
    """(status, headers, body) for one request; HTTP errors are answers, not exceptions.

    The headers are an email.message.Message: `.get()` ignores case (Java writes "Content-type").
    """
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_until_up(server: Server, url: str, timeout: float = 30) -> None:
    """Poll `url` until it answers at all (any status); fail with the server's output if it dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise AssertionError(f"server exited with {server.proc.returncode} before answering:\n{server.output()}")
        try:
            http("GET", url, timeout=2)
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            time.sleep(0.2)
    raise AssertionError(f"server did not answer {url} within {timeout} s:\n{server.output()}")


def run(args: list[str], cwd: Path, timeout: float = 120, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def scaffolder_lint_available() -> bool:
    """True once `scaffolder lint` is registered (the lint command is written separately)."""
    try:
        result = subprocess.run(
            [sys.executable, "-m", "scaffolder", "lint", "--help"],
            stdin=subprocess.DEVNULL, capture_output=True, timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0
