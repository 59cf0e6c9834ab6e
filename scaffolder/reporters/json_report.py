"""Machine-readable JSON: every finding with its location, severity, source and fix."""

from __future__ import annotations

import json
from collections import Counter

from scaffolder import __version__
from scaffolder.findings import LintResult


def render(result: LintResult, context) -> str:
    findings = [
        {
            "code": finding.code,
            "severity": finding.severity.value if finding.severity else None,
            "message": finding.message,
            "path": finding.path,
            "line": finding.line,
            "column": finding.column,
            "end_line": finding.end_line,
            "end_column": finding.end_column,
            "source": finding.source,
            "fix": {"description": finding.fix.description, "safe": finding.fix.safe} if finding.fix else None,
        }
        for finding in result.findings
    ]
    counts = Counter(finding["severity"] for finding in findings)
    document = {
        "tool": {"name": "scaffolder", "version": __version__},
        "summary": {
            "services": result.services,
            "files": result.files,
            "findings": len(findings),
            "by_severity": {level: counts.get(level, 0) for level in ("error", "warning", "info")},
        },
        "findings": findings,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
