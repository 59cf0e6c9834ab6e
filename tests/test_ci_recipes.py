"""The recipes in docs/ci.md, run as written against a clean and a broken service.

Each recipe is a fenced block with a title (the file a user would create). The test takes the
commands out of it (the `run:` steps of the GitHub workflow, the `script:` of the GitLab job, the
shell scripts) and runs them with bash in a temporary copy of a service, then checks the exit codes
and validates the reports the commands wrote.

What cannot run here is replaced, not skipped silently: `pip install` of the published package and
`tcb` (the CloudBase CLI) are stub commands placed first on PATH that record their arguments, so the
recipe text runs unchanged and the installed `scaffolder` of this checkout stands for the published
one; the GitHub `uses:` actions (checkout, setup-python, upload-sarif) are not run, and the SARIF
file the upload would send is validated against the SARIF 2.1.0 schema instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest
import yaml

from conftest import CLEAN_ORDERS_SERVICE, write_tree

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "ci.md"
SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
BLOCK = re.compile(r'^```(?P<lang>\w+) title="(?P<title>[^"]+)"\n(?P<body>.*?)^```', re.M | re.S)

# GitLab's code quality format (docs.gitlab.com/ci/testing/code_quality): the fields GitLab reads.
GITLAB_CODE_QUALITY_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1},
                    "lines": {"type": "object", "required": ["begin"],
                              "properties": {"begin": {"type": "integer", "minimum": 1}}},
                },
            },
        },
    },
}

def recipe(title: str) -> str:
    blocks = {match["title"]: match["body"] for match in BLOCK.finditer(DOC.read_text(encoding="utf-8"))}
    assert title in blocks, f"docs/ci.md has no block titled {title!r} (it has {sorted(blocks)})"
    return blocks[title]


@pytest.fixture
def stubs(tmp_path):
    """`pip` and `tcb` stand-ins first on PATH, each appending its arguments to <name>.calls."""
    folder = tmp_path / "stubs"
    folder.mkdir()
    for name in ("pip", "tcb"):
        stub = folder / name
        stub.write_text(f'#!/bin/sh\necho "$*" >> "{folder / name}.calls"\n', encoding="utf-8")
        stub.chmod(0o755)
    return folder


def calls(stubs: Path, name: str) -> list[str]:
    record = stubs / f"{name}.calls"
    return record.read_text(encoding="utf-8").splitlines() if record.exists() else []


@pytest.fixture
def bash(stubs):
    """Run a script the way the CI runs it: bash with -e and pipefail, the stubs and this checkout's
    scaffolder first on PATH."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(stubs), str(Path(sys.executable).parent), env.get("PATH", "")])
    env.pop("SCAFFOLDER_HADOLINT", None)
    env["NO_COLOR"] = "1"

    def run(script: str, cwd: Path, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script, "recipe", *args],
                              cwd=cwd, env=env, capture_output=True, text=True, timeout=300)

    return run


@pytest.fixture
def clean_repo(tmp_path):
    return write_tree(tmp_path / "repo", CLEAN_ORDERS_SERVICE)


@pytest.fixture
def broken_repo(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "broken-service", repo / "orders")
    return repo


def finding_codes_in_sarif(path: Path) -> set[str]:
    document = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(document, SARIF_SCHEMA)
    return {result["ruleId"] for run in document["runs"] for result in run["results"]}


# ---- GitHub Actions ------------------------------------------------------------------------------
def run_github_job(repo: Path, bash) -> dict[str, subprocess.CompletedProcess]:
    """Run the workflow's `run:` steps in order, as the runner does: a failed step skips the later
    ones unless their `if:` says always()."""
    workflow = yaml.safe_load(recipe(".github/workflows/scaffolder.yml"))
    (job,) = workflow["jobs"].values()
    actions = [step["uses"].split("@")[0] for step in job["steps"] if "uses" in step]
    assert actions == ["actions/checkout", "actions/setup-python", "github/codeql-action/upload-sarif"]
    outcomes, failed = {}, False
    for step in job["steps"]:
        if "run" not in step or (failed and "always()" not in str(step.get("if", ""))):
            continue
        outcomes[step["name"]] = result = bash(step["run"], repo)
        failed = failed or result.returncode != 0
    return outcomes


def sarif_upload_file(repo: Path) -> Path:
    workflow = yaml.safe_load(recipe(".github/workflows/scaffolder.yml"))
    (job,) = workflow["jobs"].values()
    (upload,) = [step for step in job["steps"] if "upload-sarif" in step.get("uses", "")]
    assert upload.get("if") == "always()", "the upload must run even when the lint step fails"
    return repo / upload["with"]["sarif_file"]


def test_github_workflow_on_a_clean_service(clean_repo, bash, stubs):
    outcomes = run_github_job(clean_repo, bash)
    assert {name: result.returncode for name, result in outcomes.items()} == {
        "Install scaffolder": 0, "Lint for code scanning": 0, "Gate, with annotations on the pull request": 0}
    assert calls(stubs, "pip") == ['install scaffolder @ git+https://github.com/OWNER/scaffolder@v0.1.0']
    assert finding_codes_in_sarif(sarif_upload_file(clean_repo)) == set()
    assert "::error" not in outcomes["Gate, with annotations on the pull request"].stdout


def test_github_workflow_on_a_broken_service(broken_repo, bash):
    outcomes = run_github_job(broken_repo, bash)
    sarif, gate = outcomes["Lint for code scanning"], outcomes["Gate, with annotations on the pull request"]
    assert sarif.returncode == 0, sarif.stderr  # findings do not stop the upload
    assert gate.returncode == 1, gate.stderr
    codes = finding_codes_in_sarif(sarif_upload_file(broken_repo))
    assert {"CBR103", "CBR401", "CBR404"} <= codes
    assert "::error file=orders/Dockerfile,line=8," in gate.stdout
    assert "::error file=orders/cloudbaserc.json," in gate.stdout


def test_github_sarif_step_still_fails_on_a_usage_error(clean_repo, bash):
    (clean_repo / "pyproject.toml").write_text('[tool.scaffolder]\nselect = ["CBR999"]\n', encoding="utf-8")
    outcomes = run_github_job(clean_repo, bash)
    assert outcomes["Lint for code scanning"].returncode != 0  # `|| [ $? -eq 1 ]` lets only findings through
    assert "CBR999" in outcomes["Lint for code scanning"].stderr
    assert "Gate, with annotations on the pull request" not in outcomes  # skipped after the failure


# ---- GitLab CI -----------------------------------------------------------------------------------
def run_gitlab_job(repo: Path, bash) -> tuple[subprocess.CompletedProcess, dict]:
    (job,) = yaml.safe_load(recipe(".gitlab-ci.yml")).values()
    before = bash("\n".join(job["before_script"]), repo)
    assert before.returncode == 0, before.stderr
    return bash("\n".join(job["script"]), repo), job["artifacts"]["reports"]


def test_gitlab_job_on_a_clean_service(clean_repo, bash, stubs):
    result, reports = run_gitlab_job(clean_repo, bash)
    assert result.returncode == 0, result.stdout + result.stderr
    assert calls(stubs, "pip") == ['install scaffolder @ git+https://github.com/OWNER/scaffolder@v0.1.0']
    issues = json.loads((clean_repo / reports["codequality"]).read_text(encoding="utf-8"))
    jsonschema.validate(issues, GITLAB_CODE_QUALITY_SCHEMA)
    assert issues == []
    suite = ElementTree.parse(clean_repo / reports["junit"]).getroot()
    assert suite.tag == "testsuites" and suite.get("failures") == "0"


def test_gitlab_job_on_a_broken_service(broken_repo, bash):
    result, reports = run_gitlab_job(broken_repo, bash)
    assert result.returncode == 1, result.stdout + result.stderr
    issues = json.loads((broken_repo / reports["codequality"]).read_text(encoding="utf-8"))
    jsonschema.validate(issues, GITLAB_CODE_QUALITY_SCHEMA)
    assert {"CBR103", "CBR401"} <= {issue["check_name"] for issue in issues}
    assert {issue["location"]["path"] for issue in issues} >= {"orders/Dockerfile", "orders/cloudbaserc.json"}
    suite = ElementTree.parse(broken_repo / reports["junit"]).getroot()
    failing = {(case.get("classname"), case.get("name")) for case in suite.iter("testcase")
               if case.find("failure") is not None}
    assert ("orders/Dockerfile", "CBR103") in failing and ("orders/cloudbaserc.json", "CBR401") in failing
    assert int(suite.get("failures")) == len(failing)


# ---- shell gate before tcb cloudrun deploy -------------------------------------------------------
@pytest.fixture
def deploy_script(tmp_path):
    script = tmp_path / "deploy.sh"
    script.write_text(recipe("deploy.sh"), encoding="utf-8")
    return script


def run_deploy(bash, repo: Path, script: Path) -> subprocess.CompletedProcess:
    return bash(f'TCB_ENV_ID=env-test bash "{script}" "$@"', repo, "orders", "orders")


def test_shell_gate_deploys_a_clean_service(clean_repo, bash, stubs, deploy_script):
    result = run_deploy(bash, clean_repo, deploy_script)
    assert result.returncode == 0, result.stdout + result.stderr
    assert calls(stubs, "tcb") == ["cloudrun deploy -e env-test -s orders --source orders --force"]


def test_shell_gate_lets_warnings_through(clean_repo, bash, stubs, deploy_script):
    dockerfile = clean_repo / "orders" / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace("python:3.11-slim", "python:3.11"), encoding="utf-8")
    result = run_deploy(bash, clean_repo, deploy_script)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "CBR107" in result.stdout  # reported, but only a warning
    assert len(calls(stubs, "tcb")) == 1


def test_shell_gate_stops_a_broken_service_before_deploy(broken_repo, bash, stubs, deploy_script):
    result = run_deploy(bash, broken_repo, deploy_script)
    assert result.returncode == 1
    assert "CBR103" in result.stdout and "CBR401" in result.stdout
    assert calls(stubs, "tcb") == []


# ---- adopting with a baseline --------------------------------------------------------------------
def test_baseline_recipe_hides_old_findings_and_reports_new_ones(broken_repo, bash):
    commands = [line for line in recipe("baseline.sh").splitlines() if line.strip() and not line.startswith("#")]
    record, check = commands
    assert bash(record, broken_repo).returncode == 0
    assert (broken_repo / ".scaffolder-baseline.json").is_file()
    quiet = bash(check, broken_repo)
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    app = broken_repo / "orders" / "app.py"
    source = app.read_text(encoding="utf-8") + '\n\ndef export():\n    open("exports/all.csv", "w").write("")\n'
    app.write_text(source, encoding="utf-8")
    new = bash(check, broken_repo)
    assert new.returncode == 1
    new_line = len(source.splitlines())
    assert f"orders/app.py:{new_line}:5: CBR301" in new.stdout
    assert "Found 1 finding" in new.stdout  # only the new one; the recorded ones stay hidden
