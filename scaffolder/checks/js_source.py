"""JavaScript and TypeScript source: the port and host a server listens on (CBR2xx), a server of its
own in function mode (CBR606), state kept on the instance and work started outside requests (CBR3xx).
Parsed with tree-sitter; the evidence and the rules live in scaffolder/jssource/.

Speed: a file that contains none of the words any rule needs (GATE) cannot raise a finding, so it
is not parsed at all (and so gets no CBR001 either); every other file is parsed once and queried
at most once for the candidate calls (not at all when no rule finds its own words in it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import groupby
from pathlib import Path

from scaffolder import treesitter
from scaffolder.findings import Finding
from scaffolder.jssource import background, listen, state
from scaffolder.jssource.context import Context
from scaffolder.jssource.entrypoints import JS_SUFFIXES, StartEvidence, start_evidence
from scaffolder.jssource.files import MAX_BYTES, grammar_for, is_service_code
from scaffolder.source_hit import Hit
from scaffolder.jssource.module import JsModule, candidate_methods
from scaffolder.nodeproject.jsfiles import share_parse
from scaffolder.project import Service, UnparsableFile, suffix_of

PARSE_ERROR = "CBR001"
CODES = frozenset({PARSE_ERROR}) | listen.CODES | state.CODES | background.CODES

METHODS = candidate_methods(listen.METHODS | state.METHODS | background.METHODS)
# Every rule needs one of these words in the file: a server call, a module the rule resolves calls
# against (fs, child_process, multer, sqlite...), a global timer, or a route registration.
GATE = (
    # listen.py
    b"listen", b"serve", b"hapi", b"WebSocket", b"ws'", b'ws"', b"socket.io",
    # state.py: fs and its relatives, uploads, databases, sessions, request handlers
    b"'fs", b'"fs', b"`fs", b":fs", b"fs-extra", b"graceful-fs", b"mkdirp", b"multer", b"formidable", b".mv(",
    b"sqlite", b"lowdb", b"nedb", b"sequelize", b"knex", b"typeorm", b"libsql", b"session",
    b".post", b".put", b".patch", b".delete", b".route", b"@nestjs/common",
    # background.py
    b"setInterval", b"setTimeout", b"timers", b"cron", b"schedule", b"agenda", b"bree", b"toad-scheduler",
    b"later", b"child_process",
)


def _any_of(words: tuple[bytes, ...]) -> re.Pattern:
    """A regex that finds any of `words`, the same answer as `any(word in data for word in words)`:
    one pass over the file instead of one per word. Alternatives are grouped by their first byte,
    so that at each position the engine tries only the words that start with it."""
    alternatives = []
    for first, group in groupby(sorted(words), key=lambda word: word[:1]):
        rests = [re.escape(word[1:]) for word in group]
        alternatives.append(re.escape(first) + b"(?:" + b"|".join(rests) + b")")
    return re.compile(b"|".join(alternatives))


_GATE_PATTERN = _any_of(GATE)
_FUNCTION_MODE_GATE = (b"main",)  # function mode: the exported main function is a request handler
_LANGUAGE = {"javascript": "JavaScript", "typescript": "TypeScript", "tsx": "TypeScript (TSX)"}
# The names alone: the member_expression around them is checked in Python (is_browser_code), as a
# pattern with a field costs tree-sitter several times more to compile.
_BROWSER_GLOBALS = '((identifier) @global (#any-of? @global "document" "window"))'
_MINIFIED_LINE = 500  # average bytes per line above which a file is a bundle, not code a person wrote


def check(service: Service) -> Iterable[Finding]:
    evidence: StartEvidence = service.memo("js_source.start_evidence", lambda: start_evidence(service))
    function_mode = service.is_function_like
    if not function_mode and not evidence.runs_node:
        return  # nginx serving a built front end, a Python or Java service: its JavaScript runs elsewhere
    for path in service.files:  # plain strings: a PurePosixPath per file cost more than the word gate
        suffix = suffix_of(path.name)
        if suffix not in JS_SUFFIXES and (suffix or not evidence.entries):
            continue
        relative = service.relative(path)
        if suffix or evidence.names(relative):  # a start file without a suffix: express-generator's bin/www
            if is_service_code(relative, evidence):
                yield from check_file(service, path, relative, evidence, function_mode)


def passes_gate(data: bytes, function_mode: bool) -> bool:
    return _GATE_PATTERN.search(data) is not None or (
        function_mode and any(word in data for word in _FUNCTION_MODE_GATE))


def _not_server_code(data: bytes) -> bool:
    """A bundle (very long lines) or a React client component ("use client")."""
    if len(data) > 4096 and len(data) / (data.count(b"\n") + 1) > _MINIFIED_LINE:
        return True
    head = data.lstrip()[:14]
    return head in (b'"use client";', b"'use client';") or head[:12] in (b'"use client"', b"'use client'")


def check_file(service: Service, path: Path, relative: str, evidence: StartEvidence,
               function_mode: bool) -> Iterator[Finding]:
    try:
        text = service.read_text_within(path, MAX_BYTES)
    except UnparsableFile as error:
        yield Finding(PARSE_ERROR, error.message, str(error.path), error.line, error.column)
        return
    if text is None:
        return
    size = service.size_of(path)
    data = text.encode("utf-8", "surrogatepass")
    if not passes_gate(data, function_mode) or _not_server_code(data):
        return
    grammar = grammar_for(relative)
    parsed = treesitter.Source(grammar, text, data, treesitter.parser(grammar).parse(data))
    share_parse(service, path, parsed, size)  # function mode's entry file: function_layout reads its exports
    source = _repaired(parsed)
    if source.has_errors():
        yield _syntax_error(source, path)
        return
    try:
        module = JsModule(source, METHODS)
        if is_browser_code(module):
            return
        context = Context(module, evidence.runs_as_main(relative), function_mode)
        hits: list[Hit] = [*listen.find(module, function_mode), *state.find(module, context),
                           *background.find(module, context)]
        yield from _findings(source, context, hits, path)
    except RecursionError:  # absurdly deep expressions: no evidence we can trust
        return


def _repaired(source: treesitter.Source) -> treesitter.Source:
    """The tree, or, when it has errors, the tree after _repair_asi if that one is clean."""
    if not source.has_errors():
        return source
    repaired = _repair_asi(source)
    return repaired if repaired is not None else source


def _repair_asi(source: treesitter.Source) -> treesitter.Source | None:
    """tree-sitter does not always insert a semicolon where JavaScript does before a line that starts
    with `(`, `[` or a template (`}\n    [...a].forEach(...)`). Put one there, in place of the space
    before it so that every offset stays, and parse again; None when that does not give a clean tree."""
    data = bytearray(source.data)
    parser = treesitter.parser(source.grammar)
    candidate = source
    for _ in range(8):
        error = candidate.first_error()
        if error is None:
            return candidate
        row_start = _row_start(data, error.start_point[0])
        line_end = data.find(b"\n", row_start)
        line = bytes(data[row_start:line_end if line_end >= 0 else len(data)])
        indent = len(line) - len(line.lstrip(b" \t"))
        if indent == 0 or line[indent:indent + 1] not in (b"(", b"[", b"`"):
            return None
        data[row_start + indent - 1] = ord(";")
        repaired = bytes(data)
        candidate = treesitter.Source(source.grammar, repaired.decode("utf-8", "surrogatepass"), repaired,
                                      parser.parse(repaired))
    return None


def _row_start(data: bytearray, row: int) -> int:
    position = 0
    for _ in range(row):
        position = data.index(b"\n", position) + 1
    return position


def is_browser_code(module: JsModule) -> bool:
    """A script for the browser: it uses the DOM's `document` or `window` globals."""
    if not module.mentions(b"document.", b"window."):
        return False
    for name in treesitter.captures(module.grammar, _BROWSER_GLOBALS, module.root).get("global", []):
        parent = name.parent
        if parent is None or parent.type != "member_expression" or parent.child_by_field_name("object") != name:
            continue  # `document` alone, or `x.document`: not the DOM's global used as an object
        if module.declaration(name) is None:
            return True
    return False


def _syntax_error(source: treesitter.Source, path: Path) -> Finding:
    error = source.first_error() or source.root
    line, column, _, _ = source.location(error)
    language = _LANGUAGE.get(source.grammar, "JavaScript")
    if error.is_missing:
        what = f"missing {error.type!r}"
    else:
        snippet = source.text_of(error).strip().splitlines()
        what = f"unexpected {snippet[0][:40]!r}" if snippet else "unexpected end of file"
    return Finding(PARSE_ERROR, f"{language} syntax error: {what}", str(path), line, column)


def _findings(source: treesitter.Source, context: Context, hits: list[Hit], path: Path) -> Iterator[Finding]:
    seen: set[tuple] = set()
    for hit in hits:
        anchor = hit.context or hit.node
        if context.is_dead(anchor) or context.in_environment_branch(anchor):
            continue
        if hit.code.startswith("CBR3") and context.in_cli_command(anchor):
            continue  # state and background rules are about serving, not about commands run by hand
        line, column, end_line, end_column = source.location(hit.node)
        key = (hit.code, line, column)
        if key not in seen:
            seen.add(key)
            yield Finding(hit.code, hit.message, str(path), line, column, end_line, end_column)
