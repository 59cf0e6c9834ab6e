"""tree-sitter parsing shared by the JavaScript/TypeScript, Go and Java checks.

One Language and one Parser per grammar per process, created on first use, so that a run that
never sees a Go file never loads the Go grammar. Queries are compiled once per process too.
tree-sitter reports byte columns; `Source.column` turns them into 1-based character columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import import_module

from tree_sitter import Language, Node, Parser, Query, QueryCursor, Tree

# grammar name -> (module, function returning the language pointer)
_GRAMMARS = {
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
    "go": ("tree_sitter_go", "language"),
    "java": ("tree_sitter_java", "language"),
}

GRAMMAR_BY_SUFFIX = {
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
    ".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "tsx",
    ".go": "go", ".java": "java",
}


@cache
def language(grammar: str) -> Language:
    module_name, function = _GRAMMARS[grammar]
    return Language(getattr(import_module(module_name), function)())


@cache
def parser(grammar: str) -> Parser:
    return Parser(language(grammar))


@cache
def query(grammar: str, pattern: str) -> Query:
    """A compiled query; pass the same pattern string every time to reuse it."""
    return Query(language(grammar), pattern)


def captures(grammar: str, pattern: str, node: Node) -> dict[str, list[Node]]:
    """Each capture's nodes in document order (an enclosing node before the nodes inside it).
    py-tree-sitter gathers them in an order that follows memory addresses, so a rule that reports
    the first of several would otherwise vary from run to run."""
    found = QueryCursor(query(grammar, pattern)).captures(node)
    for nodes in found.values():
        nodes.sort(key=_document_order)
    return found


def _document_order(node: Node) -> tuple[int, int]:
    return node.start_byte, -node.end_byte


def matches(grammar: str, pattern: str, node: Node) -> list[tuple[int, dict[str, list[Node]]]]:
    return QueryCursor(query(grammar, pattern)).matches(node)


@dataclass
class Source:
    """A parsed file: its text, its bytes and its tree."""

    grammar: str
    text: str
    data: bytes
    tree: Tree

    @property
    def root(self) -> Node:
        return self.tree.root_node

    def text_of(self, node: Node) -> str:
        return self.data[node.start_byte:node.end_byte].decode("utf-8", "replace")

    def line(self, node: Node) -> int:
        return node.start_point[0] + 1

    def column(self, row: int, byte_column: int) -> int:
        """1-based character column of a 0-based row and byte column."""
        line_start = _line_start(self.data, row)
        return len(self.data[line_start:line_start + byte_column].decode("utf-8", "replace")) + 1

    def location(self, node: Node) -> tuple[int, int, int, int]:
        """(line, column, end_line, end_column), 1-based, columns in characters."""
        (row, col), (end_row, end_col) = node.start_point, node.end_point
        return row + 1, self.column(row, col), end_row + 1, self.column(end_row, end_col)

    def has_errors(self) -> bool:
        return self.tree.root_node.has_error

    def first_error(self) -> Node | None:
        """The first ERROR or MISSING node, for a CBR001 location."""
        stack = [self.tree.root_node]
        while stack:
            node = stack.pop()
            if node.is_error or node.is_missing:
                return node
            if node.has_error:
                stack.extend(reversed(node.children))
        return None


def _line_start(data: bytes, row: int) -> int:
    position = 0
    for _ in range(row):
        position = data.index(b"\n", position) + 1
    return position


def parse(grammar: str, text: str) -> Source:
    data = text.encode("utf-8", "surrogatepass")
    return Source(grammar, text, data, parser(grammar).parse(data))
