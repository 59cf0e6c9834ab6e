"""A cheap test of a file's text before it is parsed: can any Python source rule fire in it at all?

Every rule needs some names written in the file: the call it looks for, spelt where it is used or
where it is imported (`from uvicorn import run as go` still spells `uvicorn` and `run`), a
setting's key and value (`SESSION_TYPE`, `filesystem`), or a route decorator for a method that
changes state (`post`, `methods`). Each rule module lists these as TRIGGERS (see triggers.py),
built from its own tables. A file in which no trigger has all its words cannot raise a finding,
so no tree is built for it (it is still checked for syntax errors, see syntax.py).

Python itself can spell a name in ways the text does not show, and the test looks through them
before it says no: identifiers are NFKC-normalised (`ｏｐｅｎ` is `open`), and in strings (where
only the words in state.STRING_WORDS matter) escapes are decoded (`"\\x53ESSION_TYPE"`) and
adjacent literals are joined (`"SESSION_" "TYPE"`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from scaffolder.pysource import background, listen, state
from scaffolder.pysource.triggers import Trigger

TRIGGERS: frozenset[Trigger] = state.TRIGGERS | background.TRIGGERS  # every service
STRING_WORDS: frozenset[str] = state.STRING_WORDS
LISTEN_TRIGGERS: frozenset[Trigger] = listen.TRIGGERS  # services that listen themselves (not function mode)
GUNICORN_TRIGGERS: frozenset[Trigger] = listen.GUNICORN_TRIGGERS  # gunicorn configuration files

# Escapes that can spell a word character or a dot inside a string, and a backslash-newline.
_ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}\n]*\}|[0-7]{1,3}|\r?\n)")
# A sign that two string literals may meet in the middle of a word: a quote after a word character
# or a dot, then (past spaces, line breaks and empty literals) a comment or a quote before a word
# character or a dot. Possessive repetition over alternatives that cannot overlap keeps it linear.
_MAY_JOIN = re.compile(
    r"""["'](?<=[\w.]["'])(?:[ \t\f]|\\?\r?\n|""|'')*+(?:\#|[rRbBuUfF]{0,2}+["'](?=[\w.]))""")
# A comment or a string literal (an unterminated one ends at its line or at the end of the text).
_TOKEN = re.compile(r"""
    \#[^\n]*+
  | (?<!\w)(?P<prefix>[rRbBuUfF]{1,2})?(?P<body>
        '''(?:[^'\\]|\\[\s\S]|'(?!''))*+(?:'''|\Z)
      | \"\"\"(?:[^"\\]|\\[\s\S]|"(?!""))*+(?:\"\"\"|\Z)
      | '(?:[^'\\\n]|\\[\s\S])*+(?:'|(?=\n)|\Z)
      | "(?:[^"\\\n]|\\[\s\S])*+(?:"|(?=\n)|\Z)
    )""", re.VERBOSE)
_SPACE = re.compile(r"(?:[ \t\f\r\n]|\\\r?\n)*+")
_MAX_F_STRING_DEPTH = 5


# A run of ASCII identifier characters: every ASCII identifier is one (a non-ASCII identifier that
# normalises to a trigger word is found in the NFKC form of the text).
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _Gate:
    """The triggers that apply and their words: plain identifiers, dotted names (`session.type`,
    looked for as text), and prefixes (`spawn*`)."""

    def __init__(self, applying: frozenset[Trigger]):
        words = {word for trigger in applying for word in trigger}
        self.identifiers = frozenset(word for word in words if word.isidentifier())
        self.dotted = sorted(word for word in words if "." in word)
        self.prefixes = sorted(word[:-1] for word in words if word.endswith("*"))
        self.by_word: dict[str, list[frozenset[str]]] = {}
        for trigger in applying:
            for word in trigger:
                self.by_word.setdefault(word, []).append(frozenset(trigger))

    def words_in(self, text: str) -> set[str]:
        """The trigger words the text may hold (a superset: a dotted name or a prefix counts when
        it occurs anywhere)."""
        found = set(self.identifiers.intersection(_IDENTIFIER.findall(text)))
        found.update(word for word in self.dotted if word in text)
        found.update(prefix + "*" for prefix in self.prefixes if prefix in text)
        return found

    def met(self, found: set[str]) -> bool:
        return any(found.issuperset(trigger) for word in found for trigger in self.by_word.get(word, ()))


@lru_cache(maxsize=None)
def _gate(listens: bool, gunicorn_config: bool) -> _Gate:  # compiled once per process, on first use
    applying = TRIGGERS | (LISTEN_TRIGGERS if listens else frozenset())
    if listens and gunicorn_config:
        applying |= GUNICORN_TRIGGERS
    return _Gate(applying)


def may_hold_finding(text: str, listens: bool = True, gunicorn_config: bool = False) -> bool:
    """False only when no Python source rule can report anything in this module's text.
    `listens`: the CBR2xx rules apply (not in function mode); `gunicorn_config`: the file is a
    gunicorn configuration file."""
    gate = _gate(listens, gunicorn_config)
    found = gate.words_in(text)
    if gate.met(found):
        return True
    if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
        found |= gate.words_in(unicodedata.normalize("NFKC", text))
    if ("\\" in text and _ESCAPE.search(text)) or _MAY_JOIN.search(text):
        found.update(word for value in _string_values(text) for word in STRING_WORDS if word in value)
    return gate.met(found)


def _string_values(text: str, depth: int = 0) -> Iterator[str]:
    """The values of the string literals in `text` as Python builds them: escapes decoded, adjacent
    literals joined; for f-strings also the literals inside their replacement fields."""
    group: list[str] = []
    end = 0
    for token in _TOKEN.finditer(text):
        if group and not _SPACE.fullmatch(text, end, token.start()):
            yield "".join(group)
            group = []
        end = token.end()
        body = token.group("body")
        if body is None:  # a comment: adjacent literals may have one between them
            continue
        prefix = (token.group("prefix") or "").lower()
        if "b" in prefix:  # bytes are never a setting's key or value
            if group:
                yield "".join(group)
                group = []
            continue
        quotes = 3 if body[:3] in ('"""', "'''") else 1
        content = body[quotes:-quotes] if len(body) >= 2 * quotes and body.endswith(body[:quotes]) else body[quotes:]
        if "f" in prefix and depth < _MAX_F_STRING_DEPTH:
            yield from _string_values(content, depth + 1)
        group.append(content if "r" in prefix else _ESCAPE.sub(_decoded, content))
    if group:
        yield "".join(group)


def _decoded(match: re.Match[str]) -> str:
    escape = match.group()[1:]
    kind = escape[0]
    try:
        if kind in "xuU":
            return chr(int(escape[1:], 16))
        if kind == "N":
            return unicodedata.lookup(escape[2:-1])
        if kind in "\r\n":
            return ""
        return chr(int(escape, 8))
    except (KeyError, ValueError, OverflowError):  # not a character: Python rejects the file anyway
        return match.group()
