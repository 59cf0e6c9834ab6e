"""CBR303 local-session-store in Go: user sessions kept in the process's memory or on its disk.

- gin-contrib/sessions `memstore.NewStore(...)` (memory);
- gorilla/sessions `sessions.NewFilesystemStore(...)` (files on the instance, also behind
  echo-contrib/session);
- alexedwards/scs `scs.New()` when the file never sets `manager.Store = ...` (its default store
  is in memory);
- fiber's `session.New()` with no configuration, or a `session.Config{...}` without `Storage`.
Cookie stores (`cookie.NewStore`, `sessions.NewCookieStore`) and Redis or database stores are fine.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from scaffolder import treesitter
from scaffolder.gosource.gofile import GRAMMAR, GoFile, arguments
from scaffolder.source_hit import Hit

SESSION_STORE = "CBR303"
CODES = frozenset({SESSION_STORE})

_STATELESS = "CloudBase Run instances are stateless: they scale to zero and are replaced, and each has its own disk"
_STORES = {
    "github.com/gin-contrib/sessions/memstore.NewStore": "gin-contrib memstore.NewStore() keeps sessions in memory",
    "github.com/gorilla/sessions.NewFilesystemStore": "gorilla sessions.NewFilesystemStore() keeps sessions in files",
}
_SCS = ("github.com/alexedwards/scs/v2.New", "github.com/alexedwards/scs.New")
_FIBER_SESSION = ("github.com/gofiber/fiber/v2/middleware/session.New",
                  "github.com/gofiber/fiber/v3/middleware/session.New")
_STORE_ASSIGNMENT = """
(assignment_statement left: (expression_list (selector_expression field: (field_identifier) @field)))
"""


def _sets_store(file: GoFile) -> bool:
    captured = treesitter.captures(GRAMMAR, _STORE_ASSIGNMENT, file.source.root)
    return any(file.text(node) == "Store" for node in captured.get("field", ()))


def _fiber_memory(file: GoFile, call: Node) -> bool:
    args = arguments(call)
    if not args:
        return True
    config = args[0]
    if config.type != "composite_literal":
        return False  # a config built elsewhere: not known
    body = config.child_by_field_name("body")
    keys = {file.text(element.named_children[0]) for element in (body.named_children if body is not None else ())
            if element.type == "keyed_element" and element.named_child_count}
    return "Storage" not in keys


def find(file: GoFile) -> Iterator[Hit]:
    for call in file.calls:
        qualified = file.qualified(call.child_by_field_name("function"))
        if qualified is None:
            continue
        what = _STORES.get(qualified)
        if what is None and qualified in _SCS and not _sets_store(file):
            what = "scs.New() without a Store keeps sessions in memory"
        if what is None and qualified in _FIBER_SESSION and _fiber_memory(file, call):
            what = "fiber's session.New() without a Storage keeps sessions in memory"
        if what is not None:
            yield Hit(SESSION_STORE, f"{what} on the instance; {_STATELESS}, so users are logged out at random and "
                      "requests routed to another instance see no session: use cookie sessions or Redis/a database",
                      call)
