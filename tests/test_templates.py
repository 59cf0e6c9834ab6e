"""The Copier templates: they render, follow the CloudBase rules, lint clean and boot for real."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import yaml

from scaffolder.resources import templates_dir
from templates_support import (
    ACCESS_TYPES,
    ALLOWED_CPU,
    JINJA_LEFTOVERS,
    RENDER_CASES,
    dockerfile_cmd,
    dockerfile_instructions,
    free_port,
    http,
    project_files,
    render,
    run,
    running,
    scaffolder_lint_available,
    wait_until_up,
)

CASE_IDS = [case_id for case_id, _, _ in RENDER_CASES]
CONTAINER_IDS = [case_id for case_id in CASE_IDS if case_id.startswith("container-")]
HADOLINT = Path(sys.executable).parent / "hadolint"
NODE = shutil.which("node")
NPM = shutil.which("npm")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, tuple[Path, dict, object]]:
    """Every render case, once per module: id -> (project folder, data given, GenerateResult)."""
    root = tmp_path_factory.mktemp("rendered")
    projects = {}
    for case_id, template, data in RENDER_CASES:
        dest = root / case_id
        result = render(template, dest, data)
        projects[case_id] = (dest, data, result)
    return projects


def _case(rendered, case_id):
    return rendered[case_id]


def _copy_project(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    return dest


# ------------------------------------------------------------------------------ the template set


def test_three_templates_with_their_own_copier_yml():
    root = templates_dir()
    names = sorted(p.name for p in root.iterdir() if (p / "copier.yml").is_file())
    assert names == ["agent", "container", "function"]
    for name in names:
        config = yaml.safe_load((root / name / "copier.yml").read_text(encoding="utf-8"))
        assert config["_subdirectory"] == "template"
        assert config["_templates_suffix"] == ".jinja"
        # Nothing that would need `copier --trust`.
        for unsafe in ("_tasks", "_migrations", "_jinja_extensions", "_external_data"):
            assert unsafe not in config, f"{name}: {unsafe}"
        assert (root / name / "template" / "{{ _copier_conf.answers_file }}.jinja").is_file()
        assert not (root / name / "template" / "copier.yml").exists()


def test_shared_parts_are_identical_across_templates():
    """cloudbaserc.json, the answers file and the deploy questions must not drift apart."""
    root = templates_dir()
    for shared in ("cloudbaserc.json.jinja", "{{ _copier_conf.answers_file }}.jinja"):
        texts = {(root / name / "template" / shared).read_text(encoding="utf-8") for name in ("function", "container", "agent")}
        assert len(texts) == 1, shared
    configs = {name: yaml.safe_load((root / name / "copier.yml").read_text(encoding="utf-8")) for name in ("function", "container", "agent")}
    for question in ("env_id", "callers", "min_num", "max_num", "mem", "open_access_type"):
        specs = [config[question] for config in configs.values()]
        assert all(spec == specs[0] for spec in specs), question
    cpu_choices = {tuple(config["cpu"]["choices"]) for config in configs.values()}
    assert cpu_choices == {ALLOWED_CPU}
    assert configs["function"]["service_name"]["validator"] == configs["container"]["service_name"]["validator"]


# ------------------------------------------------------------------------------ every render


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_renders_without_jinja_leftovers(rendered, case_id):
    project, _, result = _case(rendered, case_id)
    files = project_files(project)
    assert files, "nothing was generated"
    assert not list(project.rglob("*.jinja")), "a .jinja suffix was left"
    assert not (project / "copier.yml").exists()
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not JINJA_LEFTOVERS.search(text), f"{path.relative_to(project)}: {JINJA_LEFTOVERS.search(text).group()}"
        if path.suffix == ".json":
            json.loads(text)
    assert sorted(result.files) == sorted(p.relative_to(project).as_posix() for p in files)


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_cloudbaserc_server_config(rendered, case_id):
    project, data, result = _case(rendered, case_id)
    text = (project / "cloudbaserc.json").read_text(encoding="utf-8")
    config = json.loads(text)
    answers = result.answers
    assert set(config) == {"envId", "cloudrun"}
    assert config["envId"] == data.get("env_id", "your-env-id")
    cloudrun = config["cloudrun"]
    assert cloudrun["name"] == answers["service_name"]
    assert re.fullmatch(r"[a-z][a-z0-9-]{1,37}[a-z0-9]", cloudrun["name"])
    server = cloudrun["serverConfig"]
    assert set(server) == {"Cpu", "Mem", "MinNum", "MaxNum", "OpenAccessTypes", "Port"}
    assert server["Cpu"] in ALLOWED_CPU
    assert server["Cpu"] == float(data.get("cpu", answers["cpu"]))
    assert server["Mem"] == 2 * server["Cpu"]
    # Numbers are JSON numbers written the short way: 0.5, 1, 2 (never "1.0" or a string).
    for key in ("Cpu", "Mem", "MinNum", "MaxNum", "Port"):
        assert re.search(rf'"{key}": (0\.25|0\.5|[1-9][0-9]*|0)(,|\s)', text), key
    assert isinstance(server["MinNum"], int) and server["MinNum"] >= 0
    assert isinstance(server["MaxNum"], int) and server["MaxNum"] >= max(1, server["MinNum"])
    assert server["MinNum"] == int(data.get("min_num", 0))
    assert server["OpenAccessTypes"] == [ACCESS_TYPES[data.get("callers", "web")]]
    if result.template.name == "container":
        assert server["Port"] == int(data.get("port", 8080))
    else:
        assert server["Port"] == 3000


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_answers_file_records_the_answers(rendered, case_id):
    project, data, result = _case(rendered, case_id)
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert Path(answers["_src_path"]).name == result.template.name
    for key in data:
        assert answers[key] == result.answers[key], key
    computed = {q.name for q in result.template.questions if q.computed}
    assert computed and not computed & set(answers)
    assert {q.name for q in result.template.askable} <= set(answers)


def test_custom_answers_reach_the_files(rendered):
    project, _, _ = _case(rendered, "function-custom")
    package = json.loads((project / "package.json").read_text(encoding="utf-8"))
    assert package["name"] == "orders-fn"
    assert package["description"] == 'Orders "API" & <friends>'
    index = (project / "index.js").read_text(encoding="utf-8")
    assert "handleUpgrade" in index and "context.ws" in index
    functions = json.loads((project / "cloudbase-functions.json").read_text(encoding="utf-8"))
    assert {f["name"] for f in functions["functions"]} == {"main", "hello"}
    assert (project / "functions" / "hello" / "index.js").is_file()

    plain, _, _ = _case(rendered, "function-defaults")
    assert "handleUpgrade" not in (plain / "index.js").read_text(encoding="utf-8")
    assert not (plain / "cloudbase-functions.json").exists()
    assert not (plain / "functions").exists()


@pytest.mark.parametrize("case_id", ["function-defaults", "function-custom"])
def test_function_project_layout(rendered, case_id):
    project, _, _ = _case(rendered, case_id)
    package = json.loads((project / "package.json").read_text(encoding="utf-8"))
    assert package["scripts"]["dev"] == "tcb-ff -w"
    assert package["scripts"]["start"] == "tcb-ff"
    version = package["dependencies"]["@cloudbase/functions-framework"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), "pin an exact version"
    index = (project / "index.js").read_text(encoding="utf-8")
    assert "exports.main = async (event, context)" in index
    assert "context.sse()" in index
    assert not (project / "Dockerfile").exists(), "a Dockerfile would turn the deploy into container mode"
    gitignore = (project / ".gitignore").read_text(encoding="utf-8").split()
    assert "node_modules/" in gitignore and ".env" in gitignore
    assert (project / "README.md").is_file()


@pytest.mark.parametrize("case_id", ["agent-defaults", "agent-custom"])
def test_agent_project_layout(rendered, case_id):
    project, data, result = _case(rendered, case_id)
    agent_name, bot_tag = data.get("agent_name", "myagent"), data.get("bot_tag", "demo")
    bot_id = f"ibot-{agent_name}-{bot_tag}"
    assert re.fullmatch(r"ibot-[a-z0-9_]+-[a-z0-9_]+", bot_id)
    assert result.answers["bot_id"] == bot_id
    assert result.answers["service_name"] == f"ibot-{agent_name}"
    index = (project / "index.js").read_text(encoding="utf-8")
    assert 'require("@cloudbase/aiagent-framework")' in index
    assert "class MyBot extends BotCore" in index
    assert "exports.main = (event, context) => BotRunner.run(event, context, new MyBot(context))" in index
    assert "async sendMessage({ msg, history })" in index
    reply = (project / "src" / "reply.js").read_text(encoding="utf-8")
    assert "aiagent-framework" not in reply.replace("@cloudbase/aiagent-framework so", "")
    assert 'role: "assistant", type: "text"' in reply and "sseSender.end()" in reply
    package = json.loads((project / "package.json").read_text(encoding="utf-8"))
    assert "@cloudbase/aiagent-framework" in package["dependencies"]
    assert (project / ".env.template").is_file()
    assert bot_id in (project / "README.md").read_text(encoding="utf-8")
    assert not (project / "Dockerfile").exists()


# ------------------------------------------------------------------------------ container mode

LANGUAGE_FILES = {
    "python": {"app.py", "gunicorn.conf.py", "requirements.txt"},
    "node": {"server.js", "package.json", "package-lock.json"},
    "go": {"main.go", "go.mod"},
    "java": {"src/main/java/app/Main.java"},
}


@pytest.mark.parametrize("case_id", CONTAINER_IDS)
def test_container_follows_cloudbase_rules(rendered, case_id):
    project, data, result = _case(rendered, case_id)
    language = result.answers["language"]
    port = int(data.get("port", 8080))
    files = {p.relative_to(project).as_posix() for p in project_files(project)}
    # Only the chosen language's sources.
    for other, names in LANGUAGE_FILES.items():
        assert names & files == (names if other == language else set()), (other, files)

    dockerfile = (project / "Dockerfile").read_text(encoding="utf-8")
    instructions = dockerfile_instructions(dockerfile)
    keywords = [keyword for keyword, _ in instructions]
    for keyword, args in instructions:
        if keyword == "FROM":
            image = args.split()[0]
            assert ":" in image.rsplit("/", 1)[-1] and not image.endswith(":latest"), image
    assert ("ENV", f"PORT={port}") in instructions or any(
        keyword == "ENV" and re.search(rf"\bPORT={port}\b", args) for keyword, args in instructions
    )
    assert ("EXPOSE", str(port)) in instructions
    assert [args for keyword, args in instructions if keyword == "EXPOSE"] == [str(port)]
    users = [args for keyword, args in instructions if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    cmd = dockerfile_cmd(dockerfile)
    assert not any("$PORT" in part or "${PORT" in part for part in cmd), "exec form does not expand $PORT"
    # Dependencies are installed before the sources are copied (cache-friendly layers).
    if "COPY . ." in dockerfile:
        copy_all = dockerfile.index("COPY . .")
        for install in ("pip install", "npm ci", "go mod download"):
            if install in dockerfile:
                assert dockerfile.index(install) < copy_all, install
    if language == "python":
        assert "--no-cache-dir" in dockerfile
        for line in (project / "requirements.txt").read_text(encoding="utf-8").split():
            assert re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.]*", line), line
    assert keywords.count("FROM") == (2 if language in ("go", "java") else 1)

    ignored = (project / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", "node_modules", ".env"} <= set(ignored)

    # The server reads PORT (default = the chosen port) and binds 0.0.0.0, never localhost.
    source = "\n".join((project / name).read_text(encoding="utf-8") for name in LANGUAGE_FILES[language])
    assert "PORT" in source and str(port) in source and "0.0.0.0" in source
    assert "127.0.0.1" not in source
    assert "/healthz" in source
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert "docker build" in readme and "docker run" in readme


@pytest.mark.skipif(not HADOLINT.exists(), reason=f"hadolint is not installed next to {sys.executable}")
@pytest.mark.parametrize("case_id", CONTAINER_IDS)
def test_dockerfile_passes_hadolint(rendered, case_id):
    project, _, _ = _case(rendered, case_id)
    result = run([str(HADOLINT), "Dockerfile"], cwd=project, timeout=60)
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout + result.stderr


# ------------------------------------------------------------------------------ lint clean

LINT_AVAILABLE = scaffolder_lint_available()


@pytest.mark.skipif(not LINT_AVAILABLE, reason="`scaffolder lint` is not registered yet")
@pytest.mark.parametrize("case_id", CASE_IDS)
def test_lints_clean(rendered, case_id):
    project, _, _ = _case(rendered, case_id)
    result = run([sys.executable, "-m", "scaffolder", "lint", str(project)], cwd=project.parent, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


# ------------------------------------------------------------------------------ boot for real


@pytest.fixture(scope="module")
def functions_framework(tmp_path_factory, rendered) -> Path:
    """node_modules of a generated function project, installed once with npm (about 20 s)."""
    if not (NODE and NPM):
        pytest.fail("node and npm are required for the function-mode boot tests")
    cache = tmp_path_factory.mktemp("npm-install")
    project, _, _ = rendered["function-defaults"]
    shutil.copy(project / "package.json", cache / "package.json")
    result = run([NPM, "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=cache, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    modules = cache / "node_modules"
    assert (modules / ".bin" / "tcb-ff").exists()
    return modules


def _boot_function(project: Path, modules: Path, tmp_path: Path):
    (project / "node_modules").symlink_to(modules, target_is_directory=True)
    port = free_port()
    args = [NODE, str(project / "node_modules" / ".bin" / "tcb-ff"), "--port", str(port)]
    return port, running(args, cwd=project, port=port, log=tmp_path / "server.log")


def _read_sse(url: str, timeout: float = 15) -> tuple[dict, str]:
    request = urllib.request.Request(url, headers={"Accept": "text/event-stream"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.headers, response.read().decode("utf-8")  # read() returns once the stream ends


@pytest.mark.parametrize("case_id", ["function-defaults", "function-custom"])
def test_function_boots_and_streams(rendered, functions_framework, tmp_path, case_id):
    project = _copy_project(rendered[case_id][0], tmp_path / "project")
    port, server_cm = _boot_function(project, functions_framework, tmp_path)
    base = f"http://127.0.0.1:{port}"
    with server_cm as server:
        wait_until_up(server, f"{base}/")
        status, headers, body = http("GET", f"{base}/")
        assert status == 200, body
        assert json.loads(body)["message"].startswith("Hello from ")
        status, _, body = http("POST", f"{base}/", {"Content-Type": "application/json"}, b'{"name": "cloudbase"}')
        assert status == 200 and json.loads(body)["event"] == {"name": "cloudbase"}
        assert http("HEAD", f"{base}/_healthz")[0] == 200
        assert http("GET", f"{base}/no-such-path")[0] == 404

        headers, stream = _read_sse(f"{base}/sse")
        assert headers.get("Content-Type", "").startswith("text/event-stream")
        data_lines = [line for line in stream.splitlines() if line.startswith("data: {")]
        assert [json.loads(line[6:])["text"] for line in data_lines][:2] == ["hello", "from"]
        assert len(data_lines) == 3
        assert "event: end" in stream and "data: [DONE]" in stream

        if case_id == "function-custom":
            status, _, body = http("GET", f"{base}/hello?name=cloudbase")
            assert status == 200 and json.loads(body) == {"message": "Hello, cloudbase!"}
            script = tmp_path / "ws_client.js"
            script.write_text(
                """
const WebSocket = require(process.argv[2]);
const ws = new WebSocket(process.argv[3]);
const received = [];
const timer = setTimeout(() => { console.error("timeout", received); process.exit(2); }, 10000);
ws.on("message", (message) => {
  received.push(String(message));
  if (received.length === 1) { ws.send("ping"); return; }
  clearTimeout(timer);
  console.log(JSON.stringify(received));
  ws.close();
});
ws.on("error", (error) => { console.error(error.message); process.exit(1); });
""",
                encoding="utf-8",
            )
            result = run([NODE, str(script), str(functions_framework / "ws"), f"ws://127.0.0.1:{port}/ws"], cwd=tmp_path, timeout=30)
            assert result.returncode == 0, result.stdout + result.stderr + server.output()
            assert json.loads(result.stdout) == ["connected to orders-fn", "echo: ping"]
            refused = run([NODE, str(script), str(functions_framework / "ws"), f"ws://127.0.0.1:{port}/other"], cwd=tmp_path, timeout=30)
            assert refused.returncode == 1, "upgrades outside /ws are refused"


@pytest.fixture(scope="module")
def python_requirements(rendered):
    """Install the generated requirements.txt into the running virtualenv (quietly)."""
    project, _, _ = rendered["container-python-defaults"]
    result = run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                  "-r", str(project / "requirements.txt")], cwd=project, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def _container_command(project: Path, language: str, build_dir: Path) -> tuple[list[str], Path, dict]:
    """How to start the generated server here, as close to the Dockerfile's CMD as possible."""
    cmd = dockerfile_cmd((project / "Dockerfile").read_text(encoding="utf-8"))
    bin_dir = str(Path(sys.executable).parent)
    env = {"PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    if language == "python":
        assert cmd[0] == "gunicorn"
        return [str(Path(bin_dir) / "gunicorn"), *cmd[1:]], project, env
    if language == "node":
        assert cmd == ["node", "server.js"]
        return [NODE, *cmd[1:]], project, env
    if language == "go":
        go = shutil.which("go")
        if go is None:
            pytest.skip("Go is not installed (Debian/Ubuntu: apt-get install golang-go)")
        binary = build_dir / "server"
        result = run([go, "build", "-o", str(binary), "."], cwd=project, timeout=180,
                     env={"GOTOOLCHAIN": "local", "CGO_ENABLED": "0"})
        assert result.returncode == 0, result.stdout + result.stderr
        assert cmd == ["/server"]
        return [str(binary)], project, env
    if language == "java":
        javac, jar = shutil.which("javac"), shutil.which("jar")
        if javac is None or jar is None:
            pytest.fail("a JDK (javac, jar) is required for the Java boot test")
        sources = sorted(str(p) for p in (project / "src" / "main" / "java").rglob("*.java"))
        classes = build_dir / "classes"
        result = run([javac, "-d", str(classes), *sources], cwd=project, timeout=180)
        assert result.returncode == 0, result.stdout + result.stderr
        result = run([jar, "--create", "--file", str(build_dir / "app.jar"), "--main-class", "app.Main",
                      "-C", str(classes), "."], cwd=project, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        assert cmd[0] == "java" and cmd[-2:] == ["-jar", "app.jar"]
        return [shutil.which("java") or "java", *cmd[1:]], build_dir, env
    raise AssertionError(language)


@pytest.mark.parametrize("case_id", CONTAINER_IDS)
def test_container_boots_on_port_from_env(rendered, request, tmp_path, case_id):
    project, _, result = _case(rendered, case_id)
    language = result.answers["language"]
    if language == "python":
        request.getfixturevalue("python_requirements")
    project = _copy_project(project, tmp_path / "project")
    args, cwd, env = _container_command(project, language, tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running(args, cwd=cwd, port=port, log=tmp_path / "server.log", extra_env=env) as server:
        wait_until_up(server, f"{base}/healthz")
        status, headers, body = http("GET", f"{base}/healthz")
        assert status == 200, body
        assert json.loads(body) == {"status": "ok"}
        assert headers.get("Content-Type", "").startswith("application/json")
        status, _, body = http("GET", f"{base}/")
        assert status == 200 and json.loads(body)["message"] == f"Hello from {result.answers['service_name']}"
        assert http("GET", f"{base}/no-such-path")[0] == 404


@pytest.mark.skipif(NODE is None, reason="node is required")
@pytest.mark.parametrize("case_id", ["agent-defaults", "agent-custom", "function-defaults", "function-custom", "container-node-defaults"])
def test_javascript_files_parse(rendered, case_id):
    project, _, _ = _case(rendered, case_id)
    scripts = [p for p in project_files(project) if p.suffix in (".js", ".cjs", ".mjs")]
    assert scripts
    for script in scripts:
        result = run([NODE, "--check", str(script)], cwd=project, timeout=30)
        assert result.returncode == 0, f"{script.name}: {result.stderr}"


@pytest.mark.skipif(NODE is None, reason="node is required")
@pytest.mark.parametrize("case_id", ["agent-defaults", "agent-custom"])
def test_agent_own_tests_pass(rendered, case_id):
    """`npm test` of the generated agent: node's test runner, a fake sseSender, no framework."""
    project, _, _ = _case(rendered, case_id)
    result = run([NODE, "--test"], cwd=project, timeout=60)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert re.search(r"^# pass 3$", output, re.M) and re.search(r"^# fail 0$", output, re.M), output


@pytest.mark.skipif(NODE is None, reason="node is required")
def test_agent_stream_is_ended_with_a_fake_sse_sender(rendered, tmp_path):
    """Independently of the generated test: drive src/reply.js and check what the sender saw."""
    project, _, _ = _case(rendered, "agent-defaults")
    script = tmp_path / "drive.js"
    script.write_text(
        """
const { streamReply } = require(process.argv[2]);
const log = [];
const sender = {
  send(event) { log.push(["send", event]); return true; },
  end() { log.push(["end"]); },
};
streamReply({ msg: "ping 🚀", history: [{ role: "user", content: "hi" }] }, sender)
  .then(() => console.log(JSON.stringify(log)))
  .catch((error) => { console.error(error); process.exit(1); });
""",
        encoding="utf-8",
    )
    result = run([NODE, str(script), str(project / "src" / "reply.js")], cwd=project, timeout=30)
    assert result.returncode == 0, result.stderr
    log = json.loads(result.stdout)
    assert log[-1] == ["end"] and [entry[0] for entry in log].count("end") == 1
    sends = [entry[1] for entry in log[:-1]]
    assert sends and all(entry[0] == "send" for entry in log[:-1])
    assert all(event["data"]["role"] == "assistant" and event["data"]["type"] == "text" for event in sends)
    assert "".join(event["data"]["content"] for event in sends) == "You said: ping 🚀 (after 1 earlier messages)"


def test_generated_go_module_and_java_sources_compile_offline(rendered, tmp_path):
    """`go vet` (when Go is installed) and javac -Xlint on the non-default renders."""
    go = shutil.which("go")
    if go is not None:
        project, _, _ = _case(rendered, "container-go-custom")
        result = run([go, "vet", "./..."], cwd=project, timeout=180, env={"GOTOOLCHAIN": "local"})
        assert result.returncode == 0, result.stdout + result.stderr
    javac = shutil.which("javac")
    assert javac, "a JDK is required"
    project, _, _ = _case(rendered, "container-java-custom")
    sources = [str(p) for p in (project / "src").rglob("*.java")]
    result = subprocess.run([javac, "-Xlint:all", "-Werror", "-d", str(tmp_path / "classes"), *sources],
                            capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
