"""Which findings `--fix` can fix: decided from the finding alone, without reading files, so the
text report can mark them cheaply."""

from __future__ import annotations

from pathlib import PurePath

from scaffolder.findings import Finding

# Rules whose fix the fixer works out from the location (no Fix.edits needed).
PYTHON_CODES = frozenset({"CBR201", "CBR202"})
DOCKERFILE_CODES = frozenset({"CBR103", "CBR105"})


def can_fix(finding: Finding) -> bool:
    """Whether some fixer handles this finding's fix (safe or not)."""
    fix = finding.fix
    if fix is None:
        return False
    if fix.edits:
        return True
    if finding.code in PYTHON_CODES:
        return finding.path.endswith(".py")
    # the start command rules also report package.json scripts and Procfiles: no fixer for those yet
    return finding.code in DOCKERFILE_CODES and is_dockerfile(PurePath(finding.path))


def is_dockerfile(path: PurePath) -> bool:
    name = path.name.lower()
    return name == "dockerfile" or name.startswith("dockerfile.") or name.endswith(".dockerfile")


def eligible(finding: Finding, unsafe: bool) -> bool:
    """Whether `--fix` applies this finding's fix (`unsafe`: with --unsafe-fixes)."""
    return can_fix(finding) and (finding.fix.safe or unsafe)
