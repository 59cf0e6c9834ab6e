"""BotIds written in an agent's code: string literals that are a BotId (`"ibot-helper-demo"`) or the
agent's service name (`"ibot-helper"`), and the id inside an agent route
(`"/v1/aibot/bots/ibot-helper-demo/send-message"`).

The SDK accepts a BotId only if it matches `^ibot-[a-z0-9_]+-[a-z0-9_]+$` (`ibot-{name}-{tag}`), and
the agent's service is named after its first two parts (`ibot-{name}`). Strings that only build an
id (`"ibot-" + name`, `"ibot-helper-" + tag`, template strings with `${...}`) are not ids.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from tree_sitter import Node

from scaffolder.treesitter import Source, captures

BOT_ID = re.compile(r"^ibot-[a-z0-9_]+-[a-z0-9_]+$")
SERVICE_NAME = re.compile(r"^ibot-[a-z0-9_]+$")
# One token that starts like a BotId: `ibot-` and no spaces, slashes or URL punctuation.
_LOOKS_LIKE_ID = re.compile(r"^ibot-[^\s/?#&=:.,;'\"`${}()\[\]<>]+$", re.I)
_ROUTE_ID = re.compile(r"/aibot/bots/([^/?#\s]+)")
_STRINGS = "(string) @string (template_string) @template"


class BadBotId(NamedTuple):
    node: Node
    value: str  # the id as written ("ibot-MyAgent-demo"), also when it sits inside a route
    message: str
    in_route: bool


def bad_bot_ids(source: Source) -> list[BadBotId]:
    found = []
    for kind, nodes in captures(source.grammar, _STRINGS, source.root).items():
        for node in nodes:
            if kind == "template" and any(child.type == "template_substitution" for child in node.children):
                continue
            value = source.text_of(node)[1:-1]
            if "\\" in value or _is_concatenated(node):
                continue
            problem = check_value(value)
            if problem is not None:
                route = _ROUTE_ID.search(value)
                found.append(BadBotId(node, route.group(1) if route else value, problem, route is not None))
    found.sort(key=lambda bad: bad.node.start_byte)
    return found


def _is_concatenated(node: Node) -> bool:
    parent = node.parent
    return parent is not None and parent.type == "binary_expression" and any(
        child.type == "+" for child in parent.children)


def check_value(value: str) -> str | None:
    """Why a string that holds a BotId (or an agent service name) is not a valid one, or None."""
    route = _ROUTE_ID.search(value)
    if route is not None:
        bot_id = route.group(1)
        if bot_id.startswith(":") or BOT_ID.match(bot_id):
            return None
        return explain(bot_id, in_route=True)
    if not _LOOKS_LIKE_ID.match(value) or value.endswith(("-", "_")):
        return None
    if BOT_ID.match(value) or SERVICE_NAME.match(value):
        return None
    return explain(value)


def explain(value: str, in_route: bool = False) -> str:
    parts = value.split("-")
    if parts[0] != "ibot":
        reason = "it must start with lowercase `ibot-`"
    elif any(part != part.lower() for part in parts):
        reason = "it has upper-case letters (an agent name such as `MyAgent` must be written `myagent`)"
    elif len(parts) > 3:
        reason = "the name or the tag holds a `-` (only lowercase letters, digits and `_` are allowed in each)"
    elif len(parts) < 3 and in_route:
        reason = "it has no tag (`ibot-{name}-{tag}`)"
    else:
        reason = "only lowercase letters, digits and `_` are allowed in the name and the tag"
    return reason
