"""A change of a text at a span, and applying several of them at once (back to front, so that the
offsets of the ones before stay valid)."""

from __future__ import annotations

from dataclasses import dataclass


class FixError(Exception):
    """This fix cannot be applied to the text as it is now; the message says why."""


@dataclass(frozen=True, order=True)
class TextEdit:
    start: int
    end: int
    text: str

    def overlaps(self, other: "TextEdit") -> bool:
        if self == other:
            return False  # two findings asking for the same change share it
        if self.start == self.end == other.start == other.end:
            return True  # two insertions at one place: their order would be a guess
        return self.start < other.end and other.start < self.end


def line_offsets(text: str) -> list[int]:
    """Offset of the start of each line (index 0 is line 1)."""
    offsets = [0]
    index = text.find("\n")
    while index >= 0:
        offsets.append(index + 1)
        index = text.find("\n", index + 1)
    return offsets


def offset_of(text: str, line: int, column: int, starts: list[int] | None = None) -> int:
    """Offset of a 1-based line and character column; FixError when it is outside the text."""
    starts = starts if starts is not None else line_offsets(text)
    if not 1 <= line <= len(starts):
        raise FixError(f"line {line} is not in the file any more")
    end = starts[line] - 1 if line < len(starts) else len(text)
    offset = starts[line - 1] + column - 1
    if not starts[line - 1] <= offset <= end:
        raise FixError(f"column {column} is not on line {line} any more")
    return offset


def apply_edits(text: str, edits: list[TextEdit]) -> str:
    """`edits` must not overlap; identical ones count once."""
    for edit in sorted(set(edits), reverse=True):
        text = text[: edit.start] + edit.text + text[edit.end :]
    return text


def checked_replacement(text: str, line: int, column: int, old: str, new: str,
                        starts: list[int] | None = None) -> TextEdit:
    """Replace `old` at (line, column) with `new`, after checking that `old` is still there."""
    offset = offset_of(text, line, column, starts)
    if text[offset : offset + len(old)] != old:
        raise FixError(f"line {line} no longer has {old!r} at column {column}")
    return TextEdit(offset, offset + len(old), new)
