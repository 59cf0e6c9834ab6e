"""Dockerfile fixes worked out from the finding's location, on the instruction's own lines.

CBR103: an exec-form start command that names `$PORT` is rewritten so that a shell expands it:
    CMD ["gunicorn", "--bind", ":$PORT", "app:app"]  ->  CMD ["sh", "-c", "exec gunicorn --bind :$PORT app:app"]
  An ENTRYPOINT followed by a CMD keeps the CMD as its arguments (`exec ... "$@"`); a CMD behind an
  ENTRYPOINT that is a real program (not tini or dumb-init) is merged into the ENTRYPOINT. Every word
  is quoted so that the shell expands `$PORT`, `${PORT}` and `${PORT:-default}` and nothing else:
  other `$`, backquotes, backslashes, quotes, globs and spaces reach the program as they were. Left
  alone: images without a shell (scratch, distroless), and a CMD that is only arguments for the base
  image's ENTRYPOINT (`CMD ["--port", "$PORT"]`), which a shell would try to run as a command.
CBR105: a loopback host in the start command becomes 0.0.0.0 in place (`--bind 127.0.0.1:8000` ->
  `--bind 0.0.0.0:8000`); a server that binds 127.0.0.1 by default gets the option that makes it
  listen on all interfaces right after its name (`uvicorn app:app` -> `uvicorn --host 0.0.0.0 app:app`).

The other Dockerfile fixes (EXPOSE / ENV PORT, base image) are `replace` edits the checks spell out.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from scaffolder.dockerfile_model import Command, DockerfileModel, image_ref, parse_text
from scaffolder.findings import Finding
from scaffolder.fixes.text_edits import FixError, TextEdit, line_offsets, offset_of
from scaffolder.project import UnparsableFile

_PORT_REFERENCE = re.compile(r"\$(PORT\b|\{PORT([:?+-][^}]*)?\})")
# The references a rewritten command lets the shell expand; a default is limited to characters that
# mean nothing to a shell, so that `${PORT:-$(cmd)}` is refused rather than run.
_EXPANDED_PORT = re.compile(r"\$PORT\b|\$\{PORT(?::?[-=?+][A-Za-z0-9_@%+,./:-]*)?\}")
_PLAIN_SHELL_TEXT = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")
_PROGRAM = re.compile(r"(?:\.{0,2}/)?[A-Za-z0-9_][A-Za-z0-9_.+-]*(?:/[A-Za-z0-9_.+-]+)*")
# A bare script name first is a file for the base image's interpreter ENTRYPOINT (node's image runs
# `node server.js` for CMD ["server.js"]), not a program a shell could find.
_SCRIPT_SUFFIXES = (".js", ".mjs", ".cjs", ".ts", ".py", ".rb", ".php", ".jar", ".war")
_WRAPPERS = frozenset({"tini", "tini-static", "dumb-init", "catatonit"})
_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"})
_LOOPBACK = re.compile(r"(?:localhost|ip6-localhost|\[::1\]|::1|127(?:\.\d{1,3}){3})(?![\w.-])", re.I)
_WORD = re.compile(r"[\w.-]+")
# Servers that bind 127.0.0.1 unless told: the word to put the option after, and the option.
_DEFAULT_HOST = {
    "uvicorn": ("uvicorn", ("--host", "0.0.0.0")),
    "daphne": ("daphne", ("--bind", "0.0.0.0")),
    "hypercorn": ("hypercorn", ("--bind", "0.0.0.0:$PORT")),
    "flask": ("run", ("--host", "0.0.0.0")),
    "runserver": ("runserver", ("0.0.0.0:$PORT",)),
}


class DockerfileText:
    """A Dockerfile's current text, parsed with the same parser as the checks."""

    def __init__(self, path: Path, text: str):
        try:
            self.model: DockerfileModel = parse_text(path, text)
        except UnparsableFile as error:
            raise FixError(f"it does not parse any more: {error.message}") from None
        self.text = text
        self.starts = line_offsets(text)

    def instruction_at(self, line: int) -> Command:
        for instruction in self.model.instructions:
            if instruction.start_line <= line <= instruction.end_line:
                return instruction
        raise FixError(f"line {line} holds no instruction any more")

    def span(self, instruction: Command) -> tuple[int, int]:
        """From the keyword to the end of the instruction's last line (its line break excluded)."""
        start = self.starts[instruction.start_line - 1]
        while start < len(self.text) and self.text[start] in " \t":
            start += 1
        end = self.starts[instruction.end_line] - 1 if instruction.end_line < len(self.starts) else len(self.text)
        if end > start and self.text[end - 1] == "\r":
            end -= 1
        return start, end

    def lines_span(self, instruction: Command) -> tuple[int, int]:
        """The instruction's whole lines, line breaks included: for deleting it."""
        start = self.starts[instruction.start_line - 1]
        end = self.starts[instruction.end_line] if instruction.end_line < len(self.starts) else len(self.text)
        return start, end


def validate(path: Path, text: str) -> None:
    try:
        parse_text(path, text)
    except UnparsableFile as error:
        raise FixError(f"the result would not be a valid Dockerfile ({error.message})") from None


def fix_edits(source: DockerfileText, finding: Finding) -> list[TextEdit]:
    if finding.code == "CBR103":
        return _exec_form_port(source, finding)
    if finding.code == "CBR105":
        return _loopback(source, finding)
    raise FixError(f"no Dockerfile fix for {finding.code}")


# ---- CBR103 -------------------------------------------------------------------------------------
def _basename(word: str) -> str:
    return word.rsplit("/", 1)[-1]


def _only_wrapper(words: tuple[str, ...]) -> bool:
    """`tini --`, `dumb-init`: an init process that runs the CMD as it is."""
    return bool(words) and _basename(words[0]) in _WRAPPERS and all(word.startswith("-") for word in words[1:])


def _script_word(word: str) -> str:
    """`word` as a shell word that expands the PORT references in it and nothing else."""
    parts, position = [], 0
    for match in _EXPANDED_PORT.finditer(word):
        parts += [_literal(word[position : match.start()]), match.group(0)]
        position = match.end()
    parts.append(_literal(word[position:]))
    return "".join(parts) or "''"


def _literal(text: str) -> str:
    if _PORT_REFERENCE.search(text):
        raise FixError(f"cannot tell how a shell should expand {text!r}; rewrite the command by hand")
    if not text or _PLAIN_SHELL_TEXT.fullmatch(text):
        return text
    return "'" + text.replace("'", "'\\''") + "'"


def _script(words: list[str]) -> str:
    return "exec " + " ".join(_script_word(word) for word in words)


def _check_program(first: str, has_entrypoint: bool) -> None:
    """A shell runs the script's first word as a command: refuse words that are no command."""
    if first.startswith("-"):
        kind = "an ENTRYPOINT" if has_entrypoint else "the base image's ENTRYPOINT, which this Dockerfile does not show"
        raise FixError(f"the command starts with the option {first!r}: these are arguments for {kind}, and a "
                       f"shell would run them as a command; put $PORT into a shell by hand")
    if has_entrypoint:
        return
    is_script = "/" not in first and first.lower().endswith(_SCRIPT_SUFFIXES)
    if not _PROGRAM.fullmatch(first) or is_script:
        raise FixError(f"{first!r} is not a program: the CMD holds arguments for the base image's ENTRYPOINT, "
                       f"which this Dockerfile does not show, and a shell would run them as a command; "
                       f"put $PORT into a shell by hand")


def _rewrite(source: DockerfileText, instruction: Command, words: list[str]) -> TextEdit:
    start, end = source.span(instruction)
    return TextEdit(start, end, f"{instruction.cmd} {json.dumps(words, ensure_ascii=False)}")


def _exec_form_port(source: DockerfileText, finding: Finding) -> list[TextEdit]:
    model = source.model
    instruction = source.instruction_at(finding.line)
    keyword = instruction.cmd.upper()
    if keyword not in ("CMD", "ENTRYPOINT") or not instruction.json:
        raise FixError(f"line {finding.line} is not an exec-form CMD or ENTRYPOINT any more")
    if not any(_PORT_REFERENCE.search(word) for word in instruction.value):
        raise FixError(f"the {keyword} on line {finding.line} no longer names $PORT")
    start = model.start_command()
    if start is None or instruction not in start.instructions:
        raise FixError(f"the {keyword} on line {finding.line} is not the container's start command")
    root = model.final_stage.root
    ref = image_ref(root.image)
    if ref.name == "scratch" or ref.name.startswith("gcr.io/distroless/"):
        raise FixError(f"{root.image} has no shell to expand $PORT; pass the port another way")
    entrypoint, cmd = start.entrypoint, start.cmd
    if keyword == "ENTRYPOINT":
        if _basename(instruction.value[0]) in _SHELLS:
            raise FixError("the ENTRYPOINT already runs a shell; change its script by hand")
        _check_program(instruction.value[0], has_entrypoint=True)
        if cmd is None:
            return [_rewrite(source, instruction, ["sh", "-c", _script(instruction.value)])]
        # the CMD stays the ENTRYPOINT's arguments: sh -c 'exec prog ... "$@"' sh <CMD words>
        return [_rewrite(source, instruction, ["sh", "-c", _script(instruction.value) + ' "$@"', "sh"])]
    script_words = list(instruction.value)
    if entrypoint is None or not entrypoint.json or _only_wrapper(tuple(entrypoint.value)):
        _check_program(script_words[0], has_entrypoint=entrypoint is not None)
        return [_rewrite(source, instruction, ["sh", "-c", _script(script_words)])]
    if _basename(entrypoint.value[0]) in _SHELLS:
        raise FixError("the ENTRYPOINT runs a shell; put $PORT into its script by hand")
    _check_program(entrypoint.value[0], has_entrypoint=True)
    merged = ["sh", "-c", _script([*entrypoint.value, *script_words])]
    delete_start, delete_end = source.lines_span(instruction)
    return [_rewrite(source, entrypoint, merged), TextEdit(delete_start, delete_end, "")]


# ---- CBR105 -------------------------------------------------------------------------------------
def _loopback(source: DockerfileText, finding: Finding) -> list[TextEdit]:
    text = source.text
    instruction = source.instruction_at(finding.line)
    if instruction.cmd.upper() not in ("CMD", "ENTRYPOINT"):
        raise FixError(f"line {finding.line} is not a CMD or ENTRYPOINT any more")
    first, last = source.span(instruction)
    offset = offset_of(text, finding.line, finding.column, source.starts)
    if not first <= offset < last:
        raise FixError("the location is outside the start command")
    before = text[offset - 1] if offset else " "
    match = _LOOPBACK.match(text, offset)
    if match and not (before.isalnum() or before in "._-/"):
        return [TextEdit(match.start(), match.end(), "0.0.0.0")]
    word = _WORD.match(text, offset)
    if not word or word.group(0) not in _DEFAULT_HOST or before.isalnum() or before in "._-":
        raise FixError("cannot tell where the listening address goes; add it by hand")
    anchor_name, option = _DEFAULT_HOST[word.group(0)]
    anchor = word if anchor_name == word.group(0) else _next_word(text, word.end(), last, anchor_name)
    return [_insert_after(source, instruction, anchor.end(), option)]


def _next_word(text: str, start: int, end: int, wanted: str) -> re.Match:
    for match in _WORD.finditer(text, start, end):
        if match.group(0) == wanted:
            return match
    raise FixError(f"no `{wanted}` after the server name")


def _insert_after(source: DockerfileText, instruction: Command, at: int, option: tuple[str, ...]) -> TextEdit:
    """After a word: as separate JSON strings when the word is a whole item of an exec-form list,
    else as text (a shell-form command, or a script inside `["sh", "-c", "..."]`)."""
    text = source.text
    if instruction.json and at < len(text) and text[at] == '"':
        opening = text.rfind('"', source.span(instruction)[0], at)
        item = text[opening + 1 : at]
        if opening >= 0 and not any(char.isspace() for char in item):
            return TextEdit(at + 1, at + 1, "".join(f", {json.dumps(word)}" for word in option))
    return TextEdit(at, at, " " + " ".join(option))
