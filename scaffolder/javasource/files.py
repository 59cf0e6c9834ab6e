"""Which files of a Java service are its own code and configuration, and so checked.

Not checked (never read, never reported):
- tests: anything under `src/test/` and the other test source sets (`src/it/`,
  `src/integrationTest/`, `src/testFixtures/`, `src/jmh/`), under `test/` or `tests/`,
  and `*Test.java`, `*Tests.java`, `*IT.java`;
- build output and tooling: `target/`, `build/`, `out/`, `bin/`, `.gradle/`, `.mvn/` (the Maven
  wrapper downloads files on purpose), `gradle/`, `buildSrc/`, generated sources (`generated/`,
  `generated-sources/`, or a header saying the file is generated and not to be edited);
- `examples/`, `docs/`, `scripts/`, `tools/`;
- files over 1 MB.
Folder names inside a source root are Java packages (`com/example/build/`) and never exclude a file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath

MAX_BYTES = 1_000_000
_SKIPPED_DIRS = frozenset({"test", "tests", "target", "build", "out", "bin", ".gradle", ".mvn", "gradle", "buildSrc",
                           "generated", "generated-sources", "generated-test-sources", "examples", "example", "docs",
                           "scripts", "tools"})
_OTHER_SOURCE_SETS = frozenset({"it", "jmh", "e2e"})
_TEST_SUFFIXES = ("Test.java", "Tests.java", "IT.java", "TestCase.java")


def is_service_file(relative: PurePosixPath) -> bool:
    return is_service_folder(relative.parts[:-1]) and not is_test_name(relative.name)


def is_service_folder(folders: Sequence[str]) -> bool:
    """Whether files in this folder (its parts, relative to the service root) can be the service's."""
    # Folders inside a source root are Java packages (com/example/build): only the layout around
    # the source roots says what is a test or build output.
    layout = folders[: folders.index("src") + 2] if "src" in folders else folders
    if any(folder in _SKIPPED_DIRS for folder in layout):
        return False
    for index, folder in enumerate(folders[:-1]):
        following = folders[index + 1]
        if folder == "src" and ("test" in following.lower() or following in _OTHER_SOURCE_SETS):
            return False
    return True


def is_test_name(name: str) -> bool:
    return name.endswith(_TEST_SUFFIXES)


def is_generated(text: str) -> bool:
    head = text[:2048].lower()
    return "generated" in head and ("do not edit" in head or "do not modify" in head)
