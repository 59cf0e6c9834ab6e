"""What a check reports: a Finding at a Location, with a Severity and maybe a Fix."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import NamedTuple


class Severity(str, enum.Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise ValueError(f"unknown severity {text!r} (use error, warning or info)") from None


_RANKS = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@dataclass(frozen=True)
class Edit:
    """One change of a fix that `--fix` cannot work out from the finding's location alone.

    action   target                          text                  old (checked before the edit)
    json-set    JSON path from the file's top   the new value (JSON)  the current value (JSON)
    json-rename JSON path of the member         the new key           -
    json-delete JSON path of a member or item   -                     -
    replace     (line, column), 1-based         the new text          the text there now
    create      -                               the new file's text   -
    append      -                               lines to add          -
    `path` is the file to change when it is not the finding's own (absolute, as checks see it).
    """

    action: str
    target: tuple = ()
    text: str = ""
    old: str = ""
    path: str | None = None

    def __post_init__(self):  # the result cache stores findings as JSON, which gives lists back
        if not isinstance(self.target, tuple):
            object.__setattr__(self, "target", tuple(self.target))


@dataclass(frozen=True)
class Fix:
    """How a finding can be fixed; `safe` fixes never change behaviour beyond the finding.
    `edits` spell the change out where the fixer cannot derive it (scaffolder/fixes/)."""

    description: str
    safe: bool = True
    edits: tuple[Edit, ...] = ()

    def __post_init__(self):
        if not isinstance(self.edits, tuple) or any(isinstance(edit, dict) for edit in self.edits):
            edits = tuple(Edit(**edit) if isinstance(edit, dict) else edit for edit in self.edits)
            object.__setattr__(self, "edits", edits)


class Finding(NamedTuple):
    """A NamedTuple rather than a frozen dataclass: a run makes and re-makes (the engine's
    _resolved) thousands of them, at a third of the cost."""

    code: str
    message: str
    path: str  # absolute while checks run; the engine makes it relative to the report root
    line: int = 1
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None
    severity: Severity | None = None  # filled in by the engine from the catalog and settings
    fix: Fix | None = None
    source: str = "scaffolder"  # or "hadolint"

    @property
    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.code, self.message)


class LintResult:
    """What a lint run found, over how many services and files."""

    __slots__ = ("findings", "services", "files", "cached")

    def __init__(self, findings: list[Finding] | None = None, services: int = 0, files: int = 0, cached: int = 0):
        self.findings = findings if findings is not None else []
        self.services = services
        self.files = files
        self.cached = cached  # services whose findings came from the cache

    def __repr__(self) -> str:
        return (f"LintResult({len(self.findings)} findings, services={self.services}, files={self.files}, "
                f"cached={self.cached})")
