"""Python source: the port and host a server listens on (CBR2xx), state kept on the instance and
work started outside requests (CBR3xx). Parsed with the stdlib `ast`; the evidence and the rules
live in scaffolder/pysource/. A file in which no rule can fire (pysource/gate.py) is not parsed at
all, as in the JavaScript, Go and Java checks: CBR001 is about files a rule needed."""

from __future__ import annotations

import ast
import os
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

from scaffolder.findings import Finding
from scaffolder.project import Service, UnparsableFile
from scaffolder.pysource import background, listen, state
from scaffolder.pysource.context import Context
from scaffolder.pysource.entrypoints import StartEvidence, start_evidence
from scaffolder.pysource.files import is_service_code
from scaffolder.pysource.gate import may_hold_finding
from scaffolder.pysource.hit import Hit
from scaffolder.pysource.module import PyModule
from scaffolder.pysource.startup import functions_started_elsewhere

PARSE_ERROR = "CBR001"
CODES = frozenset({PARSE_ERROR}) | listen.CODES | state.CODES | background.CODES


def check(service: Service) -> Iterable[Finding]:
    evidence: StartEvidence = service.memo(
        "python_source.start_evidence", lambda: start_evidence(service.root, service.files))
    for path in service.files_with_suffix(".py"):
        relative = _relative(path, service.root)
        if is_service_code(relative, evidence):
            yield from check_file(service, path, relative, evidence)


def _relative(path: Path, root: Path) -> PurePosixPath:
    text, base = str(path), str(root)
    if text.startswith(base) and text[len(base):len(base) + 1] == os.sep and base != os.sep:
        return PurePosixPath(text[len(base) + 1:].replace(os.sep, "/"))  # Path.relative_to, without its cost
    try:
        return PurePosixPath(path.relative_to(root).as_posix())
    except ValueError:
        return PurePosixPath(path.name)


def check_file(service: Service, path: Path, relative: PurePosixPath, evidence: StartEvidence) -> Iterator[Finding]:
    try:
        text = service.read_text(path)
    except UnparsableFile as error:
        yield Finding(PARSE_ERROR, error.message, str(error.path), error.line, error.column)
        return
    gunicorn_config = relative.name.startswith("gunicorn")
    gunicorn_bind = gunicorn_config and not evidence.command_binds
    listens = not service.is_function_like  # function mode listens on 3000, set by the framework
    if not may_hold_finding(text, listens, gunicorn_bind):
        return  # no rule can fire here: its syntax is Python's business, not a CloudBase rule's
    try:
        tree = ast.parse(text, filename=str(path))
    except SyntaxError as error:
        yield Finding(PARSE_ERROR, f"Python syntax error: {error.msg}", str(path), error.lineno or 1,
                      max(error.offset or 1, 1))
        return
    except (ValueError, RecursionError, MemoryError) as error:  # null bytes; absurdly deep nesting
        yield Finding(PARSE_ERROR, f"Python file cannot be parsed: {error}", str(path))
        return
    try:
        module = PyModule(tree, text)
        context = Context(module, evidence.runs_as_script(relative), gunicorn_config,
                          lambda: _started_elsewhere(service, evidence).get(relative, frozenset()))
        hits: list[Hit] = []
        if listens:
            hits += listen.find(module, gunicorn_bind)
        hits += state.find(module, context)
        hits += background.find(module, context)
    except RecursionError:  # pathologically deep expressions: no evidence we can trust, so no findings
        return
    seen: set[tuple] = set()
    for hit in hits:
        anchor = hit.context or hit.node
        if context.is_dead(anchor) or context.in_environment_branch(anchor):
            continue
        if hit.code.startswith("CBR3") and context.in_cli_command(anchor):
            continue  # state and background rules are about serving, not about commands run by hand
        finding = _finding(module, path, hit)
        key = (finding.code, finding.line, finding.column)
        if key not in seen:
            seen.add(key)
            yield finding


def _started_elsewhere(service: Service, evidence: StartEvidence) -> dict[PurePosixPath, frozenset[str]]:
    """Functions that other modules call at startup (app factories), found once per service and only
    when a rule asks whether a function runs at startup."""
    def compute():
        files = [(path, relative) for path in service.files_with_suffix(".py")
                 if is_service_code(relative := _relative(path, service.root), evidence)]
        return functions_started_elsewhere(files, evidence, service.read_text)
    return service.memo("python_source.started_elsewhere", compute)


def _finding(module: PyModule, path: Path, hit: Hit) -> Finding:
    node = hit.node
    line = getattr(node, "lineno", 1)
    end_line = getattr(node, "end_lineno", None)
    end_offset = getattr(node, "end_col_offset", None)
    return Finding(
        hit.code, hit.message, str(path), line, module.column(line, getattr(node, "col_offset", 0)),
        end_line, module.column(end_line, end_offset) if end_line and end_offset is not None else None,
        fix=hit.fix,
    )
