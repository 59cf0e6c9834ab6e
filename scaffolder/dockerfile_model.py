"""A service's Dockerfile and build context, parsed once and shared by the Dockerfile checks.

The Dockerfile is parsed with buildkit's own parser (the `dockerfile` package), so line numbers,
line continuations, heredocs and exec vs shell form are exactly what `docker build` sees. On top
of it this module gives the facts the checks compare: build stages, the final stage (following
`FROM <earlier stage>`), `EXPOSE`d ports, `ENV` values, the effective start command (the last
`ENTRYPOINT` and `CMD` combined the way Docker combines them), a small shell-word splitter for
`RUN`/`CMD` scripts, and `.dockerignore` matching with Docker's own pattern rules.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import NamedTuple, TYPE_CHECKING

from scaffolder.deploy_config import server_config
from scaffolder.project import Service, UnparsableFile

if TYPE_CHECKING:
    from dockerfile import Command
else:
    Command = tuple  # buildkit's Command is a namedtuple; here the name only serves annotations
@cache
def buildkit():
    """buildkit's parser (the `dockerfile` package), imported on first use: it is a Go library,
    and the Go runtime it starts on import does not survive fork(), which the engine uses to start
    its workers. See engine._fork_is_safe."""
    import dockerfile

    return dockerfile


@cache
def known_instructions() -> frozenset[str]:
    return frozenset(name.upper() for name in buildkit().all_cmds())
DEFAULT_SHELL = ("/bin/sh", "-c")
_SYNTAX_DIRECTIVE = re.compile(r"^\s*#\s*syntax\s*=\s*(?P<ref>\S+)", re.I)


# ---- which Dockerfile -----------------------------------------------------------------------
def dockerfile_path(service: Service) -> Path | None:
    """The Dockerfile the platform builds: the one serverConfig.Dockerfile names (relative to
    BuildDir or to the service root), else `Dockerfile` in BuildDir or at the service root."""
    return service.memo("dockerfile_path", lambda: next(
        (candidate for candidate in dockerfile_candidates(service) if candidate.is_file()), None))


def dockerfile_candidates(service: Service) -> list[Path]:
    data = server_config_data(service)
    named = data.get("Dockerfile")
    if not isinstance(named, str) or not named.strip() or os.path.isabs(named):
        named = "Dockerfile"
    build_dir = data.get("BuildDir")
    candidates = []
    if isinstance(build_dir, str) and build_dir.strip() and not os.path.isabs(build_dir):
        candidates.append(service.root / build_dir / named)
    candidates.append(service.root / named)
    return candidates


def server_config_data(service: Service) -> dict:
    """serverConfig as a dict ({} when absent or unreadable: the config checks report that)."""
    source = server_config_source(service)
    return source.data if source is not None else {}


def server_config_source(service: Service):
    try:
        return server_config(service)
    except UnparsableFile:
        return None


# ---- the parsed Dockerfile --------------------------------------------------------------------
# Stage and DockerfileModel are plain (not frozen) dataclasses compared by identity: a frozen
# dataclass's __init__ sets every field through object.__setattr__, which made building them cost
# about four times as much, for every stage of every Dockerfile. Treat them as read-only all the same.
@dataclass(eq=False)
class Stage:
    index: int
    image: str  # the FROM reference as written ("" when FROM has none)
    name: str | None  # the `AS` name, lower-cased
    parent: "Stage | None"  # the earlier stage this one is built FROM, if any
    instructions: tuple[Command, ...]  # FROM first
    # Where each kind of instruction (upper-cased) is in `instructions`, FROM left out: the checks ask
    # for the same kinds many times. _stages fills it from the keywords parse_text upper-cases once.
    positions: dict[str, list[int]] = field(repr=False)
    # own() with several kinds, worked out once per combination
    _merged: dict = field(default_factory=dict, init=False, repr=False)

    @property
    def from_instruction(self) -> Command:
        return self.instructions[0]

    @property
    def root(self) -> "Stage":
        """The first stage of the FROM chain: the one whose base is an image, not a stage."""
        stage = self
        while stage.parent is not None:
            stage = stage.parent
        return stage

    def own(self, *names: str) -> list[Command]:
        """This stage's instructions of these kinds (upper-case names), in file order."""
        if len(names) == 1:
            found = self.positions.get(names[0], ())
        else:
            found = self._merged.get(names)
            if found is None:
                found = self._merged[names] = sorted(
                    {position for name in names for position in self.positions.get(name, ())})
        return [self.instructions[position] for position in found]

    def effective(self, *names: str) -> list[Command]:
        """Instructions of these kinds in this stage and the stages it is built FROM, in order."""
        own = self.own(*names)
        return own if self.parent is None else self.parent.effective(*names) + own


class Word(NamedTuple):
    """One argument of the start command and the instruction it comes from; `implicit` marks the
    shell Docker adds in front of a shell-form instruction."""

    text: str
    instruction: Command
    implicit: bool = False


class StartCommand(NamedTuple):
    entrypoint: Command | None
    cmd: Command | None  # None when absent or discarded by a shell-form ENTRYPOINT
    words: tuple[Word, ...]

    @property
    def instructions(self) -> list[Command]:
        return [ins for ins in (self.entrypoint, self.cmd) if ins is not None]

    @property
    def exec_form(self) -> bool:
        """Whether the container's first argument comes from an exec-form (JSON) instruction."""
        return bool(self.words) and not self.words[0].implicit


class ExposedPort(NamedTuple):
    spec: str  # as written: "8080", "8080/tcp", "8000-8010", "$PORT"
    port: int | None  # None when not a literal port
    count: int  # how many ports the spec opens (a range opens several)
    instruction: Command


class EnvValue(NamedTuple):
    name: str
    value: str  # unquoted
    instruction: Command


@dataclass(eq=False)
class DockerfileModel:
    path: Path
    text: str
    lines: tuple[str, ...]
    instructions: tuple[Command, ...]
    stages: tuple[Stage, ...]
    _final_facts: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @cached_property  # asked for a dozen times per Dockerfile
    def final_stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    # -- locations ---------------------------------------------------------------------------
    def column(self, instruction: Command) -> int:
        line = self.lines[instruction.start_line - 1] if instruction.start_line <= len(self.lines) else ""
        return len(line) - len(line.lstrip()) + 1

    def locate(self, instruction: Command, needle: str) -> tuple[int, int]:
        """Line and column of `needle` inside the instruction's lines (its start when not found)."""
        if needle:
            for number in range(instruction.start_line, min(instruction.end_line, len(self.lines)) + 1):
                at = self.lines[number - 1].find(needle)
                if at >= 0:
                    return number, at + 1
        return instruction.start_line, self.column(instruction)

    # -- facts of the final stage ------------------------------------------------------------
    # Several checks ask for the final stage's ports, ENV and start command: each is worked out
    # once per Dockerfile (callers get their own copy of a list or dict).
    def _fact(self, stage: Stage | None, compute):
        if stage is not self.final_stage:
            return compute(stage)
        if compute not in self._final_facts:
            self._final_facts[compute] = compute(stage)
        return self._final_facts[compute]

    def exposed_ports(self, stage: Stage | None = None) -> list[ExposedPort]:
        return list(self._fact(stage or self.final_stage, _stage_ports))

    def env(self, stage: Stage | None = None) -> dict[str, EnvValue]:
        """The last value of each ENV variable in the stage (and the stages it is built FROM)."""
        return dict(self._fact(stage or self.final_stage, _stage_env))

    def shell(self, stage: Stage | None = None) -> tuple[str, ...]:
        return _stage_shell(stage or self.final_stage)

    def start_command(self, stage: Stage | None = None) -> StartCommand | None:
        """What the container runs: the last ENTRYPOINT and CMD of the stage, combined as Docker does
        (exec-form ENTRYPOINT + CMD; a shell-form ENTRYPOINT ignores CMD). None when neither is set."""
        return self._fact(stage or self.final_stage, _stage_start_command)


def _stage_shell(stage: Stage | None) -> tuple[str, ...]:
    shells = stage.effective("SHELL") if stage else []
    return tuple(shells[-1].value) if shells and shells[-1].json and shells[-1].value else DEFAULT_SHELL


def _stage_start_command(stage: Stage | None) -> StartCommand | None:
    """The last ENTRYPOINT and CMD of the stage combined (see DockerfileModel.start_command)."""
    if stage is None:
        return None
    entrypoints, cmds = stage.effective("ENTRYPOINT"), stage.effective("CMD")
    entrypoint = entrypoints[-1] if entrypoints else None
    cmd = cmds[-1] if cmds else None
    if entrypoint is None and cmd is None:
        return None
    shell = _stage_shell(stage)
    words: list[Word] = []
    if entrypoint is not None:
        words.extend(_instruction_words(entrypoint, shell))
        if not entrypoint.json:
            cmd = None  # a shell-form ENTRYPOINT never receives CMD
    if cmd is not None:
        words.extend(_instruction_words(cmd, shell))
    return StartCommand(entrypoint, cmd, tuple(words))


def _stage_ports(stage: Stage | None) -> list[ExposedPort]:
    ports = []
    for instruction in stage.effective("EXPOSE") if stage else []:
        for spec in instruction.value:
            ports.append(_exposed(spec, instruction))
    return ports


def _stage_env(stage: Stage | None) -> dict[str, EnvValue]:
    values: dict[str, EnvValue] = {}
    for instruction in stage.effective("ENV") if stage else []:
        for name, value in env_pairs(instruction):
            values[name] = EnvValue(name, value, instruction)
    return values


def _instruction_words(instruction: Command, shell: tuple[str, ...]) -> list[Word]:
    if instruction.json:
        return [Word(text, instruction) for text in instruction.value]
    script = " ".join(instruction.value)
    return [*(Word(part, instruction, implicit=True) for part in shell), Word(script, instruction)]


def _exposed(spec: str, instruction: Command) -> ExposedPort:
    number = spec.split("/", 1)[0]
    if number.isdigit():
        return ExposedPort(spec, int(number), 1, instruction)
    low, _, high = number.partition("-")
    if low.isdigit() and high.isdigit():
        return ExposedPort(spec, int(low), max(1, int(high) - int(low) + 1), instruction)
    return ExposedPort(spec, None, 1, instruction)


def unquote(text: str) -> str:
    """A Dockerfile word without its shell quoting: `"a b"` -> `a b`, `a\\ b` -> `a b`."""
    if '"' not in text and "'" not in text and "\\" not in text:
        return text
    try:
        return " ".join(shlex.split(text, comments=False, posix=True))
    except ValueError:
        return text


def env_pairs(instruction: Command) -> list[tuple[str, str]]:
    """(name, value) of an ENV instruction, `ENV A=1 B=2` and legacy `ENV A 1` alike."""
    values = instruction.value
    return [(values[i], unquote(values[i + 1])) for i in range(0, len(values) - 1, 2)]


def arg_pairs(instruction: Command) -> list[tuple[str, str | None]]:
    """(name, default or None) of an ARG instruction."""
    pairs = []
    for word in instruction.value:
        name, sep, default = unquote(word).partition("=")
        pairs.append((name, default if sep else None))
    return pairs


# ---- parsing ------------------------------------------------------------------------------------
def parse(service: Service) -> DockerfileModel | None:
    """The service's Dockerfile, parsed once per service (None when it has none). The memo is asked
    first: every check of the service calls this, and the path is only needed the first time."""
    result = service.memo("dockerfile", lambda: _parse_service(service))
    if isinstance(result, UnparsableFile):
        raise result
    return result


def _parse_service(service: Service) -> DockerfileModel | UnparsableFile | None:
    path = dockerfile_path(service)
    if path is None:
        return None
    try:
        return parse_text(path, service.read_text(path))
    except UnparsableFile as error:
        return error


def parse_text(path: Path, text: str) -> DockerfileModel:
    try:
        instructions = tuple(buildkit().parse_string(text))
    except buildkit().GoParseError as error:
        message = str(error)
        raise UnparsableFile(path, f"Dockerfile syntax error: {message}", _error_line(text, message)) from None
    lines = tuple(text.splitlines())
    keywords = [instruction.cmd.upper() for instruction in instructions]
    _check_instructions(path, lines, instructions, keywords)
    return DockerfileModel(path, text, lines, instructions, _stages(instructions, keywords))


def _error_line(text: str, message: str) -> int:
    """buildkit's errors carry no line: the first prefix of the file that fails the same way."""
    if message == "file with no instructions":
        return 1
    lines = text.splitlines(keepends=True)
    for count in range(1, len(lines) + 1):
        try:
            buildkit().parse_string("".join(lines[:count]))
        except buildkit().GoParseError as error:
            if str(error) == message:
                return count
    return 1


def _check_instructions(path: Path, lines: tuple[str, ...], instructions: tuple[Command, ...],
                        keywords: list[str]) -> None:
    """What buildkit's parser accepts but `docker build` then refuses."""
    first = next((line for line in lines if line.strip()), "")
    syntax = _SYNTAX_DIRECTIVE.match(first)
    if syntax and not re.match(r"^(docker\.io/)?docker/dockerfile(-upstream)?(:|@|$)", syntax.group("ref")):
        return  # a custom frontend defines its own instructions
    known = known_instructions()
    seen_from = False
    for instruction, keyword in zip(instructions, keywords):
        if keyword not in known:
            raise UnparsableFile(path, f"unknown instruction {instruction.cmd!r}: docker build refuses it",
                                 instruction.start_line)
        if keyword == "FROM":
            seen_from = True
            if not instruction.value:
                raise UnparsableFile(path, "FROM needs an image (FROM <image>[:tag])", instruction.start_line)
        elif not seen_from and keyword != "ARG":
            raise UnparsableFile(path, f"{keyword} before the first FROM: only ARG may come before FROM",
                                 instruction.start_line)


def _stages(instructions: tuple[Command, ...], keywords: list[str]) -> tuple[Stage, ...]:
    """One stage from each FROM up to the next (what comes before the first FROM is in none)."""
    starts = [index for index, keyword in enumerate(keywords) if keyword == "FROM"]
    ends = [*starts[1:], len(instructions)]
    stages: list[Stage] = []
    for start, end in zip(starts, ends):
        head = instructions[start]
        image = head.value[0] if head.value else ""
        name = head.value[2].lower() if len(head.value) >= 3 and head.value[1].upper() == "AS" else None
        parent = next((stage for stage in reversed(stages) if stage.name and stage.name == image.lower()), None)
        positions: dict[str, list[int]] = {}
        for index in range(start + 1, end):
            positions.setdefault(keywords[index], []).append(index - start)
        stages.append(Stage(len(stages), image, name, parent, instructions[start:end], positions))
    return tuple(stages)


# ---- images -------------------------------------------------------------------------------------
class ImageRef(NamedTuple):
    name: str  # "python" for an official image, "ghcr.io/org/app" otherwise
    tag: str | None
    digest: str | None
    official: bool


def image_ref(reference: str) -> ImageRef:
    rest, _, digest = reference.partition("@")
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    tag = None
    if colon > slash:
        rest, tag = rest[:colon], rest[colon + 1 :]
    for prefix in ("docker.io/library/", "index.docker.io/library/", "library/", "docker.io/"):
        if rest.startswith(prefix) and "/" not in rest[len(prefix) :]:
            rest = rest[len(prefix) :]
            break
    return ImageRef(rest, tag, digest or None, official="/" not in rest)


# ---- shell scripts ------------------------------------------------------------------------------
class SimpleCommand(NamedTuple):
    words: tuple[str, ...]
    operator: str  # what follows it: "&&", "||", ";", "|", "&" or "" at the end


_OPERATOR_TOKENS = frozenset({"&&", "||", ";", "|", "&", "|&", ";;", ";&"})
_PUNCTUATION = "();<>|&"
# Without quotes or backslashes, shlex (as split_script configures it) only splits at its whitespace
# (space, tab, CR, LF) and around runs of punctuation: this regex gives the very same tokens.
_PLAIN_TOKEN = re.compile(r"[();<>|&]+|[^ \t\r\n();<>|&]+")


def split_script(script: str) -> list[SimpleCommand]:
    """A shell script as simple commands with the operator that ends each: good enough to find
    programs and their arguments (quotes removed, `$VAR` kept as written)."""
    tokens = _shell_tokens(script)
    commands: list[SimpleCommand] = []
    words: list[str] = []
    for token in tokens:
        if token in _OPERATOR_TOKENS:
            if words:
                commands.append(SimpleCommand(tuple(words), token))
            words = []
        elif token in ("(", ")", "{", "}"):
            continue
        else:
            words.append(token)
    if words:
        commands.append(SimpleCommand(tuple(words), ""))
    return commands


def _shell_tokens(script: str) -> list[str]:
    """The script's words and operators, a line break counting as `;`."""
    lines = script.replace("\n", " ; ")
    if "'" not in script and '"' not in script and "\\" not in script:
        return _PLAIN_TOKEN.findall(lines)  # shlex is slow, and most scripts need none of it
    lexer = shlex.shlex(lines, posix=True, punctuation_chars=_PUNCTUATION)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError:  # an unterminated quote: fall back to plain words
        return script.split()


def shell_join(words) -> str:
    """Words as one shell command line that still expands `$VAR` (unlike shlex.join)."""
    parts = []
    for word in words:
        if word and re.fullmatch(r"[A-Za-z0-9_@%+=:,./${}-]+", word):
            parts.append(word)
        else:
            parts.append('"' + re.sub(r'(["\\`])', r"\\\1", word) + '"')
    return " ".join(parts)


# ---- .dockerignore ------------------------------------------------------------------------------
class IgnorePattern(NamedTuple):
    pattern: str
    exclusion: bool  # a `!pattern` line re-includes
    regex: re.Pattern | None  # None for a plain name (no wildcard or escape), which is compared as text
    line: int

    def matches(self, candidates: list[str]) -> bool:
        if self.regex is None:
            # what `^name$` matches: the name, or the name and a final line break
            return self.pattern in candidates or self.pattern + "\n" in candidates
        return any(map(self.regex.match, candidates))


def parse_dockerignore(text: str) -> list[IgnorePattern]:
    """Docker's rules: `#` comments, `!` negation, leading `/` and `./` dropped, `**` any depth."""
    patterns = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.startswith("#"):
            continue
        pattern = raw.strip()
        if not pattern:
            continue
        exclusion = pattern.startswith("!")
        if exclusion:
            pattern = pattern[1:].strip()
            if not pattern:
                continue
        if "/" in pattern or os.sep in pattern:  # normpath leaves a single name as it is
            pattern = os.path.normpath(pattern).replace(os.sep, "/")
        if pattern.startswith("/") and len(pattern) > 1:
            pattern = pattern.lstrip("/")
        regex = _compile(pattern) if _GLOB_CHARS.search(pattern) else None
        patterns.append(IgnorePattern(pattern, exclusion, regex, number))
    return patterns


_GLOB_CHARS = re.compile(r"[*?\[\\]")


def _compile(pattern: str) -> re.Pattern:
    out, index = ["^"], 0
    while index < len(pattern):
        char = pattern[index]
        if char == "*":
            if pattern.startswith("**", index):
                index += 2
                if index < len(pattern) and pattern[index] == "/":
                    index += 1
                out.append(".*" if index >= len(pattern) else "(.*/)?")
                continue
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", index + 1)
            if end < 0:
                out.append(r"\[")
            else:
                body = pattern[index + 1 : end]
                out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
                index = end
        elif char == "\\" and index + 1 < len(pattern):
            index += 1
            out.append(re.escape(pattern[index]))
        else:
            out.append(re.escape(char))
        index += 1
    out.append("$")
    try:
        return re.compile("".join(out))
    except re.error:
        return re.compile(re.escape(pattern) + "$")


def is_ignored(patterns: list[IgnorePattern], path: str) -> bool:
    """Whether the context path (e.g. `.git/HEAD`) is left out: the last matching pattern wins, and
    a pattern that matches a parent folder matches everything in it."""
    parts = path.split("/")
    candidates = ["/".join(parts[: index + 1]) for index in range(len(parts))]
    ignored = False
    for pattern in patterns:
        # A match sets `ignored` to `not pattern.exclusion`: only a pattern that would flip it needs testing.
        if pattern.exclusion == ignored and pattern.matches(candidates):
            ignored = not pattern.exclusion
    return ignored
