"""Dockerfile fixes worked out from the finding's location, on the instruction's own lines.

CBR103: an exec-form start command that names `$PORT` is rewritten so that a shell expands it:
    CMD ["gunicorn", "--bind", ":$PORT", "app:app"]  ->  CMD ["sh", "-c", "exec gunicorn --bind :$PORT app:app"]
  An ENTRYPOINT followed by a CMD keeps the CMD as its arguments (`exec ... "$@"`); a CMD behind an
  ENTRYPOINT that is a real program (not tini or dumb-init) is merged into the ENTRYPOINT. Images
  without a shell (scratch, distroless) are left alone.
CBR105: a loopback host in the start command becomes 0.0.0.0 in place (`--bind 127.0.0.1:8000` ->
  `--bind 0.0.0.0:8000`); a server that binds 127.0.0.1 by default gets the option that makes it
  listen on all interfaces right after its name (`uvicorn app:app` -> `uvicorn --host 0.0.0.0 app:app`).

The other Dockerfile fixes (EXPOSE / ENV PORT, base image) are `replace` edits the checks spell out.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from scaffolder.dockerfile_model import Command, DockerfileModel, image_ref, parse_text, shell_join
from scaffolder.findings import Finding
from scaffolder.fixes.text_edits import FixError, TextEdit, line_offsets, offset_of
from scaffolder.project import UnparsableFile

_PORT_REFERENCE = re.compile(r"\$(PORT\b|\{PORT([:?+-][^}]*)?\})")
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
        if cmd is None:
            return [_rewrite(source, instruction, ["sh", "-c", "exec " + shell_join(instruction.value)])]
        # the CMD stays the ENTRYPOINT's arguments: sh -c 'exec prog ... "$@"' sh <CMD words>
        script = "exec " + shell_join(instruction.value) + ' "$@"'
        return [_rewrite(source, instruction, ["sh", "-c", script, "sh"])]
    script_words = list(instruction.value)
    if entrypoint is None or not entrypoint.json or _only_wrapper(tuple(entrypoint.value)):
        return [_rewrite(source, instruction, ["sh", "-c", "exec " + shell_join(script_words)])]
    if _basename(entrypoint.value[0]) in _SHELLS:
        raise FixError("the ENTRYPOINT runs a shell; put $PORT into its script by hand")
    merged = ["sh", "-c", "exec " + shell_join([*entrypoint.value, *script_words])]
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
