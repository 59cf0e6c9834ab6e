"""A baseline: today's findings, recorded so that only new ones are reported.

    scaffolder lint --write-baseline .scaffolder-baseline.json   # record (written by cli_lint)
    scaffolder lint --baseline .scaffolder-baseline.json         # report only what is new

A finding is matched by its rule, its file and a fingerprint of its code. Two fingerprints are kept:
the text of its line with the nearest non-blank line on each side (`fingerprint`), and the text of
its line alone (`line_fingerprint`), whitespace collapsed in both. Matching tries the first, then
the second for what is left, so a recorded problem still matches when code moves (lines added
above it, a re-indented block) or when a neighbouring line changes, while identical lines in
different places are told apart when they can be. Line numbers are not part of either. A changed
line is a new finding. Fingerprints are counted, so a second copy of a recorded problem is still
reported.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import NamedTuple

from scaffolder.findings import Finding
from scaffolder.reporters import SourceLines

FORMAT_VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be read; the message names it."""


class Entry(NamedTuple):
    code: str
    path: str
    fingerprint: str  # the line and its neighbours
    line_fingerprint: str  # the line alone

    def keys(self) -> tuple[tuple[str, str, str], tuple[str, str, str]]:
        return (self.code, self.path, self.fingerprint), (self.code, self.path, self.line_fingerprint)


def fingerprints(finding: Finding, lines: list[str]) -> tuple[str, str]:
    index = finding.line - 1
    if not 0 <= index < len(lines):  # a finding about a whole file (a missing .dockerignore)
        return _digest(finding.message), _digest(finding.message)
    line = " ".join(lines[index].split())
    return _digest(_neighbour(lines, index, -1), line, _neighbour(lines, index, +1)), _digest(line)


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=12).hexdigest()


def _neighbour(lines: list[str], index: int, step: int) -> str:
    index += step
    while 0 <= index < len(lines):
        if lines[index].strip():
            return " ".join(lines[index].split())
        index += step
    return ""


def entries(findings: list[Finding], root: Path) -> list[Entry]:
    read = SourceLines(root)
    return [Entry(finding.code, finding.path, *fingerprints(finding, read(finding.path))) for finding in findings]


def render(findings: list[Finding], root: Path) -> str:
    """The baseline file's text for these findings (paths relative to `root`)."""
    rows = sorted(
        ({"code": entry.code, "path": entry.path, "fingerprint": entry.fingerprint,
          "line_fingerprint": entry.line_fingerprint, "line": finding.line, "message": finding.message}
         for entry, finding in zip(entries(findings, root), findings)),
        key=lambda row: (row["path"], row["line"], row["code"], row["fingerprint"]),
    )
    document = {"tool": "scaffolder", "version": FORMAT_VERSION, "findings": rows}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def load(path: Path) -> list[Entry]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BaselineError(f"baseline {path}: cannot read it: {error.strerror or error}") from None
    except (UnicodeDecodeError, ValueError) as error:
        raise BaselineError(f"baseline {path}: not a scaffolder baseline (invalid JSON: {error})") from None
    if not isinstance(document, dict) or document.get("tool") != "scaffolder" or not isinstance(
            document.get("findings"), list):
        raise BaselineError(f"baseline {path}: not a scaffolder baseline; write one with --write-baseline")
    if document.get("version") != FORMAT_VERSION:
        raise BaselineError(f"baseline {path}: format version {document.get('version')!r} is not "
                            f"{FORMAT_VERSION}; write it again with --write-baseline")
    try:
        return [Entry(str(row["code"]), str(row["path"]), str(row["fingerprint"]), str(row["line_fingerprint"]))
                for row in document["findings"]]
    except (KeyError, TypeError):
        raise BaselineError(f"baseline {path}: an entry lacks code, path or a fingerprint") from None


def new_findings(findings: list[Finding], known: list[Entry], root: Path) -> tuple[list[Finding], int]:
    """The findings not in the baseline, and how many were matched (so hidden)."""
    unmatched = list(zip(findings, entries(findings, root)))
    unused = list(known)
    for level in (0, 1):  # the line with its neighbours first, then the line alone
        available = Counter(entry.keys()[level] for entry in unused)
        taken: Counter = Counter()
        still: list[tuple[Finding, Entry]] = []
        for finding, entry in unmatched:
            key = entry.keys()[level]
            if available[key] > taken[key]:
                taken[key] += 1
            else:
                still.append((finding, entry))
        unmatched, unused = still, _drop(unused, taken, level)
    kept = [finding for finding, _ in unmatched]
    return kept, len(findings) - len(kept)


def _drop(entries_: list[Entry], taken: Counter, level: int) -> list[Entry]:
    """`entries_` without as many entries of each key as were taken."""
    left: list[Entry] = []
    for entry in entries_:
        key = entry.keys()[level]
        if taken[key] > 0:
            taken[key] -= 1
        else:
            left.append(entry)
    return left
