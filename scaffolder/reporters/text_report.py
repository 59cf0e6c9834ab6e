"""Text for people: `path:line:col CODE message`, a frame of the code, and a summary."""

from __future__ import annotations

import io
from collections import Counter

from scaffolder.findings import LintResult, Severity
from scaffolder.fixes.eligibility import can_fix
from scaffolder.reporters import SourceLines

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
_CONTEXT_LINES = 1
_FRAME_WIDTH = 160  # longer source lines (minified code, one-line JSON) are cut around the caret
# Control characters from a file would drive the terminal (set its title, clear it): show them.
_SAFE = {code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F) if code != 0x09}


def printable(text: str) -> str:
    return text.translate(_SAFE)


def _frame(lines: list[str], line: int, column: int) -> list[tuple[str, str]]:
    """(text, style) pairs: the finding's line with a line of context each side and a caret."""
    if not 0 < line <= len(lines):
        return []
    width = len(str(min(len(lines), line + _CONTEXT_LINES)))
    out = []
    start = max(0, column - _FRAME_WIDTH // 2) if column > _FRAME_WIDTH else 0
    for number in range(max(1, line - _CONTEXT_LINES), min(len(lines), line + _CONTEXT_LINES) + 1):
        marker = ">" if number == line else " "
        text = printable(lines[number - 1].expandtabs(4))
        shown = ("…" if start else "") + text[start:start + _FRAME_WIDTH] + ("…" if len(text) > start + _FRAME_WIDTH else "")
        out.append((f"  {marker} {number:>{width}} | {shown}", "bold" if number == line else "dim"))
        if number == line:
            caret = max(column, 1) - 1 - start + (1 if start else 0)
            out.append((f"    {' ' * width} | {' ' * caret}^", "bold red"))
    return out


Segment = tuple[str, str]  # (text, rich style)


def render(result: LintResult, context, color: bool = False) -> str:
    lines = _lines(result, context)
    if not color:  # plain text needs no rich, whose import costs a one-service run about 40 ms
        return "".join("".join(text for text, _ in line) + "\n" for line in lines)
    from rich.console import Console
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=120, highlight=False, soft_wrap=True)
    for line in lines:
        text = Text()
        for part, style in line:
            text.append(part, style=style or None)
        console.print(text)
    return buffer.getvalue()


def _lines(result: LintResult, context) -> list[list[Segment]]:
    lines: list[list[Segment]] = []
    source_lines = SourceLines(context.root)
    for finding in result.findings:
        severity = finding.severity or Severity.WARNING
        head = [(f"{finding.path}:{finding.line}:{finding.column}", "bold"), (": ", ""),
                (finding.code, _STYLE[severity])]
        if can_fix(finding) and finding.fix.safe:
            head.append((" [*]", "green"))  # --fix fixes it
        head += [(f" [{severity.value}] ", _STYLE[severity]), (printable(finding.message), "")]
        lines.append(head)
        lines.extend([segment] for segment in _frame(source_lines(finding.path), finding.line, finding.column))
        if finding.fix:
            kind = "safe fix" if finding.fix.safe else "unsafe fix"
            lines.append([(f"  help ({kind}): {finding.fix.description}", "green")])
        lines.append([])
    lines.append([(_summary(result, context), "")])
    return lines


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
        if not fixable:
            line += f" {unsafe} fixable with --fix --unsafe-fixes."
        else:
            line += f" [*] {fixable} fixable with --fix" + (f" ({unsafe} more with --unsafe-fixes)." if unsafe else ".")
    return line + f" Failing at: {context.fail_on} and above."
