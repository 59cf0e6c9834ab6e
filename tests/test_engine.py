"""The engine across worker processes: the same answer whatever --jobs, and workers that never
hang on the Go-based Dockerfile parser."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "broken-service"
TEMPLATES_MONOREPO = 12


def monorepo(root: Path) -> Path:
    for index in range(TEMPLATES_MONOREPO):
        shutil.copytree(EXAMPLE, root / "services" / f"svc{index:02d}")
    return root / "services"


def lint_output(root: Path, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scaffolder", "lint", "--no-cache", "--format", "json", *flags,
                           "services"], cwd=root, capture_output=True, text=True, timeout=300)


def test_output_is_byte_identical_whatever_the_worker_count(tmp_path):
    monorepo(tmp_path)
    runs = [lint_output(tmp_path, "--jobs", str(jobs)) for jobs in (1, 2, 3)]
    assert {run.returncode for run in runs} == {1}
    assert runs[0].stdout == runs[1].stdout == runs[2].stdout
    assert runs[0].stdout.count('"code": "DL') > 0  # hadolint ran in every configuration


def test_workers_do_not_hang_after_the_parent_loaded_the_go_parser(tmp_path):
    """buildkit's parser starts a Go runtime that fork() breaks; the engine must not fork then."""
    services = monorepo(tmp_path)
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from scaffolder.catalog import default_catalog
        from scaffolder.dockerfile_model import buildkit
        from scaffolder.engine import LintOptions, _fork_is_safe, lint
        from scaffolder.settings import Settings

        buildkit().parse_string("FROM scratch\\n")  # the Go runtime is now running in this process
        assert not _fork_is_safe()
        for _ in range(3):
            options = LintOptions(settings=Settings(hadolint=False), catalog=default_catalog(),
                                  report_root=Path({str(tmp_path)!r}), jobs=2)
            result = lint([Path({str(services)!r})], options)
            assert result.services == {TEMPLATES_MONOREPO}, result.services
        print("done")
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=240)
    assert run.returncode == 0 and run.stdout.strip() == "done", run.stderr


def test_fork_is_used_while_the_go_parser_is_not_loaded():
    script = ("import sys; from scaffolder.engine import _fork_is_safe; import scaffolder.checks.hadolint; "
              "assert 'dockerfile' not in sys.modules; print(_fork_is_safe())")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert run.stdout.strip() == "True", run.stderr


def test_a_dockerfile_hadolint_cannot_parse_among_many_services(tmp_path):
    """hadolint's DL1000 used to make the main process parse (and memoise) while workers were
    still being sent services; the unpicklable memo broke the pool."""
    services = monorepo(tmp_path)
    broken = services / "zz"
    broken.mkdir()
    (broken / "Dockerfile").write_text('FROM python:3.11-slim\nFRM oops\nCMD ["python", "app.py"]\n', encoding="utf-8")
    run = lint_output(tmp_path, "--jobs", "2")
    assert run.returncode == 1, run.stderr
    assert '"path": "services/zz/Dockerfile"' in run.stdout and '"code": "CBR001"' in run.stdout
    assert '"code": "DL1000"' not in run.stdout  # the same syntax error is reported once


def test_fork_is_not_used_while_another_thread_runs():
    """A progress bar refreshes from a thread once shown; fork() would copy its locks."""
    import threading

    from scaffolder.engine import _fork_is_safe

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not _fork_is_safe()
    finally:
        stop.set()
        thread.join()


def test_dockerfile_suppressions_are_checked_the_same_whatever_the_worker_count(tmp_path):
    """hadolint's preparation reads every Dockerfile in the main process; its suppressions must count
    for every service, not only for those the main process happened to check."""
    services = tmp_path / "services"
    for index in range(30):
        folder = services / f"svc{index:02d}"
        folder.mkdir(parents=True)
        (folder / "Dockerfile").write_text("# scaffolder: ignore[CBR999]\nFROM python:3.11-slim\n", encoding="utf-8")
        (folder / "app.py").write_text("print('hi')\n", encoding="utf-8")
    runs = [lint_output(tmp_path, "--select", "DL,CBR0,CBR2", "--jobs", jobs) for jobs in ("1", "2", "2")]
    assert runs[0].stdout == runs[1].stdout == runs[2].stdout, [run.stderr for run in runs]
    assert runs[0].stdout.count('"code": "CBR003"') == 30


@pytest.mark.parametrize(("names", "kinds"), [
    (["Dockerfile", "README.md"], set()),
    (["app.py", "requirements.txt"], {"python"}),
    (["main.go", "go.mod"], {"go"}),
    (["App.java"], {"java"}),
    (["application.yml"], {"java"}), (["application-prod.properties"], {"java"}), (["app.yml"], set()),
    (["package.json"], {"node", "package.json"}),
    (["index.mts"], {"node"}), (["a.d.ts"], {"node"}), (["x.json"], set()),
    ([".py", "py", "x.spy", "go", ".java.bak"], {"python"}),  # pathlib-style suffixes only
])
def test_checks_run_by_the_kinds_of_file_a_service_has(names, kinds):
    from scaffolder.checks import CHECKS, checks_for, file_kinds

    assert file_kinds(names) == kinds
    wanted = {check.name for check in CHECKS if check.needs is None or check.needs in kinds}
    assert {module.__name__.rsplit(".", 1)[1] for module in checks_for(names)} == wanted
    assert {"dockerfile", "start_command", "server_config"} <= wanted
