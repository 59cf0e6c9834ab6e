"""Which Python files of a service are service code, and so checked by the source rules.

Not service code (never read, never reported):
- tests: `test_*.py`, `*_test.py`, `tests.py`, `conftest.py`, anything under `tests/` or `test/`;
- database migrations: anything under `migrations/` or `alembic/`;
- packaging and task tooling: `setup.py`, `noxfile.py`, `fabfile.py`, `docs/`, `examples/`;
- settings for local development or tests: `settings_dev.py`, `settings/local.py`, `config/test.py`
  and the like (a `dev`, `development`, `local`, `test`, `testing` or `ci` module in a `settings`,
  `config` or `conf` folder, or a `settings_*`/`config_*` module with such a suffix);
- one-off scripts: anything under `scripts/`, `tools/`, `bin/` or a Django `management/commands/`
  folder, unless the service's start files run that file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath

from scaffolder.project import stem_of
from scaffolder.pysource.entrypoints import StartEvidence, posix_text

_SKIPPED_DIRS = frozenset({"tests", "test", "migrations", "alembic", "docs", "examples"})
_TOOLING_FILES = {"setup.py", "noxfile.py", "fabfile.py", "conftest.py", "tests.py"}
_SCRIPT_DIRS = frozenset({"scripts", "tools", "bin"})
_DEV_NAMES = {"dev", "develop", "development", "local", "test", "tests", "testing", "ci"}
_SETTINGS_DIRS = {"settings", "config", "conf"}


def is_service_code(relative: str | PurePosixPath, evidence: StartEvidence | Callable[[], StartEvidence]) -> bool:
    """`relative`: the file's path relative to the service, as a POSIX string (`app/views.py`) or a
    PurePosixPath (strings are cheaper: the check asks this for every Python file). `evidence`, or
    a function that finds it, is needed only for a file in a script folder."""
    *folders, name = posix_text(relative).split("/")
    if name in _TOOLING_FILES or name.startswith("test_") or name.endswith("_test.py"):
        return False
    if not _SKIPPED_DIRS.isdisjoint(folders):
        return False
    file_stem = stem_of(name)
    if folders and folders[-1] in _SETTINGS_DIRS and file_stem in _DEV_NAMES:
        return False
    head, _, tail = file_stem.partition("_")
    if head in _SETTINGS_DIRS and tail in _DEV_NAMES:
        return False
    is_script_folder = not _SCRIPT_DIRS.isdisjoint(folders) or (
        "commands" in folders and "management" in folders)
    if is_script_folder:
        return (evidence() if callable(evidence) else evidence).names(relative)
    return True
