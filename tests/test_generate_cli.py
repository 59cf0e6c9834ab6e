"""`scaffolder templates` and `scaffolder new`: listing, answers, destinations, failures."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scaffolder.cli import main
from scaffolder.generate import GenerateError, derive_service_name, is_valid_service_name, parse_data


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """Run each command from an empty folder, as a user would."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def new(*args: str) -> int:
    return main(["new", *args])


def cloudbaserc(project: Path) -> dict:
    return json.loads((project / "cloudbaserc.json").read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------ scaffolder templates


def test_templates_table_lists_every_template(capsys):
    assert main(["templates"]) == 0
    out = capsys.readouterr().out
    for name in ("function", "container", "agent"):
        assert name in out
    assert "name" in out and "mode" in out and "language" in out and "description" in out


def test_templates_json(capsys):
    assert main(["templates", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["name"] for row in rows] == ["agent", "container", "function"]
    assert {row["mode"] for row in rows} == {"agent", "container", "function"}
    assert all(set(row) == {"name", "mode", "language", "description"} and row["description"] for row in rows)
    container = next(row for row in rows if row["name"] == "container")
    for language in ("Python", "Node.js", "Go", "Java"):
        assert language in container["language"]


def test_template_questions_json(capsys):
    assert main(["templates", "container", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    questions = {q["name"]: q for q in info["questions"]}
    assert questions["language"]["choices"] == ["python", "node", "go", "java"]
    assert questions["cpu"]["choices"] == [0.25, 0.5, 1, 2, 4, 8, 16]
    assert "mem" not in questions and "open_access_type" not in questions  # computed, not asked


def test_templates_unknown_name_is_a_usage_error(capsys):
    assert main(["templates", "nope"]) == 2
    assert "unknown template 'nope'" in capsys.readouterr().err


# ------------------------------------------------------------------------------ scaffolder new


def test_new_function_derives_service_name_from_folder(workdir, capsys):
    assert new("function", "my-svc", "--defaults") == 0
    out = capsys.readouterr().out
    project = workdir / "my-svc"
    assert cloudbaserc(project)["cloudrun"]["name"] == "my-svc"
    assert json.loads((project / "package.json").read_text(encoding="utf-8"))["name"] == "my-svc"
    # Next steps: where to go, how to run, how to check.
    assert "cd my-svc" in out and "npm install" in out and "scaffolder lint" in out
    assert leftovers(workdir) == ["my-svc"]


def test_new_normalises_the_folder_name(workdir):
    assert new("container", "nested/dirs/My_API.v2", "--defaults") == 0
    project = workdir / "nested" / "dirs" / "My_API.v2"
    assert cloudbaserc(project)["cloudrun"]["name"] == "my-api-v2"


def test_new_explicit_service_name_wins(workdir):
    assert new("function", "folder", "--data", "service_name=orders", "--defaults") == 0
    assert cloudbaserc(workdir / "folder")["cloudrun"]["name"] == "orders"


def test_new_folder_name_without_a_valid_service_name_uses_the_default(workdir):
    assert new("function", "123", "--defaults") == 0
    assert cloudbaserc(workdir / "123")["cloudrun"]["name"] == "my-function"


def test_new_container_with_data(workdir, capsys):
    code = new("container", "svc", "-d", "language=go", "-d", "port=9000", "-d", "cpu=2",
               "-d", "callers=miniprogram", "-d", "min_num=1", "-d", "max_num=4", "--defaults")
    assert code == 0
    out = capsys.readouterr().out
    project = workdir / "svc"
    server = cloudbaserc(project)["cloudrun"]["serverConfig"]
    assert server == {"Cpu": 2, "Mem": 4, "MinNum": 1, "MaxNum": 4, "OpenAccessTypes": ["MINIAPP"], "Port": 9000}
    assert (project / "main.go").is_file() and not (project / "app.py").exists()
    assert "EXPOSE 9000" in (project / "Dockerfile").read_text(encoding="utf-8")
    assert "docker build -t svc ." in out and "9000:9000" in out


def test_new_agent_reports_bot_id(workdir, capsys):
    assert new("agent", "bot", "-d", "agent_name=helper", "-d", "bot_tag=v1", "--defaults") == 0
    out = capsys.readouterr().out
    assert "ibot-helper-v1" in out
    assert cloudbaserc(workdir / "bot")["cloudrun"]["name"] == "ibot-helper"


def test_max_num_default_follows_min_num(workdir):
    assert new("function", "warm", "-d", "min_num=8", "--defaults") == 0
    server = cloudbaserc(workdir / "warm")["cloudrun"]["serverConfig"]
    assert server["MinNum"] == 8 and server["MaxNum"] == 8


def test_new_into_an_existing_empty_folder(workdir):
    (workdir / "empty").mkdir()
    assert new("function", "empty", "--defaults") == 0
    assert (workdir / "empty" / "index.js").is_file()
    assert leftovers(workdir) == ["empty"]


# ------------------------------------------------------------------------------ refusals, nothing left behind

INVALID_ANSWERS = [
    ("function", ["service_name=Bad_Name"], "service_name"),
    ("function", ["service_name=9lives"], "service_name"),
    ("function", ["service_name=ab"], "service_name"),
    ("function", ["service_name=" + "a" * 40], "service_name"),
    ("function", ["service_name=lcap-orders"], "service_name"),
    ("function", ["service_name=lowcode-x"], "service_name"),
    ("function", ["service_name=trailing-"], "service_name"),
    ("container", ["service_name=has space"], "service_name"),
    ("agent", ["agent_name=MyAgent"], "agent_name"),
    ("agent", ["agent_name=my-agent"], "agent_name"),
    ("agent", ["agent_name=my_agent"], "agent_name"),
    ("agent", ["agent_name="], "agent_name"),
    ("agent", ["bot_tag=Demo"], "bot_tag"),
    ("agent", ["bot_tag=a-b"], "bot_tag"),
    ("function", ["cpu=0.3"], "cpu"),
    ("container", ["cpu=3"], "cpu"),
    ("agent", ["cpu=abc"], "cpu"),
    ("container", ["min_num=3", "max_num=2"], "max_num"),
    ("function", ["max_num=0"], "max_num"),
    ("function", ["min_num=-1"], "min_num"),
    ("container", ["min_num=1.5"], "min_num"),
    ("container", ["port=0"], "port"),
    ("container", ["port=70000"], "port"),
    ("container", ["language=ruby"], "language"),
    ("function", ["callers=everyone"], "callers"),
    ("function", ["websocket=maybe"], "websocket"),
    ("function", ["env_id=has space"], "env_id"),
]


@pytest.mark.parametrize(("template", "pairs", "question"), INVALID_ANSWERS)
def test_invalid_answer_names_the_question_and_leaves_nothing(workdir, capsys, template, pairs, question):
    args = [arg for pair in pairs for arg in ("--data", pair)]
    assert new(template, "out", *args, "--defaults") == 2
    err = capsys.readouterr().err
    assert f"'{question}'" in err, err
    assert leftovers(workdir) == []


def test_invalid_answer_in_nested_destination_leaves_no_parents(workdir, capsys):
    assert new("function", "a/b/c", "-d", "service_name=BAD", "--defaults") == 2
    assert leftovers(workdir) == []


def test_existing_non_empty_destination_is_refused(workdir, capsys):
    dest = workdir / "taken"
    dest.mkdir()
    (dest / "keep.txt").write_text("mine", encoding="utf-8")
    assert new("function", "taken", "--defaults") == 2
    assert "--overwrite" in capsys.readouterr().err
    assert leftovers(dest) == ["keep.txt"]
    assert leftovers(workdir) == ["taken"]


def test_overwrite_writes_into_a_non_empty_destination(workdir):
    dest = workdir / "taken"
    dest.mkdir()
    (dest / "keep.txt").write_text("mine", encoding="utf-8")
    (dest / "index.js").write_text("old", encoding="utf-8")
    assert new("function", "taken", "--defaults", "--overwrite") == 0
    assert (dest / "keep.txt").read_text(encoding="utf-8") == "mine"
    assert "exports.main" in (dest / "index.js").read_text(encoding="utf-8")
    assert leftovers(workdir) == ["taken"]


def test_overwrite_refuses_to_replace_a_folder_with_a_file(workdir, capsys):
    dest = workdir / "taken"
    (dest / "index.js").mkdir(parents=True)
    assert new("function", "taken", "--defaults", "--overwrite") == 2
    assert "index.js" in capsys.readouterr().err
    assert leftovers(dest) == ["index.js"] and leftovers(workdir) == ["taken"]


@pytest.mark.parametrize("dest", ["../x", "a/../x", "..", "sub/.."])
def test_destination_with_dotdot_is_refused(workdir, capsys, dest):
    (workdir / "inner").mkdir()
    os.chdir(workdir / "inner")
    assert new("function", dest, "--defaults") == 2
    assert "'..'" in capsys.readouterr().err
    assert leftovers(workdir) == ["inner"] and leftovers(workdir / "inner") == []


def test_destination_that_is_a_file_is_refused(workdir, capsys):
    (workdir / "file").write_text("x", encoding="utf-8")
    assert new("function", "file", "--defaults", "--overwrite") == 2
    assert "not a folder" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        (["noequals"], "KEY=VALUE"),
        (["=value"], "KEY=VALUE"),
        (["bad key=1"], "not a question name"),
        (["nope=1"], "has no question 'nope'"),
        (["mem=4"], "'mem'"),
        (["port=8080"], "'port'"),  # fixed at 3000 in function mode
    ],
)
def test_malformed_or_unknown_data_is_a_usage_error(workdir, capsys, pairs, message):
    args = [arg for pair in pairs for arg in ("--data", pair)]
    assert new("function", "out", *args, "--defaults") == 2
    assert message in capsys.readouterr().err
    assert leftovers(workdir) == []


def test_unknown_template(workdir, capsys):
    assert new("ruby", "out", "--defaults") == 2
    assert "unknown template 'ruby'" in capsys.readouterr().err
    assert leftovers(workdir) == []


def test_data_value_may_contain_equals_signs():
    assert parse_data(["description=a=b", "cpu=1"]) == {"description": "a=b", "cpu": "1"}
    with pytest.raises(GenerateError):
        parse_data(["cpu"])


@pytest.mark.parametrize(
    ("folder", "expected"),
    [("my-svc", "my-svc"), ("My_Service", "my-service"), ("2fast", "fast"), ("api.v2", "api-v2"),
     ("x", None), ("lcap-app", None), ("a" * 50, "a" * 39), ("--", None)],
)
def test_derive_service_name(folder, expected):
    assert derive_service_name(folder) == expected
    if expected:
        assert is_valid_service_name(expected)


# ------------------------------------------------------------------------------ as a real process


def run_cli(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scaffolder", *args], cwd=cwd, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=timeout,
    )


def test_new_without_a_terminal_uses_defaults_and_never_waits(tmp_path):
    """No --defaults, stdin not a TTY (CI): the defaults are used instead of prompting."""
    result = run_cli("new", "container", "svc", "--data", "language=node", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    answers = yaml.safe_load((tmp_path / "svc" / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert answers["language"] == "node" and answers["service_name"] == "svc" and answers["port"] == 8080
    assert "Next steps" in result.stdout


def test_new_starts_no_git_process(tmp_path):
    """Copier's git support never applies to the bundled templates; a `git` first on the PATH, and
    one in the current folder, that log their calls show Copier runs none (it ran a dozen, ~0.1 s),
    in a folder that is a git repository too."""
    tools, log = tmp_path / "tools", tmp_path / "git-calls.log"
    tools.mkdir()
    (tools / "git").write_text(f'#!/bin/sh\necho "$@" >> {log}\nexec /usr/bin/env -u PATH git "$@"\n')
    (tools / "git").chmod(0o755)
    work = tmp_path / "repo"
    work.mkdir()
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    shutil.copy2(tools / "git", work / "git")  # an empty PATH would mean this folder to plumbum
    env = {**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run([sys.executable, "-m", "scaffolder", "new", "container", "svc", "--defaults"], cwd=work,
                            env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert (work / "svc" / "Dockerfile").is_file()
    assert not log.exists(), log.read_text()


def test_invalid_answer_exit_code_and_message_from_the_process(tmp_path):
    result = run_cli("new", "agent", "bot", "--data", "agent_name=MyAgent", cwd=tmp_path)
    assert result.returncode == 2
    assert "agent_name" in result.stderr and "Traceback" not in result.stderr
    assert leftovers(tmp_path) == []


def test_help_does_not_import_copier_or_rich():
    code = (
        "import sys\n"
        "from scaffolder.cli import build_parser\n"
        "build_parser().format_help()\n"
        "heavy = [m for m in ('copier', 'scaffolder.generate') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_new_and_templates_help():
    result = subprocess.run([sys.executable, "-m", "scaffolder", "new", "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    for flag in ("--data", "--defaults", "--overwrite", "TEMPLATE", "DEST"):
        assert flag in result.stdout
    result = subprocess.run([sys.executable, "-m", "scaffolder", "templates", "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "--json" in result.stdout


def test_template_questions_read_the_same_with_or_without_libyaml(monkeypatch):
    from scaffolder import generate

    with_libyaml = [generate._load_template(template.path) for template in generate.list_templates()]
    assert hasattr(yaml, "CSafeLoader") and len(with_libyaml) == 3
    monkeypatch.delattr(yaml, "CSafeLoader")
    assert [generate._load_template(template.path) for template in generate.list_templates()] == with_libyaml
