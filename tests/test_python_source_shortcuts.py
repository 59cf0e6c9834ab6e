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


def test_CBR304_text_test_is_a_superset_of_the_tree_test():
    """may_keep_module_state_in_text says False only where may_keep_module_state would: every
    module of the test corpus, each also with Windows and old Mac line ends."""
    told_apart = 0
    for label, text in python_sources():
        for variant in (text, text.replace("\n", "\r\n"), text.replace("\n", "\r")):
            try:
                tree = ast.parse(variant)
            except (SyntaxError, ValueError):
                continue
            if state.may_keep_module_state(tree, variant):
                assert state.may_keep_module_state_in_text(variant), f"{label}: a module-level container missed"
            else:
                told_apart += not state.may_keep_module_state_in_text(variant)
    assert told_apart >= 10  # the text test does spare parses


@pytest.mark.parametrize("store", [
    "STORE = {}",
    "STORE: dict = {}",
    "A = B = []",
    "STORE = set()",
    "import os; STORE = []",
    "STORE = (\n    {}\n)",
    "STORE = \\\n    {}",
    "(STORE\n    ) = dict()",
    "print(1,\n    ); STORE = {}",
    "import os \\\n    ; STORE = {}",
    "STORE = (  # )\n    {})",
    "from collections import deque as Queue\nSTORE = Queue()",
    "from collections import (\n    deque as Queue)\nSTORE = Queue()",
    "import collections\nSTORE = collections.OrderedDict()",
    "STORE = ｄｉｃｔ()",  # NFKC makes it dict
    "if True:\n    STORE = {}",
    "if True: STORE = {}",
    "try:\n    import ujson\nexcept ImportError:\n    STORE: dict = {}",
    "with open(__file__):\n    STORE = []",
    "for _ in range(1):\n    STORE = []",
    "def reset():\n    global STORE\n    STORE = []",
    "x = 1\n\f    \fSTORE = {}",  # a form feed resets the indentation
    '"""Docstring."""; STORE = {}',
    '"""Docstring\nover lines.\n"""\nSTORE = {}',
    '"""Docstring.""" + (\n    ""); STORE = {}',
    'def f():\n    x = """\n"""\nSTORE = {}\ndef g():\n    y = """\n"""',  # strings that start on no statement
    "def f(a='''\n'''): pass\nSTORE = {}\ndef g(): '''\n'''",
    "LIMIT = 3\nSTORE = {}",
])
def test_CBR304_text_test_finds_module_containers(store):
    source = f"from flask import Flask\n{store}\napp = Flask(__name__)\n"
    assert state.may_keep_module_state(ast.parse(source), source)
    assert state.may_keep_module_state_in_text(source)
    assert state.may_keep_module_state_in_text(source.replace("\n", "\r"))


@pytest.mark.parametrize("source", [
    "from flask import request\n\n\ndef register(app):\n    @app.post('/x')\n    def x():\n        items = []\n"
    "        items.append(request.json)\n        return {}\n",
    '"""Routes."""\n\nimport os  # the environment\n\nLIMIT = int(os.environ.get(NAME, 3))\n',
    '"""Routes."""\n\nfrom flask import request\n\n\nclass Orders:\n    items = {}\n',
    "import os\n\n\n@app.post('/x')\ndef x(a=[], b={}):\n    return None\n",
])
def test_CBR304_text_test_rules_out_modules_without_containers(source):
    assert not state.may_keep_module_state(ast.parse(source), source)
    assert not state.may_keep_module_state_in_text(source)


def test_CBR304_only_module_with_syntax_error_is_not_parsed(tmp_path):
    """A module whose only possible finding is CBR304 and which has no module-level container is a
    file no rule needs: like one the gate turns away, its syntax is not checked (no CBR001)."""
    source = "from flask import Flask, request\n\n\ndef register(app):\n    @app.post('/x')\n    def x(:\n        pass\n"
    assert codes_that_may_fire(source) == {state.MODULE_STATE}
    assert not [finding for finding in lint_tree(tmp_path, {"routes.py": source}) if finding.code == "CBR001"]
    with_container = source.replace("\n\n\ndef", "\nSTORE = {}\n\n\ndef")
    assert [finding.code for finding in lint_tree(tmp_path, {"routes.py": with_container})
            if finding.code == "CBR001"] == ["CBR001"]
