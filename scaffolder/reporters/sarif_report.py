"""SARIF 2.1.0 for code scanning (GitHub and others): rules with help, relative URIs under
%SRCROOT%, regions, and partialFingerprints that survive unrelated edits."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict

from scaffolder import __version__
from scaffolder.findings import LintResult, Severity
from scaffolder.reporters import SourceLines, hadolint_help_uri

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/scaffolder-cloudbase/scaffolder"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _rule_descriptor(code: str, context, severity: Severity) -> dict:
    rule = context.catalog.get(code)
    if rule is None:  # hadolint's own codes
        return {
            "id": code,
            "name": code,
            "shortDescription": {"text": f"hadolint {code}"},
            "fullDescription": {"text": f"hadolint rule {code}; see its documentation."},
            "helpUri": hadolint_help_uri(code),
            "help": {"text": f"See {hadolint_help_uri(code)}", "markdown": f"See [{code}]({hadolint_help_uri(code)})."},
            "defaultConfiguration": {"level": _LEVEL[severity]},
            "properties": {"tags": ["dockerfile", "hadolint"]},
        }
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.summary},
        "help": {"text": rule.body, "markdown": rule.body},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"tags": ["cloudbase-run", *rule.languages]},
    }


def render(result: LintResult, context) -> str:
    # Every catalog rule is described, so code scanning can show the help of any rule.
    rules = [_rule_descriptor(code, context, Severity.WARNING) for code in sorted(context.catalog.rules)]
    rule_index = {rule["id"]: index for index, rule in enumerate(rules)}
    results = []
    source_lines = SourceLines(context.root)
    occurrences: dict[tuple, int] = defaultdict(int)
    for finding in result.findings:
        severity = finding.severity or Severity.WARNING
        if finding.code not in rule_index:
            rule_index[finding.code] = len(rules)
            rules.append(_rule_descriptor(finding.code, context, severity))
        region = {"startLine": finding.line, "startColumn": finding.column}
        if finding.end_line:
            region["endLine"] = finding.end_line
        if finding.end_column:
            region["endColumn"] = finding.end_column
        # Fingerprint the code of the line, not its number, so moving code keeps the identity.
        lines = source_lines(finding.path)
        text = lines[finding.line - 1].strip() if 0 < finding.line <= len(lines) else ""
        key = (finding.code, finding.path, text)
        occurrences[key] += 1
        digest = hashlib.sha256("\0".join(key).encode()).hexdigest()[:16]
        location = {
            "physicalLocation": {
                "artifactLocation": {"uri": finding.path, "uriBaseId": "%SRCROOT%"},
                "region": region,
            }
        }
        entry = {
            "ruleId": finding.code,
            "ruleIndex": rule_index[finding.code],
            "level": _LEVEL[severity],
            "message": {"text": finding.message},
            "locations": [location],
            "partialFingerprints": {"primaryLocationLineHash": f"{digest}:{occurrences[key]}"},
        }
        if finding.fix:
            entry["properties"] = {"fix": finding.fix.description, "fixSafe": finding.fix.safe}
        results.append(entry)
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "scaffolder",
                        "semanticVersion": __version__,
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": context.root.resolve().as_uri() + "/"}},
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
