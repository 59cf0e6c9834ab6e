"""Start commands in package.json scripts and Procfiles: `npm start` and friends resolve to the
script they run, whose commands are checked like a CMD (CBR104, CBR105, CBR106) and reported where
the script is written."""

from __future__ import annotations

import json

import pytest

from scaffolder.package_scripts import programs, run_target

SERVER = ('const http = require("http");\n'
          'http.createServer((req, res) => res.end("ok")).listen(Number(process.env.PORT || 8080), "0.0.0.0");\n')
IGNORE = ".git\n.env\nnode_modules\n"
DOCKERFILE = ("FROM node:20-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\nCOPY . .\n"
              "ENV PORT=8080\nEXPOSE 8080\nUSER node\nCMD {cmd}\n")


def package(scripts: dict) -> str:
    return json.dumps({"name": "web", "version": "1.0.0", "private": True, "scripts": scripts,
                       "dependencies": {"next": "14.2.3"}}, indent=2) + "\n"


def service(scripts: dict, cmd: str | None = '["npm", "start"]', **files) -> dict:
    tree = {"package.json": package(scripts), "server.js": SERVER}
    if cmd is not None:
        tree.update({"Dockerfile": DOCKERFILE.format(cmd=cmd), ".dockerignore": IGNORE})
    tree.update(files)
    return tree


def found(findings, *codes_wanted):
    return [(f.code, f.path, f.line, f.column) for f in findings if not codes_wanted or f.code in codes_wanted]


# ---- which script runs ------------------------------------------------------------------------------
SCRIPTS = {"start": "node server.js", "dev": "nodemon server.js", "start:prod": "node server.js", "build": "tsc"}


@pytest.mark.parametrize(("words", "expected"), [
    ("npm start", ("start", ())),
    ("npm run start:prod", ("start:prod", ())),
    ("npm run-script dev", ("dev", ())),
    ("npm start -- --port 9000", ("start", ("--port", "9000"))),
    ("npm --silent run dev", ("dev", ())),
    ("yarn start", ("start", ())),
    ("yarn dev --port 9000", ("dev", ("--port", "9000"))),
    ("pnpm run build", ("build", ())),
    ("pnpm dev", ("dev", ())),
    ("bun run dev", ("dev", ())),
    ("npm test", None),  # no test script
    ("npm install", None),
    ("npm run", None),
    ("yarn", None),  # yarn alone installs
    ("yarn add dev", None),
    ("node server.js", None),
])
def test_run_target(words, expected):
    assert run_target(words.split(), SCRIPTS) == expected


def test_programs_remove_wrappers_and_keep_assignments():
    found_programs = programs("cross-env NODE_ENV=production PORT=80 node server.js && npx next start -p 3000")
    assert [(program.words, program.environment) for program in found_programs] == [
        (("node", "server.js"), {"NODE_ENV": "production", "PORT": "80"}),
        (("next", "start", "-p", "3000"), {}),
    ]


# ---- findings at the script's line -------------------------------------------------------------------
def test_hard_coded_port_in_the_start_script(lint_files):
    # columns point at the value, as in a Dockerfile: `"start": "next start -p 3000"` -> 3000
    findings = lint_files(service({"start": "next start -p 3000"}))
    assert found(findings) == [("CBR104", "package.json", 6, 29)]
    assert findings[0].message.startswith('the "start" script in package.json: `-p 3000`')
    assert findings[0].fix is None  # fixes edit Dockerfiles, not scripts


def test_loopback_host_in_a_script_run_by_another(lint_files):
    scripts = {"start": "npm run serve", "serve": "node server.js --host 127.0.0.1"}
    findings = lint_files(service(scripts, cmd="npm start"))
    assert found(findings) == [("CBR105", "package.json", 7, 37)]
    assert 'the "serve" script' in findings[0].message


def test_port_assignment_and_background_process(lint_files):
    findings = lint_files(service({"start": "node worker.js & cross-env PORT=8080 node server.js"}))
    assert sorted(found(findings)) == [("CBR104", "package.json", 6, 42), ("CBR106", "package.json", 6, 15)]


def test_arguments_npm_passes_to_the_script(lint_files):
    findings = lint_files(service({"start": "node server.js"}, cmd='["npm", "start", "--", "--port", "9000"]'))
    assert [f.code for f in findings] == ["CBR104"]
    assert findings[0].path == "package.json" and "--port 9000" in findings[0].message


@pytest.mark.parametrize("scripts", [
    {"start": "next start", "dev": "next dev -p 3000"},  # PORT is read by next; dev is never run
    {"start": "next start -p $PORT"},  # npm runs scripts through a shell, so $PORT expands
    {"start": "node server.js", "start:local": "node server.js --port 8080 --host localhost"},
])
def test_scripts_that_read_port_or_are_not_run(lint_files, scripts):
    assert found(lint_files(service(scripts))) == []


def test_scripts_are_ignored_when_the_dockerfile_runs_node_itself(lint_files):
    files = service({"start": "node server.js --port 8080"}, cmd='["node", "server.js"]')
    assert found(lint_files(files)) == []


def test_script_loop_terminates(lint_files):
    findings = lint_files(service({"start": "npm run a", "a": "npm run start"}))
    assert found(findings) == []


# ---- without a Dockerfile: Procfile web process, else the start script --------------------------------
def test_procfile_web_process(lint_files):
    procfile = "# processes\nworker: node worker.js --port 9999\nweb: node server.js --port 8080\n"
    findings = lint_files(service({"start": "node server.js"}, cmd=None, Procfile=procfile))
    assert found(findings) == [("CBR104", "Procfile", 3, 28)]
    assert findings[0].message.startswith("the Procfile's web process:")


def test_procfile_running_npm_start(lint_files):
    findings = lint_files(service({"start": "next start -H localhost"}, cmd=None, Procfile="web: npm start\n"))
    assert found(findings) == [("CBR105", "package.json", 6, 29)]


def test_start_script_without_a_dockerfile(lint_files):
    findings = lint_files(service({"start": "node server.js --port=8080"}, cmd=None))
    assert found(findings) == [("CBR104", "package.json", 6, 37)]


def test_function_mode_start_script_is_not_a_container_command(lint_files):
    text = json.dumps({"name": "fn", "private": True, "scripts": {"start": "tcb-ff --port 8080"},
                       "dependencies": {"@cloudbase/functions-framework": "1.18.0"}}, indent=2) + "\n"
    files = {"package.json": text, "index.js": "exports.main = async () => 1;\n"}
    assert found(lint_files(files), "CBR104") == []


def test_suppression_in_a_procfile(lint_files):
    procfile = "# scaffolder: ignore[CBR104]\nweb: node server.js --port 8080\n"
    assert found(lint_files(service({}, cmd=None, Procfile=procfile))) == []
