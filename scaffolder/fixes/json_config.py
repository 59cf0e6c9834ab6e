"""Edits of a JSON file (cloudbaserc.json, a --config file) made in place, at the span of the one
member or value they change: the rest of the file keeps its formatting, key order and escapes.

The member is found by its JSON path in the current text (deploy_config.json_positions), and a
`json-set` only goes ahead when the value there is still the one the check saw.
"""

from __future__ import annotations

import json

from scaffolder.findings import Edit
from scaffolder.fixes.text_edits import FixError, TextEdit

_DECODER = json.JSONDecoder()
_WHITESPACE = " \t\r\n"


class JsonText:
    """A JSON text with the position of every path, computed once per file."""

    def __init__(self, text: str):
        try:
            json.loads(text)
        except ValueError as error:
            raise FixError(f"it is not valid JSON any more ({error})") from None
        from scaffolder.deploy_config import json_positions

        self.text = text
        self.positions = json_positions(text)

    def value_span(self, path: tuple) -> tuple[int, int, object]:
        if path not in self.positions:
            raise FixError(f"{_dotted(path)} is not in the file any more")
        start = self.positions[path][1]
        value, end = _DECODER.raw_decode(self.text, start)
        return start, end, value

    def key_span(self, path: tuple) -> tuple[int, int]:
        if not path or not isinstance(path[-1], str) or path not in self.positions:
            raise FixError(f"{_dotted(path)} is not a member of an object in the file")
        start = self.positions[path][0]
        _key, end = _DECODER.raw_decode(self.text, start)
        return start, end


def text_edit(source: JsonText, edit: Edit) -> TextEdit:
    path = tuple(edit.target)
    if edit.action == "json-set":
        start, end, value = source.value_span(path)
        if edit.old and json.loads(edit.old) != value:
            raise FixError(f"{_dotted(path)} is no longer {edit.old}")
        json.loads(edit.text)  # the new value must be JSON itself
        return TextEdit(start, end, edit.text)
    if edit.action == "json-rename":
        start, end = source.key_span(path)
        if (*path[:-1], edit.text) in source.positions:
            raise FixError(f"{_dotted((*path[:-1], edit.text))} is already set")
        return TextEdit(start, end, json.dumps(edit.text, ensure_ascii=False))
    if edit.action == "json-delete":
        return _delete(source, path)
    raise FixError(f"unknown JSON edit {edit.action!r}")


def _delete(source: JsonText, path: tuple) -> TextEdit:
    """Remove a member or item with the comma that separates it from its neighbours: up to the next
    one when there is one, else from the comma after the previous one."""
    if not path:
        raise FixError("cannot delete the whole document")
    text = source.text
    start = source.positions.get(path, (None,))[0]
    if start is None:
        raise FixError(f"{_dotted(path)} is not in the file any more")
    _value_start, end, _value = source.value_span(path)
    after = _skip(text, end)
    if after < len(text) and text[after] == ",":
        return TextEdit(start, _skip(text, after + 1), "")
    before = start - 1
    while before >= 0 and text[before] in _WHITESPACE:
        before -= 1
    if before >= 0 and text[before] == ",":
        return TextEdit(before, end, "")
    return TextEdit(before + 1, end, "")  # the only member: keep the line break before the bracket


def _skip(text: str, index: int) -> int:
    while index < len(text) and text[index] in _WHITESPACE:
        index += 1
    return index


def _dotted(path: tuple) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path).lstrip(".") or "the document"


def validate(text: str) -> None:
    try:
        json.loads(text)
    except ValueError as error:
        raise FixError(f"the result would not be valid JSON ({error})") from None
