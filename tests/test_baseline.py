"""--write-baseline and --baseline: adopt the linter on existing code, report only what is new."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "broken-service"


def lint(*args, cwd: Path):
    return subprocess.run([sys.executable, "-m", "scaffolder", "lint", "--no-hadolint", "--no-cache", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=120)


def codes_and_lines(result) -> list[tuple[str, str, int]]:
    return [(f["code"], f["path"], f["line"]) for f in json.loads(result.stdout)["findings"]]


@pytest.fixture
def project(tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "svc")
    return tmp_path


def test_recorded_findings_are_hidden_and_new_ones_reported(project):
    written = lint("svc", "--write-baseline", "baseline.json", cwd=project)
    assert written.returncode == 0, written.stderr
    recorded = json.loads((project / "baseline.json").read_text(encoding="utf-8"))
    today = codes_and_lines(lint("svc", "--format", "json", cwd=project))
    assert recorded["tool"] == "scaffolder" and len(today) > 5
    assert sorted((row["code"], row["path"], row["line"]) for row in recorded["findings"]) == sorted(today)

    quiet = lint("svc", "--baseline", "baseline.json", "--format", "json", cwd=project)
    assert quiet.returncode == 0 and codes_and_lines(quiet) == []
    assert f"{len(today)} finding(s) recorded in baseline.json not shown" in quiet.stderr

    app = project / "svc" / "app.py"
    app.write_text(app.read_text(encoding="utf-8") + "\nopen('uploads.log', 'a').write('x')\n", encoding="utf-8")
    new = lint("svc", "--baseline", "baseline.json", "--format", "json", cwd=project)
    assert new.returncode == 1
    assert [code for code, _, _ in codes_and_lines(new)] == ["CBR301"]


def test_moved_code_still_matches(project):
    lint("svc", "--write-baseline", "baseline.json", cwd=project)
    app = project / "svc" / "app.py"
    app.write_text('"""A docstring added on top moves every line down."""\n\n\n' + app.read_text(encoding="utf-8"),
                   encoding="utf-8")
    dockerfile = project / "svc" / "Dockerfile"
    lines = dockerfile.read_text(encoding="utf-8").splitlines(keepends=True)
    dockerfile.write_text(lines[0] + "LABEL team=payments\n" + "".join(lines[1:]), encoding="utf-8")
    result = lint("svc", "--baseline", "baseline.json", "--format", "json", cwd=project)
    assert codes_and_lines(result) == [] and result.returncode == 0


def test_a_second_copy_of_a_recorded_problem_is_new(project):
    lint("svc", "--write-baseline", "baseline.json", cwd=project)
    app = project / "svc" / "app.py"
    starter = "threading.Thread(target=refresh_rates, daemon=True).start()\n"
    text = app.read_text(encoding="utf-8")
    assert text.count(starter) == 1
    app.write_text(text.replace(starter, starter + starter), encoding="utf-8")
    result = lint("svc", "--baseline", "baseline.json", "--format", "json", cwd=project)
    assert result.returncode == 1 and [code for code, _, _ in codes_and_lines(result)] == ["CBR311"]


def test_changed_line_is_new(project):
    lint("svc", "--write-baseline", "baseline.json", cwd=project)
    config = project / "svc" / "cloudbaserc.json"
    before = lint("svc", "--format", "json", cwd=project)
    mem_findings = [f for f in json.loads(before.stdout)["findings"] if f["code"] == "CBR401"]
    assert mem_findings
    text = config.read_text(encoding="utf-8")
    data = json.loads(text)
    data["cloudrun"]["serverConfig"]["Mem"] = 7
    config.write_text(json.dumps(data, indent=2), encoding="utf-8")
    result = lint("svc", "--baseline", "baseline.json", "--format", "json", cwd=project)
    assert "CBR401" in [code for code, _, _ in codes_and_lines(result)]


@pytest.mark.parametrize("content, message", [
    ("{not json", "invalid JSON"),
    ('{"tool": "eslint", "findings": []}', "not a scaffolder baseline"),
    ('{"tool": "scaffolder", "version": 99, "findings": []}', "format version 99"),
    ('{"tool": "scaffolder", "version": 1, "findings": [{"code": "CBR401"}]}', "lacks code, path or a fingerprint"),
])
def test_bad_baseline_is_a_usage_error(project, content, message):
    (project / "baseline.json").write_text(content, encoding="utf-8")
    result = lint("svc", "--baseline", "baseline.json", cwd=project)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_missing_baseline_and_conflicting_flags(project):
    missing = lint("svc", "--baseline", "nowhere.json", cwd=project)
    assert missing.returncode == 2 and "cannot read it" in missing.stderr
    both = lint("svc", "--baseline", "a.json", "--write-baseline", "b.json", cwd=project)
    assert both.returncode == 2 and "cannot be used together" in both.stderr


def test_written_baseline_is_stable(project):
    lint("svc", "--write-baseline", "one.json", cwd=project)
    lint("svc", "--write-baseline", "two.json", "--jobs", "1", cwd=project)
    assert (project / "one.json").read_bytes() == (project / "two.json").read_bytes()
    assert sorted(path.name for path in project.iterdir()) == ["one.json", "svc", "two.json"]


def test_new_baseline_gets_the_usual_permissions(project):
    import os
    import stat

    lint("svc", "--write-baseline", "baseline.json", cwd=project)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE((project / "baseline.json").stat().st_mode) == 0o666 & ~umask
