"""The candidate calls JsModule sorts in Python are the ones the former shape-matching query captured."""

from __future__ import annotations

import pytest

from scaffolder import treesitter
from scaffolder.checks.js_source import METHODS
from scaffolder.jssource.module import JsModule, callee_name

# The query JsModule ran before it sorted the calls itself (compiled here only to compare).
_FORMER = """
(call_expression function: (identifier)) @call
(call_expression function: (await_expression (identifier))) @call
(call_expression function: (member_expression property: (property_identifier) @method)
  (#any-of? @method {names})) @method_call
(call_expression function: (call_expression function: (identifier) @require (#eq? @require "require"))) @required_call
(new_expression) @new
(decorator) @decorator
"""

SOURCE = """
const express = require("express");
const knex = require("knex")({ client: "pg" });
const app = express();
app.listen(3000);
obj.#listen?.(1);
a.b.writeFileSync("x", y);
a["listen"](1);
(await /* why */ load)();
f()();
new Koa();
setInterval(() => other.unknownMethod(), 10);
"""

TS_SOURCE = """
import { Controller, Post } from "@nestjs/common";
@Controller()
class C { @Post() create() { return fetch<T>(1); } }
async function main() { await listen<number>(8080); await import("fs"); }
"""


@pytest.mark.parametrize(("grammar", "text"), [("javascript", SOURCE), ("typescript", TS_SOURCE),
                                               ("tsx", TS_SOURCE)])
def test_candidates_match_the_former_query(grammar: str, text: str) -> None:
    source = treesitter.parse(grammar, text)
    names = " ".join(f'"{name.decode()}"' for name in sorted(METHODS))
    former = treesitter.captures(grammar, _FORMER.format(names=names), source.root)
    module = JsModule(source, METHODS)
    expected: dict[str, list] = {}
    for kind, prefix in (("call", ""), ("method_call", "."), ("new", "new ")):
        for call in former.get(kind, ()):
            name = callee_name(call)
            if name is not None:
                expected.setdefault(prefix + name, []).append(call)
    for call in former.get("required_call", ()):
        module_name = module.required(call.child_by_field_name("function"))
        if module_name is not None:
            expected.setdefault(module_name + "()", []).append(call)
    assert {key: [node.id for node in nodes] for key, nodes in module.calls.items()} == \
        {key: [node.id for node in nodes] for key, nodes in expected.items()}
    assert [node.id for node in module.decorators] == [node.id for node in former.get("decorator", [])]
    assert module.calls  # the sample has candidates at all


_FORMER_REASSIGNED = """
(assignment_expression left: (identifier) @name)
(augmented_assignment_expression left: (identifier) @name)
(update_expression argument: (identifier) @name)
"""


@pytest.mark.parametrize("grammar", ["javascript", "typescript"])
def test_reassigned_matches_the_former_query(grammar: str) -> None:
    text = "let a = 1; a = 2; b += 1; c++; --d; e.f = 3; g[0]++; [h] = [1]; ({ i } = {}); (j) = 4; k!++;\n"
    source = treesitter.parse(grammar, text)
    module = JsModule(source, METHODS)
    former = treesitter.captures(grammar, _FORMER_REASSIGNED, source.root).get("name", [])
    assert module.reassigned == {module.text(node) for node in former}
    assert {"a", "b", "c", "d"} <= module.reassigned


@pytest.mark.parametrize(("text", "browser"), [
    ("document.title = 'x';", True),
    ("window.onload = f;", True),
    ("const document = {}; document.title = 'x';", False),
    ("res.document.title = 'x'; const window = 1;", False),  # a property named document, not the global
    ("send(document); log(window);", False),  # named, but not as an object
    ("(window).location.href = '/';", False),  # parenthesised: the former query did not see it either
])
def test_browser_globals_as_the_former_query(text: str, browser: bool) -> None:
    from scaffolder.checks.js_source import is_browser_code
    source = treesitter.parse("javascript", text)
    former = treesitter.captures(
        "javascript", '(member_expression object: (identifier) @global (#any-of? @global "document" "window"))',
        source.root).get("global", [])
    module = JsModule(source, METHODS)
    assert is_browser_code(module) is browser
    assert browser is any(module.declaration(node) is None for node in former)
