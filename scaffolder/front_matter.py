"""The rule files' front matter without PyYAML, for the plain shape every rule file uses.

Every lint run reads the front matter of each rule in rules/; importing PyYAML and running it
over them costs about 30 ms of a one-service run that should take well under 300 ms. The rule
files keep to a small subset of YAML: one `key: value` per line, where the value is a plain word
or sentence, or a flow list of plain words (`modes: [container, function]`). `parse_plain` reads
exactly that subset and returns None for anything else (quotes, comments, block lists, a colon
followed by a space inside a value, ...), and the caller then asks PyYAML, so the result is always
what PyYAML would give. tests/test_catalog.py checks the two agree on every rule file.
"""

from __future__ import annotations

import re

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
# A plain scalar YAML reads as the same string: no indicator character first, no ": " or " #"
# inside, no trailing colon.
_PLAIN_FIRST = set("-?:,[]{}#&*!|>'\"%@`=<")
_LIST_ITEM = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
# What YAML reads as something other than a string: booleans, null, numbers (and more, to be safe).
_NOT_STRINGS = re.compile(r"(?i:true|false|yes|no|on|off|null|~)|[-+]?\.?[0-9].*|[-+]?\.(?i:inf|nan)")


def parse_plain(text: str) -> dict | None:
    """The mapping in `text`, or None when it is not in the plain subset."""
    result: dict = {}
    for line in text.splitlines():
        key, separator, value = line.partition(": ")
        if not separator or not _KEY.fullmatch(key) or key in result:
            return None
        value = value.strip()
        if value.startswith("["):
            items = _plain_list(value)
            if items is None:
                return None
            result[key] = items
        elif _is_plain_string(value):
            result[key] = value
        elif len(value) > 1 and value[0] == value[-1] == '"' and not set(value[1:-1]) & {'"', "\\"}:
            result[key] = value[1:-1]  # double quotes without escapes
        else:
            return None
    return result


def _is_plain_string(value: str) -> bool:
    return (bool(value) and value[0] not in _PLAIN_FIRST and ": " not in value and " #" not in value
            and not value.endswith(":") and not _NOT_STRINGS.fullmatch(value))


def _plain_list(value: str) -> list[str] | None:
    if not value.endswith("]"):
        return None
    inner = value[1:-1].strip()
    if not inner:
        return []
    items = [item.strip() for item in inner.split(",")]
    if not all(_LIST_ITEM.fullmatch(item) and not _NOT_STRINGS.fullmatch(item) for item in items):
        return None
    return items
