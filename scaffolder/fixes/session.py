"""Lint, fix, lint again: rounds until nothing more is fixable (at most five), because one fix can
make another possible (a loopback bind rewritten to `0.0.0.0:$PORT` in an exec-form CMD then needs
a shell) and overlapping fixes wait for the next round.

`fix_rounds` writes the files (atomically). `preview` runs the very same rounds on a copy of the
services that have something to fix (with the folders outside them they build from, and symlinks
and hard links as they are, so that the same fixes are refused), in a temporary folder, and returns
unified diffs: nothing of the user's is written.
"""

from __future__ import annotations

import difflib
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from scaffolder.findings import LintResult
from scaffolder.fixes.eligibility import can_fix, eligible
from scaffolder.fixes.files import FileText, write_atomically
from scaffolder.fixes.plan import Refusal, plan_fixes

MAX_ROUNDS = 5


@dataclass
class FixRun:
    result: LintResult  # the findings after the last round
    fixed: int = 0
    refused: list[Refusal] = field(default_factory=list)
    originals: dict[Path, FileText] = field(default_factory=dict)  # each changed file before the first change

    def unsafe_left(self, unsafe: bool) -> int:
        """Findings still there that --unsafe-fixes would fix (0 when it is on)."""
        if unsafe:
            return 0
        return sum(1 for finding in self.result.findings if can_fix(finding) and not finding.fix.safe)


def fix_rounds(paths: list[Path], options, result: LintResult, unsafe: bool) -> FixRun:
    """Fix what `result` says can be fixed, write it, lint `paths` again; repeat while it helps."""
    from scaffolder.engine import lint

    run = FixRun(result)
    seen_refusals: set[tuple] = set()
    for _ in range(MAX_ROUNDS):
        wanted = [finding for finding in run.result.findings if eligible(finding, unsafe)]
        if not wanted:
            break
        plan = plan_fixes(wanted, options.report_root)
        for refusal in plan.refused:
            key = (refusal.path, refusal.reason, tuple((f.code, f.line, f.column) for f in refusal.findings))
            if key not in seen_refusals:
                seen_refusals.add(key)
                run.refused.append(refusal)
        written = 0
        for change in plan.changes:
            try:
                write_atomically(change.path, change.before.encoded(change.after))
            except OSError as error:
                run.refused.append(Refusal(change.path, f"cannot write it: {error.strerror or error}", change.fixed))
                continue
            run.originals.setdefault(change.path, change.before)
            run.fixed += len(change.fixed)
            written += 1
        if not written:
            break
        run.result = lint(paths, options)
    return run


# ---- --diff: the same rounds on a copy ---------------------------------------------------------------
class _Mirror:
    """A copy of some files under a temporary folder, at the same absolute paths below it, faithful
    in what decides a fix: a symlink stays a symlink (to a copy of its target), a file keeps its
    number of hard links (extra links are made inside the mirror), a pipe or device is a pipe."""

    def __init__(self, top: Path):
        self.top = top
        self.copied: set[Path] = set()  # the originals copied, resolved
        self._done: set[Path] = set()
        self._spare = 0

    def folder(self, original: Path) -> Path:
        original = _real(original)
        return self.top / original.relative_to(original.anchor)

    def path(self, original: Path) -> Path:
        """Where a file goes: its folder resolved, its own name kept (it may be a symlink)."""
        return self.folder(original.parent) / original.name

    def original(self, copy: Path) -> Path:
        return Path("/") / copy.relative_to(self.top)

    def copy(self, original: Path) -> None:
        target = self.path(original)
        if target in self._done:
            return
        self._done.add(target)
        try:
            info = os.lstat(original)
        except OSError:
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        self.copied.add(_real(original))
        if stat.S_ISLNK(info.st_mode):
            real = _real(original)
            if real.is_file():
                self.copy(real)
                os.symlink(self.path(real), target)
            else:  # a dangling link, or one to a folder: nothing to read through it either way
                os.symlink(self._spare_path(), target)
        elif stat.S_ISREG(info.st_mode):
            shutil.copy2(original, target)
            for _ in range(info.st_nlink - 1):
                os.link(target, self._spare_path())
        else:
            os.mkfifo(target)  # never opened: the checks and the fixes both stop at "not a regular file"

    def _spare_path(self) -> Path:
        """A name inside the mirror that no linted path reaches (for extra hard links)."""
        self._spare += 1
        folder = self.top / ".scaffolder-links"
        folder.mkdir(exist_ok=True)
        return folder / str(self._spare)


@dataclass
class Preview:
    run: FixRun
    diffs: list[str]
    remaining: int  # findings left in the whole run once the fixes are made


def preview(paths: list[Path], options, result: LintResult, unsafe: bool) -> Preview:
    """What `fix_rounds` would do, run on a mirror of the services that have something to fix: their
    files, and the folders outside them that they build from (a Dockerfile in BuildDir "..")."""
    from scaffolder.engine import lint
    from scaffolder.project import discover_services

    root = options.report_root
    wanted = [finding for finding in result.findings if eligible(finding, unsafe)]
    touched: set[Path] = set()
    for finding in wanted:
        for path in (_absolute(finding.path, root), *(Path(edit.path) for edit in finding.fix.edits if edit.path)):
            touched |= {_located(path), _real(path)}
    chosen = []
    for service in discover_services(paths, options.config_file):
        outside = _outside_folders(service)
        if any(service.root in path.parents or path.parent in outside for path in touched):
            chosen.append((service, outside))
    if not chosen:
        return Preview(FixRun(result), [], len(result.findings))
    with tempfile.TemporaryDirectory(prefix="scaffolder-diff-") as folder:
        mirror = _Mirror(Path(folder))
        for service, outside in chosen:
            mirror.folder(service.root).mkdir(parents=True, exist_ok=True)
            for path in service.files:
                mirror.copy(path)
            for directory in sorted(outside):
                for path in _entries(directory):
                    mirror.copy(path)
        config = options.config_file
        if config is not None:
            mirror.copy(config)
        mirror_options = options._replace(report_root=mirror.folder(root), cache=None,
                                          config_file=mirror.path(config) if config is not None else None)
        mirror_paths = [mirror.folder(service.root) for service, _outside in chosen]
        run = fix_rounds(mirror_paths, mirror_options, lint(mirror_paths, mirror_options), unsafe)
        diffs = [_diff(mirror, copy, original, root) for copy, original in sorted(run.originals.items())]
        run.refused = [replace(refusal, path=mirror.original(refusal.path)) for refusal in run.refused]
        covered = mirror.copied
    before = [finding for finding in result.findings if _real(_absolute(finding.path, root)) in covered]
    remaining = len(result.findings) - len(before) + len(run.result.findings)
    return Preview(run, [diff for diff in diffs if diff], remaining)


def _real(path: Path) -> Path:
    """Path.resolve() without its RuntimeError on a symlink loop (the lint reports those as CBR001)."""
    return Path(os.path.realpath(path))


def _located(path: Path) -> Path:
    """`path` with its folder resolved and its own name kept (a symlink stays itself)."""
    return _real(path.parent) / path.name


def _outside_folders(service) -> set[Path]:
    """Folders outside the service that its Dockerfile may come from (serverConfig BuildDir)."""
    from scaffolder.dockerfile_model import dockerfile_candidates

    folders = set()
    for candidate in dockerfile_candidates(service):
        folder = _real(candidate.parent)
        if folder != service.root and service.root not in folder.parents:
            folders.add(folder)
    return folders


def _entries(folder: Path) -> list[Path]:
    """The files (and symlinks, pipes) directly in `folder`, not its subfolders."""
    try:
        return [entry for entry in sorted(folder.iterdir()) if entry.is_symlink() or not entry.is_dir()]
    except OSError:
        return []


def _absolute(path: str, root: Path) -> Path:
    candidate = Path(path)
    return candidate if candidate.is_absolute() else root / candidate


def _diff(mirror: _Mirror, copy: Path, before: FileText, root: Path) -> str:
    original = mirror.original(copy)
    try:
        name = original.relative_to(root.resolve()).as_posix()
    except ValueError:
        name = original.as_posix()
    old = before.encoded(before.text) if before.text is not None else ""
    new = copy.read_bytes().decode("utf-8")
    lines = difflib.unified_diff(_lines(old), _lines(new), "/dev/null" if before.text is None else f"a/{name}",
                                 f"b/{name}")
    return "".join(lines)


def _lines(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


def describe(refusal: Refusal) -> list[str]:
    """One line per finding that a fix was refused for: where the finding is, and why."""
    return [f"{finding.path}:{finding.line}: {finding.code} not fixed: {refusal.reason}" for finding in refusal.findings]
