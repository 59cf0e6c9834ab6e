"""Python source: the port and host a server listens on (CBR2xx), state kept on the instance and
work started outside requests (CBR3xx). Parsed with the stdlib `ast`; the evidence and the rules
live in scaffolder/pysource/. A file in which no rule can fire (pysource/gate.py) is not parsed at
all, as in the JavaScript, Go and Java checks: CBR001 is about files a rule needed. Nor is a file
whose only possible finding is CBR304 when its text shows no module-level container
(state.may_keep_module_state_in_text). In a parsed file only the rules the gate lets through run."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path

from scaffolder.findings import Finding
from scaffolder.project import Service, UnparsableFile
from scaffolder.pysource import background, listen, state
from scaffolder.pysource.context import Context
from scaffolder.pysource.entrypoints import StartEvidence, start_evidence
from scaffolder.pysource.files import is_service_code
from scaffolder.pysource.gate import codes_that_may_fire
from scaffolder.pysource.hit import Hit
from scaffolder.pysource.module import PyModule
from scaffolder.pysource.startup import functions_started_elsewhere

PARSE_ERROR = "CBR001"
CODES = frozenset({PARSE_ERROR}) | listen.CODES | state.CODES | background.CODES
_MODULE_STATE_ONLY = frozenset({state.MODULE_STATE})


def check(service: Service) -> Iterable[Finding]:
    evidence = partial(_start_evidence, service)  # read on first use: most services' files never need it
    listens = not service.is_function_like  # function mode listens on 3000, set by the framework
    for path, relative in _service_code(service, evidence):
        yield from check_file(service, path, relative, evidence, listens)


def _start_evidence(service: Service) -> StartEvidence:
    return service.memo("python_source.start_evidence", lambda: start_evidence(service.root, service.files))


def _service_code(service: Service, evidence: Callable[[], StartEvidence]) -> list[tuple[Path, str]]:
    """(path, path relative to the service root as a POSIX string) of the service's .py files that
    are service code (files.py), found once per service."""
    def compute():
        return [(path, relative) for path in service.files_with_suffix(".py")
                if is_service_code(relative := service.relative(path), evidence)]
    return service.memo("python_source.service_code", compute)


def check_file(service: Service, path: Path, relative: str, evidence: Callable[[], StartEvidence],
               listens: bool) -> Iterator[Finding]:
    try:
        text = service.read_text(path)
    except UnparsableFile as error:
        yield Finding(PARSE_ERROR, error.message, str(error.path), error.line, error.column)
        return
    gunicorn_config = relative.rpartition("/")[2].startswith("gunicorn")
    gunicorn_bind = gunicorn_config and not evidence().command_binds
    codes = codes_that_may_fire(text, listens, gunicorn_bind)
    if codes == _MODULE_STATE_ONLY and not state.may_keep_module_state_in_text(text):
        return  # no module-level container, told without parsing (a parsed module's tree tells it cheaper)
    if not codes:
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
    if state.MODULE_STATE in codes and not state.may_keep_module_state(tree, text):
        codes -= {state.MODULE_STATE}  # no module-level container for a request handler to fill
        if not codes:
            return
    try:
        module = PyModule(tree, text)
        context = Context(module, lambda: evidence().runs_as_script(relative), gunicorn_config,
                          lambda: _started_elsewhere(service, evidence).get(relative, frozenset()))
        hits: list[Hit] = []
        if not codes.isdisjoint(listen.CODES):  # only when the service listens itself
            hits += listen.find(module, gunicorn_bind)
        if not codes.isdisjoint(state.CODES):
            hits += state.find(module, context, codes)
        if not codes.isdisjoint(background.CODES):
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


def _started_elsewhere(service: Service, evidence: Callable[[], StartEvidence]) -> dict[str, frozenset[str]]:
    """Functions that other modules call at startup (app factories), found once per service and only
    when a rule asks whether a function runs at startup; by the path relative to the service."""
    def compute():
        started = functions_started_elsewhere(_service_code(service, evidence), evidence(), service.read_text)
        return {relative.as_posix(): names for relative, names in started.items()}
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
