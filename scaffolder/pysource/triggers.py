"""How a rule module states the words a file must contain before the rule can fire (see gate.py).

A trigger is a tuple of words that must all appear in the file as whole words. A word ending in
`*` stands for every word that starts with the rest (`spawn*`: spawnv, spawnlp, ...). A qualified
name a rule matches (`subprocess.Popen`) needs its last part, written where it is used or
imported, and its first part, written in the import that binds it; a builtin (`builtins.open`)
needs only its own name.
"""

from __future__ import annotations

from collections.abc import Iterable

Trigger = tuple[str, ...]


def qualified(names: Iterable[str], *also: str) -> set[Trigger]:
    """One trigger per qualified name, each with the words in `also` (a method called on it)."""
    found = set()
    for name in names:
        root, _, rest = name.partition(".")
        last = name.rsplit(".", 1)[-1]
        words = (last,) if root == "builtins" or not rest else (root, last)
        found.add(tuple(dict.fromkeys((*words, *also))))
    return found


def each(words: Iterable[str], *also: str) -> set[Trigger]:
    """One trigger per word, each with the words in `also`."""
    return {tuple(dict.fromkeys((word, *also))) for word in words}
