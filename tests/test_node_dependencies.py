"""Minimal dependencies (CBR621, CBR622): development tools in production dependencies, and a
committed node_modules folder (read from a real git index, versions 2, 3 and 4)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from conftest import write_tree
from scaffolder.nodeproject.git_index import find_repository, tracked_node_modules

MAIN = "exports.main = async (event, context) => ({ ok: true });\n"
SERVER = ('const http = require("http");\n'
          'http.createServer((req, res) => res.end("ok")).listen(Number(process.env.PORT || 8080), "0.0.0.0");\n')


def package(dependencies, scripts=None, **extra) -> str:
    data = {"name": "demo", "version": "1.0.0", "private": True,
            "scripts": scripts if scripts is not None else {"start": "node server.js", "test": "jest"},
            "dependencies": dependencies}
    data.update(extra)
    return json.dumps(data, indent=2) + "\n"


def found(findings, *codes_wanted):
    return [(f.code, f.path, f.line) for f in findings if not codes_wanted or f.code in codes_wanted]


# ---- CBR621 ---------------------------------------------------------------------------------------
def test_dev_tools_reported_at_their_lines(lint_files):
    deps = {"express": "4.19.2", "jest": "29.7.0", "eslint-plugin-import": "2.29.1", "@typescript-eslint/parser": "7.0.0"}
    findings = lint_files({"package.json": package(deps), "server.js": SERVER})
    assert found(findings) == [("CBR621", "package.json", 11), ("CBR621", "package.json", 12),
                               ("CBR621", "package.json", 13)]
    assert all("Move it to devDependencies" in f.message for f in findings)


@pytest.mark.parametrize("deps", [
    {"express": "4.19.2", "@types/node": "20.0.0", "ts-node": "10.9.2", "dotenv": "16.4.5"},  # not dev tools
    {"eslint-scope": "7.0.0", "jest-worker": "29.7.0", "prettier-bytes": "1.0.4"},  # runtime libraries, similar names
])
def test_runtime_packages_are_not_dev_tools(lint_files, deps):
    assert found(lint_files({"package.json": package(deps), "server.js": SERVER})) == []


def test_dev_dependencies_are_where_tools_belong(lint_files):
    text = package({"express": "4.19.2"}, devDependencies={"jest": "29.7.0", "nodemon": "3.1.0", "typescript": "5.4.5"})
    assert found(lint_files({"package.json": text, "server.js": SERVER})) == []


@pytest.mark.parametrize(("scripts", "tool"), [
    ({"start": "nodemon server.js"}, "nodemon"),  # the start script runs it
    ({"start": "npm run serve", "serve": "nodemon server.js"}, "nodemon"),  # through another script
    ({"start": "node server.js", "prepare": "husky"}, "husky"),  # install-time lifecycle script
    ({"start": "node dist/server.js", "build": "tsc -p ."}, "typescript"),  # the platform build compiles
    ({"start": "ts-node server.ts"}, "typescript"),  # compiled when it starts
    ({"start": "next start", "build": "next build"}, "typescript"),  # next compiles TypeScript itself
])
def test_tools_the_platform_runs_are_not_reported(lint_files, scripts, tool):
    files = {"package.json": package({"express": "4.19.2", tool: "1.0.0"}, scripts), "server.js": SERVER}
    assert found(lint_files(files)) == []


def test_tools_only_in_developer_scripts_are_reported(lint_files):
    scripts = {"start": "node server.js", "dev": "nodemon server.js", "typecheck": "tsc --noEmit", "lint": "eslint ."}
    deps = {"express": "4.19.2", "eslint": "8.57.0", "nodemon": "3.1.0", "typescript": "5.4.5"}
    findings = lint_files({"package.json": package(deps, scripts), "server.js": SERVER})
    assert [f.message.split(" ")[0] for f in findings] == ["eslint", "nodemon", "typescript"]


def test_dockerfile_commands_count_as_platform_use(lint_files):
    dockerfile = ("FROM node:20-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\nCOPY . .\n"
                  "RUN npm run compile\nENV PORT=8080\nEXPOSE 8080\nUSER node\nCMD [\"node\", \"dist/server.js\"]\n")
    scripts = {"compile": "tsc", "start": "node dist/server.js"}
    files = {"package.json": package({"express": "4.19.2", "typescript": "5.4.5"}, scripts), "Dockerfile": dockerfile,
             ".dockerignore": ".git\n.env\nnode_modules\n", "server.js": SERVER}
    assert found(lint_files(files), "CBR621") == []
    files["Dockerfile"] = dockerfile.replace("RUN npm run compile\n", "")
    assert found(lint_files(files), "CBR621") == [("CBR621", "package.json", 11)]


# ---- CBR622 without git: .gitignore ---------------------------------------------------------------
NODE_MODULES = {"node_modules/left-pad/package.json": '{"name": "left-pad"}\n'}


@pytest.mark.parametrize(("gitignore", "reported"), [
    (None, False),  # no .gitignore, no git: nothing says the folder is meant for version control
    ("logs/\n", True),
    ("node_modules\n", False), ("/node_modules/\n", False), ("**/node_modules\n", False), ("node_modules/*\n", False),
    ("node_modules/\n!node_modules/\n", True),  # taken back
    ("# node_modules\n", True),
])
def test_gitignore_decides_outside_git(lint_files, gitignore, reported):
    files = {"package.json": package({"express": "4.19.2"}), "server.js": SERVER, **NODE_MODULES}
    if gitignore is not None:
        files[".gitignore"] = gitignore
    expected = [("CBR622", "package.json", 1)] if reported else []
    assert found(lint_files(files), "CBR622") == expected


def test_parent_gitignore_with_an_anchored_path(tmp_path):
    from conftest import lint_tree

    write_tree(tmp_path, {"svc/package.json": package({"express": "4.19.2"}), "svc/server.js": SERVER,
                          "svc/node_modules/x/index.js": "\n", ".gitignore": "/svc/node_modules/\n"})
    assert found(lint_tree(tmp_path / "svc"), "CBR622") == []
    (tmp_path / ".gitignore").write_text("/other/node_modules/\n", encoding="utf-8")
    assert found(lint_tree(tmp_path / "svc"), "CBR622") == [("CBR622", "package.json", 1)]


def test_no_node_modules_folder(lint_files):
    files = {"package.json": package({"express": "4.19.2"}), "server.js": SERVER, ".gitignore": "logs/\n"}
    assert found(lint_files(files), "CBR622") == []


# ---- CBR622 in a git repository: the index ----------------------------------------------------------
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo, *args):
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


@needs_git
@pytest.mark.parametrize("version", ["2", "3", "4"])
def test_tracked_node_modules_in_a_subfolder_service(tmp_path, version):
    from conftest import lint_tree

    function = package({"@cloudbase/functions-framework": "1.18.0"}, {"dev": "tcb-ff -w", "start": "tcb-ff"})
    files = {"services/api/package.json": function, "services/api/index.js": MAIN,
             "services/api/node_modules/express/package.json": '{"name": "express"}\n',
             "services/api/node_modules/express/lib/express.js": "module.exports = {};\n",
             "services/web/package.json": function, "services/web/index.js": MAIN,
             "README.md": "monorepo\n"}
    write_tree(tmp_path, files)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "update-index", "--index-version", version)
    assert tracked_node_modules(tmp_path / ".git" / "index") == (
        "services/api/node_modules/express/lib/express.js", "services/api/node_modules/express/package.json")
    findings = lint_tree(tmp_path)
    assert found(findings, "CBR622") == [("CBR622", "services/api/package.json", 1)]
    assert "git tracks 2 files under node_modules/" in findings[0].message


@needs_git
def test_untracked_node_modules_in_git_is_not_reported(tmp_path):
    from conftest import lint_tree

    write_tree(tmp_path, {"package.json": package({"express": "4.19.2"}), "server.js": SERVER})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    write_tree(tmp_path, NODE_MODULES)  # installed after the commit, never added
    assert found(lint_tree(tmp_path), "CBR622") == []


@needs_git
def test_git_worktree_file_is_followed(tmp_path):
    main, other = tmp_path / "main", tmp_path / "wt"
    write_tree(main, {"package.json": package({}), **NODE_MODULES})
    git(main, "init", "-q")
    git(main, "add", "-A")
    git(main, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "x")
    git(main, "worktree", "add", "-q", str(other))
    work_tree, git_dir = find_repository(other)
    assert work_tree == other and (git_dir / "index").is_file()
    assert tracked_node_modules(git_dir / "index") == ("node_modules/left-pad/package.json",)


def test_damaged_index_means_unknown(tmp_path):
    (tmp_path / "index").write_bytes(b"DIRC\x00\x00\x00\x02\x00\x00\x00\x05garbage")
    assert tracked_node_modules(tmp_path / "index") is None
    (tmp_path / "index2").write_bytes(b"not an index at all")
    assert tracked_node_modules(tmp_path / "index2") is None
