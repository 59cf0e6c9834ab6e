"""What a check reports: a Finding at a Location, with a Severity and maybe a Fix."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


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
class Fix:
    """How a finding can be fixed; `safe` fixes never change behaviour beyond the finding."""

    description: str
    safe: bool = True


@dataclass(frozen=True)
class Finding:
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


@dataclass
class LintResult:
    findings: list[Finding] = field(default_factory=list)
    services: int = 0
    files: int = 0
