"""Every fixable rule's bad example, run through `scaffolder lint --fix`, turns into the `### Fixed`
files kept beside it in the rule file; the result parses and no longer raises the rule. And the rule
files tell the truth about fixes: `fix: safe|unsafe` rules show a Fixed result, `fix: none` rules
attach no fix."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import textwrap
from pathlib import Path

import pytest

from conftest import lint_tree, write_tree
from scaffolder.catalog import default_catalog
from scaffolder.cli import main
from scaffolder.dockerfile_model import parse_text
from scaffolder.fixes.eligibility import is_dockerfile

# progress.wanted() binds sys.stderr as a default argument when first imported; import it now, at
# collection, so that it is not bound to one test's capsys stream that is closed by the next test.
importlib.import_module("scaffolder.progress") if importlib.util.find_spec("scaffolder.progress") else None

CATALOG = default_catalog()
FIXED = [
    pytest.param(rule, example, id=f"{rule.code}-bad-{index}")
    for rule in CATALOG.rules.values()
    for index, example in enumerate(rule.examples)
    if example.fixed is not None
]


def _tree(root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(root.rglob("*")) if path.is_file()}


def _parses(name: str, text: str) -> None:
    path = Path(name)
    if path.suffix == ".json":
        json.loads(text)
    elif path.suffix == ".py":
        ast.parse(text)
    elif is_dockerfile(path):
        parse_text(path, text)


def _fix(root: Path, unsafe: bool, monkeypatch, capsys) -> tuple[int, dict, str]:
    monkeypatch.chdir(root)
    argv = ["lint", "--no-hadolint", "--no-cache", "--format", "json", "--fix", "."]
    if unsafe:
        argv.insert(-1, "--unsafe-fixes")
    code = main(argv)
    captured = capsys.readouterr()
    assert captured.out.startswith("{"), (code, captured.out, captured.err)
    return code, json.loads(captured.out), captured.err


@pytest.mark.parametrize(("rule", "example"), FIXED)
def test_fix_turns_the_bad_example_into_the_fixed_one(rule, example, tmp_path, monkeypatch, capsys):
    write_tree(tmp_path, example.files)
    unsafe = rule.fix == "unsafe" or "unsafe" in example.fixed_title
    _code, report, stderr = _fix(tmp_path, unsafe, monkeypatch, capsys)

    assert rule.code not in {finding["code"] for finding in report["findings"]}, stderr
    assert "not fixed" not in stderr, stderr
    expected = {name: textwrap.dedent(text) for name, text in {**example.files, **example.fixed}.items()}
    actual = _tree(tmp_path)
    assert actual == expected
    for name in example.fixed:
        _parses(name, actual[name])
    # fixing again changes nothing
    _fix(tmp_path, unsafe, monkeypatch, capsys)
    assert _tree(tmp_path) == expected


@pytest.mark.parametrize(("rule", "example"), [param for param in FIXED if param.values[0].fix == "safe"
                                               and "unsafe" not in param.values[1].fixed_title])
def test_a_safe_rules_fixed_example_needs_no_unsafe_fix(rule, example, tmp_path, monkeypatch, capsys):
    """`fix: safe` is true: plain --fix is enough for its example."""
    write_tree(tmp_path, example.files)
    _code, report, _stderr = _fix(tmp_path, False, monkeypatch, capsys)
    assert rule.code not in {finding["code"] for finding in report["findings"]}


@pytest.mark.parametrize(("rule", "example"), [param for param in FIXED if param.values[0].fix == "unsafe"])
def test_an_unsafe_rules_fix_waits_for_unsafe_fixes(rule, example, tmp_path, monkeypatch, capsys):
    """`fix: unsafe` is true: plain --fix leaves its example alone."""
    write_tree(tmp_path, example.files)
    _code, report, _stderr = _fix(tmp_path, False, monkeypatch, capsys)
    assert rule.code in {finding["code"] for finding in report["findings"]}


@pytest.mark.parametrize("rule", [rule for rule in CATALOG.rules.values() if rule.fixable], ids=lambda rule: rule.code)
def test_every_fixable_rule_shows_its_fix(rule):
    assert any(example.fixed for example in rule.examples), \
        f"{rule.path}: fix is {rule.fix}, so a bad example needs a '### Fixed' block"


@pytest.mark.parametrize("rule", [rule for rule in CATALOG.rules.values() if not rule.fixable],
                         ids=lambda rule: rule.code)
def test_a_rule_without_a_fix_attaches_none(rule, tmp_path):
    for index, example in enumerate(rule.examples):
        if example.kind != "bad":
            continue
        root = tmp_path / str(index)
        root.mkdir()
        for finding in lint_tree(root, example.files):
            if finding.code == rule.code:
                assert finding.fix is None, f"{rule.code} is fix: none but attaches {finding.fix}"


def test_a_fixed_block_must_follow_a_bad_example():
    from scaffolder.catalog import CatalogError, parse_examples

    with pytest.raises(CatalogError, match="must follow"):
        parse_examples('### Good\n```py title="a.py"\npass\n```\n### Fixed\n```py title="a.py"\npass\n```\n')
    bad, good = parse_examples('### Bad\n```py title="a.py"\nx\n```\n### Fixed with --unsafe-fixes\n'
                               '```py title="a.py"\ny\n```\n### Good\n```py title="a.py"\nz\n```\n')
    assert bad.fixed == {"a.py": "y\n"} and "unsafe" in bad.fixed_title and good.fixed is None
