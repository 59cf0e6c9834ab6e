"""The container's start command (the final stage's ENTRYPOINT + CMD): which programs it runs, on
which host and port they listen, whether `$PORT` can expand, and what it leaves in the background.

The analysis is shared with checks/dockerfile.py (the port-mismatch rule compares the port found
here with EXPOSE, ENV PORT and serverConfig.Port). Nothing here runs the project's code.

`npm start` and friends run a package.json script: its commands are analysed in its place and
reported at the script's line (scaffolder/package_scripts.py). Without a Dockerfile, a container
service's Procfile `web:` process or package.json `start` script is analysed the same way.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from typing import Iterable, NamedTuple

from scaffolder.dockerfile_model import (
    Command,
    DockerfileModel,
    StartCommand,
    Word,
    image_ref,
    parse,
    server_config_data,
    shell_join,
    split_script,
)
from scaffolder.findings import Finding, Fix
from scaffolder.package_scripts import (
    PACKAGE_MANAGERS,
    ScriptSource,
    package_scripts,
    run_target,
    script_source,
    start_script,
)
from scaffolder.project import Service
from scaffolder.pysource.argv import script_addresses, script_file

EXEC_FORM_VARIABLE = "CBR103"
HARDCODED_PORT = "CBR104"
LOOPBACK_BIND = "CBR105"
BACKGROUND_PROCESS = "CBR106"
MISSING_START_COMMAND = "CBR114"
CODES = frozenset({EXEC_FORM_VARIABLE, HARDCODED_PORT, LOOPBACK_BIND, BACKGROUND_PROCESS, MISSING_START_COMMAND})

SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"})
_PYTHON = re.compile(r"^(python|pypy)(\d+(\.\d+)?)?$")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_PORT_REFERENCE = re.compile(r"\$(PORT\b|\{PORT([:?+-][^}]*)?\})")
_SPRING_PLACEHOLDER = re.compile(r"\$\{PORT(:[^}]*)?\}")
_PHP = re.compile(r"^php\d")
_LOOPBACK = re.compile(r"^(localhost|ip6-localhost|::1|127(\.\d{1,3}){3})$", re.I)
# Programs whose --host/--port mean something other than where they listen.
_NOT_SERVERS = frozenset({"celery", "redis-cli", "mysql", "psql", "mongosh", "curl", "wget", "wait-for-it",
                          "wait-for-it.sh", "dockerize", "nc", "ssh", "alembic", "prisma", "sequelize"})


class Invocation(NamedTuple):
    """One program the start command runs, after wrappers (tini, env, exec, nohup...) are removed."""

    words: tuple[str, ...]
    sources: tuple[Command, ...]  # the instruction each word comes from
    shell: bool  # the words went through a shell, so `$PORT` expands
    background: str | None  # "&" or "nohup" when it is left running in the background
    last: bool  # the command the shell ends with: the container's main process
    assignments: tuple[str, ...] = ()  # NAME=value set for it (prefix assignments, export)

    @property
    def instruction(self) -> Command:
        return self.sources[0]


class Binding(NamedTuple):
    """Where a program listens, as the start command decides it."""

    program: str
    kind: str  # "host" or "port"
    value: str  # "127.0.0.1", "8000"
    written: str  # the option as written, "" when the program's default applies
    option: str  # the option to write instead: "--port", "--bind"
    invocation: Invocation
    needle: str  # text to point at in the Dockerfile

    @property
    def implicit(self) -> bool:
        return not self.written

    @property
    def literal_port(self) -> int | None:
        if self.kind == "port" and self.value.isdigit() and 0 < int(self.value) < 65536:
            return int(self.value)
        return None

    @property
    def loopback(self) -> bool:
        return self.kind == "host" and bool(_LOOPBACK.match(self.value.strip("[]")))


@dataclass
class Analysis:
    model: DockerfileModel | None  # None: the start command comes from a Procfile or package.json
    start: StartCommand | None
    overridden: bool  # serverConfig Cmd/EntryPoint replace the Dockerfile's start command
    invocations: list[Invocation] = field(default_factory=list)
    bindings: list[Binding] = field(default_factory=list)

    def listening_port(self) -> Binding | None:
        """The port the main server is fixed to (a literal or its default), if any."""
        if self.overridden:
            return None
        ports = [binding for binding in self.bindings if binding.literal_port is not None
                 and not isinstance(binding.invocation.instruction, ScriptSource)]
        return ports[-1] if ports else None


def analyze(service: Service) -> Analysis | None:
    """The start command of the service's Dockerfile, analysed once (None without a Dockerfile). An
    unparsable Dockerfile raises UnparsableFile at every call, as parse does."""
    return service.memo("start_command", lambda: _analyze_service(service))


def _analyze_service(service: Service) -> Analysis | None:
    model = parse(service)
    return _analyze(service, model) if model is not None else None


def _analyze(service: Service, model: DockerfileModel) -> Analysis:
    config = server_config_data(service)
    overridden = any(isinstance(config.get(key), list) and config.get(key) for key in ("Cmd", "EntryPoint"))
    start = model.start_command()
    analysis = Analysis(model, start, overridden)
    if start is None:
        return analysis
    analysis.invocations = _run_scripts(service, _expand(list(start.words), shell=False, depth=0))
    environment = set(model.env()) | _env_param_names(config)
    for invocation in analysis.invocations:
        analysis.bindings.extend(_bindings(invocation, environment))
        analysis.bindings.extend(_argv_bindings(service, invocation))
    return analysis


def _script_analysis(service: Service) -> Analysis | None:
    """No Dockerfile: a buildpack starts a container service with the Procfile's web process or the
    package.json start script. (Function mode is left alone: the framework listens on 3000.)"""
    source = start_script(service) if service.mode == "container" else None
    if source is None:
        return None
    analysis = Analysis(None, None, False)
    analysis.invocations = _run_scripts(service, _expand(_shell_words(source, source.command), shell=False, depth=0))
    environment = _env_param_names(server_config_data(service))
    for invocation in analysis.invocations:
        analysis.bindings.extend(_bindings(invocation, environment))
        analysis.bindings.extend(_argv_bindings(service, invocation))
    return analysis


def _shell_words(source: ScriptSource, command: str) -> list[Word]:
    return [Word("sh", source), Word("-c", source), Word(command, source)]


def _run_scripts(service: Service, invocations: list[Invocation], depth: int = 0) -> list[Invocation]:
    """`npm start`, `yarn start`, `npm run X`: the package.json script they run (through a shell) is
    the real start command, so its commands take the package manager's place."""
    if depth >= 4 or not any(_runs_package_manager(invocation) for invocation in invocations):
        return invocations  # run_target finds no script for anything else: package.json is not needed
    package = package_scripts(service)
    if package is None:
        return invocations
    result: list[Invocation] = []
    for invocation in invocations:
        target = run_target(invocation.words, package.scripts)
        source = script_source(package, target[0]) if target else None
        if source is None:
            result.append(invocation)
            continue
        command = " ".join([source.command, *(shlex.quote(arg) for arg in target[1])])
        inner = _expand(_shell_words(source, command), shell=False, depth=0, background=invocation.background,
                        last=invocation.last)
        result.extend(_run_scripts(service, inner, depth + 1))
    return result


def _runs_package_manager(invocation: Invocation) -> bool:
    return bool(invocation.words) and _basename(invocation.words[0]) in PACKAGE_MANAGERS


def _env_param_names(config: dict) -> set[str]:
    params = config.get("EnvParams")
    if isinstance(params, str):
        try:
            params = json.loads(params)
        except ValueError:
            return set()
    return set(params) if isinstance(params, dict) else set()


# ---- from words to invocations -----------------------------------------------------------------
def _basename(word: str) -> str:
    return word.rsplit("/", 1)[-1]


def _expand(words: list[Word], shell: bool, depth: int, background: str | None = None,
            last: bool = True) -> list[Invocation]:
    if words and words[0].implicit and _basename(words[0].text) not in SHELLS:
        # SHELL ["powershell", ...]: a shell we do not model still expands its own variables
        return [Invocation(tuple(w.text for w in words), tuple(w.instruction for w in words), True,
                           background, last)]
    words, assignments, nohup = _strip_wrappers(words, shell)
    if not words:
        return []
    program = _basename(words[0].text)
    if program in SHELLS and depth < 3:
        script_at = _shell_script_index([word.text for word in words])
        if script_at is not None:
            script_word = words[script_at]
            commands = split_script(script_word.text)
            invocations: list[Invocation] = []
            for index, command in enumerate(commands):
                inner = [Word(text, script_word.instruction) for text in command.words]
                is_bg = "&" if command.operator == "&" else None
                invocations.extend(_expand(inner, shell=True, depth=depth + 1,
                                           background=is_bg or background or ("nohup" if nohup else None),
                                           last=last and index == len(commands) - 1 and not is_bg))
            return invocations
    return [Invocation(tuple(word.text for word in words), tuple(word.instruction for word in words), shell,
                       background or ("nohup" if nohup else None), last, tuple(assignments))]


def _shell_script_index(texts: list[str]) -> int | None:
    """Index of the script in `sh [options] -c script`, None when the shell runs a file."""
    index, has_c = 1, False
    while index < len(texts) and texts[index][:1] in "-+" and texts[index] not in ("-", "--"):
        option = texts[index]
        if option in ("-o", "+o"):
            index += 2
            continue
        if not option.startswith("--") and "c" in option[1:]:
            has_c = True
        index += 1
    if index < len(texts) and texts[index] == "--":
        index += 1
    return index if has_c and index < len(texts) else None


def _strip_wrappers(words: list[Word], shell: bool) -> tuple[list[Word], list[str], bool]:
    assignments: list[str] = []
    nohup = False
    while words:
        text = words[0].text
        base = _basename(text)
        if shell and _ASSIGNMENT.match(text):
            assignments.append(text)
            words = words[1:]
        elif shell and base == "export":
            assignments.extend(word.text for word in words[1:] if _ASSIGNMENT.match(word.text))
            return words[:1], assignments, nohup
        elif base in ("exec", "command", "builtin", "time"):
            words = words[1:]
        elif base in ("env", "cross-env"):
            words = words[1:]
            while words and (words[0].text.startswith("-") or _ASSIGNMENT.match(words[0].text)):
                if _ASSIGNMENT.match(words[0].text):
                    assignments.append(words[0].text)
                words = words[1:]
        elif base in ("tini", "tini-static", "dumb-init", "catatonit", "npx"):
            words = words[1:]
            while words and words[0].text.startswith("-"):
                done = words[0].text == "--"
                words = words[1:]
                if done:
                    break
        elif base in ("gosu", "su-exec"):
            words = words[2:]
        elif base == "nohup":
            nohup = True
            words = words[1:]
        elif base in ("poetry", "pipenv", "pdm", "uv", "hatch", "rye") and len(words) > 1 and words[1].text == "run":
            words = words[2:]
            while words and words[0].text.startswith("-"):
                words = words[1:]
        else:
            break
    return words, assignments, nohup


def program_of(words: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """The program an invocation runs and its arguments: `python -m uvicorn x` -> uvicorn,
    `python manage.py runserver` -> manage.py, `node server.js --port 1` -> node (script args)."""
    base = _basename(words[0])
    if _PYTHON.match(base):
        index = 1
        while index < len(words) and words[index].startswith("-"):
            if words[index] == "-m" and index + 1 < len(words):
                return words[index + 1], words[index + 2 :]
            if words[index] == "-c":
                return "python", ()
            index += 2 if words[index] in ("-X", "-W") else 1
        if index < len(words):
            return _basename(words[index]), words[index + 1 :]
        return "python", ()
    if base in ("node", "nodejs", "bun", "deno"):
        index = 1
        if base in ("bun", "deno") and index < len(words) and words[index] == "run":
            index += 1
        while index < len(words) and words[index].startswith("-"):
            index += 2 if words[index] in ("-r", "--require", "--import", "--loader") else 1
        return "node", words[index + 1 :]
    if base == "django-admin":
        return "manage.py", words[1:]
    return base, words[1:]


# ---- where programs listen ---------------------------------------------------------------------
def _option_values(args: tuple[str, ...], *names: str) -> list[tuple[str, str]]:
    """(as written, value) for each use of the options: `--port 1`, `--port=1`, `-p1`."""
    found = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            break
        for name in names:
            if arg == name and index + 1 < len(args):
                found.append((f"{arg} {args[index + 1]}", args[index + 1]))
                index += 1
                break
            if arg.startswith(name + "="):
                found.append((arg, arg[len(name) + 1 :]))
                break
            if len(name) == 2 and not name.startswith("--") and arg.startswith(name) and len(arg) > 2:
                found.append((arg, arg[2:]))
                break
        index += 1
    return found


def _has(args: tuple[str, ...], *names: str) -> bool:
    return any(arg == name or arg.startswith(name + "=") for arg in args for name in names)


def split_host_port(value: str) -> tuple[str, str | None]:
    """`0.0.0.0:${PORT:-8080}` -> ("0.0.0.0", "${PORT:-8080}"); `[::1]:80` -> ("::1", "80")."""
    if value.startswith("["):
        end = value.find("]")
        if end > 0:
            rest = value[end + 1 :]
            return value[1:end], (rest[1:] if rest.startswith(":") else None)
    depth = 0
    for index, char in enumerate(value):
        if value.startswith("${", index):
            depth += 1
        elif char == "}" and depth:
            depth -= 1
        elif char == ":" and not depth:
            return value[:index], value[index + 1 :]
    return value, None


def _positionals(args: tuple[str, ...], takes_value: tuple[str, ...] = ()) -> list[str]:
    result, index = [], 0
    while index < len(args):
        arg = args[index]
        if arg.startswith("-"):
            index += 2 if arg in takes_value else 1
            continue
        result.append(arg)
        index += 1
    return result


_LABELS = {"manage.py": "manage.py runserver", "flask": "flask run", "http.server": "python -m http.server"}


def _bindings(invocation: Invocation, environment: set[str]) -> list[Binding]:
    program, args = program_of(invocation.words)
    found: list[Binding] = []
    env = environment | {assignment.split("=", 1)[0] for assignment in invocation.assignments}

    label = _LABELS.get(program, program)

    def add(kind: str, value: str, written: str, option: str, needle: str | None = None):
        found.append(Binding(label, kind, value, written, option, invocation, needle or written or program))

    def host_port(written: str, value: str, option: str):
        if value.startswith(("unix:", "fd://", "/")):
            return
        host, port = split_host_port(value)
        if host:
            add("host", host, written, option, value)
        if port is not None:
            add("port", port, written, option, value)

    for assignment in invocation.assignments:
        name, _, value = assignment.partition("=")
        if name == "PORT":
            add("port", value, assignment, "PORT", assignment)

    if program == "gunicorn":
        for written, value in _option_values(args, "--bind", "-b"):
            host_port(written, value, "--bind")
    elif program == "uvicorn":
        sockets = _has(args, "--uds", "--fd")
        hosts, ports = _option_values(args, "--host"), _option_values(args, "--port")
        for written, value in hosts:
            add("host", value, written, "--host", value)
        for written, value in ports:
            add("port", value, written, "--port", value)
        if not sockets and not hosts and "UVICORN_HOST" not in env:
            add("host", "127.0.0.1", "", "--host 0.0.0.0")
        if not sockets and not ports and "UVICORN_PORT" not in env:
            add("port", "8000", "", "--port $PORT")
    elif program == "hypercorn":
        binds = _option_values(args, "--bind", "-b", "--insecure-bind")
        for written, value in binds:
            host_port(written, value, "--bind")
        if not binds and not _has(args, "--config", "-c"):
            add("host", "127.0.0.1", "", "--bind 0.0.0.0:$PORT")
            add("port", "8000", "", "--bind 0.0.0.0:$PORT")
    elif program == "daphne":
        hosts, ports = _option_values(args, "--bind", "-b"), _option_values(args, "--port", "-p")
        sockets = _has(args, "--endpoint", "-e", "--unix-socket", "-u", "--fd")
        for written, value in hosts:
            add("host", value, written, "--bind", value)
        for written, value in ports:
            add("port", value, written, "--port", value)
        if not sockets and not hosts:
            add("host", "127.0.0.1", "", "--bind 0.0.0.0")
        if not sockets and not ports:
            add("port", "8000", "", "--port $PORT")
    elif program == "waitress-serve":
        listens = _option_values(args, "--listen")
        for written, value in listens:
            host_port(written, value, "--listen")
        for written, value in _option_values(args, "--host"):
            add("host", value, written, "--host", value)
        ports = _option_values(args, "--port")
        for written, value in ports:
            add("port", value, written, "--port", value)
        if not ports and not listens and not _has(args, "--unix-socket"):
            add("port", "8080", "", "--port=$PORT")
    elif program == "flask" and "run" in _positionals(args, ("--app", "-A", "--env-file", "-e")):
        run_args = args[args.index("run") + 1 :]
        hosts, ports = _option_values(run_args, "--host", "-h"), _option_values(run_args, "--port", "-p")
        for written, value in hosts:
            add("host", value, written, "--host", value)
        for written, value in ports:
            add("port", value, written, "--port", value)
        if not hosts and "FLASK_RUN_HOST" not in env:
            add("host", "127.0.0.1", "", "--host 0.0.0.0")
        if not ports and "FLASK_RUN_PORT" not in env:
            add("port", "5000", "", "--port $PORT")
    elif program == "manage.py":
        positionals = _positionals(args, ("--settings", "--pythonpath", "-v", "--verbosity"))
        if positionals[:1] == ["runserver"]:
            if len(positionals) > 1:
                addrport = positionals[1]
                if addrport.isdigit() or addrport.startswith("$"):
                    add("port", addrport, addrport, "runserver", addrport)
                else:
                    host_port(addrport, addrport, "runserver")
            else:
                add("host", "127.0.0.1", "", "runserver 0.0.0.0:$PORT", "runserver")
                add("port", "8000", "", "runserver 0.0.0.0:$PORT", "runserver")
    elif program == "http.server":
        positionals = _positionals(args, ("--bind", "-b", "--directory", "-d", "--protocol", "-p"))
        for written, value in _option_values(args, "--bind", "-b"):
            add("host", value, written, "--bind", value)
        if positionals:
            add("port", positionals[0], positionals[0], "http.server", positionals[0])
        else:
            add("port", "8000", "", "http.server $PORT")
    elif program == "next" and _positionals(args, ("-p", "--port", "-H", "--hostname"))[:1] in (["start"], ["dev"]):
        for written, value in _option_values(args, "--port", "-p"):
            add("port", value, written, "--port", value)
        for written, value in _option_values(args, "--hostname", "-H"):
            add("host", value, written, "--hostname", value)
    elif program in ("php", "php-cli") or _PHP.match(program):
        for written, value in _option_values(args, "-S"):
            host_port(written, value, "-S")
    elif program == "java":
        for written, value in _option_values(args, "-Dserver.port", "-Dquarkus.http.port",
                                             "-Dmicronaut.server.port", "--server.port"):
            add("port", value, written, written.split("=", 1)[0], written)
        for written, value in _option_values(args, "-Dserver.address", "-Dquarkus.http.host", "--server.address"):
            add("host", value, written, written.split("=", 1)[0], written)
    elif program == "streamlit" and "run" in args:
        for written, value in _option_values(args, "--server.port"):
            add("port", value, written, "--server.port", value)
        for written, value in _option_values(args, "--server.address"):
            add("host", value, written, "--server.address", value)
    elif program not in _NOT_SERVERS and (program == "node" or invocation.last):
        for written, value in _option_values(args, "--port", "-port"):
            add("port", value, written, written.split("=", 1)[0].split(" ", 1)[0], value)
        for written, value in _option_values(args, "--host", "-host", "--hostname"):
            add("host", value, written, written.split("=", 1)[0].split(" ", 1)[0], value)
        for written, value in _option_values(args, "--bind"):
            host_port(written, value, "--bind")
    return found


def _argv_bindings(service: Service, invocation: Invocation) -> list[Binding]:
    """`python3 run.py 0.0.0.0 80` where run.py listens on `sys.argv[2]` (pysource/argv.py): the
    argument in the start command is the port."""
    if not _PYTHON.match(_basename(invocation.words[0])):
        return []
    program, args = program_of(invocation.words)
    if not program.endswith(".py") or not args:
        return []
    script = invocation.words[len(invocation.words) - len(args) - 1]
    path = script_file(service.root, service.files, script)
    if path is None:
        return []
    found = []
    for address in script_addresses(service.root, service.files, service.read_text, path):
        if address.index <= len(args):
            value = args[address.index - 1]
            found.append(Binding(program, address.kind, value, value, f"sys.argv[{address.index}]", invocation,
                                 value))
    return found


# ---- the rules -------------------------------------------------------------------------------
def check(service: Service) -> Iterable[Finding]:
    analysis = analyze(service)
    if analysis is None:
        scripts = _script_analysis(service)
        return [*_bindings_findings(scripts), *_background(scripts)] if scripts is not None else []
    if analysis.overridden:
        return []
    findings: list[Finding] = []
    findings.extend(_missing_start_command(analysis))
    findings.extend(_exec_form_variables(analysis))
    findings.extend(_bindings_findings(analysis))
    findings.extend(_background(analysis))
    return findings


def _finding(analysis: Analysis, code: str, message: str, instruction: Command, needle: str = "",
             fix: Fix | None = None) -> Finding:
    if isinstance(instruction, ScriptSource):  # reported where the script is written; fixes edit Dockerfiles only
        line, column = instruction.locate(needle)
        return Finding(code, f"{instruction.label}: {message}", str(instruction.path), line, column)
    line, column = analysis.model.locate(instruction, needle)
    return Finding(code, message, str(analysis.model.path), line, column, fix=fix)


# Images whose default command is a REPL or a shell: with no CMD the container exits at once.
_NO_SERVER_IMAGES = frozenset({
    "python", "pypy", "node", "golang", "ubuntu", "debian", "alpine", "busybox", "centos", "rockylinux",
    "almalinux", "fedora", "amazonlinux", "openjdk", "eclipse-temurin", "amazoncorretto", "ruby", "rust",
    "gcc", "scratch", "buildpack-deps",
})


def _missing_start_command(analysis: Analysis) -> list[Finding]:
    model = analysis.model
    stage = model.final_stage
    if stage is None or analysis.start is not None:
        return []
    root = stage.root
    ref = image_ref(root.image)
    distroless = re.match(r"^gcr\.io/distroless/(static|base|cc)(-debian\d+)?$", ref.name)
    if not ((ref.official and ref.name in _NO_SERVER_IMAGES) or distroless):
        return []
    return [_finding(
        analysis, MISSING_START_COMMAND,
        f"the final stage sets no CMD or ENTRYPOINT, so the container runs {root.image}'s default "
        f"({'nothing' if ref.name == 'scratch' or distroless else 'an interactive shell or REPL'}), which "
        f"exits at once and the service never becomes healthy; add the command that starts your server, "
        f'e.g. CMD ["node", "server.js"] or CMD ["sh", "-c", "exec gunicorn --bind 0.0.0.0:$PORT app:app"]',
        stage.from_instruction)]


def _exec_form_variables(analysis: Analysis) -> list[Finding]:
    findings, reported = [], set()
    for invocation in analysis.invocations:
        if invocation.shell:
            continue
        program, _ = program_of(invocation.words)
        for word, source in zip(invocation.words, invocation.sources, strict=True):
            if not _PORT_REFERENCE.search(word) or id(source) in reported:
                continue
            if program == "java" and _SPRING_PLACEHOLDER.search(word) and "$PORT" not in word:
                continue  # Spring resolves ${PORT} placeholders itself
            reported.add(id(source))
            keyword = source.cmd.upper()
            own = [w for w, s in zip(invocation.words, invocation.sources, strict=True) if s is source]
            target = keyword if len(own) == len(invocation.words) else "ENTRYPOINT"
            suggestion = json.dumps(["sh", "-c", "exec " + shell_join(invocation.words)])
            extra = "" if target == keyword else " and delete the CMD"
            findings.append(_finding(
                analysis, EXEC_FORM_VARIABLE,
                f"{keyword} is in exec form (a JSON list), which runs no shell: {program} receives the literal "
                f"text {word!r} instead of the port the platform injects. Let a shell expand it: "
                f"{target} {suggestion}{extra}",
                source, word,
                fix=Fix(f"write {target} {suggestion}{extra}", safe=True)))
    return findings


def _bindings_findings(analysis: Analysis) -> list[Finding]:
    findings = []
    for binding in analysis.bindings:
        instruction = binding.invocation.sources[0]
        if binding.loopback:
            if binding.implicit:
                what = (f"{binding.program} listens on {binding.value} by default, which only the container "
                        f"itself can reach")
            else:
                what = f"`{binding.written}` makes {binding.program} listen on {binding.value}, which only the " \
                       f"container itself can reach"
            instead = _host_instead(binding)
            findings.append(_finding(
                analysis, LOOPBACK_BIND,
                f"{what}: the platform's traffic arrives on the container's network interface, so every request "
                f"and health check fails. Listen on all interfaces: {instead}",
                instruction, binding.needle, fix=Fix(f"write {instead}", safe=True)))
        elif binding.literal_port is not None:
            instead = _port_instead(binding)
            if binding.option == "PORT":
                what = (f"`{binding.written}` in the start command overrides the PORT the platform injects, so "
                        f"the server ignores the port configured for the service")
            elif binding.option.startswith("sys.argv"):
                what = (f"`{binding.written}` is {binding.option} of {binding.program}, which listens on that "
                        f"port: the start command fixes the listening port to {binding.value}")
            elif binding.implicit:
                what = (f"{binding.program} listens on its default port {binding.value} because the start command "
                        f"does not pass the port")
            else:
                what = f"`{binding.written}` fixes the listening port to {binding.value}"
            findings.append(_finding(
                analysis, HARDCODED_PORT,
                f"{what}; CloudBase Run tells the container which port to listen on through the PORT environment "
                f"variable. {instead}",
                instruction, binding.needle, fix=None))
    return findings


def _host_instead(binding: Binding) -> str:
    if binding.option in ("--bind", "-S", "--listen"):
        return f"{binding.option} 0.0.0.0:$PORT"
    if binding.option.startswith("runserver"):
        return "runserver 0.0.0.0:$PORT"
    if binding.option.startswith("sys.argv"):
        return f"pass 0.0.0.0 as {binding.program}'s {binding.option}"
    if binding.implicit:
        return binding.option
    separator = "=" if "=" in binding.written else " "
    return f"{binding.option}{separator}0.0.0.0"


def _port_instead(binding: Binding) -> str:
    shell_note = "" if binding.invocation.shell else \
        ' in a shell (shell form, or ["sh", "-c", "exec ..."]: exec form does not expand variables)'
    if binding.option == "PORT":
        return f"Remove it and read PORT (use ${{PORT:-{binding.value}}} where a local default is needed)."
    if binding.option in ("--bind", "-S", "--listen") or binding.option.startswith("runserver"):
        option = "runserver" if binding.option.startswith("runserver") else binding.option
        return f"Write {option} 0.0.0.0:${{PORT:-{binding.value}}}{shell_note}."
    if binding.program == "java" and binding.option.startswith("-D"):
        return (f"Write {binding.option}=${{PORT}} (Spring and Quarkus resolve the placeholder themselves, even "
                f"in exec form), or set server.port=${{PORT:{binding.value}}} in application.properties.")
    if binding.option.startswith("http.server"):
        return f"Write python -m http.server ${{PORT:-{binding.value}}}{shell_note}."
    if binding.option.startswith("sys.argv"):
        return (f"Pass ${{PORT:-{binding.value}}} as {binding.program}'s {binding.option}{shell_note}, or have "
                f"{binding.program} read PORT itself.")
    if binding.implicit:
        return f"Add {binding.option}{shell_note}."
    separator = "=" if "=" in binding.written else " "
    return f"Write {binding.option}{separator}${{PORT:-{binding.value}}}{shell_note}."


_DAEMONS = {
    "supervisord": "supervisord runs several long-lived programs next to the server",
    "cron": "cron runs scheduled jobs in the background",
    "crond": "crond runs scheduled jobs in the background",
}


def _background(analysis: Analysis) -> list[Finding]:
    findings = []
    for invocation in analysis.invocations:
        program, args = program_of(invocation.words)
        text = " ".join(invocation.words)
        reason = None
        if invocation.background == "&":
            reason = f"`{text} &` starts a background process"
        elif invocation.background == "nohup":
            reason = f"`nohup {text}` starts a background process"
        elif program in _DAEMONS:
            reason = _DAEMONS[program]
        elif program == "service" and len(args) >= 2 and args[1] in ("start", "restart"):
            reason = f"`{text}` starts the {args[0]} service in the background"
        elif invocation.words[0].startswith("/etc/init.d/") and args[:1] in (["start"], ["restart"]):
            reason = f"`{text}` starts a daemon in the background"
        elif program == "pm2" and not _has(args, "--no-daemon"):
            reason = "pm2 daemonizes the app and exits (use pm2-runtime, which stays in the foreground)"
        elif program == "gunicorn" and (_has(args, "--daemon") or "-D" in args):
            reason = "gunicorn --daemon detaches from the container's main process"
        if reason is None:
            continue
        findings.append(_finding(
            analysis, BACKGROUND_PROCESS,
            f"{reason}: CloudBase Run allows no background processes outside requests — instances are "
            f"stopped or scaled to zero without warning and only the foreground server is watched, so the "
            f"work is lost or silently dies. Run only the web server here (in the foreground, with exec); move "
            f"background work to its own service or a scheduled trigger",
            invocation.instruction, invocation.words[0]))
    return findings
