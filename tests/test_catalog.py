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
