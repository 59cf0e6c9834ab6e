"""GitLab code quality report (a JSON array of issues with a fingerprint and a location)."""

from __future__ import annotations

import hashlib
import json

from scaffolder.findings import LintResult, Severity

_SEVERITY = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "info"}


def render(result: LintResult, context) -> str:
    issues = []
    seen: dict[str, int] = {}
    for finding in result.findings:
        base = hashlib.sha256(f"{finding.code}\0{finding.path}\0{finding.message}".encode()).hexdigest()
        seen[base] = seen.get(base, 0) + 1
        issues.append({
            "type": "issue",
            "check_name": finding.code,
            "description": f"{finding.code}: {finding.message}",
            "categories": ["Bug Risk"] if finding.severity is Severity.ERROR else ["Style"],
            "severity": _SEVERITY[finding.severity or Severity.WARNING],
            "fingerprint": hashlib.md5(f"{base}:{seen[base]}".encode()).hexdigest(),
            "location": {"path": finding.path, "lines": {"begin": finding.line}},
        })
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
