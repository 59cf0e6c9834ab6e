"""The Python source check's shortcuts: the gate names the rules that may fire in a file (only those
run), and CBR304 is left out of a module with no module-level container before it is indexed.
Both must be supersets: whatever a rule reports, the shortcut lets through."""

from __future__ import annotations

import ast
import textwrap

import pytest

from conftest import lint_tree, python_sources
from scaffolder.pysource import background, listen, state
from scaffolder.pysource.context import Context
from scaffolder.pysource.gate import codes_that_may_fire
from scaffolder.pysource.module import PyModule



def test_gate_names_every_code_the_rules_report():
    reported = 0
    for label, text in python_sources():
        try:
            module = PyModule(ast.parse(text), text)
        except SyntaxError:
            continue
        codes = {hit.code for hit in listen.find(module, True)}
        for runs_as_script in (True, False):
            context = Context(module, runs_as_script, True)
            codes |= {hit.code for hit in (*state.find(module, context), *background.find(module, context))}
        reported += bool(codes)
        assert codes <= codes_that_may_fire(text, True, True), f"{label}: the gate leaves out {codes}"
    assert reported >= 30  # the corpus really exercises the rules


@pytest.mark.parametrize("store", [
    "from collections import deque as Queue\nSTORE = Queue()",  # imported under another name
    "import collections\nSTORE = collections.OrderedDict()",
    "try:\n    import ujson\nexcept ImportError:\n    STORE: dict = {}",  # in a block at module level
    "def reset():\n    global STORE\n    STORE = []\n\n\nreset()",  # bound by a function
])
def test_CBR304_module_containers_found_before_indexing(store, tmp_path):
    source = f"""\
from flask import Flask

{store}
app = Flask(__name__)


@app.post("/items")
def add():
    STORE.append(1)
    return "ok"
"""
    assert state.may_keep_module_state(ast.parse(source), source)
    findings = lint_tree(tmp_path, {"app.py": source})
    assert [finding.code for finding in findings if finding.code in state.CODES] == ["CBR304"]


def test_CBR304_left_out_without_module_level_container():
    source = textwrap.dedent("""\
        from flask import Blueprint, request

        bp = Blueprint("orders", __name__)
        LIMIT = 30


        @bp.post("/orders")
        def create():
            items = []
            items.append(request.get_json())
            return {"count": len(items)}


        class Cache:
            entries = {}
        """)
    assert not state.may_keep_module_state(ast.parse(source), source)
