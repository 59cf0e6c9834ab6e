"""--add-suppressions: every finding that can carry an inline suppression gets one, and the next
run is clean except for what cannot (JSON)."""

from __future__ import annotations

import ast
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import write_tree
from scaffolder.findings import Finding
from scaffolder.suppression_writer import add_suppressions

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


# ---- files that must not be replaced by a plain copy ------------------------------------------------
THREAD = "import threading\n\n\ndef work():\n    pass\n\n\nthreading.Thread(target=work).start()\n"
DOCKERFILE = 'FROM python:3.12-slim\nCOPY app.py .\nCMD ["python", "app.py"]\n'


def _service(root: Path, **files: str) -> Path:
    write_tree(root / "svc", {"Dockerfile": DOCKERFILE, ".dockerignore": ".git\n", "app.py": THREAD, **files})
    return root / "svc"


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file away")
def test_owner_group_and_mode_are_kept(tmp_path):
    app = _service(tmp_path) / "app.py"
    os.chown(app, 1234, 2345)
    os.chmod(app, 0o640)
    lint("svc", "--no-hadolint", "--add-suppressions", cwd=tmp_path)
    assert "# scaffolder: ignore[CBR311]" in app.read_text(encoding="utf-8")
    info = app.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (1234, 2345, 0o640)


def test_a_file_with_hard_links_is_skipped(tmp_path):
    app = _service(tmp_path) / "app.py"
    os.link(app, tmp_path / "copy.py")
    result = lint("svc", "--no-hadolint", "--add-suppressions", cwd=tmp_path)
    assert "not suppressed: svc/app.py: it has 2 hard links; edit it by hand" in result.stderr
    assert app.read_text(encoding="utf-8") == THREAD and os.path.samefile(app, tmp_path / "copy.py")


def test_a_symlinked_dockerfile_is_skipped_not_copied(tmp_path):
    shared = 'FROM python:3.12\nCOPY app.py .\nCMD ["python", "app.py"]\n'
    write_tree(tmp_path, {"shared/Dockerfile": shared})
    service = _service(tmp_path)
    (service / "Dockerfile").unlink()
    (service / "Dockerfile").symlink_to("../shared/Dockerfile")
    result = lint("svc", "--no-hadolint", "--add-suppressions", cwd=tmp_path)
    assert (service / "Dockerfile").is_symlink() and (tmp_path / "shared" / "Dockerfile").read_text() == shared
    assert "not suppressed: svc/Dockerfile: it is a symbolic link" in result.stderr


# ---- byte-order marks, shebangs, parser directives ---------------------------------------------------
def test_a_byte_order_mark_stays_first(tmp_path):
    service = _service(tmp_path)
    (service / "Dockerfile").write_bytes(("\ufeff" + DOCKERFILE.replace("-slim", "")).encode("utf-8"))
    (service / "app.py").write_bytes(("\ufeff" + THREAD).encode("utf-8"))
    before = {(f["path"], f["code"]) for f in findings(tmp_path, "--no-hadolint")}
    assert {path for path, _code in before} == {"svc/Dockerfile", "svc/app.py"}
    result = lint("svc", "--no-hadolint", "--add-suppressions", cwd=tmp_path)
    assert "not suppressed" not in result.stderr, result.stderr
    assert findings(tmp_path, "--no-hadolint") == []
    dockerfile = (service / "Dockerfile").read_bytes().decode("utf-8")
    assert dockerfile.startswith("\ufeff# scaffolder: ignore[") and dockerfile.count("\ufeff") == 1
    app = (service / "app.py").read_bytes().decode("utf-8")
    assert app.startswith("\ufeffimport threading\n") and app.count("\ufeff") == 1
    assert "\n# scaffolder: ignore[CBR311]\nthreading.Thread" in app


@pytest.mark.parametrize(("name", "text", "line"), [
    ("run.py", "#!/usr/bin/env python3\nprint('hi')\n", 1),
    ("Dockerfile", "# syntax=docker/dockerfile:1\nFROM python:3.12\n", 1),
    ("Dockerfile", "# syntax=docker/dockerfile:1\n# escape=`\nFROM python:3.12\n", 2),
    ("Dockerfile", "#check=skip=all\nFROM python:3.12\n", 1),
])
def test_no_pragma_above_a_shebang_or_a_parser_directive(tmp_path, name, text, line):
    (tmp_path / name).write_text(text, encoding="utf-8")
    report = add_suppressions([Finding("CBR301", "made up", name, line, 1)], tmp_path)
    assert (tmp_path / name).read_text(encoding="utf-8") == text
    assert report.added == 0 and report.files == 0
    assert report.skipped == [f"{name}:{line}: a suppression above line {line} would break its "
                              f"{'shebang' if name.endswith('.py') else 'parser directive'}"]


def test_a_finding_below_the_directives_is_suppressed(tmp_path):
    text = "# syntax=docker/dockerfile:1\nFROM python:3.12\n"
    (tmp_path / "Dockerfile").write_text(text, encoding="utf-8")
    report = add_suppressions([Finding("CBR301", "made up", "Dockerfile", 2, 1)], tmp_path)
    assert report.added == 1 and report.skipped == []
    assert (tmp_path / "Dockerfile").read_text(encoding="utf-8") == \
        "# syntax=docker/dockerfile:1\n# scaffolder: ignore[CBR301]\nFROM python:3.12\n"
