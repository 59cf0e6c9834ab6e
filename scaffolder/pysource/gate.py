"""A cheap test of a file's text before it is parsed: can any Python source rule fire in it at all?

Every rule needs some names written in the file: the call it looks for, spelt where it is used or
where it is imported (`from uvicorn import run as go` still spells `uvicorn` and `run`), a
setting's key and value (`SESSION_TYPE`, `filesystem`), or a route decorator for a method that
changes state (`post`, `methods`). Each rule module lists these as TRIGGERS (see triggers.py),
built from its own tables, for each code it reports. A file in which no trigger has all its
words cannot raise a finding, so no tree is built for it (nor is its syntax checked); in a file
that is parsed, only the rules whose triggers are met run.

Python itself can spell a name in ways the text does not show, and the test looks through them
before it says no: identifiers are NFKC-normalised (`ｏｐｅｎ` is `open`), and in strings (where
only the words in state.STRING_WORDS matter) escapes are decoded (`"\\x53ESSION_TYPE"`) and
adjacent literals are joined (`"SESSION_" "TYPE"`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from functools import lru_cache

from scaffolder.pysource import background, listen, state
from scaffolder.pysource.triggers import Trigger

# The triggers by the codes they let fire. A rule module's TRIGGERS hold for each code it reports.
RULE_TRIGGERS: Mapping[str, frozenset[Trigger]] = {  # every service
    **state.TRIGGERS_BY_CODE, **dict.fromkeys(background.CODES, background.TRIGGERS)}
LISTEN_TRIGGERS: Mapping[str, frozenset[Trigger]] = dict.fromkeys(  # services that listen themselves
    listen.CODES, listen.TRIGGERS)  # (not function mode)
GUNICORN_TRIGGERS: Mapping[str, frozenset[Trigger]] = dict.fromkeys(  # gunicorn configuration files
    listen.CODES, listen.GUNICORN_TRIGGERS)
STRING_WORDS: frozenset[str] = state.STRING_WORDS

# Escapes that can spell a word character or a dot inside a string, and a backslash-newline.
_ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}\n]*\}|[0-7]{1,3}|\r?\n)")
# A sign that two string literals may meet in the middle of a word: a quote after a word character
# or a dot, then (past spaces, line breaks and empty literals) a comment or a quote before a word
# character or a dot. The repeated alternatives cannot overlap, so where a match fails backtracking
# finds no other (plain repetition: Python 3.10 has no possessive quantifiers).
# One pattern per kind of quote: the regex engine looks for a pattern's first character far faster
# when it is a single one.
_AFTER_QUOTE = r"""(?:[ \t\f]|\\?\r?\n|""|'')*(?:\#|[rRbBuUfF]{0,2}["'](?=[\w.]))"""
_MAY_JOIN_DOUBLE, _MAY_JOIN_SINGLE = (re.compile(rf"{quote}(?<=[\w.]{quote}){_AFTER_QUOTE}") for quote in "\"'")
# A comment or a string literal (an unterminated one ends at its line or at the end of the text).
_TOKEN = re.compile(r"""
    \#[^\n]*
  | (?<!\w)(?P<prefix>[rRbBuUfF]{1,2})?(?P<body>
        '''(?:[^'\\]|\\[\s\S]|'(?!''))*(?:'''|\Z)
      | \"\"\"(?:[^"\\]|\\[\s\S]|"(?!""))*(?:\"\"\"|\Z)
      | '(?:[^'\\\n]|\\[\s\S])*(?:'|(?=\n)|\Z)
      | "(?:[^"\\\n]|\\[\s\S])*(?:"|(?=\n)|\Z)
    )""", re.VERBOSE)
_SPACE = re.compile(r"(?:[ \t\f\r\n]|\\\r?\n)*")
_MAX_F_STRING_DEPTH = 5

# The words of a text are what a search for [A-Za-z_][A-Za-z0-9_]* finds: the runs of ASCII
# identifier characters, less the digits a run starts with (`2open` holds `open`). Every ASCII
# identifier is one (a non-ASCII identifier that normalises to a trigger word is found in the NFKC
# form of the text). The runs are split out of the UTF-8 bytes with every other byte made a space
# (non-ASCII characters are all bytes >= 0x80), several times faster than that search.
_WORD_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"
_SEPARATORS = bytes(byte for byte in range(256) if byte not in _WORD_BYTES)
_RUNS = bytes.maketrans(_SEPARATORS, b" " * len(_SEPARATORS))
# The word in a run that starts with digits: a digit with no word character before it, the rest of
# the digits, then the word. Looked for in a copy of the text with every digit made a 0 (the same
# places match), where a search that starts with one plain character runs fast; the word is then
# read from the text itself.
_ZEROED = bytes.maketrans(b"0123456789", b"0" * 10)
_AFTER_DIGITS = re.compile(rb"0(?<![A-Za-z0-9_]0)0*([A-Za-z_][A-Za-z0-9_]*)")


class _Gate:
    """The triggers that apply, with the codes each lets fire, and their words: plain identifiers,
    dotted names (`session.type`, looked for as text), and prefixes (`spawn*`)."""

    def __init__(self, applying: Mapping[str, frozenset[Trigger]]):
        codes_of: dict[Trigger, set[str]] = {}
        for code, triggers in applying.items():
            for trigger in triggers:
                codes_of.setdefault(trigger, set()).add(code)
        words = {word for trigger in codes_of for word in trigger}
        self.identifiers = frozenset(word.encode() for word in words if word.isidentifier())
        self.dotted = sorted(word for word in words if "." in word)
        self.prefixes = sorted(word[:-1] for word in words if word.endswith("*"))
        self.by_word: dict[str, list[tuple[frozenset[str], frozenset[str]]]] = {}  # word -> [(trigger, codes)]
        for trigger, codes in codes_of.items():
            for word in trigger:
                self.by_word.setdefault(word, []).append((frozenset(trigger), frozenset(codes)))
        # What a word found only in a string's value (see _string_values) can let fire.
        self.string_codes = frozenset(code for trigger, codes in codes_of.items()
                                      if STRING_WORDS.intersection(trigger) for code in codes)

    def words_in(self, text: str) -> set[str]:
        """The trigger words the text may hold (a superset: a dotted name or a prefix counts when
        it occurs anywhere)."""
        data = text.encode("utf-8", "surrogatepass")
        words = self.identifiers.intersection(data.translate(_RUNS).split())
        after_digits = [data[match.start(1):match.end(1)] for match in _AFTER_DIGITS.finditer(data.translate(_ZEROED))]
        if after_digits:
            words |= self.identifiers.intersection(after_digits)
        found = {word.decode() for word in words}
        found.update([word for word in self.dotted if word in text])
        found.update([prefix + "*" for prefix in self.prefixes if prefix in text])
        return found

    def codes_met(self, found: set[str]) -> set[str]:
        """The codes of the triggers all of whose words are in `found`."""
        return {code for word in found for trigger, codes in self.by_word.get(word, ())
                if found.issuperset(trigger) for code in codes}


@lru_cache(maxsize=None)
def _gate(listens: bool, gunicorn_config: bool) -> _Gate:  # compiled once per process, on first use
    applying = [RULE_TRIGGERS]
    if listens:
        applying.append(LISTEN_TRIGGERS)
        if gunicorn_config:
            applying.append(GUNICORN_TRIGGERS)
    codes = {code for triggers in applying for code in triggers}
    return _Gate({code: frozenset().union(*(triggers.get(code, ()) for triggers in applying)) for code in codes})


def codes_that_may_fire(text: str, listens: bool = True, gunicorn_config: bool = False) -> frozenset[str]:
    """The codes the Python source rules may report in this module's text; none when no trigger is
    met. `listens`: the CBR2xx rules apply (not in function mode); `gunicorn_config`: the file is a
    gunicorn configuration file."""
    gate = _gate(listens, gunicorn_config)
    found = gate.words_in(text)
    if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
        found |= gate.words_in(unicodedata.normalize("NFKC", text))
    met = gate.codes_met(found)
    if gate.string_codes <= met or not _strings_may_spell_words(text):
        return frozenset(met)
    # Words found only in strings' values are all STRING_WORDS: they can add only the codes of
    # triggers that hold one. A file that is parsed anyway lets those rules look for themselves,
    # which costs far less than reading every string's value.
    if met:
        return frozenset(met | gate.string_codes)
    found.update(word for value in _string_values(text) for word in STRING_WORDS if word in value)
    return frozenset(gate.codes_met(found))


def _strings_may_spell_words(text: str) -> bool:
    """Whether an escape or adjacent literals may spell in a string's value a word the text does
    not show."""
    return ("\\" in text and _ESCAPE.search(text) is not None) or _literals_may_join(text)


def _literals_may_join(text: str) -> bool:
    return _MAY_JOIN_DOUBLE.search(text) is not None or _MAY_JOIN_SINGLE.search(text) is not None


def may_hold_finding(text: str, listens: bool = True, gunicorn_config: bool = False) -> bool:
    """False only when no Python source rule can report anything in this module's text."""
    return bool(codes_that_may_fire(text, listens, gunicorn_config))


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
