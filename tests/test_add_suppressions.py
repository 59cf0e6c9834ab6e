"""--add-suppressions: every finding that can carry an inline suppression gets one, and the next
run is clean except for what cannot (JSON)."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import write_tree

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "broken-service"


def lint(*args, cwd: Path):
    return subprocess.run([sys.executable, "-m", "scaffolder", "lint", "--no-cache", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def findings(cwd: Path, *args) -> list[dict]:
    return json.loads(lint("svc", "--format", "json", *args, cwd=cwd).stdout)["findings"]


def test_broken_example_is_quiet_afterwards_except_json(tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "svc")
    before = findings(tmp_path)
    result = lint("svc", "--add-suppressions", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    commented = [f for f in before if not f["path"].endswith(".json")]
    assert f"added suppressions for {len(commented)} finding(s) in 2 file(s)" in result.stderr
    assert "svc/cloudbaserc.json: has no comment syntax" in result.stderr
    after = findings(tmp_path)
    assert after and {f["path"] for f in after} == {"svc/cloudbaserc.json"}
    assert [f for f in after if f["code"] in ("CBR002", "CBR003")] == []  # every suppression is used
    ast.parse((tmp_path / "svc" / "app.py").read_text(encoding="utf-8"))
    dockerfile = (tmp_path / "svc" / "Dockerfile").read_text(encoding="utf-8").splitlines()
    assert dockerfile[0].startswith("# scaffolder: ignore[") and dockerfile[1].startswith("FROM ")


def test_pragma_is_indented_like_its_line_and_merges_codes(tmp_path):
    write_tree(tmp_path / "svc", {
        "Dockerfile": 'FROM python:3.12-slim\nCOPY app.py .\nCMD ["python", "app.py"]\n',
        ".dockerignore": ".git\n",
        "app.py": "import threading\n\n\ndef work():\n    pass\n\n\ndef start():\n"
                  "    # scaffolder: ignore[CBR999]\n    threading.Thread(target=work).start()\n\n\n"
                  "if True:\n    threading.Thread(target=work).start()\n",
    })
    lint("svc", "--no-hadolint", "--add-suppressions", cwd=tmp_path)
    lines = (tmp_path / "svc" / "app.py").read_text(encoding="utf-8").splitlines()
    assert "    # scaffolder: ignore[CBR311]" in lines
    assert lines[lines.index("if True:") + 1] == "    # scaffolder: ignore[CBR311]"


def test_existing_pragma_above_gains_the_new_code(tmp_path):
    write_tree(tmp_path / "svc", {
        "Dockerfile": 'FROM python:3.12-slim\nCOPY app.py .\nCMD ["python", "app.py"]\n',
        ".dockerignore": ".git\n",
        "app.py": "import threading\n\n\ndef work():\n    pass\n\n\n"
                  "# scaffolder: ignore[CBR312]\nthreading.Thread(target=work).start()\n",
    })
    lint("svc", "--no-hadolint", "--add-suppressions", cwd=tmp_path)
    text = (tmp_path / "svc" / "app.py").read_text(encoding="utf-8")
    assert "# scaffolder: ignore[CBR311, CBR312]\nthreading.Thread" in text
    assert text.count("scaffolder: ignore") == 1


def test_python_file_that_would_break_is_left_alone(tmp_path):
    source = 'from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.post("/save")\ndef save():\n' \
             '    size = 1 + \\\n        open("saved.txt", "w").write("x")\n    return {"size": size}\n'
    write_tree(tmp_path / "svc", {
        "Dockerfile": 'FROM python:3.12-slim\nCOPY app.py .\nCMD ["python", "app.py"]\n',
        ".dockerignore": ".git\n", "app.py": source,
    })
    before = findings(tmp_path, "--no-hadolint")
    assert [(f["code"], f["line"]) for f in before] == [("CBR301", 9)]  # on the continuation line
    result = lint("svc", "--no-hadolint", "--add-suppressions", cwd=tmp_path)
    assert "svc/app.py: a suppression there would break the Python syntax" in result.stderr
    assert (tmp_path / "svc" / "app.py").read_text(encoding="utf-8") == source


def test_findings_about_suppressions_are_not_suppressed(tmp_path):
    write_tree(tmp_path / "svc", {
        "Dockerfile": 'FROM python:3.12-slim\nCOPY app.py .\nCMD ["python", "app.py"]\n',
        ".dockerignore": ".git\n", "app.py": "print('hi')  # scaffolder: ignore[CBR301]\n",
    })
    result = lint("svc", "--no-hadolint", "--add-suppressions", cwd=tmp_path)
    assert "svc/app.py:1: CBR002 is about a suppression; edit it" in result.stderr
    assert (tmp_path / "svc" / "app.py").read_text(encoding="utf-8").count("scaffolder:") == 1
