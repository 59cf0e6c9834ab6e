"""Shared test helpers: write a tree of files and lint it with the real engine."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from scaffolder.catalog import default_catalog
from scaffolder.engine import LintOptions, lint
from scaffolder.settings import Settings

# The precision corpus holds services as users write them, tests included: lint them, never run them.
collect_ignore_glob = ["precision/*"]

# A small clean Flask service, as CI recipes and the pre-commit hook see it in a repository.
CLEAN_ORDERS_SERVICE = {
    "orders/Dockerfile": """\
        FROM python:3.11-slim
        WORKDIR /app
        COPY requirements.txt .
        RUN pip install --no-cache-dir -r requirements.txt
        COPY . .
        CMD ["sh", "-c", "exec gunicorn --bind :$PORT app:app"]
        """,
    "orders/.dockerignore": ".git\n.env\n__pycache__/\n",
    "orders/requirements.txt": "flask==3.0.3\ngunicorn==22.0.0\n",
    "orders/app.py": """\
        from flask import Flask

        app = Flask(__name__)


        @app.get("/")
        def index():
            return {"service": "orders"}
        """,
    "orders/cloudbaserc.json": """\
        {
          "envId": "prod-7g2k9x",
          "cloudrun": {
            "name": "orders",
            "serverConfig": {"Cpu": 1, "Mem": 2, "MinNum": 0, "MaxNum": 5, "OpenAccessTypes": ["PUBLIC"], "Port": 80}
          }
        }
        """,
}


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


def lint_tree(root: Path, files: dict[str, str] | None = None, hadolint: bool = False, **settings):
    """Lint `files` written under `root`; returns the findings (hadolint off unless asked)."""
    if files:
        write_tree(root, files)
    options = LintOptions(
        settings=Settings(hadolint=hadolint, **settings), catalog=default_catalog(), report_root=root
    )
    return lint([root], options).findings


@pytest.fixture
def lint_files(tmp_path):
    """lint_files({"Dockerfile": "...", "app.py": "..."}) -> findings, paths relative to the tree."""

    def run(files: dict[str, str], **kwargs):
        return lint_tree(tmp_path, files, **kwargs)

    return run


def python_sources() -> list[tuple[str, str]]:
    """(label, text) of every Python file in the rule catalog's examples and the precision corpus."""
    sources = [(f"{rule.code}:{name}", textwrap.dedent(text)) for rule in default_catalog().rules.values()
               for example in rule.examples for name, text in example.files.items() if name.endswith(".py")]
    for path in sorted((Path(__file__).parent / "precision").rglob("*.py")):
        sources.append((str(path), path.read_text(encoding="utf-8")))
    return sources


def codes(findings) -> list[str]:
    return sorted({finding.code for finding in findings})


@pytest.fixture(autouse=True, scope="session")
def _cache_outside_the_checkout(tmp_path_factory):
    """Commands the tests run keep their cache in a temporary folder, not in the checkout."""
    import os

    previous = os.environ.get("SCAFFOLDER_CACHE_DIR")
    os.environ["SCAFFOLDER_CACHE_DIR"] = str(tmp_path_factory.mktemp("scaffolder-cache"))
    yield
    if previous is None:
        os.environ.pop("SCAFFOLDER_CACHE_DIR", None)
    else:
        os.environ["SCAFFOLDER_CACHE_DIR"] = previous
