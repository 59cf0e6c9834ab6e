"""Text for people: `path:line:col CODE message`, a frame of the code, and a summary."""

from __future__ import annotations

import io
from collections import Counter

from scaffolder.findings import LintResult, Severity
from scaffolder.fixes.eligibility import can_fix
from scaffolder.reporters import SourceLines

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
_CONTEXT_LINES = 1


def _frame(lines: list[str], line: int, column: int) -> list[tuple[str, str]]:
    """(text, style) pairs: the finding's line with a line of context each side and a caret."""
    if not 0 < line <= len(lines):
        return []
    width = len(str(min(len(lines), line + _CONTEXT_LINES)))
    out = []
    for number in range(max(1, line - _CONTEXT_LINES), min(len(lines), line + _CONTEXT_LINES) + 1):
        marker = ">" if number == line else " "
        out.append((f"  {marker} {number:>{width}} | {lines[number - 1].expandtabs(4)}", "bold" if number == line else "dim"))
        if number == line:
            out.append((f"    {' ' * width} | {' ' * (max(column, 1) - 1)}^", "bold red"))
    return out


def render(result: LintResult, context, color: bool = False) -> str:
    from rich.console import Console
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=120, highlight=False, soft_wrap=True)
    source_lines = SourceLines(context.root)
    for finding in result.findings:
        severity = finding.severity or Severity.WARNING
        head = Text()
        head.append(f"{finding.path}:{finding.line}:{finding.column}", style="bold")
        head.append(": ")
        head.append(finding.code, style=_STYLE[severity])
        if can_fix(finding) and finding.fix.safe:
            head.append(" [*]", style="green")  # --fix fixes it
        head.append(f" [{severity.value}] ", style=_STYLE[severity])
        head.append(finding.message)
        console.print(head)
        for text, style in _frame(source_lines(finding.path), finding.line, finding.column):
            console.print(Text(text, style=style))
        if finding.fix:
            kind = "safe fix" if finding.fix.safe else "unsafe fix"
            console.print(Text(f"  help ({kind}): {finding.fix.description}", style="green"))
        console.print()
    console.print(_summary(result, context))
    return buffer.getvalue()


def _summary(result: LintResult, context) -> str:
    counts = Counter((finding.severity or Severity.WARNING) for finding in result.findings)
    scope = f"{result.services} service{'s' if result.services != 1 else ''}, {result.files} file{'s' if result.files != 1 else ''}"
    if not result.findings:
        return f"All checks passed ({scope})."
    parts = [f"{counts[level]} {level.value}{'s' if counts[level] != 1 and level is not Severity.INFO else ''}"
             for level in (Severity.ERROR, Severity.WARNING, Severity.INFO) if counts[level]]
    fixable = sum(1 for finding in result.findings if can_fix(finding) and finding.fix.safe)
    unsafe = sum(1 for finding in result.findings if can_fix(finding) and not finding.fix.safe)
    line = f"Found {len(result.findings)} finding{'s' if len(result.findings) != 1 else ''} ({', '.join(parts)}) in {scope}."
    if fixable or unsafe:
        line += f" [*] {fixable} fixable with --fix" + (f" ({unsafe} more with --unsafe-fixes)." if unsafe else ".")
    return line + f" Failing at: {context.fail_on} and above."
