"""docs/rules.md is generated from the catalog: `python -m scaffolder.rule_docs docs/rules.md`.
A test fails when the committed page differs from what this module renders."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from scaffolder.catalog import Catalog, load_catalog

HEADER = """# Rule reference

Generated from `rules/` by `python -m scaffolder.rule_docs docs/rules.md`; do not edit by hand.
`scaffolder rule CODE` prints the same text in a terminal. hadolint's own codes (`DLnnnn`, `SCnnnn`)
pass through unchanged and are documented at https://github.com/hadolint/hadolint#rules.

"""


def _demote_headings(markdown: str) -> str:
    """Each rule's `#` title becomes a `##` section of the reference page, and so on down."""
    out, in_fence = [], False
    for line in markdown.splitlines():
        if line.startswith("```"):
            in_fence = not in_fence
        if not in_fence and re.match(r"^#{1,5} ", line):
            line = "#" + line
        out.append(line)
    return "\n".join(out)


def render(catalog: Catalog) -> str:
    rules = list(catalog.rules.values())
    parts = [HEADER, "| code | name | severity | fix | summary |\n| --- | --- | --- | --- | --- |\n"]
    for rule in rules:
        anchor = f"{rule.code}-{rule.name}".lower()
        parts.append(f"| [{rule.code}](#{anchor}) | {rule.name} | {rule.severity.value} | {rule.fix} | {rule.summary} |\n")
    for rule in rules:
        meta = (f"*severity: {rule.severity.value} · fix: {rule.fix} · modes: {', '.join(rule.modes)} · "
                f"languages: {', '.join(rule.languages)}*")
        body = _demote_headings(rule.body).rstrip("\n")
        title, _, rest = body.partition("\n")
        parts.append(f"\n{title}\n\n{meta}\n{rest}\n")
    return "".join(parts)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m scaffolder.rule_docs OUTPUT.md", file=sys.stderr)
        return 2
    Path(argv[0]).write_text(render(load_catalog()), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
