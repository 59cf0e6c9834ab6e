"""Which JavaScript/TypeScript files of a service are service code, and each one parsed once.

Not service code (never read by the layout rules): tests and fixtures (`*.test.js`, `*.spec.ts`,
`__tests__/`, `test/`, `tests/`, `__mocks__/`, `e2e/`, `fixtures/`, `cypress/`), documentation and
examples (`docs/`, `examples/`, stories), build output and coverage (`dist/`, `build/`, `coverage/`,
`.next/`, `out/`), minified bundles (`*.min.js`), tool configuration (`*.config.js`), type
declarations (`*.d.ts`) and files over 1 MB. Browser code is kept: a BotId there is just as wrong.
A file named explicitly as an entry (tcb-ff `--source`, `cloudbase-functions.json`) is parsed
whatever its folder: `parse_js` takes any path.
"""

from __future__ import annotations

import os
from pathlib import Path

from scaffolder.project import Service, UnparsableFile, suffix_of
from scaffolder.treesitter import GRAMMAR_BY_SUFFIX, Source, parse

MAX_BYTES = 1_000_000
JS_GRAMMARS = frozenset({"javascript", "typescript", "tsx"})
_TEST_DIRS = frozenset({"test", "tests", "__tests__", "__mocks__", "e2e", "spec", "fixtures", "__fixtures__",
                        "cypress", "docs", "examples", "example", "stories", ".storybook", ".husky"})
_OUTPUT_DIRS = frozenset({"dist", "build", "coverage", ".next", "out", ".output", ".nuxt"})
_NOT_SERVICE_DIRS = _TEST_DIRS | _OUTPUT_DIRS


def grammar_for(path: Path | str) -> str | None:
    return _grammar_for_name(os.path.basename(path))


def _grammar_for_name(name: str) -> str | None:
    grammar = GRAMMAR_BY_SUFFIX.get(suffix_of(name))
    if grammar not in JS_GRAMMARS or name.endswith((".d.ts", ".d.mts", ".d.cts")):
        return None
    return grammar


def is_service_code(relative: str) -> bool:
    """`relative`: the file's path inside the service, `/`-separated (`src/app.js`)."""
    *folders, name = relative.split("/")
    if not _NOT_SERVICE_DIRS.isdisjoint(folders):
        return False
    stem = name.split(".")
    return not (len(stem) > 2 and stem[-2] in ("test", "spec", "min", "config", "stories", "e2e-spec"))


def service_js_files(service: Service) -> list[Path]:
    """The service's own JavaScript/TypeScript source files, in a stable order."""

    def compute() -> list[Path]:
        prefix = os.path.join(service.root, "")  # plain strings: cheaper than a relative Path per file
        found = []
        for path in service.files:
            text = str(path)
            if not text.startswith(prefix) or _grammar_for_name(text.rpartition(os.sep)[2]) is None:
                continue
            if is_service_code(text[len(prefix):].replace(os.sep, "/")):
                found.append(path)
        return found

    return service.memo("nodeproject.js_files", compute)


def read_js(service: Service, path: Path) -> str | None:
    """The file's text, or None when it cannot be read, is not UTF-8 text or is too big to be source."""
    try:
        return service.read_text_within(path, MAX_BYTES)
    except UnparsableFile:
        return None


def share_parse(service: Service, path: Path, source: Source, size: int) -> None:
    """Hand parse_js a tree another check made from the same file (`size` bytes) the same way:
    js_source parses every file that may hold a finding, the layout checks some of the same ones."""
    if size <= MAX_BYTES and grammar_for(path) == source.grammar and "\0" not in source.text:
        service.memo(f"treesitter:{path}", lambda: source)


def parse_js(service: Service, path: Path) -> Source | None:
    """The file parsed with its grammar, once per service (None when it cannot be read)."""
    grammar = grammar_for(path)
    if grammar is None:
        return None

    def compute() -> Source | None:
        text = read_js(service, path)
        if text is None or "\0" in text:
            return None
        try:
            return parse(grammar, text)
        except (ValueError, RecursionError):  # tree-sitter refuses input it cannot take at all
            return None

    return service.memo(f"treesitter:{path}", compute)
