"""Every example in the rule catalog is a test: a bad example raises exactly its rule, a good one
raises nothing (with every CBR rule enabled; hadolint has its own tests)."""

from __future__ import annotations

import pytest

from conftest import lint_tree
from scaffolder.catalog import default_catalog

CATALOG = default_catalog()
CASES = [
    pytest.param(rule, example, id=f"{rule.code}-{example.kind}-{index}")
    for rule in CATALOG.rules.values()
    for index, example in enumerate(rule.examples)
]


@pytest.mark.parametrize(("rule", "example"), CASES)
def test_example(rule, example, tmp_path):
    assert example.files, f"{rule.path}: example {example.title!r} has no file (fences need title=\"path\")"
    findings = lint_tree(tmp_path, example.files)
    raised = sorted({finding.code for finding in findings})
    detail = "\n".join(f"{f.path}:{f.line}:{f.column} {f.code} {f.message}" for f in findings)
    if example.kind == "bad":
        assert raised == [rule.code], f"{rule.code} bad example {example.title!r} raised:\n{detail}"
    else:
        assert raised == [], f"{rule.code} good example {example.title!r} raised:\n{detail}"


@pytest.mark.parametrize("rule", list(CATALOG.rules.values()), ids=lambda rule: rule.code)
def test_rule_documents_itself(rule):
    kinds = {example.kind for example in rule.examples}
    assert kinds == {"bad", "good"}, f"{rule.path}: needs at least one bad and one good example"
    for heading in ("## What it does", "## Why"):
        assert heading in rule.body, f"{rule.path}: missing section {heading!r}"
