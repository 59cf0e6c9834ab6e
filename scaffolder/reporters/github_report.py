"""GitHub Actions workflow commands: one annotation per finding on the pull request's diff."""

from __future__ import annotations

from scaffolder.findings import LintResult, Severity

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: LintResult, context) -> str:
    lines = []
    for finding in result.findings:
        properties = [f"file={_escape_property(finding.path)}", f"line={finding.line}", f"col={finding.column}"]
        if finding.end_line:
            properties.append(f"endLine={finding.end_line}")
        if finding.end_column and (finding.end_line in (None, finding.line)):
            properties.append(f"endColumn={finding.end_column}")
        properties.append(f"title={_escape_property(finding.code)}")
        command = _COMMAND[finding.severity or Severity.WARNING]
        lines.append(f"::{command} {','.join(properties)}::{_escape_data(f'{finding.code} {finding.message}')}")
    return "".join(line + "\n" for line in lines)
