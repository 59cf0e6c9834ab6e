"""Where reports and baselines are written: never through a replaced link or device, never half."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "broken-service"


@pytest.fixture
def project(tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "svc")
    return tmp_path


def shell(command: str, cwd: Path) -> subprocess.CompletedProcess:
    scaffolder = f"{sys.executable} -m scaffolder lint --no-hadolint --no-cache"
    return subprocess.run(["bash", "-c", command.replace("scaffolder", scaffolder)], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("flag", ["-f json -o /dev/stdout", "--write-baseline /dev/stdout"])
def test_dev_stdout_appends_to_a_redirected_file_and_stays_a_device(project, flag):
    (project / "ci.log").write_text("earlier output\n", encoding="utf-8")
    shell(f"scaffolder svc {flag} >> ci.log", project)
    log = (project / "ci.log").read_text(encoding="utf-8")
    assert log.startswith("earlier output\n{") and '"findings"' in log
    assert Path("/dev/stdout").is_symlink() or Path("/dev/stdout").is_char_device()


def test_dev_stdout_into_a_pipe(project):
    result = shell("scaffolder svc -f json -o /dev/stdout | head -c 1", project)
    assert result.stdout == "{" and "Traceback" not in result.stderr


def test_a_symlinked_report_replaces_its_target_not_the_link(project):
    (project / "reports").mkdir()
    (project / "latest.json").symlink_to("reports/run.json")
    (project / "reports" / "run.json").write_text("old", encoding="utf-8")
    shell("scaffolder svc -f json -o latest.json", project)
    assert (project / "latest.json").is_symlink()
    assert (project / "reports" / "run.json").read_text(encoding="utf-8").startswith("{")


@pytest.mark.parametrize("flag", ["-o", "--write-baseline"])
def test_a_folder_is_a_usage_error(project, flag):
    result = shell(f"scaffolder svc {flag} svc", project)
    assert result.returncode == 2 and "is a folder" in result.stderr and "Traceback" not in result.stderr
