"""Every fix of one file in one pass, checked before anything is written.

For each file the fixes' text edits are collected, those that overlap an edit already taken are put
off to the next round (a finding's edits are taken together or not at all), the rest are applied back
to front, and the result is parsed again (JSON, Dockerfile, Python). A file whose result would not
parse keeps its text, and its findings are reported as refused.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from scaffolder.findings import Edit, Finding
from scaffolder.fixes import dockerfile, json_config
from scaffolder.fixes.eligibility import DOCKERFILE_CODES, PYTHON_CODES, is_dockerfile
from scaffolder.fixes.files import FileText, read_for_fix
from scaffolder.fixes.text_edits import FixError, TextEdit, apply_edits, checked_replacement, line_offsets


@dataclass
class FileChange:
    path: Path
    before: FileText
    after: str  # without the byte-order mark; FileText.encoded() puts it back
    fixed: list[Finding]


@dataclass
class Refusal:
    path: Path
    reason: str
    findings: list[Finding]


@dataclass
class Plan:
    changes: list[FileChange] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    postponed: int = 0  # fixes that overlap another one: tried again in the next round

    @property
    def fixed(self) -> list[Finding]:
        return [finding for change in self.changes for finding in change.fixed]


def plan_fixes(findings: list[Finding], root: Path) -> Plan:
    """The changes that fix `findings` (paths relative to `root`), without writing anything."""
    plan = Plan()
    python_by_file: dict[Path, list[Finding]] = defaultdict(list)
    text_by_file: dict[Path, list[Finding]] = defaultdict(list)
    for finding in findings:
        path = _absolute(finding.path, root)
        if finding.fix is None:
            continue
        if finding.fix.edits:
            targets = {_absolute(edit.path, root) if edit.path else path for edit in finding.fix.edits}
            if len(targets) != 1:
                plan.refused.append(Refusal(path, "its fix changes several files", [finding]))
                continue
            text_by_file[targets.pop()].append(finding)
        elif finding.code in PYTHON_CODES and path.suffix == ".py":
            python_by_file[path].append(finding)
        elif finding.code in DOCKERFILE_CODES and is_dockerfile(path):
            text_by_file[path].append(finding)
    for path, group in sorted(python_by_file.items()):
        _plan_python(plan, path, group)
    for path, group in sorted(text_by_file.items()):
        _plan_text(plan, path, group)
    return plan


def _absolute(path: str, root: Path) -> Path:
    candidate = Path(path)
    return candidate if candidate.is_absolute() else root / candidate


def _read(plan: Plan, path: Path, findings: list[Finding]) -> FileText | None:
    try:
        return read_for_fix(path)
    except FixError as error:
        plan.refused.append(Refusal(path, str(error), findings))
        return None


def _plan_python(plan: Plan, path: Path, findings: list[Finding]) -> None:
    before = _read(plan, path, findings)
    if before is None:
        return
    if before.text is None:
        plan.refused.append(Refusal(path, "the file does not exist any more", findings))
        return
    from scaffolder.fixes.python import fix_python, validate  # libcst: only when a Python fix runs

    try:
        outcome = fix_python(before.text, findings)
    except FixError as error:
        plan.refused.append(Refusal(path, str(error), findings))
        return
    for finding, reason in outcome.failed:
        plan.refused.append(Refusal(path, reason, [finding]))
    try:
        validate(str(path), outcome.text)
    except FixError as error:
        plan.refused.append(Refusal(path, str(error), outcome.fixed))
        return
    if outcome.fixed and outcome.text != before.text:
        plan.changes.append(FileChange(path, before, outcome.text, outcome.fixed))


class _Sources:
    """The parsed forms of one file's current text, each built once and only when a fix needs it."""

    def __init__(self, path: Path, text: str):
        self.path, self.text = path, text
        self._json = self._dockerfile = self._starts = None

    @property
    def json(self) -> json_config.JsonText:
        if self._json is None:
            self._json = json_config.JsonText(self.text)
        return self._json

    @property
    def dockerfile(self) -> dockerfile.DockerfileText:
        if self._dockerfile is None:
            self._dockerfile = dockerfile.DockerfileText(self.path, self.text)
        return self._dockerfile

    @property
    def starts(self) -> list[int]:
        if self._starts is None:
            self._starts = line_offsets(self.text)
        return self._starts


def _edits_for(finding: Finding, sources: _Sources, exists: bool) -> list[TextEdit]:
    if not finding.fix.edits:
        return dockerfile.fix_edits(sources.dockerfile, finding)
    edits = []
    for edit in finding.fix.edits:
        edits.append(_text_edit(edit, sources, exists))
    return edits


def _text_edit(edit: Edit, sources: _Sources, exists: bool) -> TextEdit:
    text = sources.text
    if edit.action.startswith("json-"):
        return json_config.text_edit(sources.json, edit)
    if edit.action == "replace":
        line, column = edit.target
        return checked_replacement(text, line, column, edit.old, edit.text, sources.starts)
    if edit.action == "create":
        if exists:
            raise FixError(f"{sources.path.name} exists now")
        return TextEdit(0, 0, edit.text)
    if edit.action == "append":
        if not exists:
            raise FixError(f"{sources.path.name} does not exist any more")
        separator = "" if not text or text.endswith("\n") else "\n"
        return TextEdit(len(text), len(text), separator + edit.text)
    raise FixError(f"unknown edit {edit.action!r}")


def _plan_text(plan: Plan, path: Path, findings: list[Finding]) -> None:
    before = _read(plan, path, findings)
    if before is None:
        return
    sources = _Sources(path, before.text or "")
    taken: list[TextEdit] = []
    fixed: list[Finding] = []
    for finding in sorted(findings, key=lambda finding: finding.sort_key):
        try:
            edits = _edits_for(finding, sources, before.text is not None)
        except FixError as error:
            plan.refused.append(Refusal(path, str(error), [finding]))
            continue
        if any(edit.overlaps(other) for edit in edits for other in taken):
            plan.postponed += 1
            continue
        taken.extend(edits)
        fixed.append(finding)
    if not fixed:
        return
    after = apply_edits(sources.text, taken)
    try:
        _validate(path, after)
    except FixError as error:
        plan.refused.append(Refusal(path, str(error), fixed))
        return
    if after != before.text:
        plan.changes.append(FileChange(path, before, after, fixed))


def _validate(path: Path, text: str) -> None:
    if path.suffix == ".json":
        json_config.validate(text)
    elif is_dockerfile(path):
        dockerfile.validate(path, text)
    elif path.suffix == ".py":
        from scaffolder.fixes.python import validate

        validate(str(path), text)
