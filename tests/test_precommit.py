"""The pre-commit hook (.pre-commit-hooks.yaml), run for real by pre-commit.

pre-commit installs the hook into its own virtualenv with pip from the package index (PyPI, or the
local wheel folders pip is configured with): about 20 seconds each time. Everything pre-commit, pip
and virtualenv would keep under ~/.cache goes to one temporary folder per test session instead.

- `pre-commit try-repo` installs into a throwaway store each time (its own design), so it runs once:
  on the broken service, where the hook must fail with our findings.
- The other runs use the `.pre-commit-config.yaml` snippet from README.md, pointed at the same
  hook repository, with PRE_COMMIT_HOME in the session folder: one install for all of them.

The hook repository is a git snapshot of this working tree (tracked files and new files that are not
ignored), so the test sees uncommitted work exactly as `pre-commit try-repo .` would after a commit.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import CLEAN_ORDERS_SERVICE, write_tree
from scaffolder.project import discover_services

ROOT = Path(__file__).resolve().parents[1]
HOOK_ID = "scaffolder-lint"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")

SERVICE = {
    **CLEAN_ORDERS_SERVICE,
    # Not part of any service: a developer's helper with a hard-coded loopback port. Staged with the
    # rest, it must be skipped, not linted as a service of its own.
    "tools/serve_docs.py": """\
        from http.server import HTTPServer, SimpleHTTPRequestHandler

        HTTPServer(("127.0.0.1", 8000), SimpleHTTPRequestHandler).serve_forever()
        """,
    "README.md": "# shop\n",
}
BROKEN_CMD = 'CMD ["gunicorn", "--bind", ":$PORT", "app:app"]'  # exec form: $PORT is never expanded
FIXED_CMD = 'CMD ["sh", "-c", "exec gunicorn --bind :$PORT app:app"]'


# ---- environment -----------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def session_env(tmp_path_factory) -> dict[str, str]:
    """The environment for git and pre-commit: caches in a session folder, no user git config."""
    home = tmp_path_factory.mktemp("precommit-home")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PRE_COMMIT", "GIT_", "SCAFFOLDER_")) and key not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.update(
        PRE_COMMIT_HOME=str(home / "pre-commit"),
        PIP_CACHE_DIR=str(home / "pip"),
        XDG_CACHE_HOME=str(home / "cache"),
        VIRTUALENV_OVERRIDE_APP_DATA=str(home / "virtualenv"),
        SCAFFOLDER_CACHE_DIR=str(home / "scaffolder"),
        PIP_NO_INPUT="1",
        PRE_COMMIT_COLOR="never",
        NO_COLOR="1",
        GIT_CONFIG_GLOBAL=os.devnull,  # no user hooks, templates or signing
        GIT_AUTHOR_NAME="test", GIT_AUTHOR_EMAIL="test@example.com",
        GIT_COMMITTER_NAME="test", GIT_COMMITTER_EMAIL="test@example.com",
    )
    return env


def git(*args: str, cwd: Path, env: dict) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def pre_commit(*args: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="session")
def hook_repository(tmp_path_factory, session_env) -> tuple[Path, str]:
    """A git repository holding this working tree in one commit; returns its path and the commit."""
    snapshot = tmp_path_factory.mktemp("hook-repo")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():  # deleted but still in the index: gone from the working tree
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / name)
    git("init", "-q", cwd=snapshot, env=session_env)
    git("add", "-A", cwd=snapshot, env=session_env)
    git("commit", "-q", "--no-verify", "-m", "snapshot", cwd=snapshot, env=session_env)
    return snapshot, git("rev-parse", "HEAD", cwd=snapshot, env=session_env).strip()


@pytest.fixture
def project(tmp_path, session_env):
    """A user's repository with the orders service, everything staged."""
    repo = write_tree(tmp_path / "shop", SERVICE)
    git("init", "-q", cwd=repo, env=session_env)
    return repo


def stage_all(repo: Path, env: dict) -> None:
    git("add", "-A", cwd=repo, env=env)


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def readme_config(hook_repository: tuple[Path, str], with_args: bool) -> str:
    """The README's .pre-commit-config.yaml snippet, pointed at the snapshot of this repository."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Use it as a pre-commit hook", 1)[1]
    snippet = re.search(r"```yaml\n(.*?)```", section, re.S)[1]
    config = yaml.safe_load(snippet)
    (entry,) = config["repos"]
    assert entry["repo"].startswith("https://") and entry["rev"]  # placeholders a user replaces
    (hook,) = entry["hooks"]
    assert hook["id"] == HOOK_ID and hook["args"] == ["--fix"]
    entry["repo"], entry["rev"] = str(hook_repository[0]), hook_repository[1]
    if not with_args:
        del hook["args"]
    return yaml.safe_dump(config)


def run_with_config(repo: Path, config: str, env: dict) -> subprocess.CompletedProcess:
    (repo / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    stage_all(repo, env)  # pre-commit refuses to run with an unstaged config
    return pre_commit("run", "--color", "never", cwd=repo, env=env)


# ---- the manifest --------------------------------------------------------------------------------
def test_manifest_hook_matches_the_files_the_rules_read():
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == HOOK_ID and hook["language"] == "python" and hook["require_serial"] is True
    files = re.compile(hook["files"])
    for name in ("Dockerfile", "svc/Dockerfile", "svc/.dockerignore", "cloudbaserc.json", "svc/package.json",
                 "svc/cloudbase-functions.json", "svc/Procfile", "svc/src/main/resources/application.properties",
                 "app.py", "svc/index.js", "svc/index.mjs", "svc/server.cjs", "svc/src/main.ts", "svc/App.tsx",
                 "main.go", "svc/src/main/java/App.java", "svc/start.sh", "svc/Dockerfile.prod", "svc/api.Dockerfile",
                 "svc/Dockerfile-dev", "svc/.hadolint.yaml"):
        assert files.search(name), name
    for name in ("README.md", "svc/notes.txt", "docs/package.json.md", "svc/Dockerfile.md", "logo.png",
                 "svc/requirements.txt", "svc/tsconfig.json"):
        assert not files.search(name), name


# ---- what the hook passes: staged files ----------------------------------------------------------
def test_many_files_of_one_service_are_one_service(tmp_path):
    write_tree(tmp_path, SERVICE)
    (tmp_path / ".git").mkdir()
    staged = [tmp_path / name for name in SERVICE if name.startswith("orders/")]
    (service,) = discover_services(staged)
    assert service.root == (tmp_path / "orders").resolve()


def test_a_staged_file_outside_every_service_is_skipped(tmp_path):
    write_tree(tmp_path, SERVICE)
    (tmp_path / ".git").mkdir()
    assert discover_services([tmp_path / "tools" / "serve_docs.py", tmp_path / "README.md"]) == []


def test_a_service_above_the_repository_does_not_claim_its_files(tmp_path):
    write_tree(tmp_path, {"Dockerfile": "FROM python:3.11-slim\n", "repo/tools/serve_docs.py": SERVICE["tools/serve_docs.py"]})
    (tmp_path / "repo" / ".git").mkdir()
    assert discover_services([tmp_path / "repo" / "tools" / "serve_docs.py"]) == []


# ---- the hook, run by pre-commit -----------------------------------------------------------------
def test_hook_fails_with_our_findings_then_passes_after_the_fix(project, hook_repository, session_env):
    replace_in(project / "orders" / "Dockerfile", FIXED_CMD, BROKEN_CMD)
    replace_in(project / "orders" / "cloudbaserc.json", '"Mem": 2', '"Mem": 1')
    stage_all(project, session_env)

    tried = pre_commit("try-repo", str(hook_repository[0]), HOOK_ID, "--color", "never", cwd=project, env=session_env)
    output = tried.stdout + tried.stderr
    assert tried.returncode == 1, output
    assert re.search(r"scaffolder lint \(CloudBase Run\)\.+Failed", output), output
    assert "orders/Dockerfile:6:29: CBR103 " in output
    assert "orders/cloudbaserc.json:5:32: CBR401 " in output
    assert "tools/serve_docs.py" not in output  # outside every service: skipped quietly
    assert "in 1 service," in output  # four staged files of one service: linted once

    # Fix both the way the findings say.
    suggested_cmd = re.search(r"help \(safe fix\): write (CMD \[.*\])$", output, re.M)[1]
    assert suggested_cmd == FIXED_CMD
    assert "set Mem to 2" in output
    replace_in(project / "orders" / "Dockerfile", BROKEN_CMD, suggested_cmd)
    replace_in(project / "orders" / "cloudbaserc.json", '"Mem": 1', '"Mem": 2')

    fixed = run_with_config(project, readme_config(hook_repository, with_args=False), session_env)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert re.search(r"scaffolder lint \(CloudBase Run\)\.+Passed", fixed.stdout), fixed.stdout


def test_hook_skips_a_commit_that_touches_no_service(project, hook_repository, session_env):
    config = readme_config(hook_repository, with_args=False)
    (project / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    stage_all(project, session_env)
    git("commit", "-q", "--no-verify", "-m", "shop", cwd=project, env=session_env)
    replace_in(project / "tools" / "serve_docs.py", "8000", "8001")
    replace_in(project / "README.md", "# shop", "# shop, the tools")
    stage_all(project, session_env)
    result = pre_commit("run", "--color", "never", "--verbose", cwd=project, env=session_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"scaffolder lint \(CloudBase Run\)\.+Passed", result.stdout), result.stdout
    assert "CBR" not in result.stdout


def test_hook_with_fix_repairs_the_service_then_passes(project, hook_repository, session_env):
    replace_in(project / "orders" / "Dockerfile", FIXED_CMD, BROKEN_CMD)  # CBR103 has a safe fix
    config = readme_config(hook_repository, with_args=True)

    first = run_with_config(project, config, session_env)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout
    assert FIXED_CMD in (project / "orders" / "Dockerfile").read_text(encoding="utf-8")

    stage_all(project, session_env)  # the user reviews the fix and stages it
    second = pre_commit("run", "--color", "never", cwd=project, env=session_env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert re.search(r"scaffolder lint \(CloudBase Run\)\.+Passed", second.stdout), second.stdout
