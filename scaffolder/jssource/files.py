"""Which JavaScript and TypeScript files of a service are service code, and so checked at all.

Not service code (never parsed, never reported):
- tests and their helpers: `*.test.js`, `*.spec.ts`, `*.e2e-spec.ts`, `*.stories.tsx`, anything
  under `test/`, `tests/`, `__tests__/`, `__mocks__/`, `e2e/`, `cypress/`, `fixtures/`;
- tool configuration: `*.config.js` (jest, vite, webpack, next, pm2's ecosystem...), dot files
  such as `.eslintrc.js`, `Gruntfile.js`, `gulpfile.js`, `jest.setup.js`, `webpack.prod.js`;
  type declarations (`*.d.ts`);
- database migrations and seeds, `docs/`, `examples/`;
- browser code: anything under `public/`, `static/`, `assets/`, `client/`, `frontend/`;
- build output and bundles: `*.min.js`, `*.bundle.js`, anything under `dist/`, `build/`, `out/`,
  `.next/`, `coverage/`, unless the start command runs that very file;
- one-off scripts under `scripts/`, `tools/` or `bin/`, unless the start command runs them.
Files over 1 MB are skipped too (generated code, not something a person wrote), and so are
bundles (lines averaging over 500 bytes), React client components (`"use client"`), scripts that
use the DOM (`document.`, `window.` as globals), and every file of a container whose start command
runs a server other than Node.js (nginx serving a built front end, gunicorn, java): checks/js_source.py
applies those after reading the file or the start command.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from scaffolder.jssource.entrypoints import StartEvidence
from scaffolder.project import suffix_of
from scaffolder.treesitter import GRAMMAR_BY_SUFFIX

MAX_BYTES = 1024 * 1024

_TEST_DIRS = {"test", "tests", "__tests__", "__mocks__", "__fixtures__", "fixtures", "e2e", "cypress", "spec"}
_SKIPPED_DIRS = {"migrations", "migration", "seeders", "seeds", "docs", "examples", "example", "coverage",
                 ".next", ".nuxt", ".output", ".svelte-kit", "stories", ".storybook", ".husky"}
_BROWSER_DIRS = {"public", "static", "assets", "client", "frontend"}
_NEVER_DIRS = frozenset(_TEST_DIRS | _SKIPPED_DIRS | _BROWSER_DIRS)
_BUILD_DIRS = frozenset({"dist", "build", "out"})
_SCRIPT_DIRS = frozenset({"scripts", "tools", "bin"})
_TEST_MARKERS = (".test", ".spec", "-spec", ".e2e", ".stories", ".story", ".bench")
_TOOLING_FILES = {"gruntfile", "gulpfile", "jest", "vitest", "karma", "babel", "webpack", "rollup", "vite",
                  "eslint", "prettier", "tailwind", "postcss", "setuptests", "commitlint", "lint-staged"}


def grammar_for(relative: str) -> str:
    """The tree-sitter grammar for a file; files without a suffix (`bin/www`) are JavaScript."""
    return GRAMMAR_BY_SUFFIX.get(suffix_of(relative.rpartition("/")[2]), "javascript")


def is_service_code(relative: str | PurePosixPath, evidence: StartEvidence) -> bool:
    """`relative`: the file's path inside the service, `/`-separated (`src/app.ts`)."""
    *folders, name = str(relative).split("/")
    if name.startswith("."):
        return False
    lowered = name.lower()
    stem = lowered.rsplit(".", 1)[0] if suffix_of(name) else lowered
    if stem.endswith((".d", ".config")) or stem.split(".", 1)[0] in _TOOLING_FILES:
        return False
    if any(marker in stem for marker in _TEST_MARKERS):
        return False
    if not _NEVER_DIRS.isdisjoint(folders):
        return False
    if stem.endswith((".min", ".bundle", "-bundle", ".chunk")) or not _BUILD_DIRS.isdisjoint(folders):
        return evidence.names(relative)
    if not _SCRIPT_DIRS.isdisjoint(folders):
        return evidence.names(relative)
    return True
