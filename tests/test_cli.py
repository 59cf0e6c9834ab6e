"""The installed command as a user runs it: exit codes, messages, files written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import write_tree


def scaffolder(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "scaffolder", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


CLEAN_FUNCTION = {
    "package.json": '{"name": "fn", "scripts": {"dev": "tcb-ff -w", "start": "tcb-ff"},'
    ' "dependencies": {"@cloudbase/functions-framework": "1.18.0"}}\n',
    "index.js": "exports.main = async (event, context) => ({ ok: true });\n",
    "cloudbaserc.json": '{"envId": "env-1", "cloudrun": {"name": "fn-svc", "serverConfig": '
    '{"Cpu": 0.5, "Mem": 1, "MinNum": 0, "MaxNum": 5, "OpenAccessTypes": ["PUBLIC"], "Port": 3000}}}\n',
}


def test_help_lists_the_commands():
    result = scaffolder("--help")
    assert result.returncode == 0
    for command in ("lint", "rules", "rule"):
        assert command in result.stdout


def test_clean_service_exits_zero(tmp_path):
    write_tree(tmp_path, CLEAN_FUNCTION)
    result = scaffolder("lint", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All checks passed (1 service" in result.stdout


def test_findings_exit_one_and_fail_on_raises_the_bar(tmp_path):
    write_tree(tmp_path, {"app.py": "import os\n\nPORT = os.environ['PORT']  # scaffolder: ignore[CBR9999]\n"})
    result = scaffolder("lint", ".", cwd=tmp_path)
    assert result.returncode == 1 and "CBR003" in result.stdout
    assert scaffolder("lint", ".", "--fail-on", "error", cwd=tmp_path).returncode == 0
    assert scaffolder("lint", ".", "--ignore", "CBR003", cwd=tmp_path).returncode == 0


def test_output_file_and_formats(tmp_path):
    write_tree(tmp_path, {"cloudbaserc.json": "{ nope"})
    result = scaffolder("lint", "--format", "json", "-o", "report.json", ".", cwd=tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    document = json.loads((tmp_path / "report.json").read_text())
    assert document["findings"][0]["code"] == "CBR001"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".report.json")]


def test_usage_errors_exit_two_with_a_message(tmp_path):
    cases = [
        (("lint", "missing-folder"), "missing-folder: no such file or folder"),
        (("lint", "--select", "CBR9"), "unknown rule code or prefix 'CBR9'"),
        (("lint", "--config", "nope.json"), "--config nope.json: no such file"),
        (("rule", "CBR0001"), "unknown rule code"),
        (("lint", "--format", "xml"), "invalid choice"),
    ]
    for args, message in cases:
        result = scaffolder(*args, cwd=tmp_path)
        assert result.returncode == 2, args
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_bad_settings_file_is_a_usage_error(tmp_path):
    (tmp_path / ".scaffolder.toml").write_text('ignroe = ["CBR001"]\n')
    result = scaffolder("lint", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert ".scaffolder.toml" in result.stderr and "did you mean 'ignore'" in result.stderr


def test_rules_and_rule(tmp_path):
    listing = json.loads(scaffolder("rules", "--json").stdout)
    codes = [row["code"] for row in listing]
    assert codes == sorted(codes) and "CBR001" in codes
    explained = scaffolder("rule", "cbr001")
    assert explained.returncode == 0 and "## Why is this bad?" in explained.stdout
    hadolint = scaffolder("rule", "DL3008")
    assert hadolint.returncode == 0 and "hadolint" in hadolint.stdout


def test_output_to_a_device_writes_through_it(tmp_path):
    write_tree(tmp_path, CLEAN_FUNCTION)
    result = scaffolder("lint", "-o", "/dev/null", ".", cwd=tmp_path)
    assert result.returncode == 0
    assert Path("/dev/null").is_char_device()


def test_a_signal_inside_a_c_extension_is_reported_as_the_signal(tmp_path, monkeypatch, capsys):
    """SIGTERM or Ctrl-C while buildkit's parser or tree-sitter runs comes back as a SystemError or
    QueryError caused by it (sometimes after a chain of SystemErrors): still "terminated", not an
    internal error."""
    from scaffolder import cli, cli_lint

    def chained(*causes):
        def handler(args):
            error = causes[0]
            for wrapper in causes[1:]:
                wrapper.__cause__, error = error, wrapper
            raise error
        return handler

    monkeypatch.setattr(cli, "_stop_cleanly_on_sigterm", lambda: None)  # leave pytest's own SIGTERM alone
    write_tree(tmp_path, {"Dockerfile": "FROM scratch\n"})
    cases = [(chained(cli._Terminated(), SystemError("returned a result with an exception set")), 143, "terminated"),
             (chained(KeyboardInterrupt(), RuntimeError("regular expression error")), 130, "interrupted"),
             (chained(cli._Terminated(), *[SystemError("again") for _ in range(10)]), 143, "terminated"),
             (chained(ValueError("a bug"), SystemError("wrapped")), 2, "internal error")]
    for handler, code, message in cases:
        monkeypatch.setattr(cli_lint, "run_lint", handler)
        assert cli.main(["lint", str(tmp_path)]) == code
        assert message in capsys.readouterr().err
