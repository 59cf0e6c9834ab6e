"""The rule catalog: one Markdown file per rule in rules/, front matter plus prose and examples.

A rule file looks like:

    ---
    code: CBR401
    name: mem-not-twice-cpu
    severity: error            # error | warning | info
    fix: safe                  # safe | unsafe | none
    modes: [container, function, agent]
    languages: [any]
    summary: One line saying what is wrong.
    aliases: []                # old codes that still select this rule
    ---
    prose ...
    ## Examples
    ### Bad
    ```json title="cloudbaserc.json"
    ...
    ```
    ### Fixed
    ...                        (optional) the bad example's files after `scaffolder lint --fix`
    ### Good
    ...

Every fence with a `title="path"` under a `### Bad` or `### Good` heading is one file of that
example; the test suite writes each example to a folder and lints it. A `### Fixed` heading right
after a bad example holds the files `--fix` turns it into (with `--unsafe-fixes` when the rule's fix
is unsafe or the heading says "unsafe"); only the files that change need to be there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import NamedTuple

from scaffolder.findings import Severity
from scaffolder.front_matter import parse_plain
from scaffolder.resources import rules_dir

CODE_PATTERN = re.compile(r"^CBR\d{3}$")
# hadolint's own codes pass through unchanged (DL for Dockerfile rules, SC for ShellCheck).
HADOLINT_CODE_PATTERN = re.compile(r"^(DL|SC)\d{4}$")
FIX_KINDS = ("safe", "unsafe", "none")

_FENCE = re.compile(r"^```(?P<lang>[\w+-]*)(?P<info>[^\n]*)\n(?P<body>.*?)^```\s*$", re.M | re.S)
_TITLE = re.compile(r'title="(?P<title>[^"]+)"')
_EXAMPLE_HEADING = re.compile(r"^###\s+(?P<kind>Bad|Good|Fixed)\b[^\n]*$", re.M)


class CatalogError(Exception):
    pass


class Example(NamedTuple):
    kind: str  # "bad" or "good"
    title: str
    files: dict[str, str]
    fixed: dict[str, str] | None = None  # a bad example's files after --fix (those that change)
    fixed_title: str = ""  # the `### Fixed ...` heading, which may ask for --unsafe-fixes


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    fix: str
    summary: str
    modes: tuple[str, ...]
    languages: tuple[str, ...]
    aliases: tuple[str, ...]
    body: str
    path: Path

    @property
    def fixable(self) -> bool:
        return self.fix != "none"

    @cached_property
    def examples(self) -> tuple[Example, ...]:
        """Parsed on first use: a lint run needs only the front matter."""
        try:
            return parse_examples(self.body)
        except CatalogError as error:
            raise CatalogError(f"{self.path}: {error}") from None


def _split_front_matter(text: str, path: Path) -> tuple[dict, str]:
    if not text.startswith("---\n"):
        raise CatalogError(f"{path}: a rule file starts with '---' front matter")
    end = text.find("\n---\n", 4)
    if end < 0:
        raise CatalogError(f"{path}: front matter is not closed with '---'")
    meta = parse_plain(text[4:end])
    if meta is None:  # not the plain subset: the full YAML reader decides
        import yaml

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        meta = yaml.load(text[4:end], Loader=loader) or {}
    if not isinstance(meta, dict):
        raise CatalogError(f"{path}: front matter must be a mapping")
    return meta, text[end + 5 :]


def parse_examples(body: str) -> tuple[Example, ...]:
    examples: list[Example] = []
    headings = list(_EXAMPLE_HEADING.finditer(body))
    for index, heading in enumerate(headings):
        end = headings[index + 1].start() if index + 1 < len(headings) else len(body)
        section = body[heading.end() : end]
        next_h2 = re.search(r"^##\s", section, re.M)
        if next_h2:
            section = section[: next_h2.start()]
        files = {}
        for fence in _FENCE.finditer(section):
            title = _TITLE.search(fence.group("info"))
            if title:
                files[title.group("title")] = fence.group("body")
        title = heading.group(0)[4:].strip()
        if heading.group("kind") == "Fixed":
            if not examples or examples[-1].kind != "bad" or examples[-1].fixed is not None:
                raise CatalogError(f"'### {title}' must follow a '### Bad' example")
            examples[-1] = examples[-1]._replace(fixed=files, fixed_title=title)
            continue
        examples.append(Example(kind=heading.group("kind").lower(), title=title, files=files))
    return tuple(examples)


def parse_rule(path: Path) -> Rule:
    text = path.read_text(encoding="utf-8")
    meta, body = _split_front_matter(text, path)
    missing = [key for key in ("code", "name", "severity", "fix", "summary") if key not in meta]
    if missing:
        raise CatalogError(f"{path}: front matter lacks {', '.join(missing)}")
    code = str(meta["code"])
    if not CODE_PATTERN.match(code):
        raise CatalogError(f"{path}: code {code!r} is not CBR followed by three digits")
    try:
        severity = Severity.parse(str(meta["severity"]))
    except ValueError as error:
        raise CatalogError(f"{path}: {error}") from None
    if meta["fix"] not in FIX_KINDS:
        raise CatalogError(f"{path}: fix must be one of {', '.join(FIX_KINDS)}")
    return Rule(
        code=code,
        name=str(meta["name"]),
        severity=severity,
        fix=str(meta["fix"]),
        summary=str(meta["summary"]).strip(),
        modes=tuple(meta.get("modes") or ("container", "function", "agent")),
        languages=tuple(meta.get("languages") or ("any",)),
        aliases=tuple(str(alias) for alias in meta.get("aliases") or ()),
        body=body.strip() + "\n",
        path=path,
    )


class Catalog:
    """The rules by code. Not to be changed once made: `aliases()` is worked out once."""

    def __init__(self, rules: dict[str, Rule]):
        self.rules = rules
        self._aliases: dict[str, str] | None = None

    def __repr__(self) -> str:
        return f"Catalog({len(self.rules)} rules)"

    def get(self, code: str) -> Rule | None:
        return self.rules.get(code) or self.rules.get(self.aliases().get(code, ""))

    def aliases(self) -> dict[str, str]:
        if self._aliases is None:
            self._aliases = {alias: rule.code for rule in self.rules.values() for alias in rule.aliases}
        return self._aliases

    def known(self, code: str) -> bool:
        return self.get(code) is not None or bool(HADOLINT_CODE_PATTERN.match(code))


def load_catalog(directory: Path | None = None) -> Catalog:
    directory = directory or rules_dir()
    rules: dict[str, Rule] = {}
    for path in sorted(directory.glob("CBR*.md")):
        rule = parse_rule(path)
        if rule.code in rules:
            raise CatalogError(f"{path}: code {rule.code} is also defined in {rules[rule.code].path}")
        if path.stem != rule.code:
            raise CatalogError(f"{path}: file name must be the rule code ({rule.code}.md)")
        rules[rule.code] = rule
    return Catalog(rules)


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    return load_catalog()
