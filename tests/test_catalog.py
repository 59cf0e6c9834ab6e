"""The catalog itself: well-formed rule files, stable codes, and a reference page that is current."""

from __future__ import annotations

from pathlib import Path

import pytest

from scaffolder.catalog import CatalogError, default_catalog, load_catalog, parse_examples
from scaffolder.checks import load_checks
from scaffolder.engine import ENGINE_CODES
from scaffolder import rule_docs

ROOT = Path(__file__).resolve().parent.parent


def test_rule_reference_page_is_current():
    expected = rule_docs.render(default_catalog())
    actual = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/rules.md is stale: run `python -m scaffolder.rule_docs docs/rules.md`"


def test_every_rule_is_implemented_by_some_check_and_vice_versa():
    emitted = set(ENGINE_CODES)
    for module in load_checks():
        emitted |= module.CODES
    assert emitted == set(default_catalog().rules), "a rule without a check, or a check code without a rule file"


def test_catalog_covers_the_families():
    codes = default_catalog().rules
    assert len(codes) >= 30
    for family in ("CBR1", "CBR2", "CBR3", "CBR4"):
        assert any(code.startswith(family) for code in codes), family


def test_examples_parse_titles_and_files():
    body = '### Bad: two files\n```dockerfile title="Dockerfile"\nFROM x\n```\n```py title="app.py"\npass\n```\n' \
           '### Good\n```text\nillustration only\n```\n```py title="app.py"\nok\n```\n## After\n```py title="x.py"\n```\n'
    bad, good = parse_examples(body)
    assert bad.kind == "bad" and bad.title == "Bad: two files"
    assert bad.files == {"Dockerfile": "FROM x\n", "app.py": "pass\n"}
    assert good.files == {"app.py": "ok\n"}


def test_malformed_rule_files_are_reported_with_their_path(tmp_path):
    (tmp_path / "CBR900.md").write_text("---\ncode: CBR900\nname: x\nseverity: loud\nfix: none\nsummary: s\n---\n")
    with pytest.raises(CatalogError, match="CBR900.md: unknown severity 'loud'"):
        load_catalog(tmp_path)
    (tmp_path / "CBR900.md").write_text("---\ncode: CBR9\nname: x\nseverity: error\nfix: none\nsummary: s\n---\n")
    with pytest.raises(CatalogError, match="CBR900.md"):
        load_catalog(tmp_path)


def _front_matter(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text[4:text.index("\n---\n", 4)]


def test_plain_front_matter_reader_agrees_with_yaml_on_every_rule_file():
    import yaml

    from scaffolder.front_matter import parse_plain
    from scaffolder.resources import rules_dir

    read_plainly = 0
    for path in sorted(rules_dir().glob("CBR*.md")):
        plain = parse_plain(_front_matter(path))
        if plain is not None:
            read_plainly += 1
            assert plain == yaml.safe_load(_front_matter(path)), path.name
    assert read_plainly >= len(list(rules_dir().glob("CBR*.md"))) - 2  # the fast path is the usual one


@pytest.mark.parametrize("text", [
    'summary: "quoted \\" with an escape"',
    "summary: 'single quotes'",
    "summary: a: b",
    "summary: text # comment",
    "fix: yes",
    "severity: 1.5",
    "modes:\n  - container",
    "modes: [container, 'function']",
    "modes: [on, off]",
    "code: CBR001\ncode: CBR002",
    "summary: ends with a colon:",
])
def test_anything_outside_the_plain_subset_goes_to_yaml(text):
    from scaffolder.front_matter import parse_plain

    assert parse_plain(text) is None


def test_plain_subset_values():
    from scaffolder.front_matter import parse_plain

    text = ('code: CBR612\nmodes: [agent, function]\naliases: []\nsummary: BotId must match ibot-{name}-{tag}.\n'
            'name: "quoted (a, b)"')
    assert parse_plain(text) == {"code": "CBR612", "modes": ["agent", "function"], "aliases": [],
                                 "summary": "BotId must match ibot-{name}-{tag}.", "name": "quoted (a, b)"}
