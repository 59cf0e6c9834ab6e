"""Inline suppression comments, in each file's own comment syntax."""

from __future__ import annotations

from scaffolder.suppressions import comment_marker, find_suppression, parse_suppressions


def test_comment_markers_follow_the_file_type():
    assert comment_marker("app.py") == "#"
    assert comment_marker("Dockerfile") == "#"
    assert comment_marker("Dockerfile.prod") == "#"
    assert comment_marker("server.js") == "//"
    assert comment_marker("main.go") == "//"
    assert comment_marker("cloudbaserc.json") is None


def test_trailing_comment_covers_its_line_and_own_line_comment_the_next():
    text = "a = 1  # scaffolder: ignore[CBR201]\n# scaffolder: ignore[CBR301, DL3008]\nb = 2\n"
    first, second = parse_suppressions("app.py", text)
    assert (first.line, first.target_line, first.codes) == (1, 1, ["CBR201"])
    assert (second.line, second.target_line, second.codes) == (2, 3, ["CBR301", "DL3008"])
    assert find_suppression([first, second], "DL3008", 3, {}) is second
    assert find_suppression([first, second], "CBR201", 3, {}) is None
    assert second.used == {"DL3008"}


def test_file_wide_suppression_and_aliases():
    (suppression,) = parse_suppressions("server.js", "// scaffolder: ignore-file[CBR199]\nlisten(1)\n")
    assert suppression.target_line is None
    assert find_suppression([suppression], "CBR201", 40, {"CBR199": "CBR201"}) is suppression


def test_pragma_inside_a_string_is_not_a_suppression():
    assert parse_suppressions("main.go", 'x := "scaffolder: ignore[CBR201]"\n') == []
