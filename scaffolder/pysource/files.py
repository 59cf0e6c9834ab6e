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

from pathlib import PurePosixPath

from scaffolder.pysource.entrypoints import StartEvidence

_TEST_DIRS = {"tests", "test"}
_SKIPPED_DIRS = {"migrations", "alembic", "docs", "examples"}
_TOOLING_FILES = {"setup.py", "noxfile.py", "fabfile.py", "conftest.py", "tests.py"}
_SCRIPT_DIRS = {"scripts", "tools", "bin"}
_DEV_NAMES = {"dev", "develop", "development", "local", "test", "tests", "testing", "ci"}
_SETTINGS_DIRS = {"settings", "config", "conf"}


def is_service_code(relative: PurePosixPath, evidence: StartEvidence) -> bool:
    name, folders = relative.name, relative.parts[:-1]
    if name in _TOOLING_FILES or name.startswith("test_") or name.endswith("_test.py"):
        return False
    if any(folder in _TEST_DIRS or folder in _SKIPPED_DIRS for folder in folders):
        return False
    stem = relative.stem
    if folders and folders[-1] in _SETTINGS_DIRS and stem in _DEV_NAMES:
        return False
    head, _, tail = stem.partition("_")
    if head in _SETTINGS_DIRS | {"settings"} and tail in _DEV_NAMES:
        return False
    is_script_folder = any(folder in _SCRIPT_DIRS for folder in folders) or (
        "commands" in folders and "management" in folders)
    if is_script_folder:
        return evidence.names(relative)
    return True
