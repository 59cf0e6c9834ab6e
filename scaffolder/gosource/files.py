"""Which Go files of a service are service code, and so checked by the Go rules.

Not service code (never read, never reported):
- tests: `*_test.go`, anything under `testdata/`, `test/`, `tests/`, `e2e/`, `mocks/`;
- code that is not the service's own or not part of it: `vendor/`, `third_party/`, `examples/`,
  `example/`, `docs/`, and build output (`bin/`, `dist/`);
- tooling run by hand: `scripts/`, `tools/`, `hack/`; files built only on request
  (`//go:build ignore`) and generated files (`// Code generated ... DO NOT EDIT.`);
- files for another operating system, which a Linux container never builds: `*_windows.go`,
  `*_darwin_arm64.go`, or a `//go:build windows` line;
- other commands: when the Dockerfile builds `./cmd/<name>`, the other folders under `cmd/`
  (a migration tool, a CLI) are not what the platform runs;
- files over 1 MB.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePosixPath

from scaffolder.dockerfile_model import parse, split_script
from scaffolder.project import Service, UnparsableFile, stem_of

MAX_BYTES = 1_000_000
_SKIPPED_DIRS = frozenset({"vendor", "third_party", "testdata", "test", "tests", "e2e", "mocks", "examples",
                           "example", "docs", "scripts", "tools", "hack", "bin", "dist"})
_OTHER_OSES = frozenset({"windows", "darwin", "ios", "android", "plan9", "freebsd", "openbsd", "netbsd", "dragonfly",
                         "solaris", "illumos", "aix", "js", "wasip1", "zos"})
_ARCHES = frozenset({"386", "amd64", "arm", "arm64", "loong64", "mips", "mipsle", "mips64", "mips64le", "ppc64",
                     "ppc64le", "riscv64", "s390x", "wasm"})
_VALUE_FLAGS = frozenset({"-o", "-ldflags", "-gcflags", "-asmflags", "-tags", "-mod", "-p", "-pkgdir", "-buildmode",
                          "-compiler", "-installsuffix", "-modfile", "-overlay", "-pgo", "-toolexec", "-C"})


def is_service_code(relative: PurePosixPath | str, built_commands: frozenset[str] | None) -> bool:
    """`relative`: the file's path in the service, "/" between folders (a string is cheaper)."""
    *folders, name = str(relative).split("/")
    if name.endswith("_test.go") or any(folder in _SKIPPED_DIRS for folder in folders):
        return False
    if _other_os(stem_of(name)):
        return False
    if built_commands is not None and len(folders) >= 2 and folders[0] == "cmd":
        return folders[1] in built_commands
    return True


def _other_os(stem: str) -> bool:
    """`server_windows` or `poll_darwin_arm64`: built only for that operating system."""
    parts = stem.split("_")[1:]
    if parts and parts[-1] in _ARCHES:
        parts = parts[:-1]
    return bool(parts) and parts[-1] in _OTHER_OSES


def is_generated_or_ignored(text: str) -> bool:
    """The header before `package`: a generated file, one excluded from every build, or one built
    only for another operating system (`//go:build windows`)."""
    end = text.find("\npackage ")
    head = text[: end if 0 <= end < 8192 else 8192]
    if "Code generated" in head and "DO NOT EDIT" in head:
        return True
    if "//go:build ignore" in head or "// +build ignore" in head:
        return True
    at = head.find("//go:build ")
    if at >= 0:
        constraint = head[at + len("//go:build "):].split("\n", 1)[0].strip()
        return constraint in _OTHER_OSES  # a single other OS; anything more complex may include linux
    return False


def built_commands(service: Service) -> frozenset[str] | None:
    """The names under cmd/ that the Dockerfile builds (`go build ./cmd/api`); None when it builds
    the whole module, builds nothing we can see, or there is no Dockerfile."""
    try:
        model = parse(service)
    except UnparsableFile:
        return None
    if model is None:
        return None
    names: set[str] = set()
    for instruction in model.instructions:
        if instruction.cmd.upper() != "RUN" or not instruction.value:
            continue
        commands = [list(instruction.value)] if instruction.json else [
            list(command.words) for command in split_script(" ".join(instruction.value))]
        for words in commands:
            packages = _built_packages(words)
            if packages is None:
                continue
            for package in packages:
                parts = [part for part in package.removeprefix("./").split("/") if part and part != "..."]
                if len(parts) >= 2 and parts[0] == "cmd":
                    names.add(parts[1])
                elif not parts or parts[0] != "cmd":
                    return None  # `go build .` or `./...`: the root package or everything
    return frozenset(names) or None


def _built_packages(words: list[str]) -> list[str] | None:
    """The local packages of a `go build`/`go install` command, None for any other command."""
    while words and "=" in words[0] and not words[0].startswith("-"):
        words = words[1:]  # CGO_ENABLED=0 go build ...
    if len(words) < 2 or words[0].rsplit("/", 1)[-1] != "go" or words[1] not in ("build", "install"):
        return None
    packages, skip = [], False
    for word in words[2:]:
        if skip:
            skip = False
            continue
        if word.startswith("-"):
            skip = word in _VALUE_FLAGS
            continue
        if word.startswith(".") or word.startswith("cmd/"):
            packages.append(word)
    return packages or ["."]


class WholeWords:
    """Finds any of some words as a whole word of a text, as `\\b(?:a|b)\\b` would but several times
    faster: with no leading `\\b`, re skips straight to the words' first letters; the start of each
    match is checked here instead. In a file tree-sitter parses without errors every identifier and
    keyword is a whole word, so a file without a rule's names cannot give that rule a finding."""

    def __init__(self, words: Iterable[str]):
        self._pattern = re.compile(r"(?:%s)\b" % "|".join(map(re.escape, sorted(words))))

    def found_in(self, text: str) -> bool:
        for match in self._pattern.finditer(text):
            start = match.start()
            if start == 0 or not _is_word_character(text[start - 1]):
                return True
        return False


def _is_word_character(char: str) -> bool:
    return char.isalnum() or char == "_"  # what re's \w is for str patterns
