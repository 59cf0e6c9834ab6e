"""Precision corpus: small realistic services, clean and broken, each with the findings it must
raise listed beside it. The suite fails on any unexpected finding and on any missed one.

Layout, one folder per language:

    tests/precision/<language>/<case>/...          the service, as a user would write it
    tests/precision/<language>/<case>.expected     one `path:line CODE` per finding; `#` comments;
                                                   an empty file (or only comments) means clean

Paths are relative to the case folder. hadolint is off (it has its own tests); every CBR rule is on.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import lint_tree

CORPUS = Path(__file__).parent / "precision"
CASES = sorted(path for path in CORPUS.glob("*/*") if path.is_dir())


def expected_findings(case: Path) -> set[str]:
    listing = case.with_name(case.name + ".expected")
    assert listing.is_file(), f"{case}: no {listing.name} beside it"
    lines = (line.split("#", 1)[0].strip() for line in listing.read_text(encoding="utf-8").splitlines())
    return {line for line in lines if line}


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.parent.name}/{case.name}")
def test_case_raises_exactly_what_is_listed(case):
    raised = {f"{finding.path}:{finding.line} {finding.code}" for finding in lint_tree(case)}
    expected = expected_findings(case)
    assert raised == expected, (
        f"unexpected: {sorted(raised - expected)}\nmissed: {sorted(expected - raised)}"
    )


def test_every_language_has_at_least_ten_cases():
    by_language: dict[str, int] = {}
    for case in CASES:
        by_language[case.parent.name] = by_language.get(case.parent.name, 0) + 1
    for language in ("python", "node", "typescript", "go", "java"):
        assert by_language.get(language, 0) >= 10, f"{language}: {by_language.get(language, 0)} cases"
