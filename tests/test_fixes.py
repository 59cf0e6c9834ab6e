"""`scaffolder lint --fix / --unsafe-fixes / --diff`: what each fixer changes (and what it leaves),
refusals, atomic writes, file modes, and the command line."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import stat
import textwrap
from pathlib import Path

import pytest

from conftest import write_tree
from scaffolder.catalog import default_catalog
from scaffolder.cli import main
from scaffolder.engine import LintOptions, lint
from scaffolder.findings import Edit, Finding, Fix, LintResult
from scaffolder.fixes.plan import plan_fixes
from scaffolder.fixes.session import fix_rounds
from scaffolder.settings import Settings

# see test_fix_examples.py: bind progress.wanted()'s default stream at collection time
importlib.import_module("scaffolder.progress") if importlib.util.find_spec("scaffolder.progress") else None

DOCKERIGNORE = ".git\n.env\nnode_modules\n__pycache__\n"
APP_READS_PORT = 'import os\nprint(os.environ["PORT"])\n'


def _options(root: Path) -> LintOptions:
    return LintOptions(settings=Settings(hadolint=False), catalog=default_catalog(), report_root=root)


def fix(root: Path, files: dict[str, str], unsafe: bool = False):
    """Write `files`, lint, fix until stable; returns (run, {name: text after})."""
    write_tree(root, files)
    options = _options(root)
    run = fix_rounds([root], options, lint([root], options), unsafe)
    return run, {path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
                 for path in sorted(root.rglob("*")) if path.is_file()}


def codes(run) -> set[str]:
    return {finding.code for finding in run.result.findings}


def reasons(run) -> list[str]:
    return [refusal.reason for refusal in run.refused]


# ---- Python (libcst) -------------------------------------------------------------------------------
def test_python_keeps_comments_and_layout_and_adds_the_import_among_standard_ones(tmp_path):
    source = textwrap.dedent('''\
        """The service."""
        import json
        import sys

        import uvicorn  # the server

        PORT = 8000  # local default


        def main():
            uvicorn.run(
                "app:app",
                port=PORT,  # keep me
            )
        ''')
    run, tree = fix(tmp_path, {"Dockerfile": "FROM python:3.12-slim\nCMD [\"python\", \"main.py\"]\n",
                               ".dockerignore": DOCKERIGNORE, "main.py": source}, unsafe=True)
    assert tree["main.py"] == textwrap.dedent('''\
        """The service."""
        import json
        import os
        import sys

        import uvicorn  # the server

        PORT = 8000  # local default


        def main():
            uvicorn.run(
                "app:app",
                port=int(os.environ.get("PORT", PORT)),  # keep me
                host="0.0.0.0",
            )
        ''')
    assert not {"CBR201", "CBR202"} & codes(run)


def test_python_default_port_and_host_become_keywords_and_os_is_imported_once(tmp_path):
    source = "import os\nfrom flask import Flask\n\napp = Flask(__name__)\n\nif __name__ == '__main__':\n    app.run()\n"
    run, tree = fix(tmp_path, {"app.py": source}, unsafe=True)
    assert tree["app.py"].endswith('    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 5000)))\n')
    assert tree["app.py"].count("import os") == 1


def test_python_safe_fix_leaves_the_unsafe_one(tmp_path):
    run, tree = fix(tmp_path, {"app.py": "from flask import Flask\napp = Flask(__name__)\napp.run('127.0.0.1', 8080)\n"})
    assert "app.run('127.0.0.1', int(os.environ.get(\"PORT\", 8080)))" in tree["app.py"]
    assert codes(run) == {"CBR202"} and run.unsafe_left(False) == 1 and run.fixed == 1


def test_python_loopback_strings_keep_their_quotes(tmp_path):
    files = {
        "gunicorn.conf.py": "bind = ['127.0.0.1:8000', \"[::1]:8000\"]\n",
        "server.py": textwrap.dedent("""\
            import os
            import socket

            port = int(os.environ["PORT"])
            sock = socket.socket()
            sock.bind(('localhost', port))
            sock.listen()
            """),
        "Dockerfile": "FROM python:3.12-slim\nCOPY . .\nCMD [\"gunicorn\", \"app:app\"]\n",
        ".dockerignore": DOCKERIGNORE,
    }
    run, tree = fix(tmp_path, files, unsafe=True)
    assert tree["gunicorn.conf.py"] == "bind = ['0.0.0.0:8000', \"0.0.0.0:8000\"]\n"
    assert "sock.bind(('0.0.0.0', port))" in tree["server.py"]
    assert "CBR202" not in codes(run)


def test_python_fstring_bind(tmp_path):
    files = {"gunicorn.conf.py": 'import os\nbind = f"localhost:{os.environ[\'PORT\']}"\n',
             "Dockerfile": "FROM python:3.12-slim\nCOPY . .\nCMD [\"gunicorn\", \"app:app\"]\n",
             ".dockerignore": DOCKERIGNORE}
    run, tree = fix(tmp_path, files, unsafe=True)
    assert tree["gunicorn.conf.py"] == 'import os\nbind = f"0.0.0.0:{os.environ[\'PORT\']}"\n'
    assert "CBR202" not in codes(run)


def test_python_hypercorn_gets_a_bind(tmp_path):
    files = {"main.py": textwrap.dedent("""\
        import asyncio

        from hypercorn.asyncio import serve
        from hypercorn.config import Config

        from app import app

        if __name__ == "__main__":
            config = Config()
            asyncio.run(serve(app, config))
        """)}
    run, tree = fix(tmp_path, files)
    assert "import asyncio\nimport os\n" in tree["main.py"]
    assert ("    config = Config()\n    config.bind = [f\"0.0.0.0:{os.environ.get('PORT', 8000)}\"]\n"
            "    asyncio.run(serve(app, config))\n") in tree["main.py"]
    assert not {"CBR201", "CBR202"} & codes(run)


def test_python_host_from_a_name_is_reported_not_rewritten(tmp_path):
    source = 'import os\nimport uvicorn\nHOST = "127.0.0.1"\nuvicorn.run("a:app", host=HOST, port=int(os.environ["PORT"]))\n'
    run, tree = fix(tmp_path, {"main.py": source}, unsafe=True)
    assert tree["main.py"] == source
    assert codes(run) == {"CBR202"}
    assert any("name bound elsewhere" in reason for reason in reasons(run))


def test_python_crlf_and_byte_order_mark_survive(tmp_path):
    source = "\ufeffimport uvicorn\r\nuvicorn.run('a:app', host='0.0.0.0', port=8080)\r\n"
    (tmp_path / "main.py").write_bytes(source.encode("utf-8"))
    options = _options(tmp_path)
    fix_rounds([tmp_path], options, lint([tmp_path], options), False)
    data = (tmp_path / "main.py").read_bytes().decode("utf-8")
    assert data == ("\ufeffimport os\r\n\r\nimport uvicorn\r\n"
                    "uvicorn.run('a:app', host='0.0.0.0', port=int(os.environ.get(\"PORT\", 8080)))\r\n")


# ---- Dockerfile ---------------------------------------------------------------------------------------
def _docker_service(dockerfile: str) -> dict[str, str]:
    return {"Dockerfile": dockerfile, ".dockerignore": DOCKERIGNORE, "app.py": APP_READS_PORT}


@pytest.mark.parametrize(("before", "after"), [
    ('ENTRYPOINT ["uvicorn", "--port", "$PORT", "--host", "0.0.0.0"]\nCMD ["app:app"]\n',
     'ENTRYPOINT ["sh", "-c", "exec uvicorn --port $PORT --host 0.0.0.0 \\"$@\\"", "sh"]\nCMD ["app:app"]\n'),
    ('ENTRYPOINT ["tini", "--"]\nCMD ["gunicorn", "-b", "0.0.0.0:${PORT}", "app:app"]\n',
     'ENTRYPOINT ["tini", "--"]\nCMD ["sh", "-c", "exec gunicorn -b 0.0.0.0:${PORT} app:app"]\n'),
    ('ENTRYPOINT ["gunicorn"]\nCMD ["-b", "0.0.0.0:$PORT", "app:app"]\n',
     'ENTRYPOINT ["sh", "-c", "exec gunicorn -b 0.0.0.0:$PORT app:app"]\n'),
])
def test_exec_form_port_gets_a_shell(tmp_path, before, after):
    run, tree = fix(tmp_path, _docker_service("FROM python:3.12-slim\nCOPY . .\n" + before))
    assert tree["Dockerfile"] == "FROM python:3.12-slim\nCOPY . .\n" + after
    assert "CBR103" not in codes(run)


def test_exec_form_port_in_an_image_without_a_shell_is_left_alone(tmp_path):
    dockerfile = "FROM gcr.io/distroless/python3-debian12\nCOPY . /app\nCMD [\"/app/server\", \"--port\", \"$PORT\"]\n"
    run, tree = fix(tmp_path, _docker_service(dockerfile))
    assert tree["Dockerfile"] == dockerfile
    assert "CBR103" in codes(run) and any("no shell" in reason for reason in reasons(run))


@pytest.mark.parametrize(("before", "after"), [
    ('CMD ["uvicorn", "app:app", "--port", "8080"]', 'CMD ["uvicorn", "--host", "0.0.0.0", "app:app", "--port", "8080"]'),
    ("CMD exec uvicorn app:app --port ${PORT:-8080}", "CMD exec uvicorn --host 0.0.0.0 app:app --port ${PORT:-8080}"),
    ('CMD flask run --port "$PORT"', 'CMD flask run --host 0.0.0.0 --port "$PORT"'),
    # two rounds: a shell for $PORT, then flask's host inside the script
    ('CMD ["flask", "run", "--port", "$PORT"]', 'CMD ["sh", "-c", "exec flask run --host 0.0.0.0 --port $PORT"]'),
    ('CMD ["flask", "run"]', 'CMD ["flask", "run", "--host", "0.0.0.0"]'),
    ('CMD ["sh", "-c", "uvicorn app:app --host localhost --port $PORT"]',
     'CMD ["sh", "-c", "uvicorn app:app --host 0.0.0.0 --port $PORT"]'),
    # two rounds: the default bind gets $PORT, then exec form needs a shell for it
    ('CMD ["hypercorn", "app:app"]', 'CMD ["sh", "-c", "exec hypercorn --bind 0.0.0.0:$PORT app:app"]'),
])
def test_loopback_binds_in_the_start_command(tmp_path, before, after):
    run, tree = fix(tmp_path, _docker_service(f"FROM python:3.12-slim\nCOPY . .\n{before}\n"))
    assert tree["Dockerfile"] == f"FROM python:3.12-slim\nCOPY . .\n{after}\n"
    assert not {"CBR103", "CBR105"} & codes(run)


def test_expose_follows_the_configured_port_and_a_literal_cmd_port_is_left(tmp_path):
    config = '{"envId": "e", "cloudrun": {"name": "svc-a", "serverConfig": {"Port": 8080}}}\n'
    dockerfile = 'FROM python:3.12-slim\nCOPY . .\nEXPOSE 80/tcp\nCMD ["python", "-m", "http.server", "9000"]\n'
    run, tree = fix(tmp_path, {**_docker_service(dockerfile), "cloudbaserc.json": config})
    assert "EXPOSE 8080/tcp\n" in tree["Dockerfile"] and '"9000"' in tree["Dockerfile"]
    assert [f.line for f in run.result.findings if f.code == "CBR101"] == [4]  # the CMD's port: by hand


# ---- deploy configuration (JSON in place) --------------------------------------------------------------
FUNCTION = {
    "package.json": '{"name": "fn", "dependencies": {"@cloudbase/functions-framework": "1.18.0"}}\n',
    "index.js": "exports.main = async () => ({});\n",
}


def test_json_edits_keep_formatting_key_order_and_other_values(tmp_path):
    config = ('{\n\t"envId": "e-1",\n\t"cloudrun": {"name": "svc_A",\n\t\t"serverConfig": {\n'
              '\t\t\t"OpenAccessTypes": ["WEB", "PUBLIC", "web"],\n\t\t\t"Cpu": 1, "Mem": 3,\n'
              '\t\t\t"EnvParams": {"A": "1", "B": 2},\n\t\t\t"Port": 8080, "memory": 2\n\t\t}\n\t}\n}\n')
    run, tree = fix(tmp_path, {**FUNCTION, "cloudbaserc.json": config}, unsafe=True)
    assert tree["cloudbaserc.json"] == (
        '{\n\t"envId": "e-1",\n\t"cloudrun": {"name": "svc-a",\n\t\t"serverConfig": {\n'
        '\t\t\t"OpenAccessTypes": ["PUBLIC"],\n\t\t\t"Cpu": 1, "Mem": 2,\n'
        '\t\t\t"EnvParams": "{\\"A\\":\\"1\\",\\"B\\":\\"2\\"}",\n\t\t\t"Port": 3000\n\t\t}\n\t}\n}\n')
    assert codes(run) == set()


def test_nearest_allowed_size_and_instance_counts(tmp_path):
    config = '{"serverConfig": {"Cpu": 3, "Mem": 5, "MinNum": -1, "MaxNum": 0}}'
    write_tree(tmp_path, FUNCTION)
    (tmp_path / "deploy.json").write_text(config, encoding="utf-8")
    options = LintOptions(settings=Settings(hadolint=False), catalog=default_catalog(), report_root=tmp_path,
                          config_file=tmp_path / "deploy.json")
    run = fix_rounds([tmp_path], options, lint([tmp_path], options), True)
    assert (tmp_path / "deploy.json").read_text() == '{"serverConfig": {"Cpu": 4, "Mem": 8, "MinNum": 0, "MaxNum": 1}}'
    assert codes(run) == set()


# ---- refusals, atomic writes, modes -----------------------------------------------------------------
def _finding(path: Path, edit: Edit, code: str = "CBR401") -> Finding:
    return Finding(code, "made up", str(path), 1, 1, fix=Fix("made up", safe=True, edits=(edit,)))


@pytest.mark.parametrize(("name", "text", "edit", "why"), [
    ("cloudbaserc.json", '{"Mem": 2}\n', Edit("replace", (1, 9), "2,,", "2"), "not be valid JSON"),
    ("Dockerfile", "FROM python:3.12-slim\n", Edit("replace", (1, 1), "FORM", "FROM"), "not be a valid Dockerfile"),
    ("app.py", "x = 1\n", Edit("replace", (1, 5), "(", "1"), "not be valid Python"),
])
def test_a_fix_that_would_not_parse_is_refused_and_the_file_is_unchanged(tmp_path, name, text, edit, why):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    before = path.stat()
    run = fix_rounds([tmp_path], _options(tmp_path), LintResult([_finding(path, edit)]), True)
    assert run.fixed == 0 and path.read_text(encoding="utf-8") == text
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert len(run.refused) == 1 and why in run.refused[0].reason


def test_a_stale_edit_is_refused(tmp_path):
    path = tmp_path / "cloudbaserc.json"
    path.write_text('{"serverConfig": {"Mem": 4}}', encoding="utf-8")
    finding = _finding(path, Edit("json-set", ("serverConfig", "Mem"), "1", "2"))
    plan = plan_fixes([finding], tmp_path)
    assert not plan.changes and "no longer 2" in plan.refused[0].reason


def test_the_file_mode_is_kept_and_no_temporary_file_is_left(tmp_path):
    config = '{"envId": "e", "cloudrun": {"name": "fn-svc", "serverConfig": {"Port": 8080}}}\n'
    write_tree(tmp_path, {**FUNCTION, "cloudbaserc.json": config})
    os.chmod(tmp_path / "cloudbaserc.json", 0o640)
    options = _options(tmp_path)
    run = fix_rounds([tmp_path], options, lint([tmp_path], options), False)
    assert run.fixed == 1 and '"Port": 3000' in (tmp_path / "cloudbaserc.json").read_text()
    assert stat.S_IMODE((tmp_path / "cloudbaserc.json").stat().st_mode) == 0o640
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cloudbaserc.json", "index.js", "package.json"]


def test_a_symlink_is_not_replaced(tmp_path):
    real = tmp_path / "real.json"
    real.write_text('{"envId": "e", "cloudrun": {"name": "fn-svc", "serverConfig": {"Port": 8080}}}\n')
    write_tree(tmp_path / "svc", FUNCTION)
    (tmp_path / "svc" / "cloudbaserc.json").symlink_to(real)
    options = _options(tmp_path)
    run = fix_rounds([tmp_path / "svc"], options, lint([tmp_path / "svc"], options), False)
    assert (tmp_path / "svc" / "cloudbaserc.json").is_symlink() and '"Port": 8080' in real.read_text()
    assert any("symbolic link" in reason for reason in reasons(run))


# ---- the command line ---------------------------------------------------------------------------------
BROKEN = {
    **FUNCTION,
    "cloudbaserc.json": '{"envId": "e", "cloudrun": {"name": "fn-svc", "serverConfig": '
                        '{"Port": 8080, "Cpu": 0.5, "Mem": 2, "OpenAccessTypes": ["WEB"]}}}\n',
}


def _run(root: Path, monkeypatch, capsys, *flags: str) -> tuple[int, str, str]:
    monkeypatch.chdir(root)
    code = main(["lint", "--no-hadolint", "--no-cache", *flags, "."])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _snapshot(root: Path) -> dict:
    return {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in sorted(root.rglob("*")) if path.is_file()}


def test_fix_reports_what_it_fixed_and_what_is_left(tmp_path, monkeypatch, capsys):
    write_tree(tmp_path, BROKEN)
    code, out, err = _run(tmp_path, monkeypatch, capsys, "--fix")
    assert "Fixed 2 findings (1 remaining; 1 more with --unsafe-fixes)" in err
    assert code == 1 and "CBR401" in out and "CBR404" not in out
    assert "1 fixable with --fix --unsafe-fixes." in out and "[*]" not in out
    code, out, err = _run(tmp_path, monkeypatch, capsys, "--fix", "--unsafe-fixes")
    assert "Fixed 1 finding (0 remaining)" in err and code == 0


def test_unsafe_fixes_alone_changes_nothing(tmp_path, monkeypatch, capsys):
    write_tree(tmp_path, BROKEN)
    before = _snapshot(tmp_path)
    code, out, _err = _run(tmp_path, monkeypatch, capsys, "--unsafe-fixes")
    assert _snapshot(tmp_path) == before and code == 1
    assert "CBR404 [*]" in out and "[*] 2 fixable with --fix (1 more with --unsafe-fixes)" in out


def test_diff_prints_the_changes_and_writes_nothing(tmp_path, monkeypatch, capsys):
    write_tree(tmp_path, BROKEN)
    before = _snapshot(tmp_path)
    code, out, err = _run(tmp_path, monkeypatch, capsys, "--diff", "--unsafe-fixes")
    assert code == 1 and _snapshot(tmp_path) == before
    assert out.startswith("--- a/cloudbaserc.json\n+++ b/cloudbaserc.json\n")
    assert '+{"envId": "e", "cloudrun": {"name": "fn-svc", "serverConfig": {"Port": 3000, "Cpu": 0.5, "Mem": 1, ' \
           '"OpenAccessTypes": ["PUBLIC"]}}}\n' in out
    assert "Would fix 3 findings" in err and "CBR" not in out.replace("cloudbaserc", "")
    # once fixed, --diff has nothing to say
    _run(tmp_path, monkeypatch, capsys, "--fix", "--unsafe-fixes")
    code, out, err = _run(tmp_path, monkeypatch, capsys, "--diff")
    assert code == 0 and out == "" and "Would fix 0 findings" in err


def test_diff_shows_a_new_file(tmp_path, monkeypatch, capsys):
    write_tree(tmp_path, {"Dockerfile": 'FROM python:3.12-slim\nCOPY . .\nCMD ["python", "app.py"]\n',
                          "app.py": APP_READS_PORT})
    code, out, _err = _run(tmp_path, monkeypatch, capsys, "--diff", "--unsafe-fixes")
    assert code == 1 and not (tmp_path / ".dockerignore").exists()
    assert "--- /dev/null\n+++ b/.dockerignore\n@@ -0,0 +1,2 @@\n+.git\n+.env\n" in out


def test_fix_says_what_it_could_not_fix(tmp_path, monkeypatch, capsys):
    dockerfile = 'FROM gcr.io/distroless/python3-debian12\nCOPY . /app\nCMD ["/app/server", "--port", "$PORT"]\n'
    write_tree(tmp_path, _docker_service(dockerfile))
    code, _out, err = _run(tmp_path, monkeypatch, capsys, "--fix")
    assert code == 1 and "Fixed 0 findings (1 remaining)" in err
    assert "Dockerfile:3: CBR103 not fixed: gcr.io/distroless/python3-debian12 has no shell" in err


def test_json_report_after_fix_lists_only_what_is_left(tmp_path, monkeypatch, capsys):
    write_tree(tmp_path, BROKEN)
    _code, out, _err = _run(tmp_path, monkeypatch, capsys, "--fix", "--format", "json")
    assert [finding["code"] for finding in json.loads(out)["findings"]] == ["CBR401"]


# ---- ownership and hard links -------------------------------------------------------------------------
_CONFIG_8080 = '{"envId": "e", "cloudrun": {"name": "fn-svc", "serverConfig": {"Port": 8080}}}\n'


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file away")
def test_the_owner_and_group_are_kept(tmp_path):
    write_tree(tmp_path, {**FUNCTION, "cloudbaserc.json": _CONFIG_8080})
    config = tmp_path / "cloudbaserc.json"
    os.chown(config, 1234, 2345)
    os.chmod(config, 0o640)
    options = _options(tmp_path)
    run = fix_rounds([tmp_path], options, lint([tmp_path], options), False)
    assert run.fixed == 1 and '"Port": 3000' in config.read_text()
    info = config.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (1234, 2345, 0o640)


def test_a_file_with_hard_links_is_not_split(tmp_path):
    write_tree(tmp_path / "svc", {**FUNCTION, "cloudbaserc.json": _CONFIG_8080})
    config = tmp_path / "svc" / "cloudbaserc.json"
    os.link(config, tmp_path / "other.json")
    options = _options(tmp_path)
    run = fix_rounds([tmp_path / "svc"], options, lint([tmp_path / "svc"], options), False)
    assert run.fixed == 0 and config.read_text() == _CONFIG_8080
    assert config.stat().st_nlink == 2 and os.path.samefile(config, tmp_path / "other.json")
    assert reasons(run) == ["it has 2 hard links; edit it by hand"]


# ---- CBR103: the shell script passes every word through unchanged ----------------------------------
def _start_argv(dockerfile: str, tmp_path: Path) -> list[str]:
    """Fix `dockerfile`; the command the container runs after it, as Docker combines ENTRYPOINT and CMD."""
    run, tree = fix(tmp_path, _docker_service(dockerfile))
    assert "CBR103" not in codes(run), reasons(run)
    last = {}
    for line in tree["Dockerfile"].splitlines():
        keyword, _, rest = line.partition(" ")
        if keyword in ("CMD", "ENTRYPOINT"):
            last[keyword] = json.loads(rest)
    argv = [*last.get("ENTRYPOINT", []), *last.get("CMD", [])]
    assert argv[:2] == ["sh", "-c"]
    return argv


def _run_start(argv: list[str], program: str, port: str = "8080") -> list[str]:
    """Run the rewritten command with `program` replaced by printf: one line per argument it gets."""
    import subprocess

    script = argv[2]
    assert script.startswith(f"exec {program} ")
    script = "exec printf '%s\\n' " + script[len(f"exec {program} "):]
    result = subprocess.run(["sh", "-c", script, *argv[3:]], env={"PORT": port, "PATH": os.environ["PATH"]},
                            capture_output=True, text=True, check=True)
    return result.stdout.splitlines()


@pytest.mark.parametrize(("words", "expected"), [
    (["java", "-Dserver.port=$PORT", "-cp", "/app.jar", "com.example.Main$Runner"],
     ["-Dserver.port=8080", "-cp", "/app.jar", "com.example.Main$Runner"]),
    (["echo-server", "--port", "${PORT}", "--banner", "price: $5 today"],
     ["--port", "8080", "--banner", "price: $5 today"]),
    (["server", "--port=${PORT:-3000}", "it's `date` \\n \"quoted\" $HOME {a,b} *", ""],
     ["--port=8080", "it's `date` \\n \"quoted\" $HOME {a,b} *", ""]),
    (["server", "--listen", "[::]:$PORT", "--name", "$PORTAL"], ["--listen", "[::]:8080", "--name", "$PORTAL"]),
])
def test_exec_form_port_fix_passes_every_other_character_literally(tmp_path, words, expected):
    dockerfile = f"FROM python:3.12-slim\nCOPY . .\nCMD {json.dumps(words)}\n"
    assert _run_start(_start_argv(dockerfile, tmp_path), words[0]) == expected


def test_exec_form_port_fix_keeps_the_cmd_as_entrypoint_arguments(tmp_path):
    dockerfile = ('FROM python:3.12-slim\nCOPY . .\nENTRYPOINT ["server", "--port", "$PORT", "a b$c"]\n'
                  'CMD ["--greeting", "hi $USER", "x\'y"]\n')
    assert _run_start(_start_argv(dockerfile, tmp_path), "server") == \
        ["--port", "8080", "a b$c", "--greeting", "hi $USER", "x'y"]


def test_exec_form_port_fix_with_an_unset_port_default(tmp_path):
    dockerfile = 'FROM python:3.12-slim\nCOPY . .\nCMD ["server", "--port", "${PORT:-3000}"]\n'
    assert _run_start(_start_argv(dockerfile, tmp_path), "server", port="") == ["--port", "3000"]


@pytest.mark.parametrize(("cmd", "why"), [
    ('CMD ["--port", "$PORT", "--verbose"]', "arguments for the base image's ENTRYPOINT"),
    ('CMD ["app:app", "--bind", ":$PORT"]', "arguments for the base image's ENTRYPOINT"),
    ('ENTRYPOINT ["tini", "--"]\nCMD ["-p", "$PORT"]', "arguments"),
])
def test_exec_form_port_fix_refuses_a_command_that_is_only_arguments(tmp_path, cmd, why):
    dockerfile = f"FROM ghcr.io/x/server:1.2\nCOPY . .\n{cmd}\n"
    run, tree = fix(tmp_path, _docker_service(dockerfile))
    assert tree["Dockerfile"] == dockerfile and "CBR103" in codes(run)
    assert any(why in reason for reason in reasons(run)), reasons(run)


def test_exec_form_port_fix_refuses_a_default_it_cannot_quote(tmp_path):
    dockerfile = 'FROM python:3.12-slim\nCOPY . .\nCMD ["server", "--port", "${PORT:-$(cat /port)}"]\n'
    run, tree = fix(tmp_path, _docker_service(dockerfile))
    assert tree["Dockerfile"] == dockerfile and "CBR103" in codes(run)


# ---- CBR201: `os` bound to something else ------------------------------------------------------------
@pytest.mark.parametrize("source", [
    'import http.server\n\nos = "linux"\n\n\ndef serve():\n'
    '    return http.server.HTTPServer(("0.0.0.0", 8080), http.server.BaseHTTPRequestHandler)\n',
    'import http.server\n\n\ndef serve(os=None):\n'
    '    return http.server.HTTPServer(("0.0.0.0", 8080), http.server.BaseHTTPRequestHandler)\n',
    'import http.server\nimport os\n\n\ndef serve():\n    os = "linux"\n'
    '    return http.server.HTTPServer(("0.0.0.0", 8080), http.server.BaseHTTPRequestHandler)\n',
])
def test_python_port_fix_works_when_os_is_bound_to_something_else(tmp_path, monkeypatch, source):
    run, tree = fix(tmp_path, {"server.py": source})
    assert "CBR201" not in codes(run), reasons(run)
    fixed = tree["server.py"]
    assert "import os as _os\n" in fixed and '_os.environ.get("PORT", 8080)' in fixed
    namespace: dict = {"__name__": "fixed_server"}
    exec(compile(fixed, "server.py", "exec"), namespace)
    monkeypatch.setenv("PORT", "0")  # any free port: the expression must read it
    server = namespace["serve"]()
    try:
        assert server.server_address[1] > 0
    finally:
        server.server_close()


def test_python_port_fix_uses_plain_os_when_nothing_shadows_it(tmp_path):
    source = ('import http.server\n\n\ndef serve():\n'
              '    return http.server.HTTPServer(("0.0.0.0", 8080), http.server.BaseHTTPRequestHandler)\n\n\n'
              'def other(os):\n    return os\n')
    run, tree = fix(tmp_path, {"server.py": source})
    assert 'int(os.environ.get("PORT", 8080))' in tree["server.py"] and "_os" not in tree["server.py"]


# ---- --diff agrees with --fix ------------------------------------------------------------------------
def _diff_then_fix(top: Path, where: Path, monkeypatch, capsys) -> tuple[str, str, str, dict]:
    """--diff, then --fix, in `where`: (diff's stdout, diff's stderr, fix's stderr, files before)."""
    before = _snapshot(top)
    _code, diff_out, diff_err = _run(where, monkeypatch, capsys, "--diff")
    assert _snapshot(top) == before
    _code, _out, fix_err = _run(where, monkeypatch, capsys, "--fix")
    return diff_out, diff_err, fix_err, before


def _changed(before: dict, top: Path) -> set[Path]:
    after = _snapshot(top)
    return {path for path in set(before) | set(after) if before.get(path, (None,))[0] != after.get(path, (None,))[0]}


def test_diff_shows_a_fix_of_a_dockerfile_outside_the_service_folder(tmp_path, monkeypatch, capsys):
    write_tree(tmp_path, {
        "Dockerfile.prod": 'FROM python:3.12-slim\nCOPY . .\nCMD ["gunicorn", "-b", "0.0.0.0:$PORT", "app:app"]\n',
        ".dockerignore": DOCKERIGNORE,
        "svc/cloudbaserc.json": '{"envId": "e", "cloudrun": {"name": "svc", "serverConfig": '
                                '{"Port": 8080, "BuildDir": "..", "Dockerfile": "Dockerfile.prod"}}}\n',
        "svc/app.py": APP_READS_PORT,
    })
    diff_out, diff_err, fix_err, before = _diff_then_fix(tmp_path, tmp_path / "svc", monkeypatch, capsys)
    assert diff_out.startswith("--- a/../Dockerfile.prod\n+++ b/../Dockerfile.prod\n")
    assert '+CMD ["sh", "-c", "exec gunicorn -b 0.0.0.0:$PORT app:app"]\n' in diff_out
    assert "Would fix 1 finding (0 remaining)" in diff_err and "Fixed 1 finding (0 remaining)" in fix_err
    assert _changed(before, tmp_path) == {tmp_path / "Dockerfile.prod"}


@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_diff_refuses_what_fix_refuses(tmp_path, monkeypatch, capsys, link):
    write_tree(tmp_path, {
        "shared/Dockerfile": 'FROM python:3.12-slim\nCOPY . .\nCMD ["gunicorn", "-b", ":$PORT", "a:app"]\n',
        "svc/.dockerignore": DOCKERIGNORE, "svc/app.py": APP_READS_PORT})
    if link == "symlink":
        (tmp_path / "svc" / "Dockerfile").symlink_to("../shared/Dockerfile")
    else:
        os.link(tmp_path / "shared" / "Dockerfile", tmp_path / "svc" / "Dockerfile")
    diff_out, diff_err, fix_err, before = _diff_then_fix(tmp_path, tmp_path / "svc", monkeypatch, capsys)
    assert diff_out == "" and _changed(before, tmp_path) == set()
    why = "symbolic link" if link == "symlink" else "2 hard links"
    assert "Dockerfile:3: CBR103 not fixed: " in diff_err and why in diff_err
    assert "Would fix 0 findings (1 remaining)" in diff_err and "Fixed 0 findings (1 remaining)" in fix_err


def test_diff_survives_a_symlink_loop(tmp_path, monkeypatch, capsys):
    write_tree(tmp_path, _docker_service('FROM python:3.12-slim\nCOPY . .\nCMD ["gunicorn", "-b", ":$PORT", "a:app"]\n'))
    (tmp_path / "loop.py").symlink_to("loop.py")
    code, out, err = _run(tmp_path, monkeypatch, capsys, "--diff")
    assert code == 1 and '+CMD ["sh", "-c", "exec gunicorn -b :$PORT a:app"]\n' in out
    assert "Would fix 1 finding (1 remaining)" in err  # the loop's CBR001
