"""The tree-sitter layer shared by the JavaScript, TypeScript, Go and Java checks."""

from scaffolder import treesitter


def test_query_captures_come_in_document_order():
    text = "package p\n" + "\n".join(f"func f{i}() {{ g{i}(h{i}()) }}" for i in range(200))
    found = treesitter.captures("go", "(call_expression) @call", treesitter.parse("go", text).root)
    starts = [(node.start_byte, -node.end_byte) for node in found["call"]]
    assert len(starts) == 400 and starts == sorted(starts)
