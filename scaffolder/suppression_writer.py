"""`--add-suppressions`: write an inline suppression for each of today's findings.

The suppression goes on a line of its own above the finding's line, indented like it, in the
file's comment syntax (`# scaffolder: ignore[CBR201]`, `// scaffolder: ignore[CBR301]`): a trailing
comment would change a Dockerfile instruction or a .properties value. Codes for the same line share
one comment, and codes are added to a suppression already standing above the line. Files without
comments (JSON) cannot hold one: they are counted and left for a baseline or per-file-ignores.
A Python file that would no longer parse (a finding inside a backslash continuation) is left as it
was and counted too. Files are rewritten atomically.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from scaffolder.atomic import write_text_atomically
from scaffolder.findings import Finding
from scaffolder.suppressions import comment_marker

_PRAGMA_LINE = re.compile(r"^(?P<indent>\s*)(?P<marker>#|//)\s*scaffolder:\s*ignore\[(?P<codes>[^\]]*)\]\s*$")


@dataclass
class SuppressionReport:
    added: int = 0  # findings now suppressed
    files: int = 0  # files changed
    skipped: list[str] = field(default_factory=list)  # "path: why", for files left alone


# Findings about suppressions themselves (unused, unknown code): the fix is to edit that pragma.
ABOUT_SUPPRESSIONS = frozenset({"CBR002", "CBR003"})


def add_suppressions(findings: list[Finding], root: Path) -> SuppressionReport:
    report = SuppressionReport()
    codes_by_file: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for finding in findings:
        if finding.code in ABOUT_SUPPRESSIONS:
            report.skipped.append(f"{finding.path}:{finding.line}: {finding.code} is about a suppression; edit it")
        else:
            codes_by_file[finding.path][finding.line].add(finding.code)
    for relative, codes_by_line in sorted(codes_by_file.items()):
        path = root / relative
        marker = comment_marker(path.name)
        count = sum(len(codes) for codes in codes_by_line.values())
        if marker is None:
            report.skipped.append(f"{relative}: has no comment syntax ({count} finding(s))")
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            report.skipped.append(f"{relative}: cannot read it ({error})")
            continue
        changed = _with_suppressions(text, codes_by_line, marker)
        if path.suffix == ".py" and not _parses(changed):
            report.skipped.append(f"{relative}: a suppression there would break the Python syntax")
            continue
        if changed != text:
            write_text_atomically(path, changed)
            report.files += 1
        report.added += count
    return report


def _with_suppressions(text: str, codes_by_line: dict[int, set[str]], marker: str) -> str:
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    for number in sorted(codes_by_line, reverse=True):  # bottom up, so earlier numbers stay right
        index = min(max(number - 1, 0), len(lines))
        target = lines[index] if index < len(lines) else ""
        indent = target[: len(target) - len(target.lstrip())] if target.strip() else ""
        codes = set(codes_by_line[number])
        existing = _PRAGMA_LINE.match(lines[index - 1].rstrip("\r\n")) if index > 0 else None
        if existing and existing["marker"] == marker:
            codes |= {code.strip() for code in existing["codes"].split(",") if code.strip()}
            lines[index - 1] = f"{existing['indent']}{marker} scaffolder: ignore[{', '.join(sorted(codes))}]{newline}"
        else:
            lines.insert(index, f"{indent}{marker} scaffolder: ignore[{', '.join(sorted(codes))}]{newline}")
    return "".join(lines)


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return True
