"""The Dockerfile and its build context: ports (EXPOSE, ENV PORT, start command, serverConfig.Port),
base image size, .dockerignore, layer order, secrets, and whether the service should have a
Dockerfile at all. The start command's own rules live in checks/start_command.py."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterable, NamedTuple

from scaffolder.checks.start_command import analyze
from scaffolder.dockerfile_model import (
    Command,
    DockerfileModel,
    arg_pairs,
    dockerfile_candidates,
    dockerfile_path,
    env_pairs,
    image_ref,
    is_ignored,
    parse,
    parse_dockerignore,
    server_config_data,
    server_config_source,
    split_script,
)
from scaffolder.findings import Edit, Finding, Fix
from scaffolder.project import Service, UnparsableFile
from scaffolder.secrets import looks_like_secret

PORT_MISMATCH = "CBR101"
MULTIPLE_PORTS = "CBR102"
NON_SLIM_BASE = "CBR107"
MISSING_DOCKERIGNORE = "CBR108"
DOCKERIGNORE_ENTRIES = "CBR109"
INSTALL_AFTER_COPY = "CBR110"
SECRET_IN_DOCKERFILE = "CBR111"
DOCKERFILE_IN_FUNCTION = "CBR112"
MISSING_DOCKERFILE = "CBR113"
VOLUME = "CBR115"
CODES = frozenset({PORT_MISMATCH, MULTIPLE_PORTS, NON_SLIM_BASE, MISSING_DOCKERIGNORE, DOCKERIGNORE_ENTRIES,
                   INSTALL_AFTER_COPY, SECRET_IN_DOCKERFILE, DOCKERFILE_IN_FUNCTION, MISSING_DOCKERFILE, VOLUME})


def check(service: Service) -> Iterable[Finding]:
    findings = list(_layout(service))
    try:
        model = parse(service)
    except UnparsableFile as error:
        findings.append(Finding("CBR001", error.message, str(error.path), error.line, error.column))
        return findings
    if model is None:
        return findings
    for rule in (_port_mismatch, _multiple_ports, _non_slim_base, _dockerignore, _install_after_copy,
                 _secrets, _volumes):
        findings.extend(rule(service, model))
    return findings


def _at(model: DockerfileModel, code: str, message: str, instruction: Command, needle: str = "",
        fix: Fix | None = None) -> Finding:
    line, column = model.locate(instruction, needle)
    return Finding(code, message, str(model.path), line, column, fix=fix)


# ---- does the service need a Dockerfile? -------------------------------------------------------
def _layout(service: Service) -> list[Finding]:
    findings = []
    root_dockerfile = service.root / "Dockerfile" if service.is_function_like else None
    if root_dockerfile is not None and root_dockerfile.is_file():
        text = service.read_text(root_dockerfile)  # read so that inline suppressions are seen
        first = next((n for n, line in enumerate(text.splitlines(), 1) if line.strip() and not
                      line.lstrip().startswith("#")), 1)
        framework = "@cloudbase/aiagent-framework" if service.mode == "agent" else "@cloudbase/functions-framework"
        findings.append(Finding(
            DOCKERFILE_IN_FUNCTION,
            f"this is a {service.mode}-mode service (package.json depends on {framework}), but a Dockerfile "
            f"next to it makes the platform deploy it in container mode: it builds this Dockerfile and runs its "
            f"command instead of the functions framework it would build for you. Delete the Dockerfile "
            f"(function mode needs none), or drop the functions framework and make it a container service",
            str(root_dockerfile), first, 1))
    if service.mode == "container" and dockerfile_path(service) is None:
        finding = _missing_dockerfile(service)
        if finding is not None:
            findings.append(finding)
    return findings


def _missing_dockerfile(service: Service) -> Finding | None:
    source = server_config_source(service)
    data = source.data if source is not None else {}
    named = data.get("Dockerfile")
    if isinstance(named, str) and named.strip() and os.path.normpath(named) != "Dockerfile":
        return None  # a named Dockerfile that does not exist is serverConfig's rule (CBR412)
    if isinstance(data.get("BuildDir"), str) and data["BuildDir"].strip():
        build_dir = service.root / data["BuildDir"]
        if not build_dir.is_dir():
            return None  # CBR412 reports the missing BuildDir
    if service.config_file is None:
        if service.cloudbaserc is None:
            return None
        try:
            document = service.read_json(service.cloudbaserc)
        except UnparsableFile:
            return None
        if not isinstance(document, dict) or not isinstance(document.get("cloudrun"), dict):
            return None  # not a CloudBase Run service (e.g. cloud functions or static hosting)
    if source is not None:
        path = source.path
        line, column = source.location("Dockerfile") if "Dockerfile" in data else _key_location(source.text, "cloudrun")
    else:
        path, line, column = service.cloudbaserc, 1, 1
    where = "/".join(candidate.relative_to(service.root).as_posix() for candidate in dockerfile_candidates(service)[:1])
    return Finding(
        MISSING_DOCKERFILE,
        f"this is a CloudBase Run container-mode service (no @cloudbase/functions-framework in package.json) but "
        f"there is no {where}: container mode builds the image from a Dockerfile, so the deploy fails. Add a "
        f"Dockerfile that starts the server on $PORT (`scaffolder new container <dir>` generates one to copy from), or make it a "
        f"function-mode service by depending on @cloudbase/functions-framework",
        str(path), line, column)


def _key_location(text: str, key: str) -> tuple[int, int]:
    match = re.search(r'"' + re.escape(key) + r'"\s*:', text)
    if not match:
        return 1, 1
    offset = match.start()
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


# ---- ports ---------------------------------------------------------------------------------------
def _port_value(text: str) -> int | None:
    return int(text) if text.isdigit() and 0 < int(text) < 65536 else None


class _Claim(NamedTuple):
    """One place that names the port: ENV PORT, the start command, or EXPOSE."""

    kind: str  # "env", "cmd" or "expose"
    ports: tuple[tuple[int, int], ...]  # (first port, how many)
    instruction: Command
    needle: str
    evidence: object = None  # the start command's Binding, or the EXPOSEd ports, for the description

    def agrees(self, port: int) -> bool:
        return any(low <= port < low + count for low, count in self.ports)

    @property
    def description(self) -> str:  # only a finding needs it
        line = self.instruction.start_line
        if self.kind == "env":
            return f"ENV PORT={self.ports[0][0]} (Dockerfile line {line})"
        if self.kind == "cmd":
            binding = self.evidence
            if binding.implicit:
                return f"{binding.program} listens on its default port {binding.value} (Dockerfile line {line})"
            return f"the start command listens on {binding.value} (`{binding.written}`, Dockerfile line {line})"
        return f"EXPOSE {' '.join(port.spec for port in self.evidence)} (Dockerfile line {line})"

    @property
    def value(self) -> str:
        return " ".join(str(low) if count == 1 else f"{low}-{low + count - 1}" for low, count in self.ports)


_ADVICE = {
    "env": "write ENV PORT={port}, or drop it (the platform injects PORT)",
    "cmd": "listen on $PORT instead of a fixed port",
    "expose": "write EXPOSE {port}",
}


def _port_claims(service: Service, model: DockerfileModel) -> list[_Claim]:
    """The claims in the order env, cmd, expose."""
    claims = []
    env = model.env().get("PORT")
    env_port = _port_value(env.value) if env is not None else None
    if env_port is not None:
        claims.append(_Claim("env", ((env_port, 1),), env.instruction, "PORT"))
    analysis = analyze(service)
    binding = analysis.listening_port() if analysis is not None else None
    if binding is not None:
        claims.append(_Claim("cmd", ((binding.literal_port, 1),), binding.invocation.instruction, binding.needle,
                             binding))
    exposed = [port for port in model.exposed_ports() if port.port is not None]
    if exposed:
        claims.append(_Claim("expose", tuple((port.port, port.count) for port in exposed), exposed[0].instruction,
                             exposed[0].spec, exposed))
    return claims


def _port_mismatch(service: Service, model: DockerfileModel) -> list[Finding]:
    claims = _port_claims(service, model)
    source = server_config_source(service)
    config_port = source.data.get("Port") if source is not None else None
    if isinstance(config_port, bool) or not isinstance(config_port, int) or not 0 < config_port < 65536:
        config_port = None
    if config_port is not None:
        wrong = [claim for claim in claims if not claim.agrees(config_port)]
        if not wrong:
            return []
        line, column = source.location("Port")
        if len(wrong) > 1 and len(wrong) == len(claims) and len({claim.value for claim in wrong}) == 1:
            # The Dockerfile agrees with itself: the config is the odd one out.
            said = wrong[0].value
            return [Finding(PORT_MISMATCH,
                            f"serverConfig Port is {config_port} but the Dockerfile says {said} "
                            f"({'; '.join(claim.description for claim in wrong)}): the platform sends requests and "
                            f"health checks to Port, so they fail. Set Port to {said}, or change the Dockerfile "
                            f"to {config_port}", str(source.path), line, column,
                            fix=_align_all(model, wrong, config_port))]
        reference = f"serverConfig Port {config_port} ({source.path.name} line {line})"
        return [_mismatch(model, claim, reference, config_port) for claim in wrong]
    # claims come in the order env, cmd, expose: the first is the reference
    if len(claims) < 2 or claims[0].kind == "expose":
        return []
    head = claims[0]
    port = head.ports[0][0]
    return [_mismatch(model, claim, head.description, port) for claim in claims[1:] if not claim.agrees(port)]


def _mismatch(model: DockerfileModel, claim: _Claim, reference: str, port: int) -> Finding:
    advice = _ADVICE[claim.kind].format(port=port)
    edit = _port_edit(model, claim, port)
    fix = Fix(advice.split(",")[0], safe=claim.kind == "expose", edits=(edit,)) if edit else None
    return _at(model, PORT_MISMATCH,
               f"{claim.description} disagrees with {reference}: the service must listen on the one port the "
               f"platform sends requests and health checks to. {advice[0].upper()}{advice[1:]}",
               claim.instruction, claim.needle, fix=fix)


def _port_edit(model: DockerfileModel, claim: _Claim, port: int) -> Edit | None:
    """For --fix: the port number of ENV PORT or of the first EXPOSE, rewritten to `port` in place
    (a port in the start command is CBR104's business)."""
    if claim.kind == "env":
        pattern = re.compile(r"(?<![\w-])PORT(?:=|\s+)[\"']?(?P<port>\d+)")
    elif claim.kind == "expose" and claim.ports[0][1] == 1:
        pattern = re.compile(r"(?<!\S)(?P<port>" + str(claim.ports[0][0]) + r")(?=/|\s|$)")
    else:
        return None
    instruction = claim.instruction
    for number in range(instruction.start_line, min(instruction.end_line, len(model.lines)) + 1):
        match = pattern.search(model.lines[number - 1])
        if match and match.group("port") == str(claim.ports[0][0]):
            return Edit("replace", (number, match.start("port") + 1), str(port), match.group("port"), str(model.path))
    return None


def _align_all(model: DockerfileModel, claims: list[_Claim], port: int) -> Fix | None:
    """serverConfig Port is the odd one out: the Dockerfile's ENV PORT and EXPOSE can follow it,
    unless the start command fixes the port itself."""
    edits = [_port_edit(model, claim, port) for claim in claims]
    if not edits or None in edits:
        return None
    return Fix(f"change ENV PORT and EXPOSE in the Dockerfile to {port}", safe=False, edits=tuple(edits))


def _multiple_ports(service: Service, model: DockerfileModel) -> list[Finding]:
    seen: dict[str, object] = {}
    for port in model.exposed_ports():
        keys = [str(port.port + offset) for offset in range(port.count)] if port.port is not None else [port.spec]
        for key in keys:
            if key not in seen:
                seen[key] = port
    if len(seen) <= 1:
        return []
    ports = list(seen)
    second = list(seen.values())[1]
    env = model.env().get("PORT")
    preferred = [server_config_data(service).get("Port"), env.value if env is not None else None]
    keep = next((str(port) for port in preferred if str(port) in seen), ports[0])
    shown = ", ".join(ports[:6]) + (" ..." if len(ports) > 6 else "")
    return [_at(model, MULTIPLE_PORTS,
                f"the image exposes {len(ports)} ports ({shown}) but CloudBase Run opens exactly one port per "
                f"service (serverConfig Port) and nothing reaches the others; keep a single EXPOSE {keep} and "
                f"serve everything on it (or split the other listener into its own service)",
                second.instruction, second.spec)]


# ---- image -------------------------------------------------------------------------------------
_DEBIAN_SUITES = ("bookworm", "bullseye", "buster", "trixie", "stretch")


def _slim_tag(name: str, tag: str) -> str:
    if tag in ("", "latest"):
        return "3-slim" if name == "python" else "lts-slim"
    for suite in _DEBIAN_SUITES:
        if tag == suite:
            return f"slim-{suite}" if name == "python" else f"{suite}-slim"
        if tag.endswith("-" + suite):
            base = tag[: -len(suite) - 1]
            return f"{base}-slim-{suite}" if name == "python" else f"{tag}-slim"
    return f"{tag}-slim"


def _non_slim_base(service: Service, model: DockerfileModel) -> list[Finding]:
    stage = model.final_stage
    if stage is None:
        return []
    root = stage.root
    ref = image_ref(root.image)
    if not ref.official or ref.name not in ("python", "node") or "$" in root.image:
        return []
    tag = ref.tag or ""
    if ref.digest and not ref.tag:
        return []
    if any(word in tag for word in ("slim", "alpine", "windowsservercore", "nanoserver")):
        return []
    suggestion = f"{ref.name}:{_slim_tag(ref.name, tag)}"
    alpine = f" or {ref.name}:{tag or 'lts'}-alpine" if ref.name == "node" and not any(
        suite in tag for suite in _DEBIAN_SUITES) else ""
    written = root.image
    return [_at(model, NON_SLIM_BASE,
                f"the final image is built on {written}, the full Debian image with compilers and build tools "
                f"(about 1 GB): every deploy uploads it and every cold start pulls it. Use {suggestion}{alpine}; "
                f"if a dependency must compile, build it in an earlier stage from the full image and copy the "
                f"result into the slim one",
                root.from_instruction, written,
                fix=Fix(f"change the base image to {suggestion}", safe=False,
                        edits=(Edit("replace", model.locate(root.from_instruction, written), suggestion, written),)))]


# ---- build context ------------------------------------------------------------------------------
_WHOLE_CONTEXT = frozenset({".", "./", "*", "./*"})


def _whole_context_copy(model: DockerfileModel, stage=None) -> Command | None:
    stages = [stage] if stage is not None else model.stages
    for each in stages:
        for instruction in each.own("COPY", "ADD"):
            if _copies_whole_context(instruction):
                return instruction
    return None


def _copies_whole_context(instruction: Command) -> bool:
    """A COPY or ADD of the whole build context (`COPY . .`), not from another stage."""
    if len(instruction.value) < 2 or _WHOLE_CONTEXT.isdisjoint(instruction.value[:-1]):
        return False
    return not any(flag.startswith("--from") for flag in instruction.flags)


def _final_chain_copy(model: DockerfileModel) -> Command | None:
    stage = model.final_stage
    while stage is not None:
        found = _whole_context_copy(model, stage)
        if found is not None:
            return found
        stage = stage.parent
    return None


def _dockerignore_path(service: Service, model: DockerfileModel) -> Path | None:
    """`<Dockerfile>.dockerignore` beside the Dockerfile, else `.dockerignore` beside it, else at the
    service root. Looked up as strings: a Path is only made for the one found. In the service root
    a name that discovery did not list cannot be a file, so only listed names cost a stat (and the
    root, usually the Dockerfile's own folder, is not looked in twice)."""
    beside = model.path.parent
    beside_text, root_text = str(beside), str(service.root)
    candidates = [(beside, beside_text, model.path.name + ".dockerignore"), (beside, beside_text, ".dockerignore")]
    if root_text != beside_text:
        candidates.append((service.root, root_text, ".dockerignore"))
    for folder, folder_text, name in candidates:
        if folder_text == root_text and not service.has(name):
            continue
        if os.path.isfile(os.path.join(folder_text, name)):
            return folder / name
    return None


def _dockerignore(service: Service, model: DockerfileModel) -> list[Finding]:
    copy = _whole_context_copy(model)
    if copy is None:
        return []  # nothing copies the whole folder: what is in it cannot reach the image
    wanted = []
    final_copy = _final_chain_copy(model)
    if final_copy is not None:  # .git and .env matter where they reach the final image
        copy = final_copy
        wanted += [(".git", ".git/HEAD"), (".env", ".env")]
    if service.has("package.json"):  # a local node_modules breaks the install in any stage
        wanted.append(("node_modules", "node_modules/package/index.js"))
    if not wanted:
        return []
    path = _dockerignore_path(service, model)
    names = ", ".join(name for name, _ in wanted)
    if path is None:
        where = "the image (with .env, every secret in it)" if final_copy is not None else "the build"
        return [_at(model, MISSING_DOCKERIGNORE,
                    f"`{copy.original.strip()}` copies the whole folder and there is no .dockerignore, so "
                    f"{names} end up in {where}. Create .dockerignore next to the Dockerfile with "
                    f"{'this line' if len(wanted) == 1 else 'these lines'}: {names}",
                    copy, "", fix=Fix(f"create .dockerignore containing {names}", safe=False,
                                      edits=(Edit("create", text="".join(f"{name}\n" for name, _ in wanted),
                                                  path=str(model.path.parent / ".dockerignore")),)))]
    patterns = parse_dockerignore(service.read_text(path))
    missing = [name for name, probe in wanted if not is_ignored(patterns, probe)]
    if not missing:
        return []
    listed = ", ".join(missing)
    harm = []
    if ".env" in missing:
        harm.append(".env puts its secrets into every image layer")
    if ".git" in missing:
        harm.append(".git ships the whole history")
    if "node_modules" in missing:
        harm.append("node_modules from your machine overwrites the modules installed for Linux")
    return [Finding(DOCKERIGNORE_ENTRIES,
                    f".dockerignore does not exclude {listed}, which `{copy.original.strip()}` (Dockerfile line "
                    f"{copy.start_line}) then copies into the image: {'; '.join(harm)}. Add "
                    f"{'this line' if len(missing) == 1 else 'these lines'}: {listed}",
                    str(path), 1, 1, fix=Fix(f"add {listed} to .dockerignore", safe=False,
                                             edits=(Edit("append", text="".join(f"{name}\n" for name in missing)),)))]


# ---- layer order ---------------------------------------------------------------------------------
_MANIFESTS = {"npm": "package*.json", "yarn": "package.json yarn.lock", "pnpm": "package.json pnpm-lock.yaml",
              "go": "go.mod go.sum", "bundle": "Gemfile Gemfile.lock", "composer": "composer.json composer.lock"}


# Compiled here rather than passed to re.match as text: these run for every command of every RUN.
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_PYTHON = re.compile(r"^python(\d(\.\d+)?)?$")
_PIP = re.compile(r"^pip(\d(\.\d+)?)?$")


def _run_commands(instruction: Command) -> list[tuple[str, ...]]:
    if instruction.json:
        return [tuple(instruction.value)]
    scripts = [heredoc.content for heredoc in instruction.heredocs] or [" ".join(instruction.value)]
    commands = []
    for script in scripts:
        for command in split_script(script):
            words = list(command.words)
            while words and (_ASSIGNMENT.match(words[0]) or words[0] in ("sudo", "env", "exec")):
                words = words[1:]
            if words:
                commands.append(tuple(words))
    return commands


def _installer(words: tuple[str, ...]) -> tuple[str, str] | None:
    """(tool, what to copy first) when the command installs dependencies from a manifest."""
    base = words[0].rsplit("/", 1)[-1]
    args = words[1:]
    if _PYTHON.match(base) and args[:2] == ("-m", "pip"):
        base, args = "pip", args[2:]
    if base == "uv" and args[:1] == ("pip",):
        base, args = "pip", args[1:]
    positional = [arg for arg in args if not arg.startswith("-")]
    if _PIP.match(base) and "install" in args:
        for index, arg in enumerate(args):
            if arg in ("-r", "--requirement") and index + 1 < len(args):
                return "pip", args[index + 1]
            if arg.startswith("--requirement="):
                return "pip", arg.split("=", 1)[1]
            if arg.startswith("-r") and len(arg) > 2 and not arg.startswith("--"):
                return "pip", arg[2:]
        return None
    if base == "npm" and positional[:1] == ["ci"]:
        return "npm", _MANIFESTS["npm"]
    if base == "npm" and positional[:1] in (["install"], ["i"]) and len(positional) == 1:
        return "npm", _MANIFESTS["npm"]
    if base == "yarn" and (not positional or positional == ["install"]):
        return "yarn", _MANIFESTS["yarn"]
    if base == "pnpm" and positional[:1] in (["install"], ["i"]) and len(positional) == 1:
        return "pnpm", _MANIFESTS["pnpm"]
    if base == "go" and positional[:2] == ["mod", "download"]:
        return "go", _MANIFESTS["go"]
    if base in ("bundle", "composer") and positional[:1] == ["install"] and len(positional) == 1:
        return base, _MANIFESTS[base]
    return None


def _install_after_copy(service: Service, model: DockerfileModel) -> list[Finding]:
    findings = []
    for stage in model.stages:
        copy = None
        for instruction in stage.own("COPY", "ADD", "RUN"):  # nothing else changes what happens
            keyword = instruction.cmd.upper()
            if keyword in ("COPY", "ADD") and copy is None and _copies_whole_context(instruction):
                copy = instruction
            elif keyword == "RUN" and copy is not None:
                for words in _run_commands(instruction):
                    found = _installer(words)
                    if found is None:
                        continue
                    tool, manifest = found
                    what = f"`{' '.join(words)}`"
                    first = f"`COPY {manifest if tool == 'pip' else _MANIFESTS[tool]} ./`"
                    findings.append(_at(
                        model, INSTALL_AFTER_COPY,
                        f"{what} runs after `{copy.original.strip()}` (line {copy.start_line}), so any source change "
                        f"invalidates the cache and every build re-installs all dependencies, which slows every "
                        f"deploy. Copy only the manifests first: {first}, then {what}, then `COPY . .`",
                        instruction, words[0]))
                    break
    return findings


# ---- secrets ---------------------------------------------------------------------------------
def _secrets(service: Service, model: DockerfileModel) -> list[Finding]:
    findings = []
    for stage in model.stages:
        for instruction in stage.own("ENV", "ARG"):
            keyword = instruction.cmd.upper()
            pairs = env_pairs(instruction) if keyword == "ENV" else arg_pairs(instruction)
            for name, value in pairs:
                if value is None or not looks_like_secret(name, value):
                    continue
                where = "every image layer and `docker history`" if keyword == "ARG" else \
                    "the image: anyone who can pull it reads it with `docker inspect`"
                findings.append(_at(
                    model, SECRET_IN_DOCKERFILE,
                    f"{keyword} {name} holds a literal secret: it is committed with the Dockerfile and stored in "
                    f"{where}. Remove the value (and rotate the secret); set {name} as an environment variable of "
                    f"the service in the CloudBase console instead, so it is injected at run time",
                    instruction, name))
    return findings


# ---- state ---------------------------------------------------------------------------------------
def _volumes(service: Service, model: DockerfileModel) -> list[Finding]:
    stage = model.final_stage
    findings = []
    for instruction in stage.effective("VOLUME") if stage else []:
        paths = " ".join(instruction.value)
        findings.append(_at(
            model, VOLUME,
            f"VOLUME {paths}: CloudBase Run mounts no persistent disk there, so whatever the service writes "
            f"is lost when the instance is stopped, scaled in or redeployed, and each instance sees its own "
            f"copy. Keep state outside the instance (a database, Cloud Storage or a cache) and remove VOLUME",
            instruction))
    return findings
