"""`--add-suppressions`: write an inline suppression for each of today's findings.

The suppression goes on a line of its own above the finding's line, indented like it, in the
file's comment syntax (`# scaffolder: ignore[CBR201]`, `// scaffolder: ignore[CBR301]`): a trailing
comment would change a Dockerfile instruction or a .properties value. Codes for the same line share
one comment, and codes are added to a suppression already standing above the line. Files without
comments (JSON) cannot hold one: they are counted and left for a baseline or per-file-ignores.

Left alone and counted too, with the reason: a Python file that would no longer parse (a finding
inside a backslash continuation); a finding on a shebang line or on a Dockerfile parser directive
(`# syntax=`, `# escape=`, `# check=`), which only work at the very top; and the files `--fix` would
not write either (a symlink, a file with other hard links: fixes.files.check_writable). A byte-order
mark stays in front, and files are rewritten atomically with their owner and mode kept.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from scaffolder.findings import Finding
from scaffolder.fixes.eligibility import is_dockerfile
from scaffolder.fixes.files import read_for_fix, write_atomically
from scaffolder.fixes.text_edits import FixError
from scaffolder.suppressions import comment_marker

_PRAGMA_LINE = re.compile(r"^(?P<indent>\s*)(?P<marker>#|//)\s*scaffolder:\s*ignore\[(?P<codes>[^\]]*)\]\s*$")
# Docker reads parser directives only in the lines before the first comment, blank line or instruction.
_PARSER_DIRECTIVE = re.compile(r"#\s*(?:syntax|escape|check)\s*=", re.I)


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
        _suppress_in_file(report, root / relative, relative, codes_by_line)
    return report


def _suppress_in_file(report: SuppressionReport, path: Path, relative: str, codes_by_line: dict[int, set[str]]) -> None:
    marker = comment_marker(path.name)
    count = sum(len(codes) for codes in codes_by_line.values())
    if marker is None:
        report.skipped.append(f"{relative}: has no comment syntax ({count} finding(s))")
        return
    try:
        before = read_for_fix(path)  # refuses symlinks and hard links; sets a byte-order mark aside
    except FixError as error:
        report.skipped.append(f"{relative}: {error}")
        return
    if before.text is None:
        report.skipped.append(f"{relative}: the file does not exist any more")
        return
    lines = before.text.splitlines(keepends=True)
    top = _top_lines(path, lines)
    for number in sorted(line for line in codes_by_line if line <= top):
        report.skipped.append(f"{relative}:{number}: a suppression above line {number} would break its "
                              f"{'parser directive' if is_dockerfile(path) else 'shebang'}")
        count -= len(codes_by_line.pop(number))
    if not codes_by_line:
        return
    changed = _with_suppressions(lines, codes_by_line, marker)
    if path.suffix == ".py" and not _parses(changed):
        report.skipped.append(f"{relative}: a suppression there would break the Python syntax")
        return
    if changed != before.text:
        try:
            write_atomically(path, before.encoded(changed))
        except (OSError, FixError) as error:
            report.skipped.append(f"{relative}: cannot write it ({getattr(error, 'strerror', None) or error})")
            return
        report.files += 1
    report.added += count


def _top_lines(path: Path, lines: list[str]) -> int:
    """How many lines at the top must stay first: Dockerfile parser directives, or a shebang."""
    if is_dockerfile(path):
        count = 0
        while count < len(lines) and _PARSER_DIRECTIVE.match(lines[count]):
            count += 1
        return count
    return 1 if lines and lines[0].startswith("#!") else 0


def _with_suppressions(lines: list[str], codes_by_line: dict[int, set[str]], marker: str) -> str:
    lines = list(lines)
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
